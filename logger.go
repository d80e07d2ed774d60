package fapilog

import (
	"context"
	"log/slog"
)

// core is what both facades are made of: the shared worker, the context
// accumulated by With and WithGroup, and whether calls wait for the write.
// Every method here is a line that hands the call to the worker.
type core struct {
	w     *worker
	scope *scope
	sync  bool
}

// callerSkip is the number of frames between the user's call and
// worker.log when the call goes through a core method (the compiler's
// wrappers for promoted methods are not frames to runtime.Callers).
const callerSkip = 1

func newCore(cfg Config, sync bool) (core, error) {
	cfg, err := levelsFromEnv(cfg)
	if err != nil {
		return core{}, err
	}
	w, err := newWorker(cfg)
	if err != nil {
		return core{}, err
	}
	return core{w: w, scope: rootScope, sync: sync}, nil
}

// Debug logs at slog.LevelDebug.
func (c *core) Debug(msg string, attrs ...slog.Attr) {
	c.w.log(context.Background(), c.scope, c.sync, callerSkip, slog.LevelDebug, msg, attrs)
}

// Info logs at slog.LevelInfo.
func (c *core) Info(msg string, attrs ...slog.Attr) {
	c.w.log(context.Background(), c.scope, c.sync, callerSkip, slog.LevelInfo, msg, attrs)
}

// Warn logs at slog.LevelWarn.
func (c *core) Warn(msg string, attrs ...slog.Attr) {
	c.w.log(context.Background(), c.scope, c.sync, callerSkip, slog.LevelWarn, msg, attrs)
}

// Error logs at slog.LevelError.
func (c *core) Error(msg string, attrs ...slog.Attr) {
	c.w.log(context.Background(), c.scope, c.sync, callerSkip, slog.LevelError, msg, attrs)
}

// DebugContext logs at slog.LevelDebug with the attrs ctx carries (see
// ContextWithAttrs and Config.ContextExtractors).
func (c *core) DebugContext(ctx context.Context, msg string, attrs ...slog.Attr) {
	c.w.log(ctx, c.scope, c.sync, callerSkip, slog.LevelDebug, msg, attrs)
}

// InfoContext logs at slog.LevelInfo with the attrs ctx carries.
func (c *core) InfoContext(ctx context.Context, msg string, attrs ...slog.Attr) {
	c.w.log(ctx, c.scope, c.sync, callerSkip, slog.LevelInfo, msg, attrs)
}

// WarnContext logs at slog.LevelWarn with the attrs ctx carries.
func (c *core) WarnContext(ctx context.Context, msg string, attrs ...slog.Attr) {
	c.w.log(ctx, c.scope, c.sync, callerSkip, slog.LevelWarn, msg, attrs)
}

// ErrorContext logs at slog.LevelError with the attrs ctx carries.
func (c *core) ErrorContext(ctx context.Context, msg string, attrs ...slog.Attr) {
	c.w.log(ctx, c.scope, c.sync, callerSkip, slog.LevelError, msg, attrs)
}

// Log logs at any level, with the attrs ctx carries. For a SyncLogger, ctx
// ending stops the wait for the write (the record stays queued and is
// still written and counted). ctx may be nil.
func (c *core) Log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	c.w.log(ctx, c.scope, c.sync, callerSkip, level, msg, attrs)
}

// Handler returns a slog.Handler that logs through this logger: same
// pipeline, level, context, face (a SyncLogger's handler waits for the
// write) and counters. Use it as slog.New(l.Handler()).
func (c *core) Handler() slog.Handler { return &handler{*c} }

// Enabled reports whether a record at level would be logged.
func (c *core) Enabled(_ context.Context, level slog.Level) bool {
	return c.w.enabledIn(c.scope, level)
}

// Flush returns once every record logged before the call (by any logger
// of the same pipeline) is written and every sink's Flush has run, or ctx
// ends, returning ctx's error.
func (c *core) Flush(ctx context.Context) error { return c.w.flush(ctx) }

