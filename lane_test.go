package fapilog

import (
	"bytes"
	"context"
	"log/slog"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
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

// stackSink counts its records and, on every 16th write, reads its
// stack to tell whether the worker's goroutine made it: rarely enough to
// stay a sink that takes bytes at memory speed. With hangOnWorker set, a
// write by the worker that it reads hangs until gate is closed.
type stackSink struct {
	delay                              time.Duration
	records, writes, sampled, byWorker atomic.Int64
	hangOnWorker                       atomic.Bool
	entered, gate                      chan struct{}
}

func newStackSink(delay time.Duration) *stackSink {
	return &stackSink{delay: delay, entered: make(chan struct{}, 1), gate: make(chan struct{})}
}

func (s *stackSink) WriteBatch(b *Batch) error {
	if s.writes.Add(1)%16 == 0 {
		s.sampled.Add(1)
		var buf [8 << 10]byte
		if bytes.Contains(buf[:runtime.Stack(buf[:], false)], []byte("fapilog-go.(*worker).run(")) {
			s.byWorker.Add(1)
			if s.hangOnWorker.Load() {
				s.entered <- struct{}{}
				<-s.gate
			}
		}
	}
	s.records.Add(int64(b.Len()))
	time.Sleep(s.delay)
	return nil
}

func (s *stackSink) Flush() error { return nil }
func (s *stackSink) Close() error { return nil }

// TestWorkerWritesForFastLoneSink checks who writes a sink's batches: the
// worker, for a lone sink that takes records far faster than they are
// encoded (sparing a hand-off); the lane's goroutine, for a slow sink or
// when there are several sinks (isolation). Either way every record is
// written once.
func TestWorkerWritesForFastLoneSink(t *testing.T) {
	const n = 50000
	for _, c := range []struct {
		name     string
		sinks    []*stackSink
		byWorker bool
	}{
		{"fast lone sink", []*stackSink{newStackSink(0)}, true},
		{"slow lone sink", []*stackSink{newStackSink(time.Millisecond)}, false},
		{"two fast sinks", []*stackSink{newStackSink(0), newStackSink(0)}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var sinks []Sink
			for _, s := range c.sinks {
				sinks = append(sinks, s)
			}
			l, err := NewAsync(Config{Sinks: sinks, Backpressure: Block, BlockTimeout: -1})
			require.NoError(t, err)
			for range n {
				logTen(l) // no Flush: it would write for the sink itself
			}
			st := closeLogger(t, l)
			require.EqualValues(t, n, st.Written)
			for _, s := range c.sinks {
				require.EqualValues(t, n, s.records.Load())
				require.Positive(t, s.sampled.Load())
				if c.byWorker {
					require.Positive(t, s.byWorker.Load(), "of %d sampled writes", s.sampled.Load())
				} else {
					require.Zero(t, s.byWorker.Load(), "of %d sampled writes", s.sampled.Load())
				}
			}
		})
	}
}

// TestWorkerHungInFastSinkWrite: a lone sink the worker writes for hangs
// in that write. Async calls still return (what does not fit is dropped
// and counted), Close returns at its deadline counting what was not
// delivered, and once the write returns nothing is counted twice and
// every goroutine exits.
func TestWorkerHungInFastSinkWrite(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	sink := newStackSink(0)
	l, err := NewAsync(Config{Sinks: []Sink{sink}, QueueSize: 64, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	sink.hangOnWorker.Store(true)
	deadline := time.Now().Add(hangTimeout)
	for hung := false; !hung; {
		require.True(t, time.Now().Before(deadline), "the worker never wrote for the sink")
		for range 50 {
			logTen(l)
		}
		select {
		case <-sink.entered:
			hung = true
		default:
		}
	}
	within(t, "async calls", func() {
		for range 1000 {
			logTen(l)
		}
	})
	st := closeAtDeadline(t, l, "Close with a hung write")
	require.Positive(t, st.Dropped)

	sink.hangOnWorker.Store(false)
	close(sink.gate)
	err = l.Close(context.Background())
	late := l.Stats()
	requireLossOnly(t, err, late)
	require.Equal(t, []uint64{st.Submitted, st.Written, st.Dropped, st.Failed},
		[]uint64{late.Submitted, late.Written, late.Dropped, late.Failed}, "the late write is not counted again")
	require.Less(t, late.Written, uint64(sink.records.Load()), "the hung write's records are the sink's, not Written")
}
