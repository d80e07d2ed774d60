package fapilog

import (
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// record is one log call. It lives in its slot of the ring: the caller
// fills it between claiming the slot and publishing it, and the worker
// encodes it in place, so records are never pooled or copied. It holds no
// memory the caller may change afterwards: see capture.
type record struct {
	time  time.Time
	msg   string
	level slog.Level
	pc    uintptr
	scope *scope
	// ctx is the attrs of the call's context, at top level outside the
	// scope's groups: the immutable slice ContextWithAttrs stored, or the
	// side capture's. The worker never changes it in place.
	ctx []slog.Attr
	// attrs is the call's own attrs: own's or the side capture's.
	attrs []slog.Attr
	own   []slog.Attr // the slot's buffer, reused lap after lap
	side  *capture    // what the call captured before claiming the slot, or nil
}

// fill makes r the record of one call: its time, message, level, PC and
// scope, with side's attrs if the call captured them, else ctxAttrs and a
// copy of attrs in r's own buffer.
func (r *record) fill(t time.Time, msg string, level slog.Level, pc uintptr, sc *scope, side *capture, ctxAttrs, attrs []slog.Attr) {
	r.time, r.msg, r.level, r.pc, r.scope = t, msg, level, pc, sc
	r.side = side
	if side != nil {
		r.ctx, r.attrs = side.ctx, side.attrs
		return
	}
	r.ctx = ctxAttrs
	r.own = append(r.own[:0], attrs...)
	r.attrs = r.own
}

// A capture is what a call captures before it claims its slot, because
// capturing it runs code that may be slow or block: LogValuers, the
// encoding of slog.Any values, Config.ContextExtractors, the copying of
// groups. Running such code between claim and publish would hold back
// every record behind it. Captures are pooled; plain calls (primitive
// values only) need none.
type capture struct {
	ctx   []slog.Attr
	attrs []slog.Attr
	mem   arena
}

var capturePool = sync.Pool{New: func() any { return new(capture) }}

func newCapture() *capture { return capturePool.Get().(*capture) }

// free returns c to the pool, dropping references to what it held.
func (c *capture) free() {
	c.ctx = resetSlice(c.ctx, maxPooledAttrs)
	c.attrs = resetSlice(c.attrs, maxPooledAttrs)
	c.mem.reset()
	capturePool.Put(c)
}

// plain reports whether every attr is of a kind that a copy captures
// whole: no group members, LogValuers or slog.Any values to capture.
func plain(attrs []slog.Attr) bool {
	for i := range attrs {
		if !plainValue(attrs[i].Value) {
			return false
		}
	}
	return true
}

func plainValue(v slog.Value) bool {
	switch v.Kind() {
	case slog.KindString, slog.KindInt64, slog.KindUint64, slog.KindFloat64,
		slog.KindBool, slog.KindDuration, slog.KindTime:
		return true
	}
	return false
}

// An arena holds what capture makes for one record: the JSON of slog.Any
// values and the members of groups. It lives in a pooled capture, so a
// steady stream of records with maps, slices, errors or LogValuers reuses
// the same memory instead of allocating per call. A nil *arena allocates
// (for With and context attrs, which outlive any one record).
type arena struct {
	raw    []byte      // JSON text; each value is a capped slice of it
	raws   []rawJSON   // the values; records hold pointers to them, which box without allocating
	attrs  []slog.Attr // group members
	inerts []inertJSON // the inert ones among the values, as raws
}

// Bounds on what a pooled arena keeps.
const (
	maxPooledRaw   = 64 << 10
	maxPooledGroup = 256
)

// reset empties a for reuse, dropping references and oversized buffers.
func (a *arena) reset() {
	a.raw = resetSlice(a.raw, maxPooledRaw)
	a.raws = resetSlice(a.raws, maxPooledAttrs)
	a.attrs = resetSlice(a.attrs, maxPooledGroup)
	a.inerts = resetSlice(a.inerts, maxPooledAttrs)
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

// dropFront removes s's first k elements, shifting the rest down and
// clearing the vacated tail, so that appends keep reusing s's array
// (reslicing past the front would make them reallocate).
func dropFront[S ~[]E, E any](s S, k int) S {
	n := copy(s, s[k:])
	clear(s[n:])
	return s[:n]
}

// maxPooledAttrs bounds the attr buffer a slot or a pooled capture keeps,
// so one huge call does not pin memory for the life of the process.
const maxPooledAttrs = 64

// maxRetainedRecord is the encoded size above which the worker clears a
// slot's references once the record is written. Smaller records are left
// as they are, to be overwritten by the slot's next record: the ring then
// retains at most QueueSize small records' values.
const maxRetainedRecord = 4 << 10

// done releases what r holds that is not the slot's own: the side
// capture, and, for a large record, the values in its buffer.
func (r *record) done(size int) {
	if r.side != nil {
		r.side.free()
		r.side = nil
		r.attrs, r.ctx = nil, nil
	}
	if size > maxRetainedRecord || cap(r.own) > maxPooledAttrs {
		r.own = resetSlice(r.own, maxPooledAttrs)
		r.attrs, r.ctx, r.msg = nil, nil, ""
	}
}

// addAttrs appends captured copies of attrs to the record's attrs,
// allocating what they need.
func (r *record) addAttrs(attrs []slog.Attr) {
	r.attrs = appendCaptured(r.attrs, attrs...)
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
		if v := attrs[i].Value; !plainValue(v) { // a plain value is its own capture: no call
			attrs[i].Value = a.capture(v, depth)
		}
	}
}

// capture returns a copy of v that shares no mutable memory with the caller.
// Primitive kinds are values already (strings are immutable). LogValuers are
// resolved now, because their result may change later. Groups get their own
// members. Anything else behind slog.Any (maps, slices, structs, pointers,
// errors, json.Marshalers) is encoded to JSON here, on the caller's
// goroutine: the bytes are the snapshot, and they keep the value's
// structure for the redactors on the worker (which copy the inert ones
// rather than walk them: see inertJSON). depth is the number of groups v
// is nested in: a LogValuer that returns a group holding itself is cut off
// where the encoder would cut it, rather than recursing until the stack
// overflows, which no recover can contain.
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
		switch x := v.Any().(type) {
		case nil, rawJSON, *rawJSON, *inertJSON: // immutable; nil keeps an empty Attr empty
			return v
		case error:
			if s, ok := errorText(x); ok {
				return slog.StringValue(s)
			}
		}
		if c, ok := a.inert(v.Any()); ok {
			return c
		}
		return a.json(v)
	}
	return v
}

