package fapilog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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
			// Redaction off: its depth guardrail would mask the deep values
			// before the encoder's own limits, which are what is tested here.
			log, p := openFace(t, f, Config{Sinks: []Sink{sink}, Redactors: []Redactor{}})
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
		l.AsSync().Error("ctx sync")
	})
	closeLogger(t, a)
	requireValidLines(t, sink.String(), 2)
}

// TestLargeValues checks very large strings and very many attrs: within
// MaxRecordBytes they are written whole; beyond it the record is replaced
// by a valid, truncated one and counted.
func TestLargeValues(t *testing.T) {
	big := strings.Repeat("0123456789abcde\n", 1<<16) // 1 MiB, escapes included
	many := make([]slog.Attr, 5000)
	for i := range many {
		many[i] = slog.Int("k"+strconv.Itoa(i), i)
	}
	tooMany := make([]slog.Attr, 30_000)
	for i := range tooMany {
		tooMany[i] = slog.String("k"+strconv.Itoa(i), "vvvvvvvv")
	}
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			sink := &memSink{}
			log, p := openFace(t, f, Config{Sinks: []Sink{sink}})
			ctx := context.Background()
			log(ctx, slog.LevelInfo, "fits", slog.String("s", big[:100_000]))
			log(ctx, slog.LevelInfo, "many", many...)
			log(ctx, slog.LevelInfo, "big value", slog.String("s", big))
			log(ctx, slog.LevelInfo, big)
			log(ctx, slog.LevelInfo, "too many", tooMany...)
			st := closeLogger(t, p)
			require.Equal(t, uint64(5), st.Written)
			require.Equal(t, uint64(3), st.Truncated)

			lines := requireValidLines(t, sink.String(), 5)
			require.Equal(t, big[:100_000], lines[0]["s"])
			require.Len(t, lines[1], 3+len(many), "time, level, msg and every attr")
			for i, m := range lines[2:] {
				require.Equal(t, true, m["truncated"], "record %d", i+2)
				require.Greater(t, m["original_bytes"], float64(DefaultMaxRecordBytes))
				require.NotContains(t, m, "s")
			}
			require.Equal(t, "big value", lines[2]["msg"])
			require.True(t, strings.HasPrefix(big, lines[3]["msg"].(string)), "msg cut, not changed")
			require.NotEmpty(t, lines[3]["msg"])
			for _, line := range strings.SplitAfter(sink.String(), "\n") {
				require.LessOrEqual(t, len(line), DefaultMaxRecordBytes)
			}
		})
	}
}

