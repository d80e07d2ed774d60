package fapilog

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
	"unsafe"
)

// This file holds the JSON encoder the worker goroutine uses to turn
// records into lines. Its output matches [slog.JSONHandler] key for key
// and byte for byte, with these exceptions, all made so that every line
// is valid JSON:
//
//   - NaN and ±Inf floats are written as the strings "NaN", "+Inf" and
//     "-Inf" (slog writes an "!ERROR:" string).
//   - Times with years outside [0,9999] are written as a quoted extended
//     RFC 3339 string (slog writes an error string followed by the time,
//     which is not valid JSON).
//   - A group whose attrs all turn out to be empty leaves the separator
//     state untouched (slog drops the comma before the next attr).
//   - Groups nested deeper than maxGroupDepth are cut off (slog recurses
//     until the stack overflows).
//   - A rawJSON value is appended as-is.
//
// The functions append to a caller-owned buffer and, for slog's
// primitive kinds, times, durations and groups of them, do not allocate.

// rawJSON is a value captured at log-call time as valid, compact JSON
// (made by encoding/json on the caller's goroutine), so that mutable data
// is snapshotted before the record crosses to the worker. The encoder
// appends it as-is.
type rawJSON []byte

// MarshalJSON returns r unchanged, so that a rawJSON that ends up inside a
// map or struct encoded by encoding/json is embedded, not base64-encoded.
func (r rawJSON) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("null"), nil
	}
	return r, nil
}

// maxGroupDepth bounds group nesting. A LogValuer may return a group
// that contains itself; without a bound the encoder would recurse until
// the goroutine's stack overflows, which kills the process.
const maxGroupDepth = 100

// errPrefix starts the string written in place of a value that could not
// be encoded. It matches slog's JSONHandler.
const errPrefix = "!ERROR:"

// hex is for \u00XX and \u202X escapes.
const hex = "0123456789abcdef"

// safeASCII reports whether an ASCII byte may appear unescaped inside a
// JSON string: everything but control characters, '"' and '\\'. No HTML
// escaping is done, as with slog's JSONHandler.
var safeASCII = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Constants for testing eight bytes of a string at once.
const (
	lsb = 0x0101010101010101 // the low bit of every byte
	msb = 0x8080808080808080 // the high bit of every byte
)

// wordIsSafe reports whether all eight bytes packed in x are ASCII bytes
// that need no escaping, so that plain ASCII text is scanned a word at a
// time instead of a byte at a time.
func wordIsSafe(x uint64) bool {
	// A byte is unsafe if it has its high bit set (non-ASCII), is below
	// 0x20, or equals '"' or '\\'. (v - lsb*n) &^ v & msb is non-zero
	// exactly when some byte of v is below n (for n <= 0x80).
	return (x|(x-lsb*0x20)&^x|quoteBits(x))&msb == 0
}

// quoteOrBackslash reports whether one of the eight bytes packed in x is
// '"' or '\\'.
func quoteOrBackslash(x uint64) bool { return quoteBits(x)&msb != 0 }

// quoteBits has the high bit of each byte of x that is '"' or '\\' set
// (and maybe others' too: only whether any is set is meaningful).
// Equality is tested as "below 1" after an XOR (see wordIsSafe).
func quoteBits(x uint64) uint64 {
	q, b := x^(lsb*'"'), x^(lsb*'\\')
	return (q-lsb)&^q | (b-lsb)&^b
}

// load64 reads eight bytes of s starting at i as a little-endian word.
// The compiler merges the byte loads into a single load; slicing first
// leaves one bounds check (a check of s[i+7] alone does not prove the
// others).
func load64(s string, i int) uint64 {
	w := s[i : i+8]
	return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
		uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
}

// appendString appends s to b as a quoted JSON string.
//
// Runs of safe bytes are copied in bulk. Only '"', '\\' and control
// characters are escaped (\n, \r and \t in short form, the rest as
// \u00XX), each invalid UTF-8 byte becomes \ufffd, and U+2028 and U+2029
// are escaped because they end lines in JavaScript. '<', '>' and '&' are
// left alone. This is the form slog's JSONHandler writes.
func appendString(b []byte, s string) []byte {
	b, _ = appendStringScan(b, s, &noTrigger)
	return b
}

