package fapilog

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Hostile values through the real loggers: methods that panic, values
// that never resolve, bytes that are not text, numbers JSON has no form
// for, and records too large to write. The misbehaving types are declared
// in serialize_test.go.

// nastyStrings are keys, messages and values that need escaping or are
// not valid UTF-8.
var nastyStrings = []string{
	"",
	"\x00nul\x00",
	"ctl\x01\x07\x08\x0b\x0c\x1b\x1f\x7f",
	"quote\" backslash\\ slash/",
	"nl\n cr\r tab\t",
	"ls\u2028ps\u2029",
	"bad utf8 \xff\xfe \xc3\x28 \xe2\x82 \xed\xa0\x80 \xf4\x90\x80\x80",
	`{"json":"inside"}`,
	"<script>&amp;</script>",
	"émoji 🎉 中文",
}

// hostileAttrs returns one attr per hostile value, with the text each must
// show in the output (empty: only validity is checked).
func hostileAttrs() ([]slog.Attr, map[string]string) {
	attrs := []slog.Attr{
		slog.Any("panic_error", panicError{}),
		slog.Any("nil_error", (*ptrError)(nil)),
		slog.Any("panic_marshal_json", panicJSON{}),
		slog.Any("panic_marshal_text", panicText{}),
		slog.Any("panic_string", badStringer{}),
		slog.Any("panic_error_panics", panicStringer{}),
		slog.Any("bad_json", badJSON{}),
		slog.Any("failing_json", failingJSON{}),
		slog.Any("panic_log_value", panicValuer{}),
		slog.Any("self_log_value", selfValuer{}),
		slog.Any("self_group", recursiveGroupValuer{}),
		slog.Float64("nan", math.NaN()),
		slog.Float64("inf", math.Inf(1)),
		slog.Any("neg_inf", math.Inf(-1)),
		slog.Any("nan_in_map", map[string]float64{"x": math.NaN()}),
		slog.Any("chan", make(chan int)),
		slog.Any("func", func() {}),
		slog.Time("year_10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)),
	}
	want := map[string]string{
		"panic_error":        "!PANIC: boom",
		"nil_error":          "<nil>",
		"panic_marshal_json": "!PANIC: json boom",
		"panic_marshal_text": "text boom",
		"bad_json":           "!ERROR:",
		"failing_json":       "no can do",
		"panic_log_value":    "LogValue panicked",
		"self_log_value":     "LogValue called too many times",
		"self_group":         "!ERROR:group nesting exceeds",
		"nan":                "NaN",
		"inf":                "+Inf",
		"neg_inf":            "-Inf",
		"nan_in_map":         "!ERROR:",
		"chan":               "!ERROR:",
		"func":               "!ERROR:",
	}
	for i, s := range nastyStrings {
		attrs = append(attrs, slog.String("s"+strconv.Itoa(i)+s, s), slog.Group(s, slog.String(s, s)))
	}
	return attrs, want
}

// requireValidLines checks that out is made of count lines, each a
// valid JSON object, and returns them decoded.
func requireValidLines(t testing.TB, out string, count int) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		require.True(t, json.Valid(sc.Bytes()), "invalid JSON line %q", sc.Text())
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m))
		lines = append(lines, m)
	}
	require.NoError(t, sc.Err())
	require.Len(t, lines, count)
	return lines
}

// TestHostileValues logs each hostile value in its own record and all of
// them in one, through every face. The caller never sees a panic (a
// value's methods run on the caller's goroutine at capture), every line
// is valid JSON showing what went wrong, and every record is Written.
func TestHostileValues(t *testing.T) {
	attrs, want := hostileAttrs()
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			sink := &memSink{}
			log, p := openFace(t, f, Config{Sinks: []Sink{sink}})
			require.NotPanics(t, func() {
				for _, a := range attrs {
					log(context.Background(), slog.LevelInfo, "one", a)
				}
				log(context.Background(), slog.LevelInfo, "all", attrs...)
				for _, s := range nastyStrings {
					log(context.Background(), slog.LevelWarn, s, slog.String(s, s))
				}
			})
			st := closeLogger(t, p)
			n := len(attrs) + 1 + len(nastyStrings)
			require.Equal(t, uint64(n), st.Written)
			lines := requireValidLines(t, sink.String(), n)

			all := lines[len(attrs)]
			for i, a := range attrs {
				one := lines[i]
				key := replaceInvalidUTF8(a.Key)
				if a.Value.Kind() == slog.KindGroup && a.Key == "" {
					key = replaceInvalidUTF8(a.Value.Group()[0].Key) // inlined
				}
				require.Contains(t, one, key, "attr %q", a.Key)
				require.Equal(t, one[key], all[key], "attr %q alone and among the others", a.Key)
				if w := want[a.Key]; w != "" {
					require.Contains(t, fmt.Sprint(one[key]), w, "attr %q", a.Key)
				}
			}
			for i, s := range nastyStrings {
				m := lines[len(attrs)+1+i]
				require.Equal(t, replaceInvalidUTF8(s), m["msg"], "msg round-trips but for U+FFFD")
				require.Equal(t, replaceInvalidUTF8(s), m[replaceInvalidUTF8(s)], "key and value round-trip")
			}
		})
	}
}

// TestHostileContext passes hostile values and names to With and
// WithGroup, which encode them on the caller's goroutine, once.
func TestHostileContext(t *testing.T) {
	attrs, _ := hostileAttrs()
	sink := &memSink{}
	a, err := NewAsync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	require.NotPanics(t, func() {
		l := a.With(attrs...)
		for _, s := range nastyStrings {
			l = l.WithGroup(s).With(slog.String(s, s))
		}
		l.Info("ctx", attrs...)
		l.Sync().Error("ctx sync")
	})
	closeLogger(t, a)
	requireValidLines(t, sink.String(), 2)
}
