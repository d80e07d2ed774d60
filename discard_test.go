package fapilog

import (
	"context"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDiscard(t *testing.T) {
	l := Discard()
	ctx := context.Background()
	for _, lg := range []interface {
		Info(string, ...slog.Attr)
		Error(string, ...slog.Attr)
		Enabled(context.Context, slog.Level) bool
	}{l, l.AsSync(), l.With(slog.String("k", "v")).WithGroup("g")} {
		require.False(t, lg.Enabled(ctx, slog.LevelError))
		lg.Info("nothing", slog.Int("n", 1))
		lg.Error("still nothing")
	}
	slog.New(l.Handler()).Error("via slog", "k", 1)
	require.NoError(t, l.Flush(ctx))
	require.NoError(t, l.Close(ctx))
	require.NoError(t, Discard().Close(ctx), "closing twice is harmless")
	l.Info("after close")
	require.Equal(t, Stats{QueueCap: 2}, l.Stats())
	require.Zero(t, testing.AllocsPerRun(100, func() {
		l.Info("nothing", slog.Int("n", 1), slog.String("s", "x"))
	}))
}

func BenchmarkDiscard(b *testing.B) {
	l := Discard()
	b.ReportAllocs()
	for b.Loop() {
		l.Info("nothing", slog.Int("n", 1), slog.String("s", "x"))
	}
}
