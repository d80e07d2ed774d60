package fapilog

import (
	"context"
	"fmt"
	"log/slog"
)

// attrsKey is the context key under which ContextWithAttrs stores its
// attrs: a []slog.Attr, captured and never modified once stored.
type attrsKey struct{}

// ContextWithAttrs returns a copy of ctx carrying attrs after any attrs ctx
// already carries. Every record logged with the returned context (through
// a logger's *Context methods, Log, or its Handler) has them at top level,
// after the enrichers' attrs and before the logger's With attrs and the
// call's own: a line reads time, level, source, msg, enrichers' attrs,
// context attrs (these, then Config.ContextExtractors'), With attrs, call
// attrs. The attrs are captured now, as With captures its attrs:
// LogValuers are resolved and other non-primitive values encoded once,
// here. A nil ctx means context.Background().
func ContextWithAttrs(ctx context.Context, attrs ...slog.Attr) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	if len(attrs) == 0 {
		return ctx
	}
	prev, _ := ctx.Value(attrsKey{}).([]slog.Attr)
	all := make([]slog.Attr, len(prev), len(prev)+len(attrs))
	copy(all, prev)
	return context.WithValue(ctx, attrsKey{}, appendCaptured(all, attrs...))
}

// appendExtracted appends to dst the attrs Config.ContextExtractors pull
// out of ctx, captured into mem (the call's capture). It runs on the
// caller's goroutine, because ctx may be cancelled or reused once the call
// returns.
func (w *worker) appendExtracted(dst []slog.Attr, ctx context.Context, mem *arena) []slog.Attr {
	for i, extract := range w.set.extractors {
		dst = w.extract(dst, ctx, mem, i, extract)
	}
	return dst
}

// extract appends the captured attrs of one extractor. A panicking
// extractor is contained: its attrs are skipped and the panic reported to
// Config.Diagnostics; the record is logged without them.
func (w *worker) extract(dst []slog.Attr, ctx context.Context, mem *arena, i int, extract func(context.Context) []slog.Attr) (out []slog.Attr) {
	defer func() {
		if p := recover(); p != nil {
			w.diag.report("context", fmt.Sprintf("Config.ContextExtractors[%d] panicked; its attrs were skipped", i), fmt.Errorf("panic: %v", p))
			out = dst
		}
	}()
	return mem.appendCaptured(dst, extract(ctx)...)
}
