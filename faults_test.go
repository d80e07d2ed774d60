package fapilog

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// Fault injection through the public faces, with the faultSink of
// sinks_test.go: a sink that hangs, fails, panics or recovers never takes
// the application with it, and everything stays counted.

// within runs fn on its own goroutine and fails the test if it has not
// returned after hangTimeout: the caller was blocked.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(hangTimeout):
		t.Fatalf("%s: still blocked after %v", what, hangTimeout)
	}
}

// TestAsyncNeverBlocksOnHungSink checks, under every policy, that async
// calls at every level return while the only sink hangs: each waits at
// most BlockTimeout for room, and what does not fit is counted as dropped.
func TestAsyncNeverBlocksOnHungSink(t *testing.T) {
	for _, pol := range policies {
		t.Run(pol.name, func(t *testing.T) {
			sink := hungSink()
			cfg := pol.cfg
			cfg.Sinks = []Sink{WithOptions(sink, SinkOptions{Buffer: 1})}
			cfg.QueueSize = 4
			cfg.BlockTimeout = time.Millisecond
			cfg.Diagnostics = &syncBuffer{}
			l, err := NewAsync(cfg)
			require.NoError(t, err)
			l.Info("first")
			<-sink.entered // the worker hangs in this write from now on

			within(t, "async calls", func() {
				for i := range 400 {
					l.Log(context.Background(), loadLevels[i%len(loadLevels)], "m", slog.Int("i", i))
				}
			})
			st := l.Stats()
			require.Equal(t, uint64(1+300), st.Submitted, "Debug is disabled")
			// What fits in the ring, the sink's buffer of one batch and the
			// worker (waiting for that buffer, under Block or with an
			// Error in hand) is kept; the rest is dropped.
			require.Greater(t, st.Dropped, uint64(0))
			require.GreaterOrEqual(t, st.Dropped+uint64(4+1+2*DefaultBatchSize), uint64(300))
			require.Zero(t, st.Written)

			close(sink.gate)
			st = closeLogger(t, l)
			require.Equal(t, st.Submitted-st.Dropped, st.Written)
			sink.requireClosedOnce(t)
		})
	}
}

// TestSyncCallReturnsWhenContextEnds checks that a sync call waiting on a
// hung sink returns when its context ends, and that its record stays
// queued and is written once the sink recovers: counted once, as Written.
func TestSyncCallReturnsWhenContextEnds(t *testing.T) {
	sink := hungSink()
	l, err := NewSync(Config{Sinks: []Sink{sink}, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	l.AsAsync().Info("first")
	<-sink.entered

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	within(t, "sync call with a deadline", func() {
		l.Log(ctx, slog.LevelError, "gave up waiting")
	})
	require.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)
	require.Zero(t, l.Stats().Written)

	close(sink.gate)
	st := closeLogger(t, l)
	require.Equal(t, uint64(2), st.Written)
	require.Contains(t, sink.String(), "gave up waiting")
}

// TestCloseReturnsWhenSinkCloseHangs checks that Close returns at its
// deadline when a sink's Close hangs, with every record already written
// counted as Written (nothing was abandoned), and that the worker
// goroutine exits once the sink returns.
func TestCloseReturnsWhenSinkCloseHangs(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	sink := &faultSink{closeGate: make(chan struct{})}
	l, err := NewAsync(Config{Sinks: []Sink{sink}, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	for i := range 100 {
		l.Info("m", slog.Int("i", i))
	}
	require.NoError(t, l.Flush(context.Background()))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, l.Close(ctx), context.DeadlineExceeded)
	st := l.Stats()
	requireBalanced(t, st)
	require.Equal(t, uint64(100), st.Written)
	require.Zero(t, st.Dropped)

	close(sink.closeGate)
	st = closeLogger(t, l)
	require.Equal(t, uint64(100), st.Written, "nothing counted twice")
	sink.requireClosedOnce(t)
}

// TestCloseCountsWhatHungSinkDidNotTake checks that when a sink hangs in
// a write, Close returns at its deadline, counts every record not
// delivered as Dropped (the one in the hung write too), and that once the
// sink is released its late write changes no counter and the goroutine
// exits.
func TestCloseCountsWhatHungSinkDidNotTake(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	sink := hungSink()
	l, err := NewAsync(Config{Sinks: []Sink{sink}, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	l.Info("first")
	<-sink.entered
	for range 49 {
		l.Info("m")
	}
	st := closeAtDeadline(t, l, "Close with a hung sink")
	require.Equal(t, uint64(50), st.Dropped)

	close(sink.gate)
	err = l.Close(context.Background())
	late := l.Stats()
	requireLossOnly(t, err, late)
	require.Equal(t, []uint64{50, 0, 50, 0}, []uint64{late.Submitted, late.Written, late.Dropped, late.Failed},
		"the late write is not counted again")
	require.LessOrEqual(t, len(sink.lines(t)), 1, "abandoned records are not written after Close gave up")
	sink.requireClosedOnce(t)
}

// closeAtDeadline closes l with a 30 ms deadline, which a hung sink
// makes it miss, and returns l's stats then, checked balanced.
func closeAtDeadline(t *testing.T, l *AsyncLogger, what string) Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	within(t, what, func() {
		require.ErrorIs(t, l.Close(ctx), context.DeadlineExceeded)
	})
	st := l.Stats()
	requireBalanced(t, st)
	return st
}

// TestSinkRecoversUnderAsyncLoad checks that a sink that fails (or
// panics) for a while gets every later batch once it recovers, that the
// batches it failed are counted Failed and no others, and that a healthy
// sink beside it gets everything.
func TestSinkRecoversUnderAsyncLoad(t *testing.T) {
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprintf("panics=%v", panics), func(t *testing.T) {
			flaky := &faultSink{panics: panics}
			healthy := &memSink{}
			l, err := NewAsync(Config{Sinks: []Sink{flaky, healthy}, BatchSize: 16,
				Backpressure: Block, BlockTimeout: -1, Diagnostics: &syncBuffer{}})
			require.NoError(t, err)
			phase := func(msg string, failing bool) {
				flaky.failing.Store(failing)
				for i := range 500 {
					l.Info(msg, slog.Int("i", i))
				}
				require.NoError(t, l.Flush(context.Background()))
			}
			phase("before", false)
			phase("during", true)
			phase("after", false)
			st := closeLogger(t, l)
			require.Equal(t, uint64(1000), st.Written)
			require.Equal(t, uint64(500), st.Failed)

			got := flaky.String()
			require.Equal(t, 1000, strings.Count(got, "\n"))
			require.Equal(t, 500, strings.Count(got, `"msg":"after"`), "the sink recovered")
			require.NotContains(t, got, `"msg":"during"`)
			require.Len(t, healthy.lines(t), 1500)
			flaky.requireClosedOnce(t)
		})
	}
}
