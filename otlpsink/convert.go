package otlpsink

import (
	"bytes"
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/internal/ship"
)

// An encoder turns a batch of fapilog JSON lines into one OTLP/JSON
// ExportLogsServiceRequest. It keeps its buffers between batches.
type encoder struct {
	head  []byte // `{"resourceLogs":[{"resource":…,"scopeLogs":[{"scope":…,"logRecords":[`
	out   []byte
	attrs []byte
	skip  []byte // scratch for values read and dropped
}

const tail = `]}]}]}`

// Severity returns the OpenTelemetry severity number of a slog level: the
// level + 9, within 1..24 (Debug 5, Info 9, Warn 13, Error 17), as the
// OpenTelemetry slog bridge maps it.
func Severity(l slog.Level) int { return min(max(int(l)+9, 1), 24) }

func newEncoder(resource []slog.Attr) *encoder {
	e := &encoder{}
	b := append(e.head, `{"resourceLogs":[{"resource":{"attributes":[`...)
	for i, a := range resource {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKeyString(b, a.Key, a.Value.String())
	}
	b = append(b, `]},"scopeLogs":[{"scope":{"name":"github.com/fapilog/fapilog-go"},"logRecords":[`...)
	e.head = b
	return e
}

// encode returns the request for b, valid until the next call. now is the
// observed time of every record.
func (e *encoder) encode(b *fapilog.Batch, now time.Time) []byte {
	e.out = append(e.out[:0], e.head...)
	var num [20]byte
	observed := strconv.AppendInt(num[:0], now.UnixNano(), 10)
	for i := range b.Len() {
		if i > 0 {
			e.out = append(e.out, ',')
		}
		e.out = e.record(e.out, b.Record(i), b.Level(i), b.Time(i), observed)
	}
	e.out = append(e.out, tail...)
	return e.out
}

// record appends the logRecord of one JSON line. A line that does not
// parse as a JSON object (a bug upstream, not expected) becomes the body
// of its record, as a string.
func (e *encoder) record(dst, line []byte, level slog.Level, t time.Time, observed []byte) []byte {
	dst = append(dst, '{')
	if !t.IsZero() {
		dst = append(dst, `"timeUnixNano":"`...)
		dst = strconv.AppendInt(dst, t.UnixNano(), 10)
		dst = append(dst, `",`...)
	}
	dst = append(dst, `"observedTimeUnixNano":"`...)
	dst = append(dst, observed...)
	dst = append(dst, `","severityNumber":`...)
	dst = strconv.AppendInt(dst, int64(Severity(level)), 10)
	dst = append(dst, `,"severityText":`...)
	dst = ship.AppendString(dst, level.String())
	f, ok := e.fields(line)
	dst = append(dst, `,"body":{"stringValue":`...)
	switch {
	case ok && f.msg == nil:
		dst = append(dst, `""`...)
	case ok:
		dst = append(dst, f.msg...)
	default:
		f, e.attrs = fields{}, e.attrs[:0] // nothing half-read
		dst = ship.AppendString(dst, string(bytes.TrimRight(line, "\n")))
	}
	dst = append(dst, `},"attributes":[`...)
	dst = append(dst, e.attrs...)
	dst = append(dst, ']')
	dst = appendID(dst, `,"traceId":`, f.traceID)
	dst = appendID(dst, `,"spanId":`, f.spanID)
	return append(dst, '}')
}

// fields holds what a line gives besides attributes: raw JSON literals
// pointing into the line (msg with its quotes; ids without them).
type fields struct{ msg, traceID, spanID []byte }