// errorText returns err's text, which is how an error is written (see
// appendAnySlow), unless err marshals itself to JSON or its Error method
// panics: those are left to arena.json. Captured as a string, an error
// is escaped and scanned by the worker as any string is, not parsed back
// out of JSON first: 2.7% fewer instructions for the worker's request
// record (BenchmarkWorkerShapes/request).
func errorText(err error) (s string, ok bool) {
	if _, m := err.(json.Marshaler); m {
		return "", false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return err.Error(), true
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
		if v := a.attrs[start+i].Value; !plainValue(v) {
			v = a.capture(v, depth+1)
			a.attrs[start+i].Value = v
		}
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

// appendJSON appends r as one JSON line, encoded as is (no enrichment,
// no redaction).
func (r *record) appendJSON(b []byte) []byte {
	e := encoder{h: jsonHead}
	return e.record(b, r, nil, nil, r.ctx)
}

// A lineHead is what a format writes for a record's built-in fields,
// with Config.Fields' names, encoded once per pipeline so that a record
// only copies it.
type lineHead struct {
	kind   formatKind
	names  *names
	open   string    // "{" or ""
	time   []byte    // `"time":` or `time=`
	sep    byte      // between members: ',' or ' '
	levels [5][]byte // the level member of DEBUG, INFO, WARN, ERROR and ERROR+4
	source []byte    // `,"source":` or ` source=`
	msg    []byte    // `,"msg":` or ` msg=`
	trunc  []byte    // `,"truncated":true,"original_bytes":`
	end    string    // "}\n" or "\n"
	color  bool      // console
	layout string    // console
	std    bool      // JSON with slog's names: the constant head of appendHeadNoMsg
}

// jsonHead is the head of the JSON format with slog's names.
var jsonHead = newLineHead(JSON(), &defaultNames)

// newLineHead returns f's head with names n.
func newLineHead(f Format, n *names) *lineHead {
	h := &lineHead{kind: f.kind, names: n, color: f.color, layout: f.layout}
	h.std = f.kind == kindJSON && n.time == defaultNames.time && n.level == defaultNames.level && n.msg == defaultNames.msg &&
		n.source == defaultNames.source && n.timeEnc == TimeRFC3339Nano && n.levelName == nil
	key := func(sep bool, k string) []byte {
		var b []byte
		if f.kind == kindJSON {
			return appendKey(b, k, sep)
		}
		if sep {
			b = append(b, ' ')
		}
		return append(appendTextString(b, k), '=')
	}
	h.time, h.source, h.msg = key(false, n.time), key(true, n.source), key(true, n.msg)
	h.open, h.sep, h.end = "{", ',', "}\n"
	h.trunc = append(key(true, "truncated"), "true"...)
	if f.kind != kindJSON {
		h.open, h.sep, h.end = "", ' ', "\n"
	}
	h.trunc = append(append(h.trunc, h.sep), key(false, "original_bytes")...)
	for i := range h.levels {
		h.levels[i] = h.encodeLevel(nil, slog.LevelDebug+slog.Level(4*i))
	}
	return h
}

// appendLevel appends the level member.
func (h *lineHead) appendLevel(b []byte, level slog.Level) []byte {
	if i := level - slog.LevelDebug; i >= 0 && i <= 16 && i%4 == 0 {
		return append(b, h.levels[i/4]...)
	}
	return h.encodeLevel(b, level)
}

// encodeLevel encodes the level member.
func (h *lineHead) encodeLevel(b []byte, level slog.Level) []byte {
	name := h.names.name(level)
	switch h.kind {
	case kindJSON:
		return appendString(appendKey(b, h.names.level, false), name)
	case kindConsole:
		return appendConsoleLevel(b, level, name, h.color)
	}
	return appendTextString(append(appendTextString(b, h.names.level), '='), name)
}

// begin opens r's line with its time, level and source, up to its msg.
func (h *lineHead) begin(b []byte, r *record) []byte {
	switch {
	case h.std:
		return r.appendHeadNoMsg(b)
	case h.kind == kindConsole:
		return h.consoleBegin(b, r)
	}
	b = append(b, h.open...)
	if !r.time.IsZero() {
		b = append(b, h.time...)
		b = appendTimeAs(b, r.time, h.names.timeEnc, h.kind == kindJSON)
		b = append(b, h.sep)
	}
	b = h.appendLevel(b, r.level)
	if r.pc != 0 {
		pos := len(b)
		b = append(b, h.source...)
		n := len(b)
		if b = appendSourceValue(b, r.pc, h.kind); len(b) == n {
			b = b[:pos] // text leaves an unknown source out, as slog does
		}
	}
	return append(b, h.msg...)
}

// appendHeadNoMsg is begin for JSON with slog's names, from constants:
// the default, and the fastest.
func (r *record) appendHeadNoMsg(b []byte) []byte {
	b = append(b, '{')
	if !r.time.IsZero() {
		b = append(b, `"time":`...)
		b = appendRecordTime(b, r.time)
		b = append(b, ',')
	}
	b = appendLevel(b, r.level)
	if r.pc != 0 {
		b = append(b, ',')
		b = appendSource(b, r.pc)
	}
	return append(b, `,"msg":`...)
}

// appendLevel appends `"level":` and level's name.
func appendLevel(b []byte, level slog.Level) []byte {
	switch level {
	case slog.LevelDebug:
		return append(b, `"level":"DEBUG"`...)
	case slog.LevelInfo:
		return append(b, `"level":"INFO"`...)
	case slog.LevelWarn:
		return append(b, `"level":"WARN"`...)
	case slog.LevelError:
		return append(b, `"level":"ERROR"`...)
	case LevelFatal:
		return append(b, `"level":"FATAL"`...)
	}
	b = append(b, `"level":`...)
	return appendString(b, levelString(level))
}

// levelString is a level's default name: slog's, and FATAL for
// LevelFatal. Every format writes it, unless Config.Fields has a
// LevelName.
func levelString(level slog.Level) string {
	if level == LevelFatal {
		return "FATAL"
	}
	return level.String()
}

// appendLogger appends the logger field of a scope made by Named, after
// msg: pre-encoded in JSON, ` logger=a.b` in text.
func (h *lineHead) appendLogger(b []byte, s *scope) []byte {
	switch {
	case s.name == "":
		return b
	case h.kind == kindJSON:
		return append(b, s.logger...)
	case h.color:
		b = append(append(b, ' '), ansiFaint+"logger="+ansiReset...)
	default:
		b = append(b, " logger="...)
	}
	return appendTextString(b, s.name)
}

// consoleBegin is begin for the console: time, level and source, dim.
func (h *lineHead) consoleBegin(b []byte, r *record) []byte {
	if !r.time.IsZero() {
		if h.color {
			b = append(b, ansiFaint...)
		}
		b = r.time.Local().AppendFormat(b, h.layout)
		if h.color {
			b = append(b, ansiReset...)
		}
		b = append(b, ' ')
	}
	b = h.appendLevel(b, r.level)
	if r.pc != 0 {
		pos := len(b)
		if h.color {
			b = append(b, ansiFaint...)
		}
		n := len(b)
		if b = appendSourceValue(b, r.pc, kindConsole); len(b) == n {
			return b[:pos]
		}
		if h.color {
			b = append(b, ansiReset...)
		}
		b = append(b, ' ')
	}
	return b
}

// record appends r as one line: time, level, source, msg, then
// enrichment (the static enrichers' attrs, encoded), extra (the dynamic
// enrichers'), ctx (the context's), the scope's, and the record's own.
// Fused, the msg written is left in r.msg, masked, for appendTruncated.
func (e *encoder) record(b []byte, r *record, enrichment []byte, extra, ctx []slog.Attr) []byte {
	h := e.h
	b = h.begin(b, r)
	// A later format gets r.msg masked already: masking it again could
	// mask the mask (redactors need not be idempotent).
	red := e.red
	if e.fi > 0 {
		e.red = nil
	}
	if h.kind == kindConsole {
		b, r.msg = e.consoleMsg(b, r.msg)
	} else {
		b, r.msg = e.msg(b, r.msg)
	}
	e.red = red
	b = h.appendLogger(b, r.scope)
	b = append(b, enrichment...)
	e.base = 0
	if len(extra) > 0 {
		b, _ = e.appendAttrs(b, extra, true)
	}
	if len(ctx) > 0 {
		b, _ = e.appendAttrs(b, ctx, true)
	}
	b = r.scope.appendRecordAttrs(e, b, r.attrs)
	if h.kind == kindJSON {
		b = append(b, '}', '\n')
	} else {
		b = append(b, '\n')
	}
	if len(e.tail) > 0 {
		b = append(b, e.tail...)
		e.tail = e.tail[:0]
	}
	return b
}

// appendTruncated appends the line written in place of r when r encodes
// to size bytes, more than limit: r's head with as much of its msg as
// keeps the line within limit (the whole head if limit is smaller), its
// logger's name, and "truncated":true,"original_bytes":size.
func (r *record) appendTruncated(h *lineHead, b []byte, size, limit int) []byte {
	start := len(b)
	b = r.appendTruncatedLine(h, b, "", size)
	fixed := len(b) - start // everything but the msg's text
	room := limit - fixed
	if room < 0 && r.pc != 0 {
		// The source does not fit: the bound matters more.
		pc := r.pc
		r.pc = 0
		b = r.appendTruncated(h, b[:start], size, limit)
		r.pc = pc
		return b
	}
	if room <= 0 || r.msg == "" {
		return b
	}
	msg := r.msg
	for {
		b = r.appendTruncatedLine(h, b[:start], msg, size)
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
func (r *record) appendTruncatedLine(h *lineHead, b []byte, msg string, size int) []byte {
	b = h.begin(b, r)
	switch h.kind {
	case kindJSON:
		b = appendString(b, msg)
	case kindLogfmt:
		b = appendTextString(b, msg)
	default:
		b = appendConsoleText(b, msg)
	}
	b = h.appendLogger(b, r.scope)
	b = append(b, h.trunc...)
	b = strconv.AppendInt(b, int64(size), 10)
	return append(b, h.end...)
}

// capturedAttrs returns captured copies of attrs in a new slice.
func capturedAttrs(attrs []slog.Attr) []slog.Attr {
	return appendCaptured(make([]slog.Attr, 0, len(attrs)), attrs...)
}
