package fapilog

import (
	"log/slog"
	"testing"
)

// BenchmarkSyncLevel is the caller's cost of an async Error call by
// SyncLevel: LevelFatal (the default, Error queued and returning at once),
// the same as a *slog.LevelVar (an interface call more), and
// slog.LevelError (each Error waits for its write, as on a SyncLogger).
func BenchmarkSyncLevel(b *testing.B) {
	var fatalVar slog.LevelVar
	fatalVar.Set(LevelFatal)
	for _, c := range []struct {
		name  string
		level slog.Leveler
	}{
		{"SyncLevel=Fatal", nil},
		{"SyncLevel=LevelVar(Fatal)", &fatalVar},
		{"SyncLevel=Error", slog.LevelError},
	} {
		b.Run(c.name, func(b *testing.B) {
			w := &countingWriter{}
			l, err := NewAsync(Config{Sinks: []Sink{NewWriterSink(w)}, Backpressure: Block, BlockTimeout: -1,
				SyncLevel: c.level})
			if err != nil {
				b.Fatal(err)
			}
			as := attrs5()
			logChunked(b, l, func() {
				l.Error("Test logging, but use a somewhat realistic message length.", as...)
			})
			finish(b, l, w, int64(b.N))
		})
	}
}

// BenchmarkShedCheck is the caller's cost of an async Info call with
// shedding on (DropNewest's default: a load of the ring's head per
// sheddable record) and off, the ring never full enough to shed.
func BenchmarkShedCheck(b *testing.B) {
	for _, c := range []struct {
		name string
		at   float64
	}{{"shed=on", 0}, {"shed=off", -1}} {
		b.Run(c.name, func(b *testing.B) {
			w := &countingWriter{}
			l, err := NewAsync(Config{Sinks: []Sink{NewWriterSink(w)}, ShedAt: c.at})
			if err != nil {
				b.Fatal(err)
			}
			as := attrs5()
			logChunked(b, l, func() {
				l.Info("Test logging, but use a somewhat realistic message length.", as...)
			})
			finish(b, l, w, int64(b.N))
		})
	}
}