// appendID appends an id in lower case, if there is one.
func appendID(dst []byte, key string, id []byte) []byte {
	if id == nil {
		return dst
	}
	dst = append(dst, key...)
	dst = append(dst, '"')
	for _, c := range id {
		if 'A' <= c && c <= 'F' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

// fields reads one JSON line: its msg and trace ids into f, every other
// attribute, typed, into e.attrs. The header keys (time, level, source,
// msg) are read as such only up to "msg", where fapilog's header ends, so
// an attribute that happens to be named "time" stays an attribute. It
// reports false if the line is not a JSON object.
//
// The line is scanned by hand rather than with encoding/json: strings are
// copied as they are (fapilog writes valid, escaped JSON), so a record
// costs no allocation.
func (e *encoder) fields(line []byte) (f fields, ok bool) {
	e.attrs = e.attrs[:0]
	if !utf8.Valid(line) {
		return f, false
	}
	sc := scanner{b: line}
	if !sc.open('{') {
		return f, false
	}
	header := true
	for n := 0; sc.more('}', &n); {
		key := sc.str()
		if !sc.colon() {
			return f, false
		}
		if header {
			switch string(key) {
			case `"time"`, `"level"`:
				e.skip = sc.value(e.skip[:0])
				continue
			case `"source"`:
				if sc.peek() == '{' {
					e.attrs = e.source(&sc, e.attrs)
					continue
				}
			case `"msg"`:
				if sc.peek() == '"' {
					f.msg, header = sc.str(), false
					continue
				}
			}
		}
		switch string(key) {
		case `"trace_id"`, `"traceId"`:
			if id := hexID(&sc, 32); id != nil && f.traceID == nil {
				f.traceID = id
				continue
			}
		case `"span_id"`, `"spanId"`:
			if id := hexID(&sc, 16); id != nil && f.spanID == nil {
				f.spanID = id
				continue
			}
		}
		e.attrs = appendKV(e.attrs, key, &sc)
	}
	return f, sc.end()
}

// source turns fapilog's "source":{"function","file","line"} into the
// semantic-convention attributes code.function.name, code.file.path and
// code.line.number.
func (e *encoder) source(sc *scanner, dst []byte) []byte {
	sc.open('{')
	for n := 0; sc.more('}', &n); {
		key := sc.str()
		if !sc.colon() {
			return dst
		}
		switch string(key) {
		case `"function"`:
			key = []byte(`"code.function.name"`)
		case `"file"`:
			key = []byte(`"code.file.path"`)
		case `"line"`:
			key = []byte(`"code.line.number"`)
		}
		dst = appendKV(dst, key, sc)
	}
	return dst
}

// hexID returns the digits of the string at sc if it is n hex digits and
// not all zero (an invalid id in OpenTelemetry); else nil, leaving sc.
func hexID(sc *scanner, n int) []byte {
	rest := sc.b[sc.i:]
	if len(rest) < n+2 || rest[0] != '"' || rest[n+1] != '"' {
		return nil
	}
	id, zero := rest[1:n+1], true
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil
		}
		zero = zero && c == '0'
	}
	if zero {
		return nil
	}
	sc.i += n + 2
	return id
}

// appendKV appends one KeyValue (key is a quoted JSON string), with a
// comma if dst does not end a list's opening.
func appendKV(dst, key []byte, sc *scanner) []byte {
	if len(dst) > 0 && dst[len(dst)-1] != '[' {
		dst = append(dst, ',')
	}
	dst = append(dst, `{"key":`...)
	dst = append(dst, key...)
	dst = append(dst, `,"value":`...)
	dst = sc.value(dst)
	return append(dst, '}')
}

// A scanner reads one JSON value by hand. After an error it stays failed
// (bad is set) and reads nothing more.
type scanner struct {
	b   []byte
	i   int
	bad bool
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	s.ws()
	if s.bad || s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

// open consumes c ('{' or '[').
func (s *scanner) open(c byte) bool {
	if s.peek() != c {
		s.bad = true
		return false
	}
	s.i++
	return true
}

// more reports whether the object or array has another member. It
// consumes the comma before each member after the first (n counts them)
// or the closing c after the last.
func (s *scanner) more(c byte, n *int) bool {
	p := s.peek()
	switch {
	case p == c:
		s.i++
		return false
	case p == 0:
		s.bad = true
		return false
	case *n > 0:
		if p != ',' {
			s.bad = true
			return false
		}
		s.i++
	}
	*n++
	return true
}

func (s *scanner) colon() bool {
	if s.peek() != ':' {
		s.bad = true
		return false
	}
	s.i++
	return true
}

// str returns the string literal at the position, quotes included.
func (s *scanner) str() []byte {
	if s.peek() != '"' {
		s.bad = true
		return nil
	}
	start := s.i
	for s.i++; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '\\':
			s.i++
			if !s.escape() {
				s.bad = true
				return nil
			}
		case c == '"':
			s.i++
			return s.b[start:s.i]
		case c < 0x20:
			s.bad = true
			return nil
		}
	}
	s.bad = true
	return nil
}

