package fapilog

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseLevels(t *testing.T) {
	good := map[string]string{
		"":                               "INFO", // the base level, shown
		"info,http=debug,db.pool=warn":   "INFO,db.pool=WARN,http=DEBUG",
		" WARN , HTTP=Debug-4 ,, ":       "WARN,http=DEBUG-4",
		"db=ERROR+2":                     "INFO,db=ERROR+2",
		"a.b.c=error,a=debug,a.b=warn-1": "INFO,a=DEBUG,a.b=INFO+3,a.b.c=ERROR",
	}
	for spec, want := range good {
		p, err := parseLevels(spec)
		require.NoError(t, err, spec)
		require.Equal(t, want, p.format(slog.LevelInfo), spec)
	}
	bad := map[string]string{
		"verbose":           `"verbose"`,
		"info,warn":         `a second default`,
		"http=":             `no level`,
		"=debug":            `empty logger name`,
		"http=debug,HTTP=x": `"HTTP=x"`,
		"http=debug,HTTP=3": `"HTTP=3"`,
		"a=info,A=warn":     `given twice`,
		"a..b=info":         `empty part`,
		".a=info":           `empty part`,
		"a b=info":          `"a b=info"`,
		"http=debug+":       `"http=debug+"`,
	}
	for spec, want := range bad {
		_, err := parseLevels(spec)
		require.Error(t, err, spec)
		require.Contains(t, err.Error(), want, spec)
	}
}

func TestLevelSpecResolvesLongestPrefix(t *testing.T) {
	p, err := parseLevels("warn,http=debug,db.pool=error,db=info")
	require.NoError(t, err)
	for name, want := range map[string]slog.Level{
		"":             slog.LevelWarn,
		"http":         slog.LevelDebug,
		"http.client":  slog.LevelDebug,
		"httpd":        slog.LevelWarn, // prefixes end on '.'
		"db":           slog.LevelInfo,
		"db.pool":      slog.LevelError,
		"db.pool.conn": slog.LevelError,
		"db.poolx":     slog.LevelInfo,
		"other.x":      slog.LevelWarn,
	} {
		got, ok := p.resolve(name)
		require.True(t, ok, name)
		require.Equal(t, want, got, name)
	}
	p, err = parseLevels("http=debug")
	require.NoError(t, err)
	_, ok := p.resolve("db")
	require.False(t, ok, "no rule and no default: the base level applies")
}

// loggedMsgs returns the msg of every line in sink.
func loggedMsgs(t *testing.T, sink *memSink) []string {
	t.Helper()
	var out []string
	for _, m := range sink.lines(t) {
		out = append(out, m["msg"].(string))
	}
	return out
}

func TestNamedLoggerField(t *testing.T) {
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}, Enrichers: []Enricher{StaticAttrs(slog.String("svc", "api"))}})
	require.NoError(t, err)
	db := l.Named("db")
	db.Info("one", slog.Int("n", 1))
	db.Named("Pool").With(slog.String("k", "v")).Info("two")
	db.WithGroup("g").Named("conn").Info("three", slog.Int("n", 3))
	db.Named("").Info("four")
	l.Info("five")
	l.AsAsync().Named("x").AsSync().Info("six")
	closeLogger(t, l)

	lines := strings.Split(strings.TrimSpace(sink.String()), "\n")
	require.Len(t, lines, 6)
	want := []string{
		`"msg":"one","logger":"db","svc":"api","n":1}`,
		`"msg":"two","logger":"db.Pool","svc":"api","k":"v"}`,
		`"msg":"three","logger":"db.conn","svc":"api","g":{"n":3}}`,
		`"msg":"four","logger":"db","svc":"api"}`,
		`"msg":"five","svc":"api"}`,
		`"msg":"six","logger":"x","svc":"api"}`,
	}
	for i, w := range want {
		require.True(t, strings.HasSuffix(lines[i], w), "line %d: %s", i, lines[i])
		require.Equal(t, strings.Count(w, `"logger"`), strings.Count(lines[i], `"logger"`), "one logger field at most")
	}
}

func TestNamedLevels(t *testing.T) {
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}, Levels: "warn,http=debug,db.pool=error"})
	require.NoError(t, err)
	ctx := context.Background()
	check := func(lg *SyncLogger, want ...bool) {
		t.Helper()
		for i, level := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
			require.Equal(t, want[i], lg.Enabled(ctx, level), "%s", level)
			require.Equal(t, want[i], lg.Handler().Enabled(ctx, level), "handler, %s", level)
		}
	}
	check(l, false, false, true, true)
	check(l.Named("http"), true, true, true, true)
	check(l.Named("HTTP").Named("Client"), true, true, true, true)
	check(l.Named("db"), false, false, true, true)
	check(l.Named("db").Named("pool").With(slog.Int("a", 1)), false, false, false, true)

	l.Named("http").Debug("http debug")
	l.Named("db.pool").Warn("pool warn")
	l.Named("db.pool").Error("pool error")
	l.Info("root info")
	l.Warn("root warn")
	slog.New(l.Named("http").Handler()).Debug("slog debug")
	require.Equal(t, []string{"http debug", "pool error", "root warn", "slog debug"}, loggedMsgs(t, sink))
	st := closeLogger(t, l)
	require.Equal(t, uint64(4), st.Submitted, "disabled calls are not submitted")
}