// appendStringScan is appendString that also reports whether s holds a
// byte of t, looked for in the same pass over s.
func appendStringScan(b []byte, s string, t *trigger) ([]byte, bool) {
	// Most strings need no escaping: test them a word at a time, the last
	// word overlapping the one before it, or, for a string shorter than a
	// word, padded with spaces (safe, and below every trigger byte:
	// TestTriggerFindsEveryByte), so that no byte is tested alone. Testing
	// a byte twice changes neither answer.
	hit := false
	i := 0
	if len(s) < 8 {
		x := uint64(lsb*' ') << (8 * len(s))
		for j := 0; j < len(s); j++ {
			x |= uint64(s[j]) << (8 * j)
		}
		if wordIsSafe(x) {
			return appendQuotedSafe(b, s), t.seenIn(false, x)
		}
	} else {
		for ; i+8 <= len(s); i += 8 {
			x := load64(s, i)
			if !wordIsSafe(x) {
				break
			}
			hit = t.seenIn(hit, x)
		}
		if i == len(s) {
			return appendQuotedSafe(b, s), hit
		}
		if i+8 > len(s) { // whole words all safe: the tail is in the last word
			if x := load64(s, len(s)-8); wordIsSafe(x) {
				return appendQuotedSafe(b, s), t.seenIn(hit, x)
			}
		}
	}
	// s[:i] is safe; from there, escape.
	b = append(b, '"')
	start := 0 // s[start:i] is safe and not yet copied
	for i < len(s) {
		// Skip plain ASCII a word at a time.
		if i+8 <= len(s) {
			if x := load64(s, i); wordIsSafe(x) {
				hit = t.seenIn(hit, x)
				i += 8
				continue
			}
		}
		// This word needs a closer look. Go byte by byte to its end
		// before trying whole words again, so that text dense with
		// escapes or non-ASCII runes pays for at most one failed word
		// test per eight bytes.
		for end := min(i+8, len(s)); i < end; {
			c := s[i]
			if c < utf8.RuneSelf {
				if t.bytes[c] {
					hit = true
				}
				if safeASCII[c] {
					i++
					continue
				}
				b = append(b, s[start:i]...)
				switch c {
				case '"', '\\':
					b = append(b, '\\', c)
				case '\n':
					b = append(b, '\\', 'n')
				case '\r':
					b = append(b, '\\', 'r')
				case '\t':
					b = append(b, '\\', 't')
				default:
					b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
				}
				i++
				start = i
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
			case r == '\u2028' || r == '\u2029':
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			default:
				i += size // may step past end; the outer loop carries on
				continue
			}
			i += size
			start = i
		}
	}
	b = append(b, s[start:]...)
	return append(b, '"'), hit
}

// appendQuotedSafe appends s, which needs no escaping, in quotes.
func appendQuotedSafe(b []byte, s string) []byte {
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendFloat appends f the way encoding/json does, so the text parses
// back to the same float64 and matches slog byte for byte. JSON has no
// NaN or infinity; rather than fail, those are written as the strings
// "NaN", "+Inf" and "-Inf".
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"+Inf"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Inf"`...)
	}
	// Like ECMAScript's Number to String: plain decimal notation for
	// magnitudes in [1e-6, 1e21), exponent notation outside it.
	abs := math.Abs(f)
	if abs == 0 || (abs >= 1e-6 && abs < 1e21) {
		if out, ok := appendShortFloat(b, f); ok {
			return out
		}
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	b = strconv.AppendFloat(b, f, 'e', -1, 64)
	// strconv pads the exponent to two digits. Below 1e-6 the exponent
	// is at least 7, so only "e-07", "e-08" and "e-09" are padded; drop the
	// zero as encoding/json does. (Exponents >= 21 have two digits anyway.)
	if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		b[n-2] = b[n-1]
		b = b[:n-1]
	}
	return b
}

// appendValue appends v as a JSON value.
//
// Primitive kinds are formatted directly, as slog's JSONHandler formats
// them (a Duration as integer nanoseconds). A group becomes an object,
// "{}" if none of its attrs produce output. A LogValuer is resolved
// first. Any other value goes through appendAny.
func appendValue(b []byte, v slog.Value) []byte {
	return appendValueDepth(b, v, 0)
}

// appendValueDepth is appendValue for a value nested in depth groups.
func appendValueDepth(b []byte, v slog.Value, depth int) []byte {
	return appendValueKind(b, v, v.Kind(), depth)
}