// Close stops the pipeline: later calls are counted as dropped, queued
// records are written, and the sinks are flushed and closed. If ctx ends
// first, Close returns ctx's error and counts what it could not deliver as
// dropped. Close is idempotent, safe from several goroutines, and closes
// every logger of the pipeline.
//
// Close's error tells of every loss: it joins the sinks' errors (or
// ctx's) with a *LossError when any record was dropped or failed during
// the logger's life, so that a nil error means every record was written.
func (c *core) Close(ctx context.Context) error { return c.w.close(ctx) }

// Stats returns the pipeline's counters, shared by every logger of it.
func (c *core) Stats() Stats { return c.w.stats() }

func (c core) with(attrs []slog.Attr) core {
	c.scope = c.w.stages.withAttrs(c.scope, attrs)
	return c
}

func (c core) withGroup(name string) core {
	c.scope = c.scope.withGroup(name)
	return c
}

// An AsyncLogger queues each record and returns at once: it never waits
// on a sink. When the queue is full it follows Config.Backpressure.
// Its methods are safe for concurrent use. Close it to stop its worker.
type AsyncLogger struct{ core }

// NewAsync starts a pipeline and returns its asynchronous face. It returns
// an error naming the field if cfg is invalid.
func NewAsync(cfg Config) (*AsyncLogger, error) {
	c, err := newCore(cfg, false)
	if err != nil {
		return nil, err
	}
	return &AsyncLogger{c}, nil
}

// With returns a logger whose records carry attrs too. The attrs are
// captured and encoded now, once.
func (l *AsyncLogger) With(attrs ...slog.Attr) *AsyncLogger { return &AsyncLogger{l.with(attrs)} }

// WithGroup returns a logger whose later attrs nest in group name.
func (l *AsyncLogger) WithGroup(name string) *AsyncLogger { return &AsyncLogger{l.withGroup(name)} }

// Named returns a logger named name, joined to l's name with a '.'
// (Named("") changes nothing): its records carry "logger":"<full name>"
// right after msg, and it logs at the level that Config.Levels or
// SetLevels gives the longest prefix of its full name. Like With, it is
// meant to be called once, not per record.
func (l *AsyncLogger) Named(name string) *AsyncLogger { return &AsyncLogger{l.named(name)} }

// AsSync returns the synchronous face of the same pipeline: same worker,
// sinks, counters and context.
func (l *AsyncLogger) AsSync() *SyncLogger { return &SyncLogger{l.asSync(true)} }

// A SyncLogger returns from each call once its record, and every record
// queued before it, has been handed to every sink. Concurrent callers
// share one batch write. Its methods are safe for concurrent use. Close it
// to stop its worker.
type SyncLogger struct{ core }

// NewSync starts a pipeline and returns its synchronous face. It returns
// an error naming the field if cfg is invalid.
func NewSync(cfg Config) (*SyncLogger, error) {
	c, err := newCore(cfg, true)
	if err != nil {
		return nil, err
	}
	return &SyncLogger{c}, nil
}

// With returns a logger whose records carry attrs too. The attrs are
// captured and encoded now, once.
func (l *SyncLogger) With(attrs ...slog.Attr) *SyncLogger { return &SyncLogger{l.with(attrs)} }

// WithGroup returns a logger whose later attrs nest in group name.
func (l *SyncLogger) WithGroup(name string) *SyncLogger { return &SyncLogger{l.withGroup(name)} }

// Named returns a logger named name, joined to l's name with a '.'
// (Named("") changes nothing): its records carry "logger":"<full name>"
// right after msg, and it logs at the level that Config.Levels or
// SetLevels gives the longest prefix of its full name. Like With, it is
// meant to be called once, not per record.
func (l *SyncLogger) Named(name string) *SyncLogger { return &SyncLogger{l.named(name)} }

// AsAsync returns the asynchronous face of the same pipeline: same worker,
// sinks, counters and context.
func (l *SyncLogger) AsAsync() *AsyncLogger { return &AsyncLogger{l.asSync(false)} }

func (c core) asSync(sync bool) core {
	c.sync = sync
	return c
}