func TestSetLevelsAtRunTime(t *testing.T) {
	var base slog.LevelVar
	base.Set(slog.LevelWarn)
	l, err := NewAsync(Config{Sinks: []Sink{&memSink{}}, Level: &base, Levels: "http=debug"})
	require.NoError(t, err)
	defer closeLogger(t, l)
	ctx := context.Background()
	http, db := l.Named("http"), l.Named("db")
	require.True(t, http.Enabled(ctx, slog.LevelDebug))
	require.False(t, db.Enabled(ctx, slog.LevelInfo), "no rule: Config.Level")
	require.Equal(t, "WARN,http=DEBUG", l.Levels())

	base.Set(slog.LevelInfo) // the LevelVar still works live, named or not
	require.True(t, db.Enabled(ctx, slog.LevelInfo))
	require.True(t, l.Enabled(ctx, slog.LevelInfo))
	require.Equal(t, "INFO,http=DEBUG", l.Levels())

	require.NoError(t, l.AsSync().SetLevels("error,db=debug"))
	require.False(t, http.Enabled(ctx, slog.LevelWarn), "the cached level was invalidated")
	require.True(t, db.Enabled(ctx, slog.LevelDebug))
	require.False(t, l.Enabled(ctx, slog.LevelWarn), "the bare level replaces Config.Level")
	base.Set(slog.LevelDebug)
	require.False(t, l.Enabled(ctx, slog.LevelWarn), "…even when Config.Level changes")
	require.Equal(t, "ERROR,db=DEBUG", l.Levels())

	err = l.SetLevels("debug,http=loud")
	require.ErrorContains(t, err, `"http=loud"`)
	require.Equal(t, "ERROR,db=DEBUG", l.Levels(), "a bad spec changes nothing")

	require.NoError(t, l.SetLevels(""))
	require.True(t, http.Enabled(ctx, slog.LevelDebug), "back to Config.Level")
	require.True(t, l.Enabled(ctx, slog.LevelDebug))
}

func TestLevelsFromEnvironment(t *testing.T) {
	t.Setenv(EnvLevel, "error,http=debug")
	l, err := NewAsync(Config{Sinks: []Sink{&memSink{}}, Levels: "debug"})
	require.NoError(t, err)
	require.Equal(t, "ERROR,http=DEBUG", l.Levels(), "the environment replaces Config.Levels")
	closeLogger(t, l)

	t.Setenv(EnvLevel, "info,db=nope")
	_, err = NewSync(Config{Sinks: []Sink{&memSink{}}})
	require.ErrorContains(t, err, EnvLevel)
	require.ErrorContains(t, err, `"db=nope"`)

	t.Setenv(EnvLevel, "")
	l2, err := NewSync(Config{Sinks: []Sink{&memSink{}}, Levels: "info,"})
	require.NoError(t, err, "a trailing comma is an empty entry, ignored")
	closeLogger(t, l2)
	_, err = NewSync(Config{Sinks: []Sink{&memSink{}}, Levels: "inf"})
	require.ErrorContains(t, err, "Config.Levels")
}

func TestDiscardRefusesSetLevels(t *testing.T) {
	d := Discard()
	require.ErrorIs(t, d.SetLevels("debug"), errDiscardLevels)
	require.False(t, d.Named("x").Enabled(context.Background(), slog.LevelError))
}

// TestSetLevelsRaceStress logs through named loggers on several
// goroutines while SetLevels flips their levels; -race checks the cache
// and generation protocol, and after the last SetLevels every logger sees
// its final level.
func TestSetLevelsRaceStress(t *testing.T) {
	l, err := NewAsync(Config{Sinks: []Sink{&memSink{}}, QueueSize: 1024, Diagnostics: io.Discard})
	require.NoError(t, err)
	names := []string{"a", "a.b", "a.b.c", "d", "e.f"}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	loggers := make([]*AsyncLogger, 4)
	for g := range loggers {
		lg := l.Named(names[g%len(names)]).Named(fmt.Sprint(g))
		loggers[g] = lg
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				lg.Info("x", slog.Int("i", i))
				lg.Debug("y")
			}
		})
	}
	specs := []string{"debug", "error,a=debug", "info,a.b=error,d=debug", "warn,a.b.c=debug,e=info"}
	for i := range 2000 {
		require.NoError(t, l.SetLevels(specs[i%len(specs)]))
	}
	close(stop)
	wg.Wait()
	require.NoError(t, l.SetLevels("error,a.b=debug"))
	ctx := context.Background()
	for g, lg := range loggers {
		want := strings.HasPrefix(names[g%len(names)], "a.b")
		require.Equal(t, want, lg.Enabled(ctx, slog.LevelDebug), names[g%len(names)])
	}
	closeLogger(t, l)
}

func TestNamedTruncatedRecordKeepsLogger(t *testing.T) {
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}, MaxRecordBytes: 200})
	require.NoError(t, err)
	l.Named("db").Info(strings.Repeat("m", 300), slog.String("big", strings.Repeat("x", 500)))
	st := closeLogger(t, l)
	require.Equal(t, uint64(1), st.Truncated)
	m := sink.lines(t)[0]
	require.Equal(t, "db", m["logger"])
	require.Equal(t, true, m["truncated"])
	require.LessOrEqual(t, len(sink.String()), 200)
}