// appendValueKind is appendValueDepth for a caller that already knows
// v's kind. Value.Kind is a type switch; hot paths call it once.
func appendValueKind(b []byte, v slog.Value, kind slog.Kind, depth int) []byte {
	switch kind {
	case slog.KindString:
		return appendString(b, v.String())
	case slog.KindInt64:
		return appendInt(b, v.Int64())
	case slog.KindUint64:
		return appendUint(b, v.Uint64())
	case slog.KindFloat64:
		return appendFloat(b, v.Float64())
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		return appendInt(b, int64(v.Duration()))
	case slog.KindTime:
		return appendTime(b, v.Time())
	case slog.KindGroup:
		if depth >= maxGroupDepth {
			return appendDepthError(b)
		}
		b = append(b, '{')
		b, _ = appendAttrsDepth(b, v.Group(), false, depth+1)
		return append(b, '}')
	case slog.KindLogValuer:
		// Resolve bounds the chain of LogValue calls, recovers panics, and
		// never returns a LogValuer, so this recursion is one level deep.
		return appendValueDepth(b, v.Resolve(), depth)
	case slog.KindAny:
		return appendAny(b, v.Any())
	default:
		// A kind added to slog after this was written. Its String form is
		// better than nothing and always encodes as valid JSON.
		return appendString(b, v.String())
	}
}

// depthError is the string written in place of a group nested too deeply.
var depthError = errPrefix + "group nesting exceeds " + strconv.Itoa(maxGroupDepth) + " levels"

// appendDepthError appends depthError.
func appendDepthError(b []byte) []byte {
	return appendString(b, depthError)
}

// appendAny appends a value of kind Any. Types with a fixed, cheap form
// are handled without encoding/json or a deferred recover; the rest go
// through appendAnySlow.
func appendAny(b []byte, a any) []byte {
	switch x := a.(type) {
	case nil:
		return append(b, "null"...)
	case *rawJSON:
		return appendRaw(b, *x)
	case rawJSON:
		return appendRaw(b, x)
	case *inertJSON:
		return appendRaw(b, x.raw)
	case slog.Level:
		// Level.MarshalJSON quotes Level.String, which never needs escaping.
		return appendString(b, x.String())
	case *slog.Source:
		if x == nil {
			return append(b, "null"...)
		}
		return appendSourceObject(b, x.Function, x.File, x.Line)
	case []string:
		return appendSlice(b, x, appendString)
	case []int:
		return appendSlice(b, x, func(b []byte, n int) []byte { return appendInt(b, int64(n)) })
	case []int64:
		return appendSlice(b, x, appendInt)
	case []bool:
		return appendSlice(b, x, strconv.AppendBool)
	case []float64:
		if !slices.ContainsFunc(x, func(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }) {
			return appendSlice(b, x, appendFloat)
		}
	case []time.Time:
		if !slices.ContainsFunc(x, func(t time.Time) bool { return !inRFC3339(t) }) {
			return appendSlice(b, x, appendTime)
		}
	}
	return appendAnySlow(b, a)
}

// appendSlice appends s as a JSON array, as encoding/json would (nil is
// null), for the slice types common in logs, without reflection. Slices
// holding what encoding/json rejects (NaN, a year past 9999) are left to it,
// so that the output is the same either way.
func appendSlice[E any](b []byte, s []E, appendElem func([]byte, E) []byte) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, e := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendElem(b, e)
	}
	return append(b, ']')
}

// appendRaw appends captured JSON as-is.
func appendRaw(b []byte, x rawJSON) []byte {
	if len(x) == 0 {
		return append(b, "null"...) // not JSON at all; keep the line valid
	}
	return append(b, x...)
}

// appendAnySlow appends a value that may run user code: an error's Error
// method, or encoding/json, which calls MarshalJSON and MarshalText.
//
// As slog's JSONHandler does, an error that is not a json.Marshaler is
// written as its Error string, because most errors have no exported
// fields and would marshal as "{}". A marshal failure is written as an
// "!ERROR:" string and a panic as a "!PANIC: " string (or "<nil>" for a
// method called on a nil pointer, as fmt prints it), so one bad value
// never loses the record or breaks the line.
func appendAnySlow(b []byte, a any) (out []byte) {
	start := len(b)
	defer func() {
		if r := recover(); r != nil {
			// Drop anything half-written; b[:start] is intact even if the
			// buffer was reallocated meanwhile.
			out = appendPanic(b[:start], a, r)
		}
	}()
	if _, ok := a.(json.Marshaler); !ok {
		if err, ok := a.(error); ok {
			return appendString(b, err.Error())
		}
	}
	res, err := appendJSONMarshal(b, a)
	if err != nil {
		return appendString(b, errPrefix+err.Error())
	}
	return res
}

// appendPanic appends the string written for a value whose method
// panicked with r.
func appendPanic(b []byte, a any, r any) []byte {
	// A method on a nil pointer that does not guard against nil is the
	// usual cause; print it as fmt would.
	if v := reflect.ValueOf(a); v.Kind() == reflect.Pointer && v.IsNil() {
		return appendString(b, "<nil>")
	}
	return appendString(b, fmt.Sprintf("!PANIC: %v", r))
}

