package fapilog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// encodeAttrs returns the object appendAttrs writes for attrs.
func encodeAttrs(attrs ...slog.Attr) string {
	b := []byte{'{'}
	b, _ = appendAttrs(b, attrs, false)
	return string(append(b, '}'))
}

// encodeValue returns what appendValue writes for v.
func encodeValue(v slog.Value) string {
	return string(appendValue(nil, v))
}

// slogAttrsJSON returns the object slog's JSONHandler writes for a record
// holding attrs, without its level and msg members. (The record's time is
// zero, so slog leaves the time out.)
func slogAttrsJSON(t testing.TB, attrs ...slog.Attr) string {
	t.Helper()
	var buf bytes.Buffer
	r := slog.NewRecord(time.Time{}, slog.LevelInfo, "", 0)
	r.AddAttrs(attrs...)
	require.NoError(t, slog.NewJSONHandler(&buf, nil).Handle(context.Background(), r))
	const prefix = `{"level":"INFO","msg":""`
	out := strings.TrimSuffix(buf.String(), "\n")
	require.True(t, strings.HasPrefix(out, prefix), "unexpected slog output %q", out)
	return "{" + strings.TrimPrefix(out[len(prefix):], ",")
}

// slogValueJSON returns what slog's JSONHandler writes for a value.
func slogValueJSON(t testing.TB, v slog.Value) string {
	t.Helper()
	obj := slogAttrsJSON(t, slog.Attr{Key: "k", Value: v})
	require.True(t, strings.HasPrefix(obj, `{"k":`), "unexpected slog output %q", obj)
	return obj[len(`{"k":`) : len(obj)-1]
}

// replaceInvalidUTF8 replaces each byte of s that is not part of a valid
// UTF-8 sequence with U+FFFD, as encoding/json does when it encodes s
// (unlike strings.ToValidUTF8, which replaces whole runs).
func replaceInvalidUTF8(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}

// Test types whose methods misbehave in the ways a log call may meet.
type (
	// panicError panics in Error.
	panicError struct{}
	// ptrError is an error with a pointer receiver that does not guard
	// against nil.
	ptrError struct{ msg string }
	// marshalError is an error that also implements json.Marshaler, so
	// the marshaler wins, as in slog.
	marshalError struct{}
	// badJSON returns JSON that is not valid.
	badJSON struct{}
	// failingJSON returns an error from MarshalJSON.
	failingJSON struct{}
	// panicJSON panics in MarshalJSON.
	panicJSON struct{}
	// panicText panics in MarshalText.
	panicText struct{}
	// spacedJSON returns valid JSON with spaces and HTML characters.
	spacedJSON struct{}
	// panicStringer panics with a value whose String method also panics.
	panicStringer struct{}
	// badStringer panics in String.
	badStringer struct{}
	// valuer is a LogValuer that returns a fixed value.
	valuer struct{ v slog.Value }
	// selfValuer is a LogValuer that returns itself forever.
	selfValuer struct{}
	// panicValuer is a LogValuer that panics.
	panicValuer struct{}
	// recursiveGroupValuer returns a group holding itself forever.
	recursiveGroupValuer struct{}
)

// Methods of the test types; each misbehaves as its type's comment says.
func (panicError) Error() string                    { panic("boom") }
func (e *ptrError) Error() string                   { return e.msg }
func (marshalError) Error() string                  { return "ignored" }
func (marshalError) MarshalJSON() ([]byte, error)   { return []byte(`{"code":7}`), nil }
func (badJSON) MarshalJSON() ([]byte, error)        { return []byte(`{"a":`), nil }
func (failingJSON) MarshalJSON() ([]byte, error)    { return nil, errors.New("no can do") }
func (panicJSON) MarshalJSON() ([]byte, error)      { panic("json boom") }
func (panicText) MarshalText() ([]byte, error)      { panic("text boom") }
func (spacedJSON) MarshalJSON() ([]byte, error)     { return []byte(`{ "a" : [1, 2], "h": "<&>" }`), nil }
func (panicStringer) Error() string                 { panic(badStringer{}) }
func (badStringer) String() string                  { panic("stringer boom") }
func (v valuer) LogValue() slog.Value               { return v.v }
func (s selfValuer) LogValue() slog.Value           { return slog.AnyValue(s) }
func (panicValuer) LogValue() slog.Value            { panic("valuer boom") }
func (r recursiveGroupValuer) LogValue() slog.Value { return slog.GroupValue(slog.Any("self", r)) }

// TestAppendString checks escaping against fixed forms and slog, and
// that every string decodes back to its valid-UTF-8 form.
func TestAppendString(t *testing.T) {
	long := strings.Repeat("abcdefgh", 25)
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `""`},
		{"ascii", "hello world", `"hello world"`},
		{"quote", `say "hi"`, `"say \"hi\""`},
		{"backslash", `C:\dir\`, `"C:\\dir\\"`},
		{"short escapes", "a\nb\rc\td", `"a\nb\rc\td"`},
		{"other controls", "\x00\x01\b\f\x1f", `"\u0000\u0001\u0008\u000c\u001f"`},
		{"DEL is not escaped", "\x7f", "\"\x7f\""},
		{"html not escaped", "<a href='x'>&amp;</a>", `"<a href='x'>&amp;</a>"`},
		{"utf8", "héllo 世界 🎉", `"héllo 世界 🎉"`},
		{"invalid byte", "a\xffb", `"a\ufffdb"`},
		{"each invalid byte replaced", "\xff\xfe", `"\ufffd\ufffd"`},
		{"truncated sequence", "a\xe4\xb8", `"a\ufffd\ufffd"`},
		{"surrogate half", "\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"overlong", "\xc0\xaf", `"\ufffd\ufffd"`},
		{"line separators", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"long ascii", long, `"` + long + `"`},
		{"escape after a word", long[:13] + "\"" + long[:20], `"` + long[:13] + `\"` + long[:20] + `"`},
		{"escape at word end", "1234567\n89abcdef", `"1234567\n89abcdef"`},
		{"escape at word start", "12345678\n9abcdefg", `"12345678\n9abcdefg"`},
		{"utf8 inside words", "abcdefgé" + long[:9] + "世" + long[:7], `"abcdefgé` + long[:9] + `世` + long[:7] + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendString([]byte("prefix"), tt.in))
			require.Equal(t, "prefix"+tt.want, got)
			require.True(t, json.Valid([]byte(tt.want)))
			require.Equal(t, slogValueJSON(t, slog.StringValue(tt.in)), tt.want, "differs from slog")
			var back string
			require.NoError(t, json.Unmarshal([]byte(tt.want), &back))
			require.Equal(t, replaceInvalidUTF8(tt.in), back)
		})
	}
}

