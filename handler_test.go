package fapilog

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSlogtest runs log/slog's conformance suite against the Handler of
// each face, one logger per case.
func TestSlogtest(t *testing.T) {
	for _, face := range []string{"async", "sync"} {
		t.Run(face, func(t *testing.T) {
			var mu sync.Mutex
			sinks := map[*testing.T]*memSink{}
			loggers := map[*testing.T]*AsyncLogger{}
			newHandler := func(t *testing.T) slog.Handler {
				sink := &memSink{}
				l, err := NewAsync(Config{Sinks: []Sink{sink}, AddSource: true})
				require.NoError(t, err)
				t.Cleanup(func() { closeLogger(t, l) })
				mu.Lock()
				sinks[t], loggers[t] = sink, l
				mu.Unlock()
				if face == "sync" {
					return l.AsSync().Handler()
				}
				return l.Handler()
			}
			result := func(t *testing.T) map[string]any {
				mu.Lock()
				sink, l := sinks[t], loggers[t]
				mu.Unlock()
				if face == "async" {
					require.NoError(t, l.Flush(context.Background()))
				} // the sync face wrote the line before the call returned
				lines := sink.lines(t)
				require.NotEmpty(t, lines)
				return lines[len(lines)-1]
			}
			slogtest.Run(t, newHandler, result)
		})
	}
}

// TestHandlerMatchesFacade logs the same calls through the facade and
// through slog with the logger's Handler: the lines are the same, and a
// handler made from a child logger carries the child's context.
func TestHandlerMatchesFacade(t *testing.T) {
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	attrs := []slog.Attr{slog.Int("a", 1), slog.Group("g", slog.String("b", "x")), {}, slog.Any("m", map[string]int{"k": 1})}

	l.With(slog.String("svc", "api")).WithGroup("req").With(slog.Int("id", 7)).Warn("msg", attrs...)
	slog.New(l.Handler()).With("svc", "api").WithGroup("req").With("id", 7).LogAttrs(context.Background(), slog.LevelWarn, "msg", attrs...)
	slog.New(l.With(slog.String("svc", "api")).WithGroup("req").Handler()).With("id", 7).LogAttrs(context.Background(), slog.LevelWarn, "msg", attrs...)
	closeLogger(t, l)

	lines := strings.Split(strings.TrimSpace(sink.String()), "\n")
	require.Len(t, lines, 3)
	strip := func(s string) string { return s[strings.Index(s, `"level"`):] }
	require.Equal(t, `"level":"WARN","msg":"msg","svc":"api","req":{"id":7,"a":1,"g":{"b":"x"},"m":{"k":1}}}`, strip(lines[0]))
	require.Equal(t, strip(lines[0]), strip(lines[1]))
	require.Equal(t, strip(lines[0]), strip(lines[2]))
}

// TestHandlerMatchesFacadeAnyCount holds records of every size to the
// facade's lines: handle copies up to handleAttrs attrs on its stack and
// captures bigger records from the slog.Record itself.
func TestHandlerMatchesFacadeAnyCount(t *testing.T) {
	for _, n := range []int{0, 1, handleAttrs - 1, handleAttrs, handleAttrs + 1, 3 * handleAttrs} {
		for _, plain := range []bool{true, false} {
			sink := &memSink{}
			l, err := NewSync(Config{Sinks: []Sink{sink}})
			require.NoError(t, err)
			var attrs []slog.Attr
			for i := range n {
				a := slog.Int("k"+strconv.Itoa(i), i)
				if !plain && i%7 == 3 {
					a = slog.Any(a.Key, map[string]int{"v": i})
				}
				attrs = append(attrs, a)
			}
			l.Warn("msg", attrs...)
			slog.New(l.Handler()).LogAttrs(context.Background(), slog.LevelWarn, "msg", attrs...)
			closeLogger(t, l)

			lines := strings.Split(strings.TrimSpace(sink.String()), "\n")
			require.Len(t, lines, 2)
			strip := func(s string) string { return s[strings.Index(s, `"level"`):] }
			require.Equal(t, strip(lines[0]), strip(lines[1]), "%d attrs, plain %v", n, plain)
			require.Equal(t, n, strings.Count(lines[1], `"k`), "%d attrs, plain %v", n, plain)
		}
	}
}

// countingValuer counts its LogValue calls.
type countingValuer struct{ calls *int }

func (v countingValuer) LogValue() slog.Value {
	*v.calls++
	return slog.StringValue("resolved")
}