// jsonAppender is an io.Writer that appends to a byte slice. A
// json.Encoder writes each encoded value with a single Write call, so the
// encoder can write straight into the caller's buffer.
type jsonAppender struct {
	buf []byte
}

// Write appends p to w.buf.
func (w *jsonAppender) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// jsonMarshaler pairs a json.Encoder with the buffer it writes to. It is
// pooled because a json.Encoder is the only standard way to turn off HTML
// escaping, which slog's JSONHandler also turns off.
type jsonMarshaler struct {
	w   jsonAppender
	enc *json.Encoder
}

// jsonMarshalerPool holds idle jsonMarshalers.
var jsonMarshalerPool = sync.Pool{
	New: func() any {
		m := new(jsonMarshaler)
		m.enc = json.NewEncoder(&m.w)
		m.enc.SetEscapeHTML(false)
		return m
	},
}

// appendJSONMarshal appends the encoding/json form of a to b. On error b
// is returned unchanged, since json.Encoder writes nothing when encoding
// fails. If encoding panics the marshaler is not returned to the pool.
func appendJSONMarshal(b []byte, a any) ([]byte, error) {
	m := jsonMarshalerPool.Get().(*jsonMarshaler)
	m.w.buf = b
	err := m.enc.Encode(a)
	out := m.w.buf
	m.w.buf = nil // do not keep the caller's buffer alive
	jsonMarshalerPool.Put(m)
	if err != nil {
		return b, err
	}
	return out[:len(out)-1], nil // drop the newline Encode adds
}

// appendAttrs appends attrs as comma-separated `"key":value` members,
// following the slog.Handler rules: LogValuer values are resolved, empty
// attrs are skipped, a group with an empty key is inlined, a group that
// produces no output is omitted, and other groups become nested objects.
//
// A ',' is written before the first member if sep is true. The result
// reports whether the next member needs a separator: sep, or whether this
// call wrote anything. Pass sep == false to learn whether anything was
// written, e.g. to drop a group opened by the caller.
func appendAttrs(b []byte, attrs []slog.Attr, sep bool) ([]byte, bool) {
	var e encoder
	return e.appendAttrs(b, attrs, sep)
}

// appendAttrsDepth appends attrs nested in depth groups and reports
// whether it wrote anything.
func appendAttrsDepth(b []byte, attrs []slog.Attr, sep bool, depth int) ([]byte, bool) {
	var e encoder
	return e.attrs(b, attrs, sep, depth)
}

// An encoder appends attrs as the members of a line in one format: JSON
// (the zero encoder) or text (logfmt and console). The worker's caches
// encoded keys and, when every redactor of the pipeline is built in,
// redacts as it encodes (fused): a key's verdict comes with its cached
// encoding, and a string is searched for the bytes a secret needs in the
// same pass that escapes it, so a record with nothing to mask costs
// little more than its encoding. Fused, it masks exactly what
// redactState would (TestFusedRedactionMatchesWalk).
type encoder struct {
	keys *keyCache    // nil: encode every key
	msgs *msgCache    // nil: encode every message
	red  *redaction   // non-nil: fused redaction
	st   *redactState // the record's (or a With's) redaction state, when fused
	base int          // groups around the attrs being encoded, for RedactMaxDepth
	h    *lineHead    // the format and its built-in fields; nil: jsonHead
	fi   int          // the format's index among the pipeline's, for scope
	uniq *uniqueKeys  // non-nil: Config.UniqueKeys

	slow bool // text or uniq: key takes the general path

	// Text formats only.
	text    bool   // logfmt or console: key=value members
	console bool   // console: JSON objects and arrays unquoted
	color   bool   // console with colors
	prefix  []byte // the dotted path of the groups being encoded: "g.h."
	pquote  bool   // prefix needs quoting
	keyPos  int    // where the last key written starts
	tail    []byte // console: multi-line values, written under the line; nil: inline
}

// appendAttrs is appendAttrs with e.
func (e *encoder) appendAttrs(b []byte, attrs []slog.Attr, sep bool) ([]byte, bool) {
	b, wrote := e.attrs(b, attrs, sep, 0)
	return b, sep || wrote
}