// TestAppendStringAllBytes checks every byte value at every offset within
// a word, against slog, so the word-at-a-time scan has no blind spot.
func TestAppendStringAllBytes(t *testing.T) {
	for c := range 256 {
		for off := range 17 {
			s := strings.Repeat("x", off) + string(rune(0)) + strings.Repeat("y", 20)
			s = s[:off] + string([]byte{byte(c)}) + s[off+1:]
			got := string(appendString(nil, s))
			require.Equal(t, slogValueJSON(t, slog.StringValue(s)), got, "byte %#x at %d", c, off)
		}
	}
}

// TestAppendFloat checks special values and that finite floats match
// encoding/json exactly and round-trip.
func TestAppendFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{math.NaN(), `"NaN"`},
		{math.Inf(1), `"+Inf"`},
		{math.Inf(-1), `"-Inf"`},
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{-1.5, "-1.5"},
		{0.1, "0.1"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{123456789e15, "1.23456789e+23"},
		{1e-6, "0.000001"},
		{1e-7, "1e-7"},
		{-2.5e-9, "-2.5e-9"},
		{1e-10, "1e-10"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.SmallestNonzeroFloat64, "5e-324"},
		{float64(math.MaxInt64), "9223372036854776000"},
	}
	for _, tt := range tests {
		got := string(appendFloat(nil, tt.in))
		require.Equal(t, tt.want, got, "%v", tt.in)
		require.True(t, json.Valid([]byte(got)))
	}

	// Finite floats must match encoding/json exactly and round-trip.
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		want, err := json.Marshal(f)
		require.NoError(t, err)
		got := appendFloat(nil, f)
		require.Equal(t, string(want), string(got))
		var back float64
		require.NoError(t, json.Unmarshal(got, &back))
		require.Equal(t, math.Float64bits(f), math.Float64bits(back))
	}
}