// TestMaxRecordBytes checks the limit's boundary and the replacement
// record: it keeps time, level and source, cuts msg at a rune boundary to
// fit, and says how large the original was.
func TestMaxRecordBytes(t *testing.T) {
	r := &record{
		time:  time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.UTC),
		level: slog.LevelWarn,
		msg:   strings.Repeat("é\n\u2028\xff", 50),
		pc:    callerPC(),
		scope: rootScope,
		attrs: []slog.Attr{slog.String("s", strings.Repeat("x", 300))},
	}
	full := string(r.appendJSON(nil))
	log := func(limit int) (Stats, string) {
		sink := &memSink{}
		w := newTestWorker(t, Config{Sinks: []Sink{sink}, MaxRecordBytes: limit})
		w.emit(context.Background(), r.scope, true, r.time, r.level, r.msg, r.pc, nil, r.attrs)
		return w.stats(), sink.String()
	}

	st, out := log(len(full))
	require.Zero(t, st.Truncated, "a record exactly at the limit is kept")
	require.Equal(t, full, out)

	for _, limit := range []int{len(full) - 1, len(full) / 2, 250} {
		st, out = log(limit)
		require.Equal(t, uint64(1), st.Truncated)
		require.Equal(t, uint64(1), st.Written, "a truncated record is still written")
		require.LessOrEqual(t, len(out), limit)
		m := requireValidLines(t, out, 1)[0]
		require.Equal(t, "2026-05-06T07:08:09.123456789Z", m["time"])
		require.Equal(t, "WARN", m["level"])
		require.Contains(t, m, "source")
		require.Equal(t, true, m["truncated"])
		require.Equal(t, float64(len(full)), m["original_bytes"])
		require.NotContains(t, m, "s")
		msg := m["msg"].(string)
		require.True(t, strings.HasPrefix(replaceInvalidUTF8(r.msg), msg), "msg %q is a prefix", msg)
		require.True(t, utf8.ValidString(msg))
		if limit > 250 && msg != replaceInvalidUTF8(r.msg) {
			// One more rune of msg encodes to at most 6 bytes.
			require.Greater(t, len(out), limit-6*2, "msg cut shorter than it had to be")
		}
	}

	// At the smallest limit, the msg goes, then the source, and the line
	// keeps within the limit and stays valid.
	st, out = log(MinMaxRecordBytes)
	require.Equal(t, uint64(1), st.Truncated)
	require.LessOrEqual(t, len(out), MinMaxRecordBytes)
	m := requireValidLines(t, out, 1)[0]
	require.True(t, strings.HasPrefix(replaceInvalidUTF8(r.msg), m["msg"].(string)))
	require.Equal(t, true, m["truncated"])
	require.NotContains(t, m, "source", "a source that does not fit is left out")
	require.Equal(t, "WARN", m["level"])

	set, err := Config{}.settings()
	require.NoError(t, err)
	require.Equal(t, DefaultMaxRecordBytes, set.maxRecord)
	for _, bad := range []int{-1, 5, MinMaxRecordBytes - 1} {
		_, err = NewAsync(Config{MaxRecordBytes: bad})
		require.ErrorContains(t, err, "Config.MaxRecordBytes", "%d", bad)
	}
}

// TestMinMaxRecordBytesFitsWorstHead checks MinMaxRecordBytes against the
// longest truncated line it promises to hold: a time with nanoseconds and
// a zone offset, a seven-character level name, an empty msg and the
// largest original_bytes. One byte less would not hold it.
func TestMinMaxRecordBytesFitsWorstHead(t *testing.T) {
	zone := time.FixedZone("", -(9*3600 + 30*60))
	r := &record{
		time:  time.Date(2026, 12, 31, 23, 59, 59, 123456789, zone),
		level: slog.LevelError + 3,
		scope: rootScope,
	}
	line := r.appendTruncatedLine(jsonHead, nil, "", math.MaxInt64)
	require.Len(t, line, MinMaxRecordBytes, "%s", line)
	for _, level := range []slog.Level{slog.LevelDebug - 4, slog.LevelWarn + 3, LevelFatal, LevelFatal + 2} {
		r.level = level
		require.LessOrEqual(t, len(r.appendTruncatedLine(jsonHead, nil, "", math.MaxInt64)), MinMaxRecordBytes, "%v", level)
	}
}

// TestTruncatedRecordsInBatch checks that truncating one record leaves
// its neighbours in the same batch intact.
func TestTruncatedRecordsInBatch(t *testing.T) {
	sink := &memSink{}
	w := newTestWorker(t, Config{Sinks: []Sink{sink}, MaxRecordBytes: 200})
	logN(w, 1, false)
	require.NoError(t, w.flush(context.Background()))
	require.True(t, w.lockOr(nil)) // the next records queue up and go out in one batch
	for i := range 6 {
		msg := "short"
		if i%2 == 1 {
			msg = strings.Repeat("long ", 100)
		}
		w.log(context.Background(), rootScope, false, 0, slog.LevelInfo, msg, []slog.Attr{slog.Int("i", i)})
	}
	w.unlock()
	require.NoError(t, w.flush(context.Background()))
	require.Equal(t, []int{1, 6}, sink.batchSizes())
	require.Equal(t, uint64(3), w.stats().Truncated)
	lines := requireValidLines(t, sink.String(), 7)
	for i, m := range lines[1:] {
		if i%2 == 1 {
			require.Equal(t, true, m["truncated"])
		} else {
			require.Equal(t, float64(i), m["i"])
		}
	}
	require.True(t, bytes.HasSuffix([]byte(sink.String()), []byte("}\n")))
}