// attrs appends attrs nested in depth groups and reports whether it wrote
// anything.
func (e *encoder) attrs(b []byte, attrs []slog.Attr, sep bool, depth int) ([]byte, bool) {
	// Most attrs are scalars with a cached key: those are written here,
	// without attr's and key's general cases (a call each, and the tests
	// of kinds and formats that do not apply), in text too unless unique
	// keys must note every key. The rest, and keys the cache masks or
	// misses, go through attr.
	fast := e.keys != nil && (!e.slow || e.text && e.uniq == nil)
	wrote := false
	for i := range attrs {
		a := &attrs[i]
		if fast {
			kind := a.Value.Kind()
			k := e.keys.hit(a.Key)
			if k == nil {
				k = e.keys.inBuddy(a.Key)
			}
			if isScalar(kind) && k != nil && !k.mask && e.underLimit() {
				if e.text {
					b = e.textKey(b, a.Key, k)
				} else {
					if sep || wrote {
						b = append(b, ',')
					}
					b = k.appendTo(b)
				}
				b = e.scalar(b, a.Value, kind)
				wrote = true
				continue
			}
		}
		var ok bool
		b, ok = e.attr(b, a, sep || wrote, depth)
		wrote = wrote || ok
	}
	return b, wrote
}

// isScalar reports whether kind is one of Bool, Duration, Float64, Int64,
// String, Time and Uint64: a value that is written as it is.
func isScalar(kind slog.Kind) bool {
	return uint(kind-slog.KindBool) <= uint(slog.KindUint64-slog.KindBool) // KindAny wraps
}

// attr appends one attr, preceded by ',' if sep is true, and reports
// whether it wrote anything.
func (e *encoder) attr(b []byte, a *slog.Attr, sep bool, depth int) ([]byte, bool) {
	v := a.Value
	kind := v.Kind()
	if kind == slog.KindLogValuer {
		v = v.Resolve()
		kind = v.Kind()
	}
	switch kind {
	case slog.KindGroup:
		g := v.Group()
		if depth >= maxGroupDepth {
			b = e.plainKey(b, a.Key, sep)
			return e.value(b, slog.StringValue(depthError), slog.KindString, depth), true
		}
		if len(g) == 0 {
			return b, false
		}
		if a.Key == "" {
			if e.tooDeep(depth) {
				return e.limit(e.plainKey(b, "", sep)), true
			}
			return e.attrs(b, g, sep, depth+1)
		}
		// The group may produce nothing (all its attrs empty); remember
		// where it started so it can be removed.
		pos := len(b)
		b, masked := e.key(b, a.Key, sep)
		switch {
		case masked:
			return e.mask(b), true
		case e.tooDeep(depth):
			return e.limit(b), true
		case e.text:
			return e.textGroup(b[:pos], a.Key, g, depth)
		}
		return e.group(b, pos, g, depth)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case nil:
			// The zero Value is the only Value of kind Any holding nil,
			// so this is slog's a.Equal(slog.Attr{}) test, done without
			// the extra Kind calls.
			if a.Key == "" {
				return b, false
			}
		case *slog.Source:
			return e.source(b, a.Key, x, sep)
		}
	}
	b, masked := e.key(b, a.Key, sep)
	if masked {
		return e.mask(b), true
	}
	if isScalar(kind) {
		return e.scalar(b, v, kind), true
	}
	if kind == slog.KindAny {
		return e.any(b, v, depth), true
	}
	return e.value(b, v, kind, depth), true
}

// scalar appends v, of a scalar kind (see isScalar), masking a number that
// may be a card. The common kinds are appended here rather than through a
// second switch on the kind (appendValueKind's).
func (e *encoder) scalar(b []byte, v slog.Value, kind slog.Kind) []byte {
	switch kind {
	case slog.KindString:
		return e.string(b, v.String())
	case slog.KindInt64:
		n := v.Int64()
		if n >= minCardInt && e.red != nil && e.red.cards && e.red.maskInt(n) {
			return e.mask(b)
		}
		return appendInt(b, n) // text writes integers as JSON does
	case slog.KindUint64:
		n := v.Uint64()
		if n >= minCardInt && e.red != nil && e.red.cards && e.red.maskUint(n) {
			return e.mask(b)
		}
		return appendUint(b, n)
	case slog.KindFloat64:
		if e.text {
			return appendTextFloat(b, v.Float64())
		}
		return appendFloat(b, v.Float64())
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		if e.text {
			return appendDuration(b, v.Duration())
		}
		return appendInt(b, int64(v.Duration()))
	}
	return e.value(b, v, kind, 0)
}

// minCardInt is the least integer that may be a card number: 13 digits.
const minCardInt = 1_000_000_000_000