// TestAppendTime checks RFC 3339 output, including years slog cannot
// write as valid JSON.
func TestAppendTime(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+30*60)
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"zero", time.Time{}, `"0001-01-01T00:00:00Z"`},
		{"nanos", time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.UTC), `"2024-02-29T23:59:59.123456789Z"`},
		{"trailing zeros trimmed", time.Date(2024, 1, 2, 3, 4, 5, 120000000, time.UTC), `"2024-01-02T03:04:05.12Z"`},
		{"zone", time.Date(2024, 1, 2, 3, 4, 5, 0, ist), `"2024-01-02T03:04:05+05:30"`},
		{"last year in range", time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), `"9999-12-31T23:59:59.999999999Z"`},
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), `"10000-01-01T00:00:00Z"`},
		{"negative year", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), `"-0001-01-01T00:00:00Z"`},
		{"far future", time.Date(292277026596, 12, 4, 15, 30, 7, 0, time.UTC), `"292277026596-12-04T15:30:07Z"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendTime(nil, tt.in))
			require.Equal(t, tt.want, got)
			require.True(t, json.Valid([]byte(got)))
			require.Equal(t, got, encodeValue(slog.TimeValue(tt.in)))
			if y := tt.in.Year(); y >= 0 && y <= 9999 {
				require.Equal(t, slogValueJSON(t, slog.TimeValue(tt.in)), got, "differs from slog")
				var back time.Time
				require.NoError(t, json.Unmarshal([]byte(got), &back))
				require.True(t, tt.in.Equal(back))
			}
		})
	}
	// The monotonic reading is never written.
	now := time.Now()
	require.Equal(t, string(appendTime(nil, now.Round(0))), string(appendTime(nil, now)))
}

// TestAppendValue covers every kind and the misbehaving values a log
// call may carry.
func TestAppendValue(t *testing.T) {
	tests := []struct {
		name string
		in   slog.Value
		want string
	}{
		{"string", slog.StringValue("a\"b"), `"a\"b"`},
		{"int64 min", slog.Int64Value(math.MinInt64), "-9223372036854775808"},
		{"int64 max", slog.Int64Value(math.MaxInt64), "9223372036854775807"},
		{"uint64 max", slog.Uint64Value(math.MaxUint64), "18446744073709551615"},
		{"float", slog.Float64Value(2.5), "2.5"},
		{"float NaN", slog.Float64Value(math.NaN()), `"NaN"`},
		{"float +Inf", slog.Float64Value(math.Inf(1)), `"+Inf"`},
		{"float -Inf", slog.Float64Value(math.Inf(-1)), `"-Inf"`},
		{"float -0", slog.Float64Value(math.Copysign(0, -1)), "-0"},
		{"bool true", slog.BoolValue(true), "true"},
		{"bool false", slog.BoolValue(false), "false"},
		{"duration", slog.DurationValue(1500 * time.Millisecond), "1500000000"},
		{"duration zero", slog.DurationValue(0), "0"},
		{"duration negative", slog.DurationValue(-time.Nanosecond), "-1"},
		{"duration max", slog.DurationValue(math.MaxInt64), "9223372036854775807"},
		{"time", slog.TimeValue(time.Date(2001, 2, 3, 4, 5, 6, 7, time.UTC)), `"2001-02-03T04:05:06.000000007Z"`},
		{"zero time", slog.TimeValue(time.Time{}), `"0001-01-01T00:00:00Z"`},
		{"group", slog.GroupValue(slog.Int("a", 1), slog.Group("b", slog.String("c", "d"))), `{"a":1,"b":{"c":"d"}}`},
		{"empty group", slog.GroupValue(), `{}`},
		{"group of empty groups", slog.GroupValue(slog.Group("a"), slog.Group("b", slog.Group("c"))), `{}`},
		{"group of empty attrs", slog.GroupValue(slog.Attr{}, slog.Attr{}), `{}`},
		{"group with empty-key group", slog.GroupValue(slog.Group("", slog.Int("a", 1)), slog.Int("b", 2)), `{"a":1,"b":2}`},
		{"logvaluer", slog.AnyValue(valuer{slog.IntValue(3)}), "3"},
		{"logvaluer to group", slog.AnyValue(valuer{slog.GroupValue(slog.Bool("x", true))}), `{"x":true}`},
		{"logvaluer forever", slog.AnyValue(selfValuer{}), `"LogValue called too many times on Value of type fapilog.selfValuer"`},
		{"nil", slog.AnyValue(nil), "null"},
		{"raw json", slog.AnyValue(rawJSON(`{"z":[1,"<"]}`)), `{"z":[1,"<"]}`},
		{"empty raw json", slog.AnyValue(rawJSON(nil)), "null"},
		{"raw json in map", slog.AnyValue(map[string]any{"r": rawJSON(`[1]`), "e": rawJSON(nil)}), `{"e":null,"r":[1]}`},
		{"error", slog.AnyValue(errors.New("bad\tthing")), `"bad\tthing"`},
		{"error that marshals", slog.AnyValue(marshalError{}), `{"code":7}`},
		{"wrapped error", slog.AnyValue(fmt.Errorf("ctx: %w", errors.New("inner"))), `"ctx: inner"`},
		{"nil pointer error", slog.AnyValue((*ptrError)(nil)), `"<nil>"`},
		{"panicking error", slog.AnyValue(panicError{}), `"!PANIC: boom"`},
		{"panic whose String panics", slog.AnyValue(panicStringer{}), `"!PANIC: %!v(PANIC=String method: stringer boom)"`},
		{"panicking MarshalJSON", slog.AnyValue(panicJSON{}), `"!PANIC: json boom"`},
		{"panicking MarshalText", slog.AnyValue(panicText{}), `"!PANIC: text boom"`},
		{"panic in nested marshaler", slog.AnyValue([]any{1, panicJSON{}}), `"!PANIC: json boom"`},
		{"invalid JSON from MarshalJSON", slog.AnyValue(badJSON{}), `"!ERROR:json: error calling MarshalJSON for type fapilog.badJSON: unexpected end of JSON input"`},
		{"MarshalJSON error", slog.AnyValue(failingJSON{}), `"!ERROR:json: error calling MarshalJSON for type fapilog.failingJSON: no can do"`},
		{"unsupported type", slog.AnyValue(make(chan int)), `"!ERROR:json: unsupported type: chan int"`},
		{"compacted, not HTML-escaped", slog.AnyValue(spacedJSON{}), `{"a":[1,2],"h":"<&>"}`},
		{"map", slog.AnyValue(map[string]any{"b": 1, "a": []string{"x"}, "c": nil}), `{"a":["x"],"b":1,"c":null}`},
		{"struct", slog.AnyValue(struct {
			Name string `json:"name"`
			Tags []int  `json:"tags,omitempty"`
			Skip string `json:"-"`
		}{Name: "<b>", Skip: "x"}), `{"name":"<b>"}`},
		{"slice", slog.AnyValue([]float64{1, 2.5}), `[1,2.5]`},
		{"bytes", slog.AnyValue([]byte("hi")), `"aGk="`},
		{"named int", slog.AnyValue(time.Month(3)), `3`},
		{"level", slog.AnyValue(slog.LevelWarn + 2), `"WARN+2"`},
		{"source", slog.AnyValue(&slog.Source{File: "f.go", Line: 3}), `{"file":"f.go","line":3}`},
		{"nil source", slog.AnyValue((*slog.Source)(nil)), `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := encodeValue(tt.in)
			require.Equal(t, tt.want, got)
			require.True(t, json.Valid([]byte(got)), "invalid JSON %s", got)
		})
	}
}

// TestAppendValuePanicReplacesPartialOutput checks that a panic discards
// whatever the failing value had written, keeping the prefix intact.
func TestAppendValuePanicReplacesPartialOutput(t *testing.T) {
	b := appendValue([]byte(`{"k":`), slog.AnyValue(panicJSON{}))
	require.Equal(t, `{"k":"!PANIC: json boom"`, string(b))

	// The pool keeps working after an encoder was abandoned mid-panic.
	require.Equal(t, `[1]`, encodeValue(slog.AnyValue([]int{1})))
}

