package fapilog

import (
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
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
	mem        arena // what capture made for attrs
}

// An arena holds what capture makes for one record: the JSON of slog.Any
// values and the members of groups. It lives in the pooled record, so a
// steady stream of records with maps, slices, errors or LogValuers reuses
// the same memory instead of allocating per call. A nil *arena allocates
// (for With and context attrs, which outlive any one record).
type arena struct {
	raw   []byte      // JSON text; each value is a capped slice of it
	raws  []rawJSON   // the values; records hold pointers to them, which box without allocating
	attrs []slog.Attr // group members
}

// Bounds on what a pooled record's arena keeps.
const (
	maxPooledRaw   = 64 << 10
	maxPooledGroup = 256
)

// reset empties a for reuse, dropping references and oversized buffers.
func (a *arena) reset() {
	a.raw = resetSlice(a.raw, maxPooledRaw)
	a.raws = resetSlice(a.raws, maxPooledAttrs)
	a.attrs = resetSlice(a.attrs, maxPooledGroup)
}

// resetSlice returns s emptied and cleared, or nil if its capacity is over
// limit.
func resetSlice[S ~[]E, E any](s S, limit int) S {
	if cap(s) > limit {
		return nil
	}
	clear(s)
	return s[:0]
}

// maxPooledAttrs bounds the attr buffer a pooled record keeps, so one huge
// call does not pin memory for the life of the process.
const maxPooledAttrs = 64

var recordPool = sync.Pool{New: func() any { return &record{attrs: make([]slog.Attr, 0, 16)} }}

func newRecord() *record { return recordPool.Get().(*record) }

// free returns r to the pool, dropping references to values it held.
func (r *record) free() {
	r.attrs = resetSlice(r.attrs, maxPooledAttrs)
	r.ctx = resetSlice(r.ctx, maxPooledAttrs)
	r.mem.reset()
	r.scope = nil
	r.enrichment = nil
	r.msg = ""
	r.pc = 0 // else a logger without AddSource prints the source of an earlier call
	recordPool.Put(r)
}

// addAttrs appends captured copies of attrs to the record.
func (r *record) addAttrs(attrs []slog.Attr) {
	r.attrs = r.mem.appendCaptured(r.attrs, attrs...)
}

// appendCaptured appends captured copies of attrs to dst, allocating what
// they need.
func appendCaptured(dst []slog.Attr, attrs ...slog.Attr) []slog.Attr {
	return (*arena)(nil).appendCaptured(dst, attrs...)
}

// appendCaptured appends captured copies of attrs to dst.
func (a *arena) appendCaptured(dst []slog.Attr, attrs ...slog.Attr) []slog.Attr {
	start := len(dst)
	dst = append(dst, attrs...)
	a.captureInPlace(dst[start:], 0)
	return dst
}

// captureInPlace replaces each value in attrs, nested in depth groups, by
// its capture.
func (a *arena) captureInPlace(attrs []slog.Attr, depth int) {
	for i := range attrs {
		attrs[i].Value = a.capture(attrs[i].Value, depth)
	}
}

// capture returns a copy of v that shares no mutable memory with the caller.
// Primitive kinds are values already (strings are immutable). LogValuers are
// resolved now, because their result may change later. Groups get their own
// members. Anything else behind slog.Any (maps, slices, structs, pointers,
// errors, json.Marshalers) is encoded to JSON here, on the caller's
// goroutine: the bytes are the snapshot, and they keep the value's
// structure for the redactors on the worker. depth is the number of
// groups v is nested in: a LogValuer that returns a group holding itself
// is cut off where the encoder would cut it, rather than recursing until
// the stack overflows, which no recover can contain.
func (a *arena) capture(v slog.Value, depth int) slog.Value {
	switch v.Kind() {
	case slog.KindLogValuer:
		return a.capture(v.Resolve(), depth)
	case slog.KindGroup:
		if depth >= maxGroupDepth {
			return slog.StringValue(depthError)
		}
		return a.group(v.Group(), depth)
	case slog.KindAny:
		switch v.Any().(type) {
		case nil, rawJSON, *rawJSON: // immutable; nil keeps an empty Attr empty
			return v
		}
		return a.json(v)
	}
	return v
}

// group captures the members of a group nested in depth groups.
func (a *arena) group(g []slog.Attr, depth int) slog.Value {
	if a == nil {
		cp := slices.Clone(g)
		a.captureInPlace(cp, depth+1)
		return slog.GroupValue(cp...)
	}
	// Index, not slice: capturing a member may grow a.attrs. Members
	// already captured into an older array stay valid where they are.
	start := len(a.attrs)
	a.attrs = append(a.attrs, g...)
	for i := range g {
		v := a.capture(a.attrs[start+i].Value, depth+1)
		a.attrs[start+i].Value = v
	}
	return slog.GroupValue(a.attrs[start : start+len(g) : start+len(g)]...)
}

// json encodes v, of kind Any, as a rawJSON value.
func (a *arena) json(v slog.Value) slog.Value {
	if a == nil {
		return slog.AnyValue(rawJSON(appendValue(nil, v)))
	}
	start := len(a.raw)
	a.raw = appendValue(a.raw, v)
	a.raws = append(a.raws, rawJSON(a.raw[start:len(a.raw):len(a.raw)]))
	return slog.AnyValue(&a.raws[len(a.raws)-1])
}

// appendJSON appends r as one JSON line in log/slog's JSON form: time,
// level, source, msg, the enrichers' attrs, the context's, the scope's,
// then the record's own.
func (r *record) appendJSON(b []byte) []byte {
	b = r.appendHead(b, r.msg)
	b = append(b, r.enrichment...)
	b, _ = appendAttrs(b, r.ctx, true)
	b = r.scope.appendRecordAttrs(b, r.attrs)
	return append(b, '}', '\n')
}

// appendHead opens r's line with its time, level, source and msg.
func (r *record) appendHead(b []byte, msg string) []byte {
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
	return appendString(b, msg)
}

// appendTruncated appends the line written in place of r when r encodes
// to size bytes, more than limit: r's head with as much of its msg as
// keeps the line within limit (the whole head if limit is smaller), and
// "truncated":true,"original_bytes":size.
func (r *record) appendTruncated(b []byte, size, limit int) []byte {
	start := len(b)
	b = r.appendTruncatedLine(b, "", size)
	fixed := len(b) - start // everything but the msg's text
	room := limit - fixed
	if room <= 0 || r.msg == "" {
		return b
	}
	msg := r.msg
	for {
		b = r.appendTruncatedLine(b[:start], msg, size)
		text := len(b) - start - fixed
		if text <= room {
			return b
		}
		// Cut msg in proportion to the excess (escapes make the encoding
		// longer than the text), at a rune start so that what is kept
		// encodes as before. Each pass makes msg shorter.
		n := min(len(msg)*room/text, len(msg)-1)
		for n > 0 && !utf8.RuneStart(msg[n]) {
			n--
		}
		msg = msg[:n]
	}
}

// appendTruncatedLine appends the truncated form of r with msg.
func (r *record) appendTruncatedLine(b []byte, msg string, size int) []byte {
	b = r.appendHead(b, msg)
	b = append(b, `,"truncated":true,"original_bytes":`...)
	b = strconv.AppendInt(b, int64(size), 10)
	return append(b, '}', '\n')
}

// capturedAttrs returns captured copies of attrs in a new slice.
func capturedAttrs(attrs []slog.Attr) []slog.Attr {
	return appendCaptured(make([]slog.Attr, 0, len(attrs)), attrs...)
}