// value appends v, of kind kind, in e's format.
func (e *encoder) value(b []byte, v slog.Value, kind slog.Kind, depth int) []byte {
	if e.text {
		if kind == slog.KindString {
			return e.textString(b, v.String())
		}
		return appendTextValue(b, v, kind)
	}
	return appendValueKind(b, v, kind, depth)
}

// group appends a JSON group's object after its key, which starts at
// pos; if the group writes nothing, the key is removed too.
func (e *encoder) group(b []byte, pos int, g []slog.Attr, depth int) ([]byte, bool) {
	b = append(b, '{')
	if e.uniq != nil {
		e.uniq.push()
	}
	b, wrote := e.attrs(b, g, false, depth+1)
	if e.uniq != nil {
		e.uniq.pop()
	}
	if !wrote {
		return b[:pos], false
	}
	return append(b, '}'), true
}

// textGroup appends the members of group key: text has no nesting, each
// member's key is prefixed with the group's path instead.
func (e *encoder) textGroup(b []byte, key string, g []slog.Attr, depth int) ([]byte, bool) {
	n, q := len(e.prefix), e.pquote
	e.prefix = append(append(e.prefix, key...), '.')
	e.pquote = q || needsQuoting(key)
	if e.uniq != nil {
		e.uniq.push()
	}
	b, wrote := e.attrs(b, g, true, depth+1)
	if e.uniq != nil {
		e.uniq.pop()
	}
	e.prefix, e.pquote = e.prefix[:n], q
	return b, wrote
}

// source appends a *Source attr as slog does: in JSON a group of its
// non-zero fields, omitted if there are none, inlined if the key is
// empty; in text "file:line", omitted if the source is empty.
func (e *encoder) source(b []byte, key string, x *slog.Source, sep bool) ([]byte, bool) {
	empty := x == nil || *x == (slog.Source{})
	if key == "" && !e.text {
		if empty {
			return b, false
		}
		return appendSourceMembers(b, sep, x.Function, x.File, x.Line), true
	}
	pos := len(b)
	b, masked := e.key(b, key, sep)
	switch {
	case masked:
		return e.mask(b), true
	case empty:
		return b[:pos], false
	case e.text:
		return appendTextString(b, sourceText(x)), true
	}
	return appendSourceObject(b, x.Function, x.File, x.Line), true
}

// key appends `"key":` (or ` key=` in text), preceded by ',' if sep is
// true, and reports whether the value is to be masked: the redactors
// match the key, or the record has more than RedactMaxKeys keys.
func (e *encoder) key(b []byte, key string, sep bool) ([]byte, bool) {
	if e.slow {
		if u := e.uniq; u != nil {
			// u.add, inline: this runs for every key.
			bit := keyBit(key)
			if u.cur.mask&bit != 0 {
				u.collide(key)
			}
			u.cur.mask |= bit
			u.keys = append(u.keys, key)
		}
		if e.text {
			return e.textKeyMask(b, key)
		}
	}
	if sep {
		b = append(b, ',')
	}
	if e.overLimit() {
		return appendKey(b, key, false), true
	}
	if e.keys != nil {
		k := e.keys.hit(key) // inlined; lookup is not
		if k == nil {
			k = e.keys.miss(key)
		}
		if k != nil {
			return k.appendTo(b), k.mask
		}
	}
	return appendKey(b, key, false), e.red != nil && e.st.matchKey(key)
}

// textKeyMask is key in text.
func (e *encoder) textKeyMask(b []byte, key string) ([]byte, bool) {
	if e.overLimit() {
		return e.textKey(b, key, nil), true
	}
	if e.keys != nil {
		if k := e.keys.lookup(key); k != nil {
			return e.textKey(b, key, k), k.mask
		}
	}
	return e.textKey(b, key, nil), e.red != nil && e.st.matchKey(key)
}

// underLimit counts a key, when fused, if the record has fewer than
// RedactMaxKeys so far, and reports whether it did; else the key is left
// for overLimit to count and mask.
func (e *encoder) underLimit() bool {
	if e.red == nil {
		return true
	}
	if e.st.keys < e.red.maxKeys {
		e.st.keys++
		return true
	}
	return false
}

// overLimit counts a key, when fused, and reports whether the record
// has more than RedactMaxKeys of them: its value is masked.
func (e *encoder) overLimit() bool {
	if e.underLimit() {
		return false
	}
	// The count stays at the limit: from here every key is over it, and
	// no walk starts under a key that is.
	e.st.limited = true
	return true
}

// plainKey appends a key without the cache.
func (e *encoder) plainKey(b []byte, key string, sep bool) []byte {
	if e.text {
		return e.textKey(b, key, nil)
	}
	return appendKey(b, key, sep)
}

