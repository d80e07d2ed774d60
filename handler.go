package fapilog

import (
	"context"
	"log/slog"
)

// handler is the slog.Handler of a logger: the same core, so records from
// slog take the same path as the facade's, and its children are made by
// the same With and WithGroup.
type handler struct{ c core }

// Enabled reports whether the logger's level, read now, admits level.
func (h *handler) Enabled(ctx context.Context, level slog.Level) bool { return h.c.Enabled(ctx, level) }

// Handle logs r, copying what it keeps: r and its attrs may be reused once
// Handle returns. A zero r.Time is left out, as is r.PC unless
// Config.AddSource is set. It always returns nil: records the pipeline
// cannot write are counted in Stats and reported to Config.Diagnostics.
func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	h.c.w.handle(ctx, h.c.scope, h.c.sync, &r)
	return nil
}

// WithAttrs returns a handler whose records carry attrs too, encoded now.
func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return &handler{h.c.with(attrs)}
}

// WithGroup returns a handler whose later attrs nest in group name, or h
// itself if name is empty.
func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &handler{h.c.withGroup(name)}
}
