package fapilog

import (
	"log/slog"
	"math"
	"strconv"
	"time"
)

// An inertJSON is the JSON that capture makes of a slice of numbers,
// bools or times logged with slog.Any, when it holds nothing the built-in
// scanners read: no string but timestamps (see isTimestamp), no integer
// of 13 to 19 digits (a card number's length). The worker copies it as it
// is where only those scanners read strings (fused redaction): walking it
// would find nothing. Elsewhere it is walked as any captured JSON.
type inertJSON struct{ raw rawJSON }

// inert returns the capture of x, the value of an slog.Any, as an
// inertJSON if x is a non-nil slice that makes one, encoded into the
// arena's text as appendAny encodes it; else false, and x is captured as
// any value is.
func (a *arena) inert(x any) (slog.Value, bool) {
	var buf []byte
	if a != nil {
		buf = a.raw
	}
	start := len(buf)
	switch s := x.(type) {
	case []int:
		buf = appendInert(buf, s, func(b []byte, n int) []byte { return appendInt(b, int64(n)) })
	case []int64:
		buf = appendInert(buf, s, appendInt)
	case []float64:
		buf = appendInert(buf, s, func(b []byte, f float64) []byte {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil // appendAny leaves the slice to encoding/json
			}
			return appendFloat(b, f)
		})
	case []bool:
		buf = appendInert(buf, s, strconv.AppendBool)
	case []time.Time:
		buf = appendInert(buf, s, func(b []byte, t time.Time) []byte {
			if out, ok := appendTimestamp(b, t); ok {
				return out
			}
			return nil // a time appendTime does not write as a timestamp
		})
	default:
		return slog.Value{}, false
	}
	if buf == nil {
		return slog.Value{}, false
	}
	raw := rawJSON(buf[start:len(buf):len(buf)])
	if a == nil {
		return slog.AnyValue(&inertJSON{raw}), true
	}
	a.raw = buf
	a.inerts = append(a.inerts, inertJSON{raw})
	return slog.AnyValue(&a.inerts[len(a.inerts)-1]), true
}

// appendInert appends s as appendSlice does, and returns nil instead if s
// is nil, if appendElem returns nil for an element, or if an element's
// text is one the walk of a captured value would look into (see
// jsonValue): a number of 13 to 19 digits, which may be a card number.
// The only strings appendElem writes are timestamps (appendTimestamp),
// which the walk passes over.
func appendInert[E any](b []byte, s []E, appendElem func([]byte, E) []byte) []byte {
	if s == nil {
		return nil
	}
	b = append(b, '[')
	for i, e := range s {
		if i > 0 {
			b = append(b, ',')
		}
		at := len(b)
		if b = appendElem(b, e); b == nil {
			return nil
		}
		if text := b[at:]; len(text) >= 13 && len(text) <= 19 {
			if _, digits := parseDigits(text); digits {
				return nil
			}
		}
	}
	return append(b, ']')
}
