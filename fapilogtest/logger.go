package fapilogtest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
)

// CloseTimeout bounds the Close that NewLogger's cleanup runs, so that a
// hung sink fails the test instead of hanging it.
const CloseTimeout = 10 * time.Second

// An Option configures NewLogger.
type Option func(*fapilog.Config)

// Level sets the minimum level NewLogger's logger logs; the default is
// slog.LevelDebug, so a test sees everything.
func Level(l slog.Leveler) Option {
	return func(c *fapilog.Config) { c.Level = l }
}

// Sinks adds sinks (say, a Recorder) that NewLogger's logger writes to
// besides t.Log.
func Sinks(sinks ...fapilog.Sink) Option {
	return func(c *fapilog.Config) { c.Sinks = append(c.Sinks, sinks...) }
}

// NewLogger returns a synchronous logger for the test t: every record is
// written through t.Log, as one JSON line, so it shows with go test -v
// or when the test fails, and so do the logger's diagnostics. The logger
// is closed when the test ends (t.Cleanup), within CloseTimeout; if Close
// returns an error the test fails, unless the error only counts lost
// records (a *fapilog.LossError): a test may make a sink fail on purpose,
// and the logger's Stats and diagnostics show the loss. Redaction and every other setting are
// fapilog's defaults; Level and Sinks change the level and add sinks.
// It calls t.Fatal if the logger cannot be made.
func NewLogger(t testing.TB, opts ...Option) *fapilog.SyncLogger {
	t.Helper()
	out := &tbOut{t: t}
	cfg := fapilog.Config{
		Level:       slog.LevelDebug,
		Sinks:       []fapilog.Sink{tbSink{out}},
		Diagnostics: tbWriter{out},
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	logger, err := fapilog.NewSync(cfg)
	if err != nil {
		t.Fatalf("fapilogtest.NewLogger: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), CloseTimeout)
		defer cancel()
		err := withoutLoss(logger.Close(ctx))
		out.ended.Store(true)
		if err != nil {
			t.Errorf("fapilogtest: closing the test's logger: %v", err)
		}
	})
	return logger
}

// tbOut is t.Log until the logger is closed. After that, a write (from a
// sink that outlived Close's deadline) is dropped: t.Log after the test
// has ended panics.
type tbOut struct {
	t     testing.TB
	ended atomic.Bool
}

func (o *tbOut) log(prefix string, line []byte) {
	if !o.ended.Load() {
		o.t.Log(prefix + string(bytes.TrimSuffix(line, []byte("\n"))))
	}
}

// tbSink writes each record through t.Log.
type tbSink struct{ out *tbOut }

func (s tbSink) WriteBatch(b *fapilog.Batch) error {
	for i := range b.Len() {
		s.out.log("", b.Record(i))
	}
	return nil
}

func (tbSink) Flush() error { return nil }

func (tbSink) Close() error { return nil }

func (tbSink) String() string { return "fapilogtest:t.Log" }

// tbWriter writes the logger's diagnostics through t.Log.
type tbWriter struct{ out *tbOut }

func (w tbWriter) Write(p []byte) (int, error) {
	w.out.log("fapilog diagnostics: ", p)
	return len(p), nil
}

// withoutLoss returns err without the *fapilog.LossError that Close joins
// into it: nil if that was all.
func withoutLoss(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var rest []error
		for _, e := range j.Unwrap() {
			rest = append(rest, withoutLoss(e))
		}
		return errors.Join(rest...)
	}
	if _, ok := err.(*fapilog.LossError); ok {
		return nil
	}
	return err
}