// TestWithAttrsResolvedOnce shows that a child's attrs are captured when
// the child is made, not per record: a LogValuer in them runs once.
func TestWithAttrsResolvedOnce(t *testing.T) {
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	var viaSlog, viaFacade int
	sl := slog.New(l.Handler()).With("v", countingValuer{&viaSlog})
	fl := l.With(slog.Any("v", countingValuer{&viaFacade}))
	for range 3 {
		sl.Info("slog")
		fl.Info("facade")
	}
	closeLogger(t, l)
	require.Equal(t, 1, viaSlog)
	require.Equal(t, 1, viaFacade)
	for _, m := range sink.lines(t) {
		require.Equal(t, "resolved", m["v"])
	}
}

func TestHandlerEnabledFollowsLevelVar(t *testing.T) {
	sink := &memSink{}
	var lv slog.LevelVar
	lv.Set(slog.LevelWarn)
	l, err := NewSync(Config{Sinks: []Sink{sink}, Level: &lv})
	require.NoError(t, err)
	h := l.Handler()
	sl := slog.New(h)
	require.False(t, h.Enabled(context.Background(), slog.LevelInfo))
	sl.Info("hidden")
	lv.Set(slog.LevelInfo)
	require.True(t, h.Enabled(context.Background(), slog.LevelInfo))
	sl.Info("shown")
	// Handle checks the level too, for wrappers that skip Enabled.
	require.NoError(t, h.Handle(context.Background(), slog.NewRecord(time.Now(), slog.LevelDebug, "direct, hidden", 0)))
	st := closeLogger(t, l)
	require.Equal(t, uint64(1), st.Submitted)
	require.NotContains(t, sink.String(), "hidden")
	require.Contains(t, sink.String(), "shown")
}

// TestHandleCopiesTheRecord hands the async handler a Record whose attrs
// (more than the five a Record holds inline) and values the caller then
// changes, while the worker is held up: the output has the values of the
// call, and -race sees no shared memory.
func TestHandleCopiesTheRecord(t *testing.T) {
	sink := hungSink()
	l, err := NewAsync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	h := l.Handler()
	l.Info("first")
	<-sink.entered // the worker is busy: the next record waits in the queue

	m := map[string]int{"a": 1}
	r := slog.NewRecord(time.Time{}, slog.LevelInfo, "copied", 0)
	for i := range 6 {
		r.AddAttrs(slog.Int("i"+string(rune('0'+i)), i))
	}
	r.AddAttrs(slog.Any("m", m))
	require.NoError(t, h.Handle(context.Background(), r))
	m["a"] = 2
	r.AddAttrs(slog.String("late", "x")) // writes to the Record's shared attr array
	close(sink.gate)
	closeLogger(t, l)

	lines := sink.lines(t)
	require.Len(t, lines, 2)
	got := lines[1]
	require.NotContains(t, got, "time", "a zero Record.Time is left out")
	require.NotContains(t, got, "late")
	require.Equal(t, map[string]any{"a": float64(1)}, got["m"])
	require.Equal(t, float64(5), got["i5"])
}

// TestContextAttrs shows ContextWithAttrs and an extractor feeding every
// entry point that takes a context, at top level and in order: the
// context's attrs, the extractor's, then the logger's context and the
// call's own attrs.
func TestContextAttrs(t *testing.T) {
	type traceKey struct{}
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}, ContextExtractors: []func(context.Context) []slog.Attr{
		func(ctx context.Context) []slog.Attr {
			if id, ok := ctx.Value(traceKey{}).(string); ok {
				return []slog.Attr{slog.String("trace_id", id)}
			}
			return nil
		},
	}})
	require.NoError(t, err)

	ctx := context.WithValue(context.Background(), traceKey{}, "t-1")
	ctx = ContextWithAttrs(ctx, slog.String("request_id", "r-1"))
	ctx = ContextWithAttrs(ctx, slog.String("user", "ann"))
	require.Equal(t, ctx, ContextWithAttrs(ctx), "no attrs: ctx itself")

	child := l.With(slog.String("svc", "api")).WithGroup("g")
	child.InfoContext(ctx, "facade", slog.Int("n", 1))
	child.Log(ctx, slog.LevelWarn, "Log", slog.Int("n", 1))
	slog.New(child.Handler()).InfoContext(ctx, "slog", "n", 1)
	slog.New(l.Handler()).WithGroup("g").InfoContext(ctx, "slog, no attrs")
	l.Info("no context")
	child.InfoContext(context.Background(), "empty context", slog.Int("n", 1))
	closeLogger(t, l)

	lines := strings.Split(strings.TrimSpace(sink.String()), "\n")
	require.Len(t, lines, 6)
	const ctxAttrs = `"request_id":"r-1","user":"ann","trace_id":"t-1"`
	want := []string{
		`"msg":"facade",` + ctxAttrs + `,"svc":"api","g":{"n":1}}`,
		`"msg":"Log",` + ctxAttrs + `,"svc":"api","g":{"n":1}}`,
		`"msg":"slog",` + ctxAttrs + `,"svc":"api","g":{"n":1}}`,
		`"msg":"slog, no attrs",` + ctxAttrs + `}`,
		`"msg":"no context"}`,
		`"msg":"empty context","svc":"api","g":{"n":1}}`,
	}
	for i, line := range lines {
		require.Equal(t, want[i], line[strings.Index(line, `"msg"`):])
	}
}

