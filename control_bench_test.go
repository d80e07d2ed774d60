package fapilog

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"
)

// sinkLeveler keeps the compiler from proving what a Leveler returns.
var sinkLeveler slog.Leveler = slog.LevelInfo

var benchBool bool

// BenchmarkLevelCheck is the level check alone: today's (an interface
// call on Config.Level, as before named loggers), an unnamed logger's, a
// named logger's (cache hit), and an unnamed logger's whose Config.Level
// is a *slog.LevelVar.
func BenchmarkLevelCheck(b *testing.B) {
	var lv slog.LevelVar
	w := newIdleWorker(mustSettings(b, Config{Levels: "info,http=debug"}))
	wv := newIdleWorker(mustSettings(b, Config{Level: &lv}))
	named := rootScope.named("http").named("client")
	b.Run("today", func(b *testing.B) {
		for b.Loop() {
			benchBool = slog.LevelDebug >= sinkLeveler.Level()
		}
	})
	b.Run("unnamed", func(b *testing.B) {
		for b.Loop() {
			benchBool = w.enabledIn(rootScope, slog.LevelDebug)
		}
	})
	b.Run("named", func(b *testing.B) {
		for b.Loop() {
			benchBool = w.enabledIn(named, slog.LevelDebug)
		}
	})
	b.Run("unnamed-levelvar", func(b *testing.B) {
		for b.Loop() {
			benchBool = wv.enabledIn(rootScope, slog.LevelDebug)
		}
	})
}

func mustSettings(b *testing.B, cfg Config) settings {
	cfg.Sinks = []Sink{NewWriterSink(io.Discard)}
	s, err := cfg.settings()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkNamedCaller is the caller's cost of a disabled and an enabled
// call with five attrs, unnamed and named.
func BenchmarkNamedCaller(b *testing.B) {
	for _, name := range []string{"", "db.pool"} {
		label := "unnamed"
		if name != "" {
			label = "named"
		}
		b.Run("disabled/"+label, func(b *testing.B) {
			l, w := benchLogger(b)
			lg := l.Named(name)
			attrs := attrs5()
			b.ReportAllocs()
			for b.Loop() {
				lg.Debug("Test logging, but use a somewhat realistic message length.", attrs...)
			}
			finish(b, l, w, 0)
		})
		b.Run("enabled/"+label, func(b *testing.B) {
			l, w := benchLogger(b)
			lg := l.Named(name)
			attrs := attrs5()
			logChunked(b, l, func() {
				lg.Info("Test logging, but use a somewhat realistic message length.", attrs...)
			})
			finish(b, l, w, int64(b.N))
		})
	}
}

// BenchmarkSampledOut is the caller's cost of a call that sampling drops:
// one goroutine, and all of them on one message (one shared counter).
func BenchmarkSampledOut(b *testing.B) {
	open := func(b *testing.B) *AsyncLogger {
		l, err := NewAsync(Config{Sinks: []Sink{NewWriterSink(io.Discard)}, Sampling: &Sampling{Tick: 1000 * time.Hour, First: 1}})
		if err != nil {
			b.Fatal(err)
		}
		return l
	}
	const msg = "Test logging, but use a somewhat realistic message length."
	b.Run("serial", func(b *testing.B) {
		l := open(b)
		attrs := attrs5()
		b.ReportAllocs()
		for b.Loop() {
			l.Info(msg, attrs...)
		}
		b.StopTimer()
		l.Close(context.Background())
	})
	b.Run("parallel", func(b *testing.B) {
		l := open(b)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			attrs := attrs5()
			for pb.Next() {
				l.Info(msg, attrs...)
			}
		})
		b.StopTimer()
		l.Close(context.Background())
	})
}
