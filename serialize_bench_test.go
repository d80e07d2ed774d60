package fapilog

import (
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"
)

// sink keeps benchmark results alive so the compiler cannot drop the work.
var sink []byte

// BenchmarkAppendString measures string escaping for typical inputs.
func BenchmarkAppendString(b *testing.B) {
	benchEscape(b, []escapeCase{
		{"ASCIIShort", "request completed"},
		{"ASCII200", strings.Repeat("GET /api/v1/users?id=42 ", 9)[:200]},
		{"Escapes", "line one\nline \"two\"\tC:\\path\\to\\file\r\n\x00end"},
		{"UTF8", "héllo wörld — 世界へようこそ — привет мир — 🎉🎉"},
	}, appendString)
}

type escapeCase struct{ name, s string }

// benchEscape runs escape on each case's string, a sub-benchmark each.
func benchEscape(b *testing.B, cases []escapeCase, escape func(buf []byte, s string) []byte) {
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]byte, 0, 1024)
			b.SetBytes(int64(len(c.s)))
			b.ReportAllocs()
			for b.Loop() {
				buf = escape(buf[:0], c.s)
			}
			sink = buf
		})
	}
}

// BenchmarkAppendAttrs10 measures a record's worth of primitive attrs.
func BenchmarkAppendAttrs10(b *testing.B) {
	attrs := []slog.Attr{
		slog.String("method", "GET"),
		slog.String("path", "/api/v1/users/42"),
		slog.Int("status", 200),
		slog.Float64("ratio", 0.875),
		slog.Bool("cached", false),
		slog.Time("start", time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)),
		slog.Duration("elapsed", 1234567*time.Nanosecond),
		slog.Uint64("bytes", math.MaxUint32),
		slog.Int64("user", 42),
		slog.Group("peer", slog.Int("port", 443), slog.Int("conns", 3)),
	}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = appendAttrs(buf[:0], attrs, false)
	}
	sink = buf
}

// BenchmarkAppendValueAny measures the encoding/json fallback for a
// small struct.
func BenchmarkAppendValueAny(b *testing.B) {
	type user struct {
		Name  string   `json:"name"`
		Email string   `json:"email"`
		Age   int      `json:"age"`
		Roles []string `json:"roles"`
	}
	v := slog.AnyValue(user{Name: "Jane Doe", Email: "jane@example.com", Age: 42, Roles: []string{"admin", "dev"}})
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendValue(buf[:0], v)
	}
	sink = buf
}

// BenchmarkAppendStringScan is appendString with the default scanners'
// trigger test in the same pass: what the JSON encoder does to every
// string when default redaction is on.
func BenchmarkAppendStringScan(b *testing.B) {
	tr := newRedaction(DefaultRedactors(), DefaultMask, DefaultRedactMaxDepth, DefaultRedactMaxKeys).trig
	benchEscape(b, []escapeCase{
		{"ASCIIShort", "request completed"},
		{"Message", "Test logging, but use a somewhat realistic message length. (#42)"},
		{"ASCII200", strings.Repeat("GET /api/v1/users?id=42 ", 9)[:200]},
	}, func(buf []byte, s string) []byte {
		buf, _ = appendStringScan(buf, s, &tr)
		return buf
	})
}
