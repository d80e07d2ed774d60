package fapilog

import (
	"context"
	"log/slog"
	"os"
	"runtime"
	"time"
)

// exit ends the process once Fatal has closed the pipeline. Tests replace
// it to watch Fatal without exiting.
var exit = os.Exit

// Fatal logs at LevelFatal, closes the pipeline so that the record and
// every record logged before it reach every sink (waiting at most
// Config.ExitTimeout), and exits the process with status 1. Deferred
// functions do not run.
func (c *core) Fatal(msg string, attrs ...slog.Attr) {
	c.w.fatal(context.Background(), c.scope, callerSkip, msg, attrs)
}

// FatalContext is Fatal with the attrs ctx carries. ctx ending does not
// cut short the wait for the pipeline to close: only ExitTimeout does.
func (c *core) FatalContext(ctx context.Context, msg string, attrs ...slog.Attr) {
	c.w.fatal(ctx, c.scope, callerSkip, msg, attrs)
}

// fatal is Fatal for a logger of scope sc; skip counts the frames between
// the user's call and fatal, as for log.
func (w *worker) fatal(ctx context.Context, sc *scope, skip int, msg string, attrs []slog.Attr) {
	// One deadline for the record's write and the close, which neither
	// the caller's ctx ending nor a hung sink can stretch.
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := withTimeout(context.WithoutCancel(ctx), w.set.exitTimeout)
	defer cancel()
	if w.enabledIn(sc, LevelFatal) {
		var pc uintptr
		if w.set.addSource {
			var pcs [1]uintptr
			runtime.Callers(skip+2, pcs[:]) // skip runtime.Callers and fatal
			pc = pcs[0]
		}
		// The record may wait for room (Block, or ProtectedLevel) longer
		// than the deadline: it waits on a goroutine of its own, which
		// closing the queue releases.
		logged := make(chan struct{})
		t := now()
		go func() {
			defer close(logged)
			w.emit(ctx, sc, true, t, LevelFatal, msg, pc, nil, attrs)
		}()
		select {
		case <-logged:
		case <-ctx.Done():
		}
		defer func() { <-logged }() // for tests, where exit returns
	}
	w.close(ctx)
	exit(1)
}

// withTimeout is context.WithTimeout, with no limit if d < 0.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d < 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
