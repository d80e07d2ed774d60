package fapilog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// allFormats is a sink per format, writing to the buffers returned.
func allFormats() ([]Sink, []*bytes.Buffer) {
	bufs := []*bytes.Buffer{{}, {}, {}}
	return []Sink{NewWriterSink(bufs[0]), NewLogfmtSink(bufs[1]), NewConsoleSink(bufs[2], ConsoleOptions{Color: ColorNever})}, bufs
}

// logOne logs one record at tm through a SyncLogger with cfg and returns
// what each sink wrote.
func logOne(t *testing.T, cfg Config, tm time.Time, level slog.Level, msg string, attrs ...slog.Attr) []string {
	t.Helper()
	sinks, bufs := allFormats()
	cfg.Sinks = sinks
	l, err := NewSync(cfg)
	require.NoError(t, err)
	r := slog.NewRecord(tm, level, msg, 0)
	r.AddAttrs(attrs...)
	require.NoError(t, l.Handler().Handle(context.Background(), r))
	require.NoError(t, l.Close(context.Background()))
	out := make([]string, len(bufs))
	for i, b := range bufs {
		out[i] = b.String()
	}
	return out
}

func TestPresetGoogleCloudLogging(t *testing.T) {
	tm := time.Date(2026, 1, 2, 15, 4, 5, 120000000, time.UTC)
	out := logOne(t, Config{Fields: GoogleCloudLogging()}, tm, slog.LevelWarn, "disk low", slog.Int("free_mb", 12))
	require.Equal(t, `{"time":"2026-01-02T15:04:05.12Z","severity":"WARNING","message":"disk low","free_mb":12}`+"\n", out[0])
	require.Equal(t, "time=2026-01-02T15:04:05.12Z severity=WARNING message=\"disk low\" free_mb=12\n", out[1])
	for level, name := range map[slog.Level]string{slog.LevelDebug - 1: "DEBUG", slog.LevelInfo: "INFO", slog.LevelInfo + 1: "INFO",
		slog.LevelError: "ERROR", slog.LevelError + 4: "CRITICAL", slog.LevelError + 9: "CRITICAL"} {
		out := logOne(t, Config{Fields: GoogleCloudLogging(), Level: slog.Level(-10)}, time.Time{}, level, "m")
		require.Equal(t, `{"severity":"`+name+`","message":"m"}`+"\n", out[0], "%v", level)
	}
}

func TestPresetElasticECS(t *testing.T) {
	tm := time.Date(2026, 1, 2, 15, 4, 5, 120000000, time.UTC)
	out := logOne(t, Config{Fields: ElasticECS()}, tm, slog.LevelError+2, "boom", slog.String("user", "ann"))
	require.Equal(t, `{"@timestamp":"2026-01-02T15:04:05.120Z","log.level":"error+2","message":"boom","user":"ann"}`+"\n", out[0])
	require.Equal(t, "@timestamp=2026-01-02T15:04:05.120Z log.level=error+2 message=boom user=ann\n", out[1])
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(out[0]), &m))
	require.Equal(t, "boom", m["message"])
}

