package fapilog

import (
	"context"
	"log/slog"
	"runtime"
	"time"
)

// log captures a facade call and queues it; with wait, it returns once
// the record is accounted for (or ctx ends). skip counts the frames
// between the user's call and log, for the source PC.
func (w *worker) log(ctx context.Context, sc *scope, wait bool, skip int, level slog.Level, msg string, attrs []slog.Attr) {
	if !w.enabledIn(sc, level) {
		return
	}
	if w.ctl.sampler != nil && w.sampledOut(level, msg, 0) {
		return
	}
	var pc uintptr
	if w.set.addSource {
		var pcs [1]uintptr
		runtime.Callers(skip+2, pcs[:]) // skip runtime.Callers and log
		pc = pcs[0]
	}
	w.emit(ctx, sc, wait, now(), level, msg, pc, nil, attrs)
}

// handle is log for a record that came through slog.Handler.Handle, which
// supplies the time (zero: none) and the PC (used only with AddSource).
func (w *worker) handle(ctx context.Context, sc *scope, wait bool, call *slog.Record) {
	if !w.enabledIn(sc, call.Level) {
		return
	}
	if w.ctl.sampler != nil {
		var t int64 // the coarse clock
		if !call.Time.IsZero() {
			t = call.Time.UnixNano()
		}
		if w.sampledOut(call.Level, call.Message, t) {
			return
		}
	}
	pc := call.PC
	if !w.set.addSource {
		pc = 0
	}
	switch n := call.NumAttrs(); {
	case n == 0:
		w.emit(ctx, sc, wait, call.Time, call.Level, call.Message, pc, nil, nil)
		return
	case n > handleAttrs:
		w.emit(ctx, sc, wait, call.Time, call.Level, call.Message, pc, call, nil) // captured from call
		return
	}
	// One pass over the record's attrs, into this stack: emit tests and
	// copies them there. Attrs calls a func per attr; a pass to test them
	// and another to copy them made a 10-attr call 18–32% slower
	// (BenchmarkSlogCaller).
	var buf [handleAttrs]slog.Attr
	attrs := buf[:0]
	call.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, a)
		return true
	})
	w.emit(ctx, sc, wait, call.Time, call.Level, call.Message, pc, nil, attrs)
}

// handleAttrs is the most attrs of a slog record that handle copies on
// its stack; a record with more is captured from the record itself.
const handleAttrs = 16

// emit queues the record of one call, built on the caller's goroutine from
// its time, level, message and PC, the attrs ctx yields, call's attrs
// (call may be nil) and attrs, all captured. A call whose values are all
// primitive is copied straight into its slot; anything that runs code or
// needs deep copies (see capture), and a non-nil call, is captured first,
// before the slot is claimed.
func (w *worker) emit(ctx context.Context, sc *scope, wait bool, t time.Time, level slog.Level, msg string, pc uintptr, call *slog.Record, attrs []slog.Attr) {
	wait = wait || level >= w.set.syncLevel.level() // Config.SyncLevel
	var ctxAttrs []slog.Attr
	if ctx != nil {
		ctxAttrs, _ = ctx.Value(attrsKey{}).([]slog.Attr) // captured by ContextWithAttrs
	}
	var side *capture
	if len(w.set.extractors) > 0 || !plain(attrs) || call != nil {
		side = w.capture(ctx, ctxAttrs, call, attrs)
	}
	if wait && w.writeDirect(t, msg, level, pc, sc, side, ctxAttrs, attrs) {
		return
	}
	pos, err := w.claim(level, wait)
	if err != nil {
		if side != nil {
			side.free()
		}
		w.rejected.Add(1) // reported by the worker, off the caller's path
		reason := dropQueue
		if err == errShed {
			w.shed.Add(1) // after rejected: see stats
			reason = dropShed
		}
		w.drops.add(reason, level, 1)
		return
	}
	w.q.at(pos).fill(t, msg, level, pc, sc, side, ctxAttrs, attrs) // copies only, up to publish
	w.q.publish(pos)
	if !wait {
		w.q.wakeConsumer()
	} else if !w.waitDone(pos+1, doneOf(ctx)) {
		// No wake-up was needed while this caller could drain itself (or
		// wait for the lock holder to); now the record is still queued
		// and the worker takes it over.
		w.q.wakeConsumer()
	}
}

// capture captures, into a pooled capture, the context's attrs (ctxAttrs
// and what the extractors pull out of ctx), call's attrs and attrs.
func (w *worker) capture(ctx context.Context, ctxAttrs []slog.Attr, call *slog.Record, attrs []slog.Attr) *capture {
	c := newCapture()
	c.ctx = append(c.ctx, ctxAttrs...)
	if ctx != nil {
		c.ctx = w.appendExtracted(c.ctx, ctx, &c.mem)
	}
	if call != nil && call.NumAttrs() > 0 {
		// Collect, then capture in one pass: capturing from the callback
		// made a 10-attr slog call ~1.5x slower.
		call.Attrs(func(a slog.Attr) bool {
			c.attrs = append(c.attrs, a)
			return true
		})
		c.mem.captureInPlace(c.attrs, 0)
	}
	c.attrs = c.mem.appendCaptured(c.attrs, attrs...)
	return c
}

// claim claims a slot for a record at level, waiting for room under Block
// or for a protected level, up to BlockTimeout. A caller that will wait
// for its write does not wake the worker: it drains itself when the lock
// is free, and otherwise the lock holder drains for it (waitDone).
func (w *worker) claim(level slog.Level, wait bool) (uint64, error) {
	pos, err := w.q.claimUnder(w.set.shed.limit(level, w.q.cap()))
	if err == errFull && (w.set.block || level >= w.set.protected.Level()) {
		var deadline time.Time
		if w.set.blockTimeout > 0 {
			deadline = time.Now().Add(w.set.blockTimeout)
		}
		w.q.wakeConsumer() // cheap insurance: room comes from the worker
		pos, err = w.q.claimWait(deadline)
	}
	return pos, err
}

// doneOf is ctx.Done(), allowing a nil ctx as log/slog does.
func doneOf(ctx context.Context) <-chan struct{} {
	if ctx == nil {
		return nil
	}
	return ctx.Done()
}