// escape checks the escape sequence after a backslash at s.i, leaving
// s.i on its last byte.
func (s *scanner) escape() bool {
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	case 'u':
		if s.i+4 >= len(s.b) {
			return false
		}
		for _, c := range s.b[s.i+1 : s.i+5] {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
		s.i += 4
		return true
	}
	return false
}

// value appends the AnyValue of the JSON value at the position: integer
// literals become intValue (a string, per the OTLP JSON mapping), other
// numbers doubleValue, objects kvlistValue, arrays arrayValue, null an
// empty value.
func (s *scanner) value(dst []byte) []byte {
	switch c := s.peek(); {
	case c == '"':
		dst = append(dst, `{"stringValue":`...)
		dst = append(dst, s.str()...)
	case c == '{':
		s.i++
		dst = append(dst, `{"kvlistValue":{"values":[`...)
		for n := 0; s.more('}', &n); {
			key := s.str()
			if !s.colon() {
				break
			}
			dst = appendKV(dst, key, s)
		}
		dst = append(dst, `]}`...)
	case c == '[':
		s.i++
		dst = append(dst, `{"arrayValue":{"values":[`...)
		for n := 0; s.more(']', &n); {
			if dst[len(dst)-1] != '[' {
				dst = append(dst, ',')
			}
			dst = s.value(dst)
		}
		dst = append(dst, `]}`...)
	case c == 't' || c == 'f' || c == 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
				s.i += len(lit)
				if lit == "null" {
					return append(dst, `{}`...)
				}
				dst = append(dst, `{"boolValue":`...)
				dst = append(dst, lit...)
				return append(dst, '}')
			}
		}
		s.bad = true
		return append(dst, `{}`...)
	case c == '-' || '0' <= c && c <= '9':
		num, isInt := s.number()
		if isInt {
			dst = append(dst, `{"intValue":"`...)
			dst = append(dst, num...)
			dst = append(dst, '"')
		} else {
			dst = append(dst, `{"doubleValue":`...)
			dst = append(dst, num...)
		}
	default:
		s.bad = true
		return append(dst, `{}`...)
	}
	return append(dst, '}')
}

// number returns the number literal at the position (JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?) and whether it is an
// integer that fits an int64 (a bigger one is sent as a double).
func (s *scanner) number() (num []byte, isInt bool) {
	start := s.i
	if s.b[s.i] == '-' {
		s.i++
	}
	intStart := s.i
	if s.digits() == 0 || s.b[intStart] == '0' && s.i-intStart > 1 {
		s.bad = true
	}
	intEnd := s.i
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			s.bad = true
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			s.bad = true
		}
	}
	const maxInt = "9223372036854775807"
	d := s.b[intStart:intEnd]
	isInt = intEnd == s.i && (len(d) < len(maxInt) || len(d) == len(maxInt) && string(d) <= maxInt)
	return s.b[start:s.i], isInt
}

// digits consumes a run of decimal digits and returns its length.
func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

// end reports whether the scan succeeded and only space is left.
func (s *scanner) end() bool {
	s.ws()
	return !s.bad && s.i == len(s.b)
}

// appendKeyString appends a KeyValue with a string value.
func appendKeyString(dst []byte, key, val string) []byte {
	dst = append(dst, `{"key":`...)
	dst = ship.AppendString(dst, key)
	dst = append(dst, `,"value":{"stringValue":`...)
	dst = ship.AppendString(dst, val)
	return append(dst, `}}`...)
}