// textKey appends ` key=`, the key prefixed with the groups' path and
// quoted as slog.TextHandler quotes it; k is its cache entry, or nil.
func (e *encoder) textKey(b []byte, key string, k *keyEntry) []byte {
	e.keyPos = len(b)
	b = append(b, ' ')
	if e.color {
		b = append(b, ansiFaint...)
	}
	switch {
	case k != nil && !k.quoted && !e.pquote:
		b = append(b, e.prefix...)
		b = k.appendTo(b)
	case len(e.prefix) == 0:
		b = append(appendTextString(b, key), '=')
	case !e.pquote && !needsQuoting(key):
		b = append(append(b, e.prefix...), key...)
		b = append(b, '=')
	default:
		b = append(appendQuoted(b, string(e.prefix)+key), '=')
	}
	if e.color {
		b = append(b, ansiReset...)
	}
	return b
}

// tooDeep reports whether a container depth groups deep is past
// RedactMaxDepth, to be masked whole.
func (e *encoder) tooDeep(depth int) bool {
	return e.red != nil && e.base+depth >= e.red.maxDepth
}

// mask appends the mask as a value.
func (e *encoder) mask(b []byte) []byte {
	if e.text {
		return appendTextString(b, e.red.mask)
	}
	return append(b, e.red.maskJSON...)
}

// limit appends the mask for a value beyond a guardrail.
func (e *encoder) limit(b []byte) []byte {
	e.st.limited = true
	return e.mask(b)
}

// string appends s, with its secrets masked when fused.
func (e *encoder) string(b []byte, s string) []byte {
	b, _ = e.str(b, s)
	return b
}

// str appends s as string does and returns what it wrote: s, or s with
// its secrets masked. The scanners run only when s holds a byte one of
// them needs.
func (e *encoder) str(b []byte, s string) ([]byte, string) {
	if e.red == nil || len(e.red.byString) == 0 {
		if e.text {
			return e.textString(b, s), s
		}
		return appendString(b, s), s
	}
	if e.text {
		s = e.redacted(s)
		return e.textString(b, s), s
	}
	start := len(b)
	b, hit := appendStringScan(b, s, &e.red.trig)
	if !hit {
		return b, s
	}
	// Fused, the built-in scanners are the only string step: run those
	// whose trigger bytes s holds.
	out, ok := e.red.scans().maskSeen(s, e.red.mask, triggersOf(s), e.st.kvVerdicts)
	if !ok {
		return b, s
	}
	return appendString(b[:start], out), out
}

// redacted returns s with its secrets masked (fused redaction).
func (e *encoder) redacted(s string) string {
	if e.red == nil || len(e.red.byString) == 0 || !e.red.trig.inString(s) {
		return s
	}
	if out, ok := e.st.maskString(s); ok {
		return out
	}
	return s
}

// any appends a value of kind Any; fused, what is inside a captured value
// is redacted by walking its JSON.
func (e *encoder) any(b []byte, v slog.Value, depth int) []byte {
	if e.red == nil {
		if e.text {
			return e.textAny(b, v.Any())
		}
		return appendAny(b, v.Any())
	}
	var raw rawJSON
	switch x := v.Any().(type) {
	case *rawJSON:
		raw = *x
	case rawJSON:
		raw = x
	case *inertJSON:
		if !e.text {
			// Fused: only the built-in scanners read strings, so the walk
			// would find nothing to mask but for the limits.
			if e.st.keys > e.red.maxKeys || e.tooDeep(depth) {
				return e.limit(b)
			}
			return appendRaw(b, x.raw)
		}
		raw = x.raw
	case nil, slog.Level, *slog.Source:
		// Made by slog itself: nothing secret inside.
		if e.text {
			return e.textAny(b, x)
		}
		return appendAny(b, x)
	default:
		// Not captured by a caller (a dynamic enricher's value): encode
		// it now, so its inside can be seen.
		raw = rawJSON(appendValue(nil, v))
	}
	if out, ok := e.st.json(raw, e.base+depth); ok {
		raw = out
	}
	if e.text {
		return e.rawText(b, raw)
	}
	return appendRaw(b, raw)
}

// rawText appends captured JSON in text. The console writes objects and
// arrays as they are, for people; logfmt quotes them.
func (e *encoder) rawText(b []byte, raw rawJSON) []byte {
	if e.console && len(raw) > 0 && (raw[0] == '{' || raw[0] == '[') {
		return appendConsoleText(b, unsafe.String(&raw[0], len(raw)))
	}
	return e.textString(b, rawText(raw))
}

