package fapilog

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMinLevelLive checks that a sink behind MinLevel gets only records
// at or above its level, that a *slog.LevelVar moves it while the logger
// runs, and that the other sinks get everything.
func TestMinLevelLive(t *testing.T) {
	all, errs := &memSink{}, &memSink{}
	var lv slog.LevelVar
	lv.Set(slog.LevelError)
	l, err := NewSync(Config{Level: slog.LevelDebug, Sinks: []Sink{all, MinLevel(&lv, errs)}})
	require.NoError(t, err)
	l.Debug("d")
	l.Info("i")
	l.Error("e")
	lv.Set(slog.LevelInfo)
	l.Debug("d2")
	l.Info("i2")
	st := closeLogger(t, l)
	require.Len(t, sink2msgs(t, all), 5)
	require.Equal(t, []string{"e", "i2"}, sink2msgs(t, errs))
	require.Equal(t, uint64(5), st.Sinks[0].Routed)
	require.Equal(t, uint64(2), st.Sinks[1].Routed)
	require.Equal(t, uint64(5), st.Written, "a record no sink's level takes is written, vacuously")
}

func sink2msgs(t *testing.T, s *memSink) []string {
	var msgs []string
	for _, m := range s.lines(t) {
		msgs = append(msgs, m["msg"].(string))
	}
	return msgs
}

// TestMinLevelStandalone checks the wrapper filters by itself when used
// outside a logger.
func TestMinLevelStandalone(t *testing.T) {
	var buf bytes.Buffer
	s := MinLevel(slog.LevelWarn, NewWriterSink(&buf))
	var b Batch
	b.Append(benchTime, slog.LevelInfo, []byte("info\n"))
	b.Append(benchTime, slog.LevelError, []byte("error\n"))
	require.NoError(t, s.WriteBatch(&b))
	require.Equal(t, "error\n", buf.String())
}

// TestFallback checks that a batch a sink fails on goes to the fallback,
// redacted like every line, and is counted; that a failing fallback is
// contained and counted too; and that the healthy sink is unaffected.
func TestFallback(t *testing.T) {
	for _, fallbackFails := range []bool{false, true} {
		good, bad := &memSink{}, &faultSink{failEvery: 1}
		fb := &faultSink{}
		if fallbackFails {
			fb.failEvery = 1
		}
		l, err := NewSync(Config{Sinks: []Sink{good, bad}, Fallback: fb, Diagnostics: &syncBuffer{}})
		require.NoError(t, err)
		l.Info("login", slog.String("password", "hunter2"))
		l.Info("again")
		require.Error(t, l.Close(context.Background()), "Close tells of the failed records")
		st := l.Stats()
		requireBalanced(t, st)
		requireSinksBalanced(t, st)
		require.Len(t, good.lines(t), 2)
		require.Equal(t, uint64(2), st.Sinks[1].Failed)
		require.Equal(t, uint64(2), st.Failed)
		if fallbackFails {
			require.Equal(t, uint64(2), st.FallbackFailed)
			require.Zero(t, st.Fallback)
			continue
		}
		require.Equal(t, uint64(2), st.Fallback)
		require.Equal(t, uint64(2), st.Sinks[1].Fallback)
		out := fb.String()
		require.Contains(t, out, `"password":"***"`)
		require.NotContains(t, out, "hunter2")
		require.Equal(t, 2, strings.Count(out, "\n"))
	}
}

// TestSinkConfigErrors checks that a nil or typed-nil sink, a negative
// buffer and a nil fallback are errors naming the element, not panics.
func TestSinkConfigErrors(t *testing.T) {
	var typedNil *memSink
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Sinks: []Sink{&memSink{}, nil}}, "Config.Sinks: element 1"},
		{Config{Sinks: []Sink{typedNil}}, "Config.Sinks: element 0 is a nil *fapilog.memSink"},
		{Config{Sinks: []Sink{MinLevel(slog.LevelInfo, typedNil)}}, "element 0 is a nil"},
		{Config{Sinks: []Sink{WithOptions(&memSink{}, SinkOptions{Buffer: -1})}}, "SinkOptions.Buffer -1"},
		{Config{Sinks: []Sink{WithOptions(&memSink{}, SinkOptions{Backpressure: 7})}}, "SinkOptions.Backpressure 7"},
		{Config{Fallback: typedNil}, "Config.Fallback"},
	} {
		_, err := NewAsync(c.cfg)
		require.ErrorContains(t, err, c.want)
		_, err = NewSync(c.cfg)
		require.ErrorContains(t, err, c.want)
	}
}

// TestSinkNames checks the names in SinkStats: SinkOptions.Name, then the
// sink's String, then its type and position.
func TestSinkNames(t *testing.T) {
	l, err := NewAsync(Config{Sinks: []Sink{
		WithOptions(&memSink{}, SinkOptions{Name: "audit"}),
		NewWriterSink(&bytes.Buffer{}),
		&memSink{},
	}})
	require.NoError(t, err)
	st := closeLogger(t, l)
	require.Equal(t, "audit", st.Sinks[0].Name)
	require.Equal(t, "fapilog.writerSink#1", st.Sinks[1].Name)
	require.Equal(t, "*fapilog.memSink#2", st.Sinks[2].Name)
}
