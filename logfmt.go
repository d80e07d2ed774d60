package fapilog

import (
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// This file holds the text encoding of the logfmt and console formats.
// For the same record, a logfmt line is what slog.TextHandler writes,
// byte for byte (time aside: its layout is Config.Fields' choice), with
// these exceptions:
//
//   - slog.Any values other than errors, TextMarshalers, strings,
//     numbers, booleans and nil are captured as JSON when the call is
//     made (see capture), so a map, struct or slice is written as its
//     JSON text, quoted, where slog writes fmt's %+v form
//     ("map[a:1]", "{A:1}", "[a b]"). A []byte is base64, as in JSON.
//   - A group whose attrs all turn out to be empty writes nothing (slog
//     leaves its name on the keys of the attrs after it), and groups
//     nested past maxGroupDepth are cut off.

// needsQuoting reports whether s must be quoted in a text line: it is
// empty, or holds a space, '=', '"', a control character, a non-printing
// or space rune, or invalid UTF-8. It is slog.TextHandler's rule.
func needsQuoting(s string) bool {
	if len(s) == 0 {
		return true
	}
	for i := 0; i < len(s); {
		// Plain ASCII, a word at a time: wordIsSafe rejects '"', '\\',
		// controls and non-ASCII; ' ' and '=' are tested here.
		if i+8 <= len(s) {
			x := load64(s, i)
			sp, eq := x^(lsb*' '), x^(lsb*'=')
			if wordIsSafe(x) && ((sp-lsb)&^sp|(eq-lsb)&^eq)&msb == 0 {
				i += 8
				continue
			}
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if b != '\\' && (b == ' ' || b == '=' || !safeASCII[b]) {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// appendTextString appends s, quoted with strconv.Quote if it needs it.
func appendTextString(b []byte, s string) []byte {
	if needsQuoting(s) {
		return appendQuoted(b, s)
	}
	return append(b, s...)
}

// appendQuoted is strconv.AppendQuote, which takes tens of
// instructions a byte, with a fast path for printable ASCII (a word at a
// time): there, only '"' and '\\' are escaped.
func appendQuoted(b []byte, s string) []byte {
	orig := len(b)
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			if x := load64(s, i); wordIsSafe(x) && !hasByte(x, 0x7f) {
				i += 8
				continue
			}
		}
		switch c := s[i]; {
		case c < ' ' || c >= 0x7f:
			return strconv.AppendQuote(b[:orig], s)
		case c == '"' || c == '\\':
			b = append(b, s[start:i]...)
			b = append(b, '\\', c)
			start = i + 1
		}
		i++
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// hasByte reports whether a byte of the word x equals c.
func hasByte(x uint64, c byte) bool {
	y := x ^ (lsb * uint64(c))
	return (y-lsb)&^y&msb != 0
}

// appendTextValue appends v as slog.TextHandler writes it, for a caller
// that knows v's kind (not a group: text groups are dotted keys).
func appendTextValue(b []byte, v slog.Value, kind slog.Kind) []byte {
	switch kind {
	case slog.KindString:
		return appendTextString(b, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		return appendTextFloat(b, v.Float64())
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		return appendDuration(b, v.Duration())
	case slog.KindTime:
		return appendRFC3339Millis(b, v.Time())
	case slog.KindLogValuer:
		return appendTextValue(b, v.Resolve(), v.Resolve().Kind())
	case slog.KindAny:
		return appendTextAny(b, v.Any())
	}
	return appendTextString(b, v.String())
}

// appendTextFloat appends f as slog.TextHandler does, as
// strconv.AppendFloat(b, f, 'g', -1, 64) does. Shortest 'g' is plain
// decimal notation while the exponent of f's shortest digits is -4 to 5,
// which is when |f| is in [1e-4, 1e6) (1e6 is exact, and the float
// nearest 1e-4 reads "0.0001"): there a short decimal takes
// appendShortFloat's path, 'f' shortest being the same digits.
func appendTextFloat(b []byte, f float64) []byte {
	if a := math.Abs(f); a >= 1e-4 && a < 1e6 {
		if out, ok := appendShortFloat(b, f); ok {
			return out
		}
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// appendTextAny appends a value of kind Any as slog.TextHandler does:
// captured JSON by appendRawText, a TextMarshaler's text, a byte slice
// quoted, anything else in fmt's %+v form; a panic is written as slog
// writes it.
func appendTextAny(b []byte, a any) (out []byte) {
	switch x := a.(type) {
	case *rawJSON:
		return appendTextString(b, rawText(*x))
	case rawJSON:
		return appendTextString(b, rawText(x))
	case *inertJSON:
		return appendTextString(b, rawText(x.raw))
	case *slog.Source:
		return appendTextString(b, sourceText(x))
	}
	start := len(b)
	defer func() {
		if r := recover(); r != nil {
			b = b[:start]
			if v := reflect.ValueOf(a); v.Kind() == reflect.Pointer && v.IsNil() {
				out = appendTextString(b, "<nil>")
				return
			}
			out = appendTextString(b, fmt.Sprintf("!PANIC: %v", r))
		}
	}()
	if tm, ok := a.(encoding.TextMarshaler); ok {
		data, err := tm.MarshalText()
		if err != nil {
			return appendTextString(b, errPrefix+err.Error())
		}
		return appendTextString(b, string(data))
	}
	if bs, ok := a.([]byte); ok {
		return strconv.AppendQuote(b, string(bs))
	}
	return appendTextString(b, fmt.Sprintf("%+v", a))
}

// sourceText is slog.TextHandler's form of a source: "file:line".
func sourceText(s *slog.Source) string {
	return s.File + ":" + strconv.Itoa(s.Line)
}

// rawText returns captured JSON as text: a string as its text (an
// error's message, a TextMarshaler's text), null as "<nil>" (fmt's nil),
// anything else as its JSON. It may point into raw.
func rawText(raw rawJSON) string {
	if len(raw) == 0 || string(raw) == "null" {
		return "<nil>"
	}
	if raw[0] == '"' {
		if s, ok := plainJSONString(raw); ok {
			return s
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	return unsafe.String(&raw[0], len(raw))
}

// inString reports whether s holds a trigger byte, as appendStringScan
// finds them.
func (t *trigger) inString(s string) bool {
	if t.always {
		return true
	}
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if t.inWord(load64(s, i)) {
			return true
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf && t.bytes[c] {
			return true
		}
	}
	return false
}

// plainJSONString returns the text of a JSON string with no escapes,
// without copying it.
func plainJSONString(raw rawJSON) (string, bool) {
	n := len(raw)
	if n < 2 || raw[n-1] != '"' {
		return "", false
	}
	for _, c := range raw[1 : n-1] {
		if c == '\\' || c == '"' {
			return "", false
		}
	}
	if n == 2 {
		return "", true
	}
	return unsafe.String(&raw[1], n-2), true
}

// appendRFC3339Millis appends t in RFC 3339 with exactly three fraction
// digits, as slog.TextHandler writes times.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	// RFC3339Nano drops trailing zeros; adding a tenth of a millisecond
	// keeps four digits, and the fourth is dropped.
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	if len(b) < n+prefixLen+1 || b[n+prefixLen-4] != '.' {
		return b // a year past 9999 shifts the layout; leave it whole
	}
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}

// appendDuration appends d as d.String() does, without allocating.
func appendDuration(b []byte, d time.Duration) []byte {
	var buf [32]byte
	w := len(buf)
	u := uint64(d)
	neg := d < 0
	if neg {
		u = -u
	}
	if u < uint64(time.Second) {
		// Below a second: one unit, with a fraction.
		prec := 0
		w--
		buf[w] = 's'
		w--
		switch {
		case u == 0:
			buf[w] = '0'
			return append(b, buf[w:]...)
		case u < uint64(time.Microsecond):
			buf[w] = 'n'
		case u < uint64(time.Millisecond):
			prec = 3
			w-- // 'µ' is two bytes
			copy(buf[w:], "µ")
		default:
			prec = 6
			buf[w] = 'm'
		}
		w, u = fmtFrac(buf[:w], u, prec)
		w = fmtInt(buf[:w], u)
	} else {
		w--
		buf[w] = 's'
		w, u = fmtFrac(buf[:w], u, 9)
		w = fmtInt(buf[:w], u%60)
		u /= 60
		if u > 0 {
			w--
			buf[w] = 'm'
			w = fmtInt(buf[:w], u%60)
			u /= 60
			if u > 0 {
				w--
				buf[w] = 'h'
				w = fmtInt(buf[:w], u)
			}
		}
	}
	if neg {
		w--
		buf[w] = '-'
	}
	return append(b, buf[w:]...)
}

// fmtFrac writes the fraction of v/10^prec into the end of buf, leaving
// out trailing zeros (and the '.' if nothing is left), and returns the
// start of what it wrote and v/10^prec.
func fmtFrac(buf []byte, v uint64, prec int) (int, uint64) {
	w := len(buf)
	print := false
	for range prec {
		digit := v % 10
		print = print || digit != 0
		if print {
			w--
			buf[w] = byte(digit) + '0'
		}
		v /= 10
	}
	if print {
		w--
		buf[w] = '.'
	}
	return w, v
}

// fmtInt writes v into the end of buf and returns the start of it.
func fmtInt(buf []byte, v uint64) int {
	w := len(buf)
	if v == 0 {
		w--
		buf[w] = '0'
		return w
	}
	for v > 0 {
		w--
		buf[w] = byte(v%10) + '0'
		v /= 10
	}
	return w
}