// textAny appends a value of kind Any in text.
func (e *encoder) textAny(b []byte, a any) []byte {
	switch x := a.(type) {
	case *rawJSON:
		return e.rawText(b, *x)
	case rawJSON:
		return e.rawText(b, x)
	case *inertJSON:
		return e.rawText(b, x.raw)
	}
	return appendTextAny(b, a)
}

// textString appends a text value. In the console, a value of several
// lines (a stack trace) is moved, with its key, under the line.
func (e *encoder) textString(b []byte, s string) []byte {
	if e.tail != nil && strings.IndexByte(s, '\n') >= 0 {
		e.tail = appendIndented(append(append(e.tail, "    "...), b[e.keyPos+1:]...), s)
		return b[:e.keyPos]
	}
	return appendTextString(b, s)
}

// appendKey appends `"key":`, preceded by ',' if sep is true.
func appendKey(b []byte, key string, sep bool) []byte {
	if sep {
		b = append(b, ',')
	}
	b = appendString(b, key)
	return append(b, ':')
}

// appendSourceObject appends the object slog's JSONHandler writes for a
// Source.
func appendSourceObject(b []byte, function, file string, line int) []byte {
	b = append(b, '{')
	b = appendSourceMembers(b, false, function, file, line)
	return append(b, '}')
}

// appendSourceMembers appends the non-zero fields of a Source in the
// order function, file, line, preceded by ',' if sep is true and there
// is any field.
func appendSourceMembers(b []byte, sep bool, function, file string, line int) []byte {
	if function != "" {
		b = appendKey(b, "function", sep)
		b = appendString(b, function)
		sep = true
	}
	if file != "" {
		b = appendKey(b, "file", sep)
		b = appendString(b, file)
		sep = true
	}
	if line != 0 {
		b = appendKey(b, "line", sep)
		b = strconv.AppendInt(b, int64(line), 10)
	}
	return b
}

// maxSourceCache bounds the number of program counters whose source
// member is cached. Log call sites are few, so the bound is rarely
// reached; past it, sources are encoded each time.
const maxSourceCache = 4096

// sourceCache maps a program counter and a format to the source's
// encoded value. Looking up a frame symbolizes the PC, which costs far
// more than copying a few dozen bytes, and a program logs from a fixed
// set of call sites.
var sourceCache struct {
	mu sync.RWMutex
	m  map[sourceKey][]byte
}

type sourceKey struct {
	pc   uintptr
	kind formatKind
}

// appendSource appends `"source":{"function":…,"file":…,"line":N}` for
// pc, in the shape slog's JSONHandler gives a Source (zero fields are
// left out, so an unknown pc gives "source":{}). No separator is written
// before it. pc == 0 means the caller did not capture a PC, and appends
// nothing.
func appendSource(b []byte, pc uintptr) []byte {
	if pc == 0 {
		return b
	}
	return appendSourceValue(appendKey(b, slog.SourceKey, false), pc, kindJSON)
}

// appendSourceValue appends the source of pc in format kind: a JSON
// object, logfmt's "file:line" (nothing for an unknown pc, as
// slog.TextHandler leaves it out) or the console's shorter
// "dir/file:line". The frame is looked up here, on the worker goroutine,
// rather than on the goroutine that logged.
func appendSourceValue(b []byte, pc uintptr, kind formatKind) []byte {
	k := sourceKey{pc, kind}
	sourceCache.mu.RLock()
	enc, ok := sourceCache.m[k]
	sourceCache.mu.RUnlock()
	if ok {
		return append(b, enc...)
	}
	start := len(b)
	f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
	switch {
	case kind == kindJSON:
		b = appendSourceObject(b, f.Function, f.File, f.Line)
	case f.File == "" && f.Line == 0:
	case kind == kindLogfmt:
		b = appendTextString(b, sourceText(&slog.Source{File: f.File, Line: f.Line}))
	default:
		b = appendConsoleText(b, shortFile(f.File)+":"+strconv.Itoa(f.Line))
	}

	sourceCache.mu.Lock()
	if sourceCache.m == nil {
		sourceCache.m = make(map[sourceKey][]byte)
	}
	if len(sourceCache.m) < maxSourceCache {
		sourceCache.m[k] = append([]byte(nil), b[start:]...)
	}
	sourceCache.mu.Unlock()
	return b
}

// shortFile returns the last directory and the name of a file path.
func shortFile(file string) string {
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		if j := strings.LastIndexByte(file[:i], '/'); j >= 0 {
			return file[j+1:]
		}
	}
	return file
}