// TestContextAttrsCapturedOnTheCaller shows that what ContextWithAttrs
// and the extractors give is copied before the call returns: the
// extractor reuses one slice and the map in the context changes, while
// the records wait in the queue.
func TestContextAttrsCapturedOnTheCaller(t *testing.T) {
	type nKey struct{}
	var buf []slog.Attr // reused by the extractor on every call
	sink := hungSink()
	l, err := NewAsync(Config{Sinks: []Sink{sink}, ContextExtractors: []func(context.Context) []slog.Attr{
		func(ctx context.Context) []slog.Attr {
			n, ok := ctx.Value(nKey{}).(int)
			if !ok {
				return nil
			}
			buf = append(buf[:0], slog.Int("n", n))
			return buf
		},
	}})
	require.NoError(t, err)
	l.Info("first")
	<-sink.entered

	m := map[string]int{"a": 1}
	base := ContextWithAttrs(context.Background(), slog.Any("m", m))
	m["a"] = 2 // after ContextWithAttrs: not seen
	for i := range 3 {
		ctx, cancel := context.WithCancel(context.WithValue(base, nKey{}, i))
		l.InfoContext(ctx, "m")
		cancel()
	}
	close(sink.gate)
	closeLogger(t, l)
	lines := sink.lines(t)
	require.Len(t, lines, 4)
	for i, m := range lines[1:] {
		require.Equal(t, float64(i), m["n"])
		require.Equal(t, map[string]any{"a": float64(1)}, m["m"])
	}
}

func TestContextExtractorPanicContained(t *testing.T) {
	diag := &syncBuffer{}
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}, Diagnostics: diag, ContextExtractors: []func(context.Context) []slog.Attr{
		func(context.Context) []slog.Attr { return []slog.Attr{slog.Int("before", 1)} },
		func(context.Context) []slog.Attr { panic(errors.New("extractor bug")) },
		func(context.Context) []slog.Attr { return []slog.Attr{slog.Int("after", 3)} },
	}})
	require.NoError(t, err)
	require.NotPanics(t, func() {
		l.InfoContext(context.Background(), "facade")
		slog.New(l.Handler()).Info("slog")
	})
	st := closeLogger(t, l)
	require.Equal(t, uint64(2), st.Written, "the records are still logged")
	for _, m := range sink.lines(t) {
		require.Equal(t, float64(1), m["before"])
		require.Equal(t, float64(3), m["after"])
	}
	require.Contains(t, diag.String(), "Config.ContextExtractors[1] panicked")
	require.Contains(t, diag.String(), "extractor bug")
	require.Contains(t, diag.String(), `"component":"context"`)
}

// TestHandlerAllocs: through slog, a disabled level and a record carrying
// only accumulated context cost the caller no allocation (slog itself
// allocates for a record of more than five attrs), and neither do
// context attrs.
func TestHandlerAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race")
	}
	l, err := NewAsync(Config{Sinks: []Sink{NewWriterSink(discard{})}, Backpressure: Block})
	require.NoError(t, err)
	sl := slog.New(l.Handler())
	child := sl.With("svc", "api", "shard", 3).WithGroup("req")
	ctx := ContextWithAttrs(context.Background(), slog.String("request_id", "r-1"), slog.Int("user", 42))
	requireNoAllocs(t, l, map[string]func(){
		"slog Debug disabled":          func() { sl.Debug("off", "a", 1) },
		"slog LogAttrs disabled":       func() { sl.LogAttrs(ctx, slog.LevelDebug, "off", slog.Int("a", 1)) },
		"slog With context":            func() { child.LogAttrs(ctx, slog.LevelInfo, "ctx", slog.Int("a", 1), slog.String("b", "x")) },
		"facade DebugContext disabled": func() { l.DebugContext(ctx, "off", slog.Int("a", 1)) },
		"facade InfoContext":           func() { l.InfoContext(ctx, "ctx", slog.Int("a", 1)) },
	})
	closeLogger(t, l)
}
