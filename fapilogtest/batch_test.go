package fapilogtest

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fapilog "github.com/fapilog/fapilog-go"
)

func TestNewBatch(t *testing.T) {
	lines := [][]byte{
		[]byte(`{"time":"2026-11-27T10:00:00.5Z","level":"WARN","msg":"a"}` + "\n"),
		[]byte(`{"level":"ERROR+2","msg":"no time, no newline"}`),
		[]byte(`{"msg":"no level"}`),
		[]byte(`not json at all`),
		[]byte(`{"time":"soon","level":"ERROR","msg":"bad time"}`),
		[]byte(``),
	}
	b := NewBatch(lines...)
	require.Equal(t, len(lines), b.Len())

	want := []struct {
		level slog.Level
		time  time.Time
		line  string
	}{
		{slog.LevelWarn, time.Date(2026, 11, 27, 10, 0, 0, 5e8, time.UTC), `{"time":"2026-11-27T10:00:00.5Z","level":"WARN","msg":"a"}` + "\n"},
		{slog.LevelError + 2, time.Time{}, `{"level":"ERROR+2","msg":"no time, no newline"}` + "\n"},
		{slog.LevelInfo, time.Time{}, `{"msg":"no level"}` + "\n"},
		{slog.LevelInfo, time.Time{}, "not json at all\n"},
		{slog.LevelInfo, time.Time{}, `{"time":"soon","level":"ERROR","msg":"bad time"}` + "\n"},
		{slog.LevelInfo, time.Time{}, "\n"},
	}
	var all []byte
	for i, w := range want {
		assert.Equal(t, w.level, b.Level(i), "record %d", i)
		assert.True(t, w.time.Equal(b.Time(i)), "record %d: time %v, want %v", i, b.Time(i), w.time)
		assert.Equal(t, w.line, string(b.Record(i)), "record %d", i)
		all = append(all, w.line...)
	}
	assert.Equal(t, string(all), string(b.Bytes()))
}

// TestNewBatchLeavesRecordsAlone: adding the '\n' must not write into
// spare capacity of the caller's slice.
func TestNewBatchLeavesRecordsAlone(t *testing.T) {
	backing := []byte(`{"msg":"x"}XYZ`)
	rec := backing[:11]
	b := NewBatch(rec)
	assert.Equal(t, `{"msg":"x"}`+"\n", string(b.Record(0)))
	assert.Equal(t, `{"msg":"x"}XYZ`, string(backing))
}

// TestNewBatchTestsASink is what NewBatch is for: a sink tested without a
// logger, here fapilog's writer sink.
func TestNewBatchTestsASink(t *testing.T) {
	var buf bytes.Buffer
	sink := fapilog.NewWriterSink(&buf)
	require.NoError(t, sink.WriteBatch(NewBatch([]byte(`{"msg":"one"}`), []byte(`{"msg":"two"}`))))
	assert.Equal(t, "{\"msg\":\"one\"}\n{\"msg\":\"two\"}\n", buf.String())

	// A Recorder reads back what NewBatch built.
	rec := NewRecorder()
	require.NoError(t, rec.WriteBatch(NewBatch([]byte(`{"time":"2026-11-27T10:00:00Z","level":"DEBUG","msg":"m","k":[1,{"a":null}]}`))))
	e := rec.Entries()[0]
	assert.Equal(t, slog.LevelDebug, e.Level)
	assert.True(t, e.Time.Equal(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)))
	assert.Equal(t, map[string]any{"k": []any{1.0, map[string]any{"a": nil}}}, e.Attrs)
}

func TestNewBatchEmpty(t *testing.T) {
	b := NewBatch()
	assert.Equal(t, 0, b.Len())
	assert.Empty(t, b.Bytes())
}
