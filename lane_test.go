package fapilog

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSlowSinkGetsPiledUpBatchesInOneWrite: records logged one at a time
// reach the worker as batches of one or two; while a slow sink writes,
// they pile up in its lane, and its next write takes them together, up
// to BatchSize records, in order, each counted once.
func TestSlowSinkGetsPiledUpBatchesInOneWrite(t *testing.T) {
	const n, batch = 300, 64
	sink := &faultSink{delay: 20 * time.Millisecond}
	l, err := NewAsync(Config{Sinks: []Sink{sink}, BatchSize: batch, Backpressure: Block})
	require.NoError(t, err)
	for i := range n {
		l.Info("paced", slog.Int("i", i))
		time.Sleep(100 * time.Microsecond)
	}
	require.NoError(t, l.Close(context.Background()))
	st := l.Stats()
	require.EqualValues(t, n, st.Written)
	require.EqualValues(t, n, st.Sinks[0].Written)

	lines := sink.lines(t)
	require.Len(t, lines, n)
	for i, line := range lines {
		require.EqualValues(t, i, line["i"], "order")
	}
	sizes := sink.batchSizes()
	for _, size := range sizes {
		require.LessOrEqual(t, size, batch)
	}
	// One record at a time, 300 writes of 20 ms would take 6 s; taken
	// together they need about n/batch writes after the first.
	require.Less(t, len(sizes), 30, "writes: %v", sizes)
	require.Greater(t, st.Batches, uint64(len(sizes)), "the worker's batches were smaller than the writes")
}