func TestFieldNamesTimeEncodings(t *testing.T) {
	tm := time.Date(2026, 1, 2, 15, 4, 5, 7_000_009, time.FixedZone("", 3600))
	for enc, want := range map[TimeEncoding]string{
		TimeRFC3339Nano:   `"2026-01-02T15:04:05.007000009+01:00"`,
		TimeRFC3339Millis: `"2026-01-02T15:04:05.007+01:00"`,
		TimeUnix:          fmt.Sprint(tm.Unix()),
		TimeUnixMilli:     fmt.Sprint(tm.UnixMilli()),
		TimeUnixNano:      fmt.Sprint(tm.UnixNano()),
	} {
		out := logOne(t, Config{Fields: &FieldNames{Time: "ts", Level: "lvl", Message: "m", TimeEncoding: enc}}, tm, slog.LevelInfo, "x")
		require.Equal(t, `{"ts":`+want+`,"lvl":"INFO","m":"x"}`+"\n", out[0], enc.String())
		require.Equal(t, `ts=`+strings.Trim(want, `"`)+" lvl=INFO m=x\n", out[1], enc.String())
		// A whole second, and a time past 9999, take other paths.
		for _, t2 := range []time.Time{tm.Truncate(time.Second), time.Date(10000, 1, 1, 0, 0, 0, 5e6, time.UTC)} {
			out := logOne(t, Config{Fields: &FieldNames{TimeEncoding: enc}}, t2, slog.LevelInfo, "x")
			var m map[string]any
			require.NoError(t, json.Unmarshal([]byte(out[0]), &m), out[0])
		}
	}
	// Millis always has three digits; nanos drops trailing zeros.
	require.Equal(t, `"2026-01-02T15:04:05.000Z"`, string(appendTimeAs(nil, time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC), TimeRFC3339Millis, true)))
	require.Equal(t, `2026-01-02T15:04:05Z`, string(appendTimeAs(nil, time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC), TimeRFC3339Nano, false)))
}

func TestFieldNamesInvalid(t *testing.T) {
	_, err := NewSync(Config{Fields: &FieldNames{Message: "level"}})
	require.ErrorContains(t, err, "Config.Fields")
	_, err = NewSync(Config{Fields: &FieldNames{TimeEncoding: 99}})
	require.ErrorContains(t, err, "TimeEncoding")
	// A LevelName that panics falls back to slog's name.
	out := logOne(t, Config{Fields: &FieldNames{LevelName: func(slog.Level) string { panic("no") }}}, time.Time{}, slog.LevelInfo+1, "m")
	require.Equal(t, `{"level":"INFO+1","msg":"m"}`+"\n", out[0])
}

// TestSecretsMaskedInEveryFormat checks a password, a URL's credentials
// and a message's secret are masked in JSON, logfmt and console, with
// fused redaction and with a redactor of the user's (walk).
func TestSecretsMaskedInEveryFormat(t *testing.T) {
	for _, red := range [][]Redactor{nil, append(DefaultRedactors(), noopRedactor{})} {
		out := logOne(t, Config{Redactors: red}, time.Time{}, slog.LevelInfo, "dsn postgres://app:s3cret@db/x",
			slog.String("password", "hunter2"), slog.Group("db", slog.String("url", "postgres://app:s3cret@db:5432/shop")),
			slog.Any("m", map[string]string{"token": "abc123"}))
		for i, line := range out {
			require.NotContains(t, line, "hunter2", "format %d", i)
			require.NotContains(t, line, "s3cret", "format %d", i)
			require.NotContains(t, line, "abc123", "format %d", i)
			require.Contains(t, line, "***", "format %d", i)
		}
	}
}

// noopRedactor is a user's redactor: with it, redaction walks records.
type noopRedactor struct{}

func (noopRedactor) MaskField([]string) bool               { return false }
func (noopRedactor) MaskString(s, _ string) (string, bool) { return s, false }

// formatSinkOf is a user's sink that asks for a format.
type formatSinkOf struct {
	memSink
	f Format
}

func (s *formatSinkOf) Format() Format { return s.f }

