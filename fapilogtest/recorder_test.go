package fapilogtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fapilog "github.com/fapilog/fapilog-go"
)

// newSync returns a sync logger writing to sinks, closed when t ends.
func newSync(t *testing.T, cfg fapilog.Config) *fapilog.SyncLogger {
	t.Helper()
	logger, err := fapilog.NewSync(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, logger.Close(context.Background())) })
	return logger
}

func TestRecorderDecodesRecords(t *testing.T) {
	rec := NewRecorder()
	logger := newSync(t, fapilog.Config{Sinks: []fapilog.Sink{rec}, Level: slog.LevelDebug, AddSource: true})
	ctx := fapilog.ContextWithAttrs(context.Background(), slog.String("request_id", "r-1"))

	before := time.Now()
	logger.With(slog.String("svc", "shop")).WithGroup("req").DebugContext(ctx, "served",
		slog.Int("status", 200), slog.Bool("ok", true), slog.Any("tags", []string{"a", "b"}),
		slog.Group("user", slog.String("id", "u1")), slog.Duration("took", time.Millisecond),
		slog.Any("err", errors.New("boom")), slog.String("password", "hunter2"))
	logger.Warn("second", slog.String("msg", "an attr named msg"), slog.String("level", "x"))

	entries := rec.Entries()
	require.Len(t, entries, 2)
	e := entries[0]
	assert.Equal(t, slog.LevelDebug, e.Level)
	assert.Equal(t, "served", e.Message)
	assert.False(t, e.Time.Before(before.Truncate(time.Second)), "time %v before %v", e.Time, before)
	assert.False(t, e.Time.After(time.Now()))
	assert.Equal(t, "r-1", e.Attrs["request_id"])
	assert.Equal(t, "shop", e.Attrs["svc"])
	assert.Equal(t, map[string]any{
		"status": 200.0, "ok": true, "tags": []any{"a", "b"},
		"user": map[string]any{"id": "u1"}, "took": float64(time.Millisecond),
		"err": "boom", "password": "***",
	}, e.Attrs["req"])
	src, ok := e.Attrs["source"].(map[string]any)
	require.True(t, ok, "source: %#v", e.Attrs["source"])
	assert.Contains(t, src["file"], "recorder_test.go")
	assert.NotContains(t, e.Attrs, "time")
	assert.NotContains(t, e.Attrs, "level")
	assert.NotContains(t, e.Attrs, "msg")

	// The head is the first time, level and msg; same-named attrs stay attrs.
	e = entries[1]
	assert.Equal(t, "second", e.Message)
	assert.Equal(t, slog.LevelWarn, e.Level)
	assert.Equal(t, "an attr named msg", e.Attrs["msg"])
	assert.Equal(t, "x", e.Attrs["level"])
}

// TestRecorderDecodesFatal checks that a FATAL line is a record at
// fapilog.LevelFatal, not a malformed line.
func TestRecorderDecodesFatal(t *testing.T) {
	rec := NewRecorder()
	rec.WriteBatch(NewBatch([]byte(`{"level":"FATAL","msg":"bye"}` + "\n")))
	entries := rec.Entries()
	require.Len(t, entries, 1)
	assert.Equal(t, "bye", entries[0].Message)
	assert.NotContains(t, entries[0].Attrs, MalformedKey)

	b := NewBatch([]byte(`{"level":"FATAL","msg":"bye"}`))
	assert.Equal(t, fapilog.LevelFatal, b.Level(0), "NewBatch reads FATAL too")
}

