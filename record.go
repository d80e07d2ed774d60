package fapilog

import (
	"log/slog"
	"sync"
	"time"
)

// record is one log call, captured on the caller's goroutine and owned by
// the pipeline from the moment it is queued. It holds no memory the caller
// may change afterwards: see capture.
type record struct {
	time  time.Time
	msg   string
	level slog.Level
	pc    uintptr
	scope *scope
	ctx   []slog.Attr // from the call's context; top level, outside the scope's groups
	attrs []slog.Attr
	// enrichment is the enrichers' attrs, encoded (`,"k":v…`), set by the
	// worker just before encoding; the worker owns the bytes.
	enrichment []byte
}

// maxPooledAttrs bounds the attr buffer a pooled record keeps, so one huge
// call does not pin memory for the life of the process.
const maxPooledAttrs = 64

var recordPool = sync.Pool{New: func() any { return &record{attrs: make([]slog.Attr, 0, 16)} }}

func newRecord() *record { return recordPool.Get().(*record) }

// free returns r to the pool, dropping references to values it held.
func (r *record) free() {
	if cap(r.attrs) > maxPooledAttrs {
		r.attrs = nil
	} else {
		clear(r.attrs)
		r.attrs = r.attrs[:0]
	}
	if cap(r.ctx) > maxPooledAttrs {
		r.ctx = nil
	} else {
		clear(r.ctx)
		r.ctx = r.ctx[:0]
	}
	r.scope = nil
	r.enrichment = nil
	r.msg = ""
	r.pc = 0 // else a logger without AddSource prints the source of an earlier call
	recordPool.Put(r)
}

// addAttrs appends captured copies of attrs to the record.
func (r *record) addAttrs(attrs []slog.Attr) {
	r.attrs = appendCaptured(r.attrs, attrs...)
}

// appendCaptured appends captured copies of attrs to dst.
func appendCaptured(dst []slog.Attr, attrs ...slog.Attr) []slog.Attr {
	start := len(dst)
	dst = append(dst, attrs...)
	captureInPlace(dst[start:])
	return dst
}

// captureInPlace replaces each value in attrs by its capture.
func captureInPlace(attrs []slog.Attr) {
	for i := range attrs {
		attrs[i].Value = capture(attrs[i].Value)
	}
}

// capture returns a copy of v that shares no mutable memory with the caller.
// Primitive kinds are values already (strings are immutable). LogValuers are
// resolved now, because their result may change later. Groups get their own
// slice. Anything else behind slog.Any (maps, slices, structs, pointers,
// errors, json.Marshalers) is encoded to JSON here, on the caller's
// goroutine: the bytes are the snapshot, and they keep the value's
// structure for the redactors on the worker.
func capture(v slog.Value) slog.Value {
	switch v.Kind() {
	case slog.KindLogValuer:
		return capture(v.Resolve())
	case slog.KindGroup:
		return slog.GroupValue(capturedAttrs(v.Group())...)
	case slog.KindAny:
		switch v.Any().(type) {
		case nil, rawJSON: // immutable; nil keeps an empty Attr empty
			return v
		}
		return slog.AnyValue(rawJSON(appendValue(nil, v)))
	}
	return v
}

// appendJSON appends r as one JSON line in log/slog's JSON form: time,
// level, source, msg, the enrichers' attrs, the context's, the scope's,
// then the record's own.
func (r *record) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if !r.time.IsZero() {
		b = append(b, `"time":`...)
		b = appendRecordTime(b, r.time)
		b = append(b, ',')
	}
	b = append(b, `"level":`...)
	b = appendString(b, r.level.String())
	if r.pc != 0 {
		b = append(b, ',')
		b = appendSource(b, r.pc)
	}
	b = append(b, `,"msg":`...)
	b = appendString(b, r.msg)
	b = append(b, r.enrichment...)
	b, _ = appendAttrs(b, r.ctx, true)
	b = r.scope.appendRecordAttrs(b, r.attrs)
	return append(b, '}', '\n')
}

// capturedAttrs returns captured copies of attrs in a new slice.
func capturedAttrs(attrs []slog.Attr) []slog.Attr {
	return appendCaptured(make([]slog.Attr, 0, len(attrs)), attrs...)
}
