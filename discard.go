package fapilog

import (
	"io"
	"log/slog"
	"math"
)

// Discard returns a logger that writes nothing, for code that takes a
// logger when there is nowhere to log: no level is enabled, so a call
// costs a level check and captures nothing. Its SyncLogger (AsSync), With,
// Handler, Flush, Close and Stats all work and count nothing. Every call
// returns the same pipeline, which has no goroutine; closing it is
// harmless.
func Discard() *AsyncLogger { return &AsyncLogger{core{w: discardWorker, scope: rootScope}} }

// levelOff is above every level a program logs at.
const levelOff = slog.Level(math.MaxInt)

var discardWorker = func() *worker {
	set, err := Config{
		Level:       levelOff,
		Sinks:       []Sink{NewWriterSink(io.Discard)},
		QueueSize:   2,
		Redactors:   []Redactor{},
		Diagnostics: io.Discard,
	}.settings()
	if err != nil {
		panic(err) // a constant Config
	}
	set.sinks, set.fallback = nil, nil // nothing is ever written
	w := newIdleWorker(set)
	close(w.exited) // no goroutine to wait for
	return w
}()