func TestRecorderKeepsMalformedLines(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	b := new(fapilog.Batch)
	b.Append(at, slog.LevelError, []byte("not json\n"))
	b.Append(time.Time{}, slog.LevelInfo, []byte(`{"msg":"a"}{"msg":"b"}`+"\n"))
	b.Append(time.Time{}, slog.LevelInfo, []byte(`{"msg":"cut`+"\n"))
	b.Append(time.Time{}, slog.LevelInfo, []byte(`{"time":"yesterday","msg":"bad time"}`+"\n"))
	b.Append(time.Time{}, slog.LevelInfo, []byte(`{"level":"LOUD","msg":"bad level"}`+"\n"))
	b.Append(time.Time{}, slog.LevelInfo, []byte(`[1,2]`+"\n"))
	b.Append(time.Time{}, slog.LevelInfo, []byte(`{"msg":"fine"}`+"\n"))

	rec := NewRecorder()
	require.NoError(t, rec.WriteBatch(b))
	entries := rec.Entries()
	require.Len(t, entries, 7)
	assert.True(t, entries[0].Time.Equal(at), "time %v", entries[0].Time)
	assert.Equal(t, Entry{Time: entries[0].Time, Level: slog.LevelError, Attrs: map[string]any{MalformedKey: "not json"}}, entries[0])
	for i, want := range []string{`{"msg":"a"}{"msg":"b"}`, `{"msg":"cut`, `{"time":"yesterday","msg":"bad time"}`, `{"level":"LOUD","msg":"bad level"}`, `[1,2]`} {
		assert.Equal(t, map[string]any{MalformedKey: want}, entries[i+1].Attrs, "line %d", i+1)
		assert.Empty(t, entries[i+1].Message)
	}
	assert.Equal(t, Entry{Message: "fine", Attrs: map[string]any{}}, entries[6])
}

func TestRecorderFilterAndReset(t *testing.T) {
	rec := NewRecorder()
	logger := newSync(t, fapilog.Config{Sinks: []fapilog.Sink{rec}})
	for i := range 3 {
		logger.Info("tick", slog.Int("n", i))
		logger.Info("tock")
	}
	ticks := rec.Filter("tick")
	require.Len(t, ticks, 3)
	for i, e := range ticks {
		assert.Equal(t, float64(i), e.Attrs["n"])
	}
	assert.Len(t, rec.Filter("tock"), 3)
	assert.Empty(t, rec.Filter("nothing"))

	// Entries is a copy: changing it does not change the Recorder.
	all := rec.Entries()
	all[0].Message = "changed"
	assert.Equal(t, "tick", rec.Entries()[0].Message)

	rec.Reset()
	assert.Empty(t, rec.Entries())
	logger.Info("after")
	assert.Equal(t, []string{"after"}, messages(rec.Entries()))
	assert.Equal(t, "tock", all[1].Message, "a Reset leaves slices already returned alone")
}

func messages(entries []Entry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Message)
	}
	return out
}

// TestRecorderConcurrent reads, filters and resets a Recorder while an
// async logger writes to it from several goroutines (run with -race).
func TestRecorderConcurrent(t *testing.T) {
	const goroutines, each = 4, 2000
	rec := NewRecorder()
	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{rec}, Backpressure: fapilog.Block, BlockTimeout: -1})
	require.NoError(t, err)

	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			_ = rec.Entries()
			_ = rec.Filter("g0")
		}
	})
	var writers sync.WaitGroup
	for g := range goroutines {
		writers.Go(func() {
			for i := range each {
				logger.Info(fmt.Sprintf("g%d", g), slog.Int("i", i))
			}
		})
	}
	writers.Wait()
	require.NoError(t, logger.Close(context.Background()))
	close(stop)
	readers.Wait()

	st := logger.Stats()
	require.Equal(t, uint64(goroutines*each), st.Written, "stats %+v", st)
	require.Len(t, rec.Entries(), goroutines*each)
	for g := range goroutines {
		got := rec.Filter(fmt.Sprintf("g%d", g))
		require.Len(t, got, each)
		for i, e := range got {
			require.Equal(t, float64(i), e.Attrs["i"], "goroutine %d's records in order", g)
		}
	}
	rec.Reset()
	assert.Empty(t, rec.Entries())
}

func TestRecorderIsASinkThatNeverFails(t *testing.T) {
	rec := NewRecorder()
	assert.NoError(t, rec.Flush())
	assert.NoError(t, rec.Close())
	assert.Equal(t, "fapilogtest.Recorder", rec.String())
	require.NoError(t, rec.WriteBatch(NewBatch([]byte(`{"msg":"after close"}`))))
	assert.Equal(t, []string{"after close"}, messages(rec.Entries()))
}

func TestZeroRecorder(t *testing.T) {
	var rec Recorder
	assert.Empty(t, rec.Entries())
	require.NoError(t, rec.WriteBatch(NewBatch([]byte(`{"msg":"m"}`))))
	assert.Equal(t, []string{"m"}, messages(rec.Entries()))
}