// TestAppendValuePanickingLogValuer checks that a panicking LogValue,
// recovered by slog.Value.Resolve, still gives valid output.
func TestAppendValuePanickingLogValuer(t *testing.T) {
	got := encodeValue(slog.AnyValue(panicValuer{}))
	require.True(t, json.Valid([]byte(got)), got)
	var s string
	require.NoError(t, json.Unmarshal([]byte(got), &s))
	require.True(t, strings.HasPrefix(s, "LogValue panicked\n"), s)

	got = encodeAttrs(slog.Int("a", 1), slog.Any("p", panicValuer{}), slog.Int("b", 2))
	require.True(t, json.Valid([]byte(got)), got)
}

// TestAppendAttrs covers the slog.Handler rules for attrs and groups.
func TestAppendAttrs(t *testing.T) {
	tests := []struct {
		name string
		in   []slog.Attr
		want string
	}{
		{"none", nil, `{}`},
		{"flat", []slog.Attr{slog.String("a", "x"), slog.Int("b", 1)}, `{"a":"x","b":1}`},
		{"escaped key", []slog.Attr{slog.Int("k\"\n<", 1)}, `{"k\"\n<":1}`},
		{"empty key kept", []slog.Attr{slog.Int("", 1)}, `{"":1}`},
		{"nil value kept", []slog.Attr{slog.Any("n", nil)}, `{"n":null}`},
		{"empty attrs skipped", []slog.Attr{{}, slog.Int("a", 1), {}, slog.Int("b", 2), {}}, `{"a":1,"b":2}`},
		{"nested", []slog.Attr{slog.Group("g", slog.Int("a", 1), slog.Group("h", slog.Bool("b", true))), slog.Int("c", 2)},
			`{"g":{"a":1,"h":{"b":true}},"c":2}`},
		{"empty group omitted", []slog.Attr{slog.Int("a", 1), slog.Group("g"), slog.Int("b", 2)}, `{"a":1,"b":2}`},
		{"group of empty groups omitted", []slog.Attr{slog.Group("g", slog.Group("h"), slog.Group("i", slog.Group("j")))}, `{}`},
		{"group of empty attrs omitted", []slog.Attr{slog.Int("a", 1), slog.Group("g", slog.Attr{}), slog.Int("b", 2)}, `{"a":1,"b":2}`},
		{"group of groups of empty attrs omitted", []slog.Attr{slog.Int("a", 1), slog.Group("g", slog.Group("h", slog.Attr{})), slog.Int("b", 2)}, `{"a":1,"b":2}`},
		{"leading empty group", []slog.Attr{slog.Group("g", slog.Attr{}), slog.Int("b", 2)}, `{"b":2}`},
		{"empty-key group inlined", []slog.Attr{slog.Int("a", 1), slog.Group("", slog.Int("b", 2), slog.Int("c", 3)), slog.Int("d", 4)},
			`{"a":1,"b":2,"c":3,"d":4}`},
		{"empty-key group inlined first", []slog.Attr{slog.Group("", slog.Int("b", 2)), slog.Int("c", 3)}, `{"b":2,"c":3}`},
		{"nested empty-key groups", []slog.Attr{slog.Group("g", slog.Group("", slog.Group("", slog.Int("a", 1))))}, `{"g":{"a":1}}`},
		{"empty empty-key group", []slog.Attr{slog.Int("a", 1), slog.Group("", slog.Attr{}), slog.Int("b", 2)}, `{"a":1,"b":2}`},
		{"logvaluer resolved first", []slog.Attr{slog.Any("v", valuer{slog.StringValue("s")})}, `{"v":"s"}`},
		{"logvaluer to group", []slog.Attr{slog.Any("v", valuer{slog.GroupValue(slog.Int("a", 1))})}, `{"v":{"a":1}}`},
		{"logvaluer to empty-key group", []slog.Attr{slog.Any("", valuer{slog.GroupValue(slog.Int("a", 1))})}, `{"a":1}`},
		{"logvaluer to empty group", []slog.Attr{slog.Int("a", 1), slog.Any("v", valuer{slog.GroupValue()}), slog.Int("b", 2)}, `{"a":1,"b":2}`},
		{"logvaluer to nothing", []slog.Attr{slog.Any("", valuer{slog.Value{}}), slog.Int("b", 2)}, `{"b":2}`},
		{"logvaluer to group of empty attrs", []slog.Attr{slog.Int("a", 1), slog.Any("v", valuer{slog.GroupValue(slog.Attr{})}), slog.Int("b", 2)}, `{"a":1,"b":2}`},
		{"source", []slog.Attr{slog.Any("src", &slog.Source{Function: "f", File: "x.go", Line: 2})}, `{"src":{"function":"f","file":"x.go","line":2}}`},
		{"empty-key source inlined", []slog.Attr{slog.Int("a", 1), slog.Any("", &slog.Source{File: "x.go"})}, `{"a":1,"file":"x.go"}`},
		{"empty source omitted", []slog.Attr{slog.Any("src", &slog.Source{}), slog.Any("nil", (*slog.Source)(nil))}, `{}`},
		{"duplicate keys kept", []slog.Attr{slog.Int("a", 1), slog.Int("a", 2)}, `{"a":1,"a":2}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := encodeAttrs(tt.in...)
			require.Equal(t, tt.want, got)
			require.True(t, json.Valid([]byte(got)), "invalid JSON %s", got)
		})
	}
}

// TestAppendAttrsSeparator checks the sep argument and result, which
// callers chain across several appendAttrs calls.
func TestAppendAttrsSeparator(t *testing.T) {
	b, sep := appendAttrs(nil, nil, false)
	require.Empty(t, b)
	require.False(t, sep)

	b, sep = appendAttrs(nil, []slog.Attr{{}, slog.Group("g", slog.Attr{})}, false)
	require.Empty(t, b)
	require.False(t, sep, "nothing written")

	b, sep = appendAttrs(nil, []slog.Attr{{}}, true)
	require.Empty(t, b)
	require.True(t, sep, "the caller's separator need carries over")

	b, sep = appendAttrs([]byte(`{"msg":"m"`), []slog.Attr{slog.Int("a", 1)}, true)
	require.Equal(t, `{"msg":"m","a":1`, string(b))
	require.True(t, sep)

	// Chained calls keep the separators right however the parts fall.
	b = []byte{'{'}
	sep = false
	for _, part := range [][]slog.Attr{nil, {{}}, {slog.Int("a", 1)}, {slog.Group("g")}, {slog.Int("b", 2)}} {
		b, sep = appendAttrs(b, part, sep)
	}
	require.Equal(t, `{"a":1,"b":2}`, string(append(b, '}')))
}

// TestAppendAttrsDepthBound checks that a LogValuer that returns a group
// holding itself produces bounded, valid output instead of exhausting
// the stack.
func TestAppendAttrsDepthBound(t *testing.T) {
	for _, attr := range []slog.Attr{
		slog.Any("r", recursiveGroupValuer{}),
		slog.Any("", recursiveGroupValuer{}),
	} {
		got := encodeAttrs(slog.Int("a", 1), attr, slog.Int("b", 2))
		require.True(t, json.Valid([]byte(got)), got)
		require.Contains(t, got, "!ERROR:group nesting exceeds")
	}
	got := encodeValue(slog.AnyValue(recursiveGroupValuer{}))
	require.True(t, json.Valid([]byte(got)), got)

	// Legitimately deep groups below the bound are written in full.
	v := slog.IntValue(1)
	for range maxGroupDepth {
		v = slog.GroupValue(slog.Attr{Key: "g", Value: v})
	}
	got = encodeAttrs(slog.Attr{Key: "g", Value: v})
	require.Equal(t, strings.Repeat(`{"g":`, maxGroupDepth+1)+"1"+strings.Repeat("}", maxGroupDepth+1), got)
	require.Equal(t, slogAttrsJSON(t, slog.Attr{Key: "g", Value: v}), got)

	// One level more is cut off.
	v = slog.GroupValue(slog.Attr{Key: "g", Value: v})
	got = encodeAttrs(slog.Attr{Key: "g", Value: v})
	require.True(t, json.Valid([]byte(got)), got)
	require.Contains(t, got, `{"g":"!ERROR:group nesting exceeds`)
}

// callerPC returns the PC of its call site.
func callerPC() uintptr {
	var pcs [1]uintptr
	runtime.Callers(2, pcs[:])
	return pcs[0]
}

// TestAppendSource checks the source member against slog's, and the
// pc == 0 and unknown-pc cases.
func TestAppendSource(t *testing.T) {
	require.Empty(t, appendSource(nil, 0))

	pc := callerPC()
	r := slog.NewRecord(time.Time{}, slog.LevelInfo, "", pc)
	want := r.Source()
	for range 2 { // the second call is served from the cache
		got := appendSource([]byte(`{"level":"INFO",`), pc)
		got = append(got, '}')
		require.True(t, json.Valid(got), string(got))
		var decoded struct {
			Source map[string]any `json:"source"`
		}
		require.NoError(t, json.Unmarshal(got, &decoded))
		require.Equal(t, map[string]any{
			"function": want.Function,
			"file":     want.File,
			"line":     float64(want.Line),
		}, decoded.Source)
		require.Contains(t, want.Function, "TestAppendSource")
	}

	// Same bytes as slog's handler with AddSource.
	var buf bytes.Buffer
	require.NoError(t, slog.NewJSONHandler(&buf, &slog.HandlerOptions{AddSource: true}).Handle(context.Background(), r))
	require.Contains(t, buf.String(), string(appendSource(nil, pc)))

	// A PC that maps to no function gives an empty object, still valid.
	got := append(appendSource([]byte{'{'}, 1), '}')
	require.Equal(t, `{"source":{}}`, string(got))
}

// TestAppendAttrsZeroAllocs checks that primitives, times, durations and
// groups of them are encoded without allocating.
func TestAppendAttrsZeroAllocs(t *testing.T) {
	attrs := []slog.Attr{
		slog.String("s", "hello \"world\"\n"),
		slog.Int("i", -42),
		slog.Float64("f", 3.25),
		slog.Bool("b", true),
		slog.Time("t", time.Date(2024, 5, 6, 7, 8, 9, 10, time.FixedZone("", 3600))),
		slog.Duration("d", 3*time.Second),
		slog.Uint64("u", math.MaxUint64),
		slog.Group("g", slog.Int("x", 1), slog.Int("y", 2)),
		slog.String("utf8", "héllo wörld"),
		slog.Int64("n", 7),
	}
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(1000, func() {
		buf, _ = appendAttrs(buf[:0], attrs, false)
	})
	require.Zero(t, allocs)
	require.True(t, json.Valid(append([]byte{'{'}, append(buf, '}')...)))
}

// oracleGen builds random attrs in pairs: the attr given to appendAttrs,
// and an attr that slog's JSONHandler must write identically. They differ
// only where our output intentionally differs from slog's.
type oracleGen struct {
	r *rand.Rand
}

// str returns a random string, biased towards bytes that need care.
func (g oracleGen) str() string {
	pieces := []string{
		"a", "Z", "0", " ", "\"", "\\", "\n", "\r", "\t", "\x00", "\x1f", "\x7f",
		"<", ">", "&", "é", "世", "🎉", "\u2028", "\u2029", "\xff", "\xe4\xb8", "\xed\xa0\x80",
		"plain ascii text", "key",
	}
	n := g.r.IntN(12)
	var sb strings.Builder
	for range n {
		sb.WriteString(pieces[g.r.IntN(len(pieces))])
	}
	return sb.String()
}

// key returns a random attr key, sometimes empty.
func (g oracleGen) key() string {
	if g.r.IntN(8) == 0 {
		return ""
	}
	return g.str()
}

// float returns a random float64, including the special values.
func (g oracleGen) float() float64 {
	specials := []float64{0, math.Copysign(0, -1), 1e21, 1e-6, 1e-7, math.MaxFloat64,
		math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1), math.Inf(-1)}
	if g.r.IntN(3) == 0 {
		return specials[g.r.IntN(len(specials))]
	}
	return math.Float64frombits(g.r.Uint64())
}

// value returns a random value pair and whether it writes anything when
// used as an attr's value. depth limits group nesting.
func (g oracleGen) value(depth int) (ours, want slog.Value, writes bool) {
	const kinds = 24
	k := g.r.IntN(kinds)
	if depth >= 3 && k < 2 {
		k = 2 + g.r.IntN(kinds-2) // no more groups or LogValuers
	}
	switch k {
	case 0: // group
		n := g.r.IntN(4)
		var oa, wa []slog.Attr
		for range n {
			o, w, wrote, omit := g.attr(depth + 1)
			oa = append(oa, o)
			if !omit {
				wa = append(wa, w)
			}
			writes = writes || wrote
		}
		return slog.GroupValue(oa...), slog.GroupValue(wa...), writes
	case 1: // LogValuer
		o, w, wrote := g.value(depth + 1)
		return slog.AnyValue(valuer{o}), slog.AnyValue(valuer{w}), wrote
	case 2:
		s := g.str()
		return slog.StringValue(s), slog.StringValue(s), true
	case 3:
		v := int64(g.r.Uint64())
		return slog.Int64Value(v), slog.Int64Value(v), true
	case 4:
		v := g.r.Uint64()
		return slog.Uint64Value(v), slog.Uint64Value(v), true
	case 5:
		f := g.float()
		switch {
		case math.IsNaN(f):
			return slog.Float64Value(f), slog.StringValue("NaN"), true
		case math.IsInf(f, 1):
			return slog.Float64Value(f), slog.StringValue("+Inf"), true
		case math.IsInf(f, -1):
			return slog.Float64Value(f), slog.StringValue("-Inf"), true
		}
		return slog.Float64Value(f), slog.Float64Value(f), true
	case 6:
		v := g.r.IntN(2) == 0
		return slog.BoolValue(v), slog.BoolValue(v), true
	case 7:
		d := time.Duration(g.r.Uint64())
		return slog.DurationValue(d), slog.DurationValue(d), true
	case 8:
		zone := time.FixedZone("", (g.r.IntN(49)-24)*1800)
		tm := time.Unix(g.r.Int64N(800_000_000_000)-400_000_000_000, g.r.Int64N(1e9)).In(zone)
		if g.r.IntN(10) == 0 {
			tm = time.Time{}
		}
		if y := tm.Year(); y < 0 || y > 9999 {
			// slog writes invalid JSON here; we write the extended form.
			return slog.TimeValue(tm), slog.StringValue(tm.Format(time.RFC3339Nano)), true
		}
		return slog.TimeValue(tm), slog.TimeValue(tm), true
	case 9:
		return slog.AnyValue(nil), slog.AnyValue(nil), true
	case 10:
		m := map[string]any{g.str(): g.str(), g.str(): g.r.IntN(100), g.str(): []any{nil, true, 1.5}}
		return slog.AnyValue(m), slog.AnyValue(m), true
	case 11:
		s := struct {
			A string
			B []int `json:"b,omitempty"`
			C *int
		}{A: g.str(), B: []int{g.r.IntN(9)}}
		return slog.AnyValue(s), slog.AnyValue(s), true
	case 12:
		e := errors.New(g.str())
		return slog.AnyValue(e), slog.AnyValue(e), true
	case 13:
		return slog.AnyValue(marshalError{}), slog.AnyValue(marshalError{}), true
	case 14:
		bad := []any{badJSON{}, failingJSON{}, panicJSON{}, panicText{}, panicError{}, (*ptrError)(nil), make(chan int), spacedJSON{}}
		v := bad[g.r.IntN(len(bad))]
		return slog.AnyValue(v), slog.AnyValue(v), true
	case 15:
		// rawJSON is ours alone; slog embeds a json.RawMessage the same way.
		raw, err := json.Marshal(map[string]any{"r": g.str(), "n": g.r.IntN(9)})
		if err != nil {
			panic(err)
		}
		return slog.AnyValue(rawJSON(raw)), slog.AnyValue(json.RawMessage(raw)), true
	case 16:
		l := slog.Level(g.r.IntN(30) - 10)
		return slog.AnyValue(l), slog.AnyValue(l), true
	case 17:
		return slog.AnyValue(selfValuer{}), slog.AnyValue(selfValuer{}), true
	case 18:
		src := &slog.Source{}
		if g.r.IntN(2) == 0 {
			src.Function = g.str()
		}
		if g.r.IntN(2) == 0 {
			src.File = g.str()
		}
		if g.r.IntN(2) == 0 {
			src.Line = g.r.IntN(1000)
		}
		return slog.AnyValue(src), slog.AnyValue(src), *src != slog.Source{}
	case 19:
		v := []string{g.str(), g.str()}
		return slog.AnyValue(v), slog.AnyValue(v), true
	case 20:
		return slog.AnyValue(slog.Value{}), slog.AnyValue(slog.Value{}), true
	default:
		v := g.r.Int64()
		return slog.Int64Value(v), slog.Int64Value(v), true
	}
}

// attr returns a random attr pair, whether it writes anything, and
// whether the slog side must leave it out: a group with attrs that all
// turn out empty (slog drops the following comma for those).
func (g oracleGen) attr(depth int) (ours, want slog.Attr, writes, omitWant bool) {
	if g.r.IntN(10) == 0 {
		return slog.Attr{}, slog.Attr{}, false, false
	}
	key := g.key()
	o, w, writes := g.value(depth)
	ours, want = slog.Attr{Key: key, Value: o}, slog.Attr{Key: key, Value: w}
	if ours.Equal(slog.Attr{}) {
		return ours, want, false, false
	}
	r := o.Resolve()
	if r.Kind() == slog.KindGroup && !writes {
		return ours, want, false, len(r.Group()) > 0
	}
	return ours, want, writes, false
}

// TestOracle compares our output with slog's JSONHandler, byte for byte,
// for hand-picked and random attrs.
func TestOracle(t *testing.T) {
	fixed := [][]slog.Attr{
		{slog.String("s", "x<y>&\u2028\xff"), slog.Int("i", 1), slog.Float64("f", 1e-7)},
		{slog.Group("g", slog.Group("", slog.Int("a", 1)), slog.Group("h")), slog.Any("e", errors.New("oops"))},
		{slog.Any("m", map[string]int{"b": 2, "a": 1}), slog.Any("l", slog.LevelError), slog.Duration("d", time.Minute)},
		{slog.Time("t", time.Date(2020, 1, 1, 0, 0, 0, 1, time.Local)), slog.Uint64("u", math.MaxUint64)},
		{slog.Any("v", valuer{slog.GroupValue(slog.Any("w", valuer{slog.IntValue(1)}))})},
		{slog.Any("bad", badJSON{}), slog.Any("panic", panicJSON{}), slog.Any("nilerr", (*ptrError)(nil))},
	}
	for i, attrs := range fixed {
		got := encodeAttrs(attrs...)
		want := slogAttrsJSON(t, attrs...)
		require.Equal(t, want, got, "fixed set %d", i)
		require.JSONEq(t, want, got)
	}

	g := oracleGen{rand.New(rand.NewPCG(7, 11))}
	n := 5000
	if testing.Short() {
		n = 500
	}
	for i := range n {
		var ours, want []slog.Attr
		for range g.r.IntN(8) {
			o, w, _, omit := g.attr(0)
			ours = append(ours, o)
			if !omit {
				want = append(want, w)
			}
		}
		got := encodeAttrs(ours...)
		require.True(t, json.Valid([]byte(got)), "iteration %d: invalid JSON %s", i, got)
		exp := slogAttrsJSON(t, want...)
		require.Equal(t, exp, got, "iteration %d", i)

		var gotAny, expAny any
		require.NoError(t, json.Unmarshal([]byte(got), &gotAny))
		require.NoError(t, json.Unmarshal([]byte(exp), &expAny))
		require.Equal(t, expAny, gotAny, "iteration %d", i)
	}
}

// FuzzJSONEncoder checks that any keys, strings, numbers and nesting
// give valid JSON identical to slog's, that strings round-trip, and that
// whole lines built from them are valid.
func FuzzJSONEncoder(f *testing.F) {
	f.Add("k", "v", "hello", int64(1), 1.5, "g", uint8(0))
	f.Add("", "\"\\", "a\nb\x00c\u2028", int64(-1), math.NaN(), "", uint8(2))
	f.Add("<&>", "\xff", "\xe4\xb8\xad\xe4", int64(math.MinInt64), math.Inf(-1), "grp", uint8(3))
	f.Add("é", "世界", strings.Repeat("x", 40)+"\t", int64(math.MaxInt64), 1e-7, "\x7f", uint8(1))

	f.Fuzz(func(t *testing.T, k1, k2, s string, i int64, fl float64, group string, depth uint8) {
		floatWant := slog.Float64Value(fl)
		switch {
		case math.IsNaN(fl):
			floatWant = slog.StringValue("NaN")
		case math.IsInf(fl, 1):
			floatWant = slog.StringValue("+Inf")
		case math.IsInf(fl, -1):
			floatWant = slog.StringValue("-Inf")
		}
		ours := []slog.Attr{slog.String(k1, s), slog.Int64(k2, i), slog.Float64("f", fl)}
		want := []slog.Attr{slog.String(k1, s), slog.Int64(k2, i), {Key: "f", Value: floatWant}}
		for d := range depth % 4 {
			name := group
			if d%2 == 1 {
				name = k1 // vary the names between levels
			}
			ours = []slog.Attr{slog.Int("n", int(d)), slog.Group(name, anySlice(ours)...)}
			want = []slog.Attr{slog.Int("n", int(d)), slog.Group(name, anySlice(want)...)}
		}

		got := encodeAttrs(ours...)
		if !json.Valid([]byte(got)) {
			t.Fatalf("invalid JSON: %q", got)
		}
		if exp := slogAttrsJSON(t, want...); exp != got {
			t.Fatalf("differs from slog:\n got %q\nwant %q", got, exp)
		}

		// Strings and keys decode to what encoding/json gives for them,
		// which is the input with each invalid byte replaced by U+FFFD.
		for _, in := range []string{s, k1, k2, group} {
			enc := appendString(nil, in)
			var back string
			if err := json.Unmarshal(enc, &back); err != nil {
				t.Fatalf("appendString(%q) = %q: %v", in, enc, err)
			}
			std, err := json.Marshal(in)
			if err != nil {
				t.Fatal(err)
			}
			var stdBack string
			if err := json.Unmarshal(std, &stdBack); err != nil {
				t.Fatal(err)
			}
			if back != stdBack || back != replaceInvalidUTF8(in) {
				t.Fatalf("%q decodes to %q; encoding/json gives %q", in, back, stdBack)
			}
		}

		// A whole line, with s as msg and as context made by With and
		// WithGroup, is valid and its msg round-trips.
		sc := rootScope.withAttrs([]slog.Attr{slog.String(k2, s)}).withGroup(group)
		r := &record{time: time.Unix(0, i), level: slog.Level(i), msg: s, scope: sc, attrs: ours}
		line := r.appendJSON(nil)
		if !json.Valid(line) {
			t.Fatalf("invalid line: %q", line)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatal(err)
		}
		if k1 != "msg" && k2 != "msg" && m["msg"] != replaceInvalidUTF8(s) {
			t.Fatalf("msg %q decodes to %q", s, m["msg"])
		}
	})
}

// anySlice converts attrs to the ...any form slog.Group takes.
func anySlice(attrs []slog.Attr) []any {
	out := make([]any, len(attrs))
	for i, a := range attrs {
		out[i] = a
	}
	return out
}

// TestConcurrentUse runs the encoder from several goroutines at once, as
// several workers would, to let the race detector see the shared pool and
// source cache.
func TestConcurrentUse(t *testing.T) {
	pc := callerPC()
	attrs := []slog.Attr{
		slog.Any("m", map[string]int{"a": 1}),
		slog.Any("p", panicJSON{}),
		slog.Any("e", badJSON{}),
		slog.String("s", "x\ny"),
	}
	want := string(appendSource(nil, pc)) + encodeAttrs(attrs...)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			buf := make([]byte, 0, 256)
			for range 200 {
				buf = appendSource(buf[:0], pc)
				buf = append(buf, '{')
				buf, _ = appendAttrs(buf, attrs, false)
				buf = append(buf, '}')
				if string(buf) != want {
					errs <- string(buf)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestAppendSliceMatchesEncodingJSON checks the reflection-free slice
// forms against encoding/json, including nil, empty and hostile elements.
func TestAppendSliceMatchesEncodingJSON(t *testing.T) {
	for _, v := range []any{
		[]string(nil), []string{}, []string{"a", "<&>", "\u2028", "x\xffy", "q\"\\\n"},
		[]int(nil), []int{0, -1, math.MaxInt64, math.MinInt64}, []int64{7, -7},
		[]bool{true, false}, []bool(nil),
		[]float64{0, -1.5, 1e21, 1e-7, 123456789}, []float64{math.NaN()}, []float64{math.Inf(-1)},
		[]time.Time{time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))},
		[]time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			want.Reset()
			want.WriteString(string(appendString(nil, errPrefix+err.Error())) + "\n")
		}
		got := appendValue(nil, slog.AnyValue(v))
		require.Equal(t, strings.TrimSuffix(want.String(), "\n"), string(got), "%#v", v)
	}
}

func TestIsScalar(t *testing.T) {
	want := map[slog.Kind]bool{
		slog.KindBool: true, slog.KindDuration: true, slog.KindFloat64: true, slog.KindInt64: true,
		slog.KindString: true, slog.KindTime: true, slog.KindUint64: true,
	}
	for k := slog.KindAny; k <= slog.KindLogValuer+1; k++ {
		if isScalar(k) != want[k] {
			t.Errorf("isScalar(%v) = %v", k, !want[k])
		}
	}
}

// An error is captured as its text, a string, unless it marshals itself
// or its Error method panics. Every format then writes it as that string
// (text formats write invalid UTF-8 as \x escapes, as slog.TextHandler
// writes an error), and JSON writes the same line, with the same secrets
// masked, as from the error captured as JSON.
func TestErrorCapturedAsText(t *testing.T) {
	for _, cfg := range []Config{{}, {Redactors: []Redactor{}}, {Redactors: allRedactors()}} {
		every, _ := allFormats()
		cfg.Sinks = every
		p := testStages(t, cfg)
		for _, c := range []struct {
			err  error
			text bool // captured as its text
		}{
			{errors.New("dial tcp 10.0.0.1:5432: connect: connection refused"), true},
			{fmt.Errorf("open %q: %w", "/tmp/a\tb\"c\n", errors.New("no such file or directory")), true},
			{errors.New("auth failed: password=hunter2 token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"), true},
			{errors.New("ünïcödé \x00 \xff <html>"), true},
			{&ptrError{"pointer"}, true},
			{panicError{}, false},
			{(*ptrError)(nil), false},
			{marshalError{}, false},
		} {
			captured := appendCaptured(nil, slog.Any("error", c.err))
			require.Equal(t, c.text, captured[0].Value.Kind() == slog.KindString, "%#v", c.err)
			asJSON := []slog.Attr{slog.Any("error", (*arena)(nil).json(slog.AnyValue(c.err)).Any())}
			for f := range p.fmts {
				line := func(attrs []slog.Attr) string {
					r := &record{time: benchTime, level: slog.LevelError, msg: "failed", scope: rootScope, attrs: attrs}
					p.begin(r)
					defer p.end()
					return string(p.encode(f, nil, r))
				}
				if c.text {
					require.Equal(t, line([]slog.Attr{slog.String("error", c.err.Error())}), line(captured), "format %d, %#v", f, c.err)
				}
				if p.fmts[f].head.kind == kindJSON || !c.text {
					require.Equal(t, line(asJSON), line(captured), "format %d, %#v", f, c.err)
				}
			}
		}
	}
}
