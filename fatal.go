package fapilog

import (
	"context"
	"log/slog"
	"os"
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
	c.fatal(context.Background(), msg, attrs)
}

// FatalContext is Fatal with the attrs ctx carries. ctx ending does not
// cut short the wait for the pipeline to close: only ExitTimeout does.
func (c *core) FatalContext(ctx context.Context, msg string, attrs ...slog.Attr) {
	c.fatal(ctx, msg, attrs)
}

func (c *core) fatal(ctx context.Context, msg string, attrs []slog.Attr) {
	c.w.log(ctx, c.scope, true, callerSkip+1, LevelFatal, msg, attrs)
	closeWithin(c.w, c.w.set.exitTimeout)
	exit(1)
}

// closeWithin closes w, giving up after d (no limit if d < 0). What it
// could not deliver is counted as dropped.
func closeWithin(w *worker, d time.Duration) error {
	ctx := context.Background()
	if d >= 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	return w.close(ctx)
}