// TestSinksGetTheirFormat checks that each sink gets its own format, that
// formats are encoded once each however many sinks share them, and that
// counters count records, not lines.
func TestSinksGetTheirFormat(t *testing.T) {
	var j1, j2 memSink
	lf := &formatSinkOf{f: Logfmt()}
	l, err := NewSync(Config{Sinks: []Sink{&j1, lf, &j2}, MaxRecordBytes: 140, RedactMaxKeys: 2, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	require.Len(t, l.w.stages.formats, 2)
	l.Info("hello", slog.Int("a", 1))
	l.Info("many keys", slog.Int("a", 1), slog.Int("b", 2), slog.Int("c", 3))
	l.Info(strings.Repeat("long ", 40))
	require.NoError(t, l.Close(context.Background()))
	require.Equal(t, j1.String(), j2.String())
	require.Len(t, j1.lines(t), 3)
	text := strings.Split(strings.TrimSuffix(lf.String(), "\n"), "\n")
	require.Len(t, text, 3)
	require.Regexp(t, `^time=\S+ level=INFO msg=hello a=1$`, text[0])
	require.Contains(t, text[2], "truncated=true original_bytes=")
	st := l.Stats()
	require.EqualValues(t, 3, st.Written)
	require.EqualValues(t, 1, st.Truncated)
	require.EqualValues(t, 1, st.RedactionLimited)
}

func TestUniqueKeys(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewSync(Config{Sinks: []Sink{NewWriterSink(&buf), &formatSinkOf{f: Logfmt()}}, UniqueKeys: true, Redactors: []Redactor{}})
	require.NoError(t, err)
	line := func(f func()) string {
		buf.Reset()
		f()
		require.NoError(t, l.Flush(context.Background()))
		s := buf.String()
		_, rest, _ := strings.Cut(s, `"level":"INFO",`)
		return "{" + strings.TrimSuffix(rest, "\n")
	}
	require.Equal(t, `{"msg":"m","b":1,"a":2}`, line(func() { l.Info("m", slog.Int("a", 1), slog.Int("b", 1), slog.Int("a", 2)) }))
	require.Equal(t, `{"msg":"m","g":{"x":2},"y":1}`, line(func() {
		l.Info("m", slog.Group("g", slog.Int("x", 1), slog.Int("x", 2)), slog.Int("y", 1))
	}))
	require.Equal(t, `{"msg":"m","g":{"z":1}}`, line(func() {
		l.Info("m", slog.Group("g", slog.Int("x", 1)), slog.Group("g", slog.Int("z", 1)))
	}), "the later group wins whole")
	require.Equal(t, `{"msg":"m","a":3}`, line(func() { l.With(slog.Int("a", 1)).With(slog.Int("a", 2)).Info("m", slog.Int("a", 3)) }))
	require.Equal(t, `{"msg":"m","a":2}`, line(func() { l.With(slog.Int("a", 1)).With(slog.Int("a", 2)).Info("m") }))
	require.Equal(t, `{"msg":"m","s":{"a":2,"b":3}}`, line(func() {
		l.WithGroup("s").With(slog.Int("a", 1), slog.Int("b", 1)).Info("m", slog.Int("a", 2), slog.Int("b", 3))
	}))
	require.Equal(t, `{"msg":"m","g":{"a":1}}`, line(func() { l.With(slog.Int("g", 0)).WithGroup("g").Info("m", slog.Int("a", 1)) }))
	require.Equal(t, `{"msg":"m","g":0}`, line(func() { l.With(slog.Int("g", 0)).WithGroup("g").Info("m") }), "an empty group is no member")
	require.Equal(t, `{"msg":"m","x":1}`, line(func() { l.Info("m", slog.String("msg", "shadow"), slog.String("level", "no"), slog.Int("x", 1)) }),
		"built-in fields win")
	require.Equal(t, `{"msg":"m","a":{"b":{"c":2}}}`, line(func() {
		l.Info("m", slog.Group("a", slog.Group("b", slog.Int("c", 1), slog.Group("", slog.Int("c", 2)))))
	}), "inlined groups share their parent's keys")
	ctx := ContextWithAttrs(context.Background(), slog.Int("req", 1))
	require.Equal(t, `{"msg":"m","req":2}`, line(func() { l.InfoContext(ctx, "m", slog.Int("req", 2)) }))
	require.Equal(t, `{"msg":"m","a":1,"b":2,"c":3}`, line(func() { l.Info("m", slog.Int("a", 1), slog.Int("b", 2), slog.Int("c", 3)) }))
	require.NoError(t, l.Close(context.Background()))
}

func TestUniqueKeysLogfmt(t *testing.T) {
	out := logOne(t, Config{UniqueKeys: true}, time.Time{}, slog.LevelInfo, "m",
		slog.Int("a", 1), slog.Group("g", slog.Int("x", 1), slog.Int("x", 2)), slog.Int("a", 2))
	require.Equal(t, `{"level":"INFO","msg":"m","g":{"x":2},"a":2}`+"\n", out[0])
	require.Equal(t, "level=INFO msg=m g.x=2 a=2\n", out[1])
	require.Equal(t, "INFO  m g.x=2 a=2\n", out[2])
}

// TestUniqueKeysNoFalseDuplicates checks that many distinct keys (whose
// hash bits collide) keep every member, in order.
func TestUniqueKeysNoFalseDuplicates(t *testing.T) {
	var attrs []slog.Attr
	want := `{"level":"INFO","msg":"m"`
	for i := range 200 {
		k := fmt.Sprintf("k%d", i)
		attrs = append(attrs, slog.Int(k, i))
		want += fmt.Sprintf(`,"%s":%d`, k, i)
	}
	out := logOne(t, Config{UniqueKeys: true}, time.Time{}, slog.LevelInfo, "m", attrs...)
	require.Equal(t, want+"}\n", out[0])
}

// TestUniqueKeysWithCapturesValues checks that With context kept for
// UniqueKeys is a snapshot: changing a logged map later changes nothing.
func TestUniqueKeysWithCapturesValues(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewSync(Config{Sinks: []Sink{NewWriterSink(&buf)}, UniqueKeys: true, Redactors: []Redactor{}})
	require.NoError(t, err)
	m := map[string]int{"a": 1}
	child := l.With(slog.Any("m", m), slog.Int("k", 1))
	m["a"] = 2
	child.Info("x", slog.Int("k", 2)) // k repeats: the line is made again from the kept attrs
	require.NoError(t, l.Close(context.Background()))
	require.Contains(t, buf.String(), `"m":{"a":1},"k":2}`)
}

// TestFormatsWithSinkLevelsAndDedupe checks that a sink whose level
// filters records gets them in its own format, that a wrapped sink keeps
// its format, and that dedupe keeps or drops a record in every format.
func TestFormatsWithSinkLevelsAndDedupe(t *testing.T) {
	var js, lf bytes.Buffer
	l, err := NewSync(Config{Sinks: []Sink{NewWriterSink(&js), MinLevel(slog.LevelWarn, NewLogfmtSink(&lf))},
		DedupeWindow: time.Hour, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	l.Info("a")
	l.Warn("b", slog.Int("n", 1))
	l.Warn("b", slog.Int("n", 1)) // a repeat: left out of both
	l.Warn("c")
	require.NoError(t, l.Close(context.Background()))
	text := strings.Split(strings.TrimSuffix(lf.String(), "\n"), "\n")
	require.Len(t, text, 3, lf.String())
	require.Regexp(t, `level=WARN msg=b n=1$`, text[0])
	require.Regexp(t, `level=WARN msg=c$`, text[1])
	require.Regexp(t, `level=WARN msg="fapilog: repeated" repeated_msg=b count=1 `, text[2], "the window's summary, at Close")
	require.Equal(t, 4, strings.Count(js.String(), "\n"), js.String())
	require.Equal(t, 1, strings.Count(js.String(), RepeatedMsg))
}

// TestNamedLoggerInEveryFormat checks the logger field of Named.
func TestNamedLoggerInEveryFormat(t *testing.T) {
	sinks, bufs := allFormats()
	l, err := NewSync(Config{Sinks: sinks})
	require.NoError(t, err)
	l.Named("http").Named("client").Info("get", slog.Int("n", 1))
	require.NoError(t, l.Close(context.Background()))
	require.Contains(t, bufs[0].String(), `"msg":"get","logger":"http.client","n":1}`)
	require.Contains(t, bufs[1].String(), ` msg=get logger=http.client n=1`)
	require.Contains(t, bufs[2].String(), `INFO  get logger=http.client n=1`)
}
