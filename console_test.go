package fapilog

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// consoleLines logs a fixed set of records through a console sink with
// opts and returns what it wrote.
func consoleLines(t *testing.T, opts ConsoleOptions) string {
	t.Helper()
	var buf bytes.Buffer
	l, err := NewSync(Config{Sinks: []Sink{NewConsoleSink(&buf, opts)}, Level: slog.LevelDebug})
	require.NoError(t, err)
	h := l.Handler()
	tm := time.Date(2026, 1, 2, 15, 4, 5, 123456789, time.Local)
	log := func(h slog.Handler, level slog.Level, msg string, attrs ...slog.Attr) {
		r := slog.NewRecord(tm, level, msg, 0)
		r.AddAttrs(attrs...)
		require.NoError(t, h.Handle(context.Background(), r))
	}
	api := h.WithAttrs([]slog.Attr{slog.String("service", "checkout")})
	log(api, slog.LevelInfo, "order placed", slog.Int("order_id", 1042), slog.Float64("total", 99.5))
	log(api, slog.LevelDebug, "cache", slog.Group("http", slog.String("method", "GET"), slog.Duration("took", 1500*time.Microsecond)))
	log(api.WithGroup("db"), slog.LevelWarn, "slow query", slog.String("sql", "select 1"), slog.String("password", "hunter2"))
	log(h, slog.LevelError, "payment failed", slog.Int("attempt", 2),
		slog.Any("err", errors.New("card declined\ngoroutine 1 [running]:\nmain.main()\n")), slog.String("user", "ann"))
	log(h, slog.LevelError+4, "disk full\nno space left", slog.String("evil", "\x1b[31mred\x1b[0m"))
	log(h, slog.LevelInfo+2, "odd level")
	require.NoError(t, l.Close(context.Background()))
	return buf.String()
}

func TestConsoleGoldenNoColor(t *testing.T) {
	want := `15:04:05.123 INFO  order placed service=checkout order_id=1042 total=99.5
15:04:05.123 DEBUG cache service=checkout http.method=GET http.took=1.5ms
15:04:05.123 WARN  slow query service=checkout db.sql="select 1" db.password=***
15:04:05.123 ERROR payment failed attempt=2 user=ann
    err=
        card declined
        goroutine 1 [running]:
        main.main()
15:04:05.123 FATAL disk full evil="\x1b[31mred\x1b[0m"
    no space left
15:04:05.123 INFO+2 odd level
`
	got := consoleLines(t, ConsoleOptions{Color: ColorNever})
	require.Equal(t, want, got)
	require.NotContains(t, got, "\x1b", "ColorNever writes no escape byte")
}

func TestConsoleGoldenColor(t *testing.T) {
	const (
		f = ansiFaint
		r = ansiReset
	)
	want := f + `15:04:05.123` + r + " \x1b[32mINFO " + r + " order placed " + f + "service=" + r + "checkout " + f + "order_id=" + r + "1042 " + f + "total=" + r + "99.5\n" +
		f + `15:04:05.123` + r + " \x1b[36mDEBUG" + r + " cache " + f + "service=" + r + "checkout " + f + "http.method=" + r + "GET " + f + "http.took=" + r + "1.5ms\n" +
		f + `15:04:05.123` + r + " \x1b[33mWARN " + r + " slow query " + f + "service=" + r + "checkout " + f + "db.sql=" + r + `"select 1" ` + f + "db.password=" + r + "***\n" +
		f + `15:04:05.123` + r + " \x1b[31mERROR" + r + " payment failed " + f + "attempt=" + r + "2 " + f + "user=" + r + "ann\n" +
		"    " + f + "err=" + r + "\n        card declined\n        goroutine 1 [running]:\n        main.main()\n" +
		f + `15:04:05.123` + r + " \x1b[1;31mFATAL" + r + " disk full " + f + "evil=" + r + `"\x1b[31mred\x1b[0m"` + "\n    no space left\n" +
		f + `15:04:05.123` + r + " \x1b[32mINFO+2" + r + " odd level\n"
	require.Equal(t, want, consoleLines(t, ConsoleOptions{Color: ColorAlways}))
}

func TestConsoleTimeFormatAndLevelNames(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewSync(Config{Sinks: []Sink{NewConsoleSink(&buf, ConsoleOptions{Color: ColorNever, TimeFormat: time.Kitchen})},
		Level: slog.LevelDebug, Fields: &FieldNames{LevelName: func(l slog.Level) string {
			if l == slog.LevelError+4 {
				return "FATAL"
			}
			return l.String()
		}}})
	require.NoError(t, err)
	r := slog.NewRecord(time.Date(2026, 1, 2, 15, 4, 5, 0, time.Local), slog.LevelError+4, "boom", 0)
	require.NoError(t, l.Handler().Handle(context.Background(), r))
	require.NoError(t, l.Close(context.Background()))
	require.Equal(t, "3:04PM FATAL boom\n", buf.String())
}

// TestConsoleColorAuto checks that ColorAuto colors a terminal only, and
// never with NO_COLOR set.
func TestConsoleColorAuto(t *testing.T) {
	require.False(t, sinkFormat(NewConsoleSink(&bytes.Buffer{}, ConsoleOptions{})).color, "not a file")
	f, err := os.CreateTemp(t.TempDir(), "log")
	require.NoError(t, err)
	defer f.Close()
	require.False(t, sinkFormat(NewConsoleSink(f, ConsoleOptions{})).color, "a regular file")
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		t.Setenv("NO_COLOR", "")
		require.True(t, sinkFormat(NewConsoleSink(tty, ConsoleOptions{})).color, "a terminal")
		t.Setenv("NO_COLOR", "1")
		require.False(t, sinkFormat(NewConsoleSink(tty, ConsoleOptions{})).color, "NO_COLOR")
	}
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		defer null.Close()
		require.True(t, isTerminal(null), "a character device")
	}
	require.False(t, Console(ConsoleOptions{}).color, "Console cannot see a writer")
	require.True(t, Console(ConsoleOptions{Color: ColorAlways}).color)
}

func TestConsoleTextEscapes(t *testing.T) {
	require.Equal(t, `a\x1bb\u009bc\xffd	e\r`, string(appendConsoleText(nil, "a\x1bb\u009bc\xffd\te\r")))
	require.Equal(t, "héllo 世界", string(appendConsoleText(nil, "héllo 世界")))
	require.False(t, strings.ContainsRune(string(appendConsoleText(nil, "\x1b\x07\x7f")), 0x1b))
}

func TestConsoleAndLogfmtSource(t *testing.T) {
	var con, lf bytes.Buffer
	l, err := NewSync(Config{AddSource: true, Sinks: []Sink{
		NewConsoleSink(&con, ConsoleOptions{Color: ColorNever, TimeFormat: "-"}), NewLogfmtSink(&lf)}})
	require.NoError(t, err)
	l.Info("here")
	require.NoError(t, l.Close(context.Background()))
	require.Regexp(t, `^- INFO  wt-formats/console_test.go:\d+ here\n$|^- INFO  \S+/console_test.go:\d+ here\n$`, con.String())
	require.Regexp(t, `^time=\S+ level=INFO source=\S+/console_test.go:\d+ msg=here\n$`, lf.String())
}
