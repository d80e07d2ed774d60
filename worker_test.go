package fapilog

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// newTestWorker starts a worker with the given sinks and closes it at the
// end of the test, checking the accounting invariant.
func newTestWorker(t *testing.T, cfg Config) *worker {
	t.Helper()
	if cfg.Diagnostics == nil {
		cfg.Diagnostics = &syncBuffer{}
	}
	w, err := newWorker(cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		w.close(ctx)
		requireBalanced(t, w.stats())
	})
	return w
}

func logN(w *worker, n int, wait bool) {
	for i := range n {
		w.log(context.Background(), rootScope, wait, 0, slog.LevelInfo, "m", []slog.Attr{slog.Int("i", i)})
	}
}

func TestWorkerBatchBoundaries(t *testing.T) {
	sink := &memSink{}
	w := newTestWorker(t, Config{Sinks: []Sink{sink}, BatchSize: 4})

	logN(w, 1, false)
	require.NoError(t, w.flush(context.Background()))
	require.True(t, w.lockOr(nil)) // the worker waits for the lock: the rest queue up
	logN(w, 10, false)
	require.Equal(t, 10, w.q.len())
	w.unlock()
	require.NoError(t, w.flush(context.Background()))

	require.Equal(t, []int{1, 4, 4, 2}, sink.batchSizes())
	st := w.stats()
	require.Equal(t, uint64(11), st.Written)
	require.Equal(t, uint64(4), st.Batches)
	require.Equal(t, 10, st.QueueHighWater)
	for i, m := range sink.lines(t) {
		want := float64(i - 1)
		if i == 0 {
			want = 0
		}
		require.Equal(t, want, m["i"])
	}
}

func TestWorkerDrainsOnClose(t *testing.T) {
	sink := &faultSink{delay: time.Millisecond}
	w := newTestWorker(t, Config{Sinks: []Sink{sink}, BatchSize: 8})
	logN(w, 500, false)
	require.NoError(t, w.close(context.Background()))
	st := w.stats()
	require.Equal(t, uint64(500), st.Written)
	require.Equal(t, uint64(500), st.Submitted)
	require.Len(t, sink.lines(t), 500)
	require.Equal(t, 1, sink.closes)
	require.NoError(t, w.close(context.Background()), "second Close")
}

func TestWorkerFlushBarrier(t *testing.T) {
	sink := &faultSink{delay: 200 * time.Microsecond}
	w := newTestWorker(t, Config{Sinks: []Sink{sink}, BatchSize: 16})
	for round := 1; round <= 5; round++ {
		logN(w, 100, false)
		require.NoError(t, w.flush(context.Background()))
		require.Len(t, sink.lines(t), 100*round, "every record logged before Flush is written when it returns")
		sink.mu.Lock()
		require.GreaterOrEqual(t, sink.flushes, round, "sink Flush ran")
		sink.mu.Unlock()
	}
}

func TestWorkerFlushHonorsContext(t *testing.T) {
	sink := hungSink()
	w := newTestWorker(t, Config{Sinks: []Sink{sink}})
	logN(w, 1, false)
	<-sink.entered
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, w.flush(ctx), context.DeadlineExceeded)
	close(sink.gate)
}

func TestWorkerFailingSinkContained(t *testing.T) {
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprintf("panics=%v", panics), func(t *testing.T) {
			diag := &syncBuffer{}
			sink := &faultSink{panics: panics}
			good := &memSink{}
			w := newTestWorker(t, Config{Sinks: []Sink{sink, good}, Diagnostics: diag})

			sink.failing.Store(true)
			logN(w, 3, true) // sync: one batch each
			sink.failing.Store(false)
			logN(w, 2, true)

			st := w.stats()
			require.Equal(t, uint64(3), st.Failed)
			require.Equal(t, uint64(2), st.Written)
			require.Len(t, sink.lines(t), 2, "the sink recovered")
			require.Len(t, good.lines(t), 5, "a failing sink does not stop the others")
			want := "injected sink fault"
			if panics {
				want = "sink panicked: injected sink panic"
			}
			require.Contains(t, diag.String(), want)
			require.Contains(t, diag.String(), `"component":"sink"`)
		})
	}
}

func TestWorkerDiagnosticsRateLimited(t *testing.T) {
	diag := &syncBuffer{}
	sink := &faultSink{failEvery: 1}
	w := newTestWorker(t, Config{Sinks: []Sink{sink}, Diagnostics: diag})
	logN(w, 100, true)
	require.Equal(t, uint64(100), w.stats().Failed)
	lines := strings.Count(diag.String(), "\n")
	require.Equal(t, diagBurst, lines, "one burst, then suppressed")
}

func TestWorkerCountsDropsAndReportsThem(t *testing.T) {
	diag := &syncBuffer{}
	sink := hungSink()
	w := newTestWorker(t, Config{Sinks: []Sink{WithOptions(sink, SinkOptions{Buffer: 1, Backpressure: SinkBlock})},
		QueueSize: 4, Diagnostics: diag})
	logN(w, 1, false)
	<-sink.entered
	ln := w.lanes[0]
	logN(w, 1, false) // fills the sink's buffer
	require.Eventually(t, func() bool { return ln.stats().BufferLen == 1 }, hangTimeout, time.Millisecond)
	logN(w, 1, false) // the worker waits for the sink's room with it
	require.Eventually(t, func() bool { return ln.room.waiters.Load() == 1 }, hangTimeout, time.Millisecond)
	logN(w, 10, false) // 4 fit in the queue, 6 dropped
	st := w.stats()
	require.Equal(t, uint64(13), st.Submitted)
	require.Equal(t, uint64(6), st.Dropped)
	close(sink.gate)
	require.NoError(t, w.flush(context.Background()))
	require.Equal(t, uint64(7), w.stats().Written)
	require.Eventually(t, func() bool { return strings.Contains(diag.String(), "6 records dropped") },
		5*time.Second, time.Millisecond)
}

func TestWorkerCloseWithHungSink(t *testing.T) {
	sink := hungSink()
	w, err := newWorker(Config{Sinks: []Sink{sink}, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	logN(w, 1, false)
	<-sink.entered
	logN(w, 99, false)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	require.ErrorIs(t, w.close(ctx), context.DeadlineExceeded)
	require.Less(t, time.Since(start), 5*time.Second)
	st := w.stats()
	requireBalanced(t, st)
	require.Equal(t, uint64(100), st.Dropped, "everything undelivered is counted")

	close(sink.gate) // let the goroutine finish so goleak is satisfied
	requireLossOnly(t, w.close(context.Background()), w.stats())
	requireBalanced(t, w.stats())
	require.Equal(t, uint64(0), w.stats().Written, "nothing counted twice")
}

func TestWorkerIdleRecordReachesSinkWithoutFlush(t *testing.T) {
	sink := &memSink{}
	w := newTestWorker(t, Config{Sinks: []Sink{sink}})
	logN(w, 1, false)
	require.Eventually(t, func() bool { return w.stats().Written == 1 }, 5*time.Second, 100*time.Microsecond)
}

// A sync caller whose record waits for the lock is woken when the holder
// releases it, even if the holder queued nothing for it to wait on: the
// worker's goroutines are not running here, so nothing else wakes it.
func TestSyncWaiterWokenByUnlock(t *testing.T) {
	var out syncBuffer
	set, err := Config{Sinks: []Sink{NewWriterSink(&out)}}.settings()
	require.NoError(t, err)
	w := newIdleWorker(set)
	require.True(t, w.tryLock())
	logged := make(chan struct{})
	go func() {
		defer close(logged)
		w.log(context.Background(), rootScope, true, 0, slog.LevelInfo, "after the lock", nil)
	}()
	require.Eventually(t, w.progress.waiting, 5*time.Second, time.Millisecond, "the caller waits")
	w.unlock()
	select {
	case <-logged:
	case <-time.After(5 * time.Second):
		t.Fatal("the sync caller was not woken when the lock was released")
	}
	require.Contains(t, out.String(), `"msg":"after the lock"`)
	require.Equal(t, uint64(1), w.written.Load())
}

// A lone sync call, the only record in the pipeline, is written by its
// caller without a queued batch (writeAlone): flushed before it returns,
// counted for the pipeline and for the sink as a queued one would be.
func TestSyncLoneCallWritesAlone(t *testing.T) {
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	for i := range 20 {
		l.Info("alone", slog.Int("i", i))
		require.Len(t, sink.lines(t), i+1)
		sink.mu.Lock()
		flushes := sink.flushes
		sink.mu.Unlock()
		require.Equal(t, i+1, flushes, "flushed before the call returned")
	}
	require.NotNil(t, l.w.alone, "the calls took the lone path")
	require.Equal(t, uint64(20), l.w.unqueued.Load(), "without a queue position (writeDirect)")
	st := l.Stats()
	require.Equal(t, []uint64{20, 20, 20}, []uint64{st.Submitted, st.Written, st.Batches})
	require.Zero(t, st.QueueHighWater)
	ss := st.Sinks[0]
	require.Equal(t, []uint64{20, 20, 20}, []uint64{ss.Routed, ss.Written, ss.WriteLatency.Count})
	closeLogger(t, l)
}

// A lone sync call's record below its sink's level is not written there.
func TestSyncLoneCallBelowSinkLevel(t *testing.T) {
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{MinLevel(slog.LevelWarn, sink)}})
	require.NoError(t, err)
	l.Info("below the sink's level")
	l.Warn("at it")
	lines := sink.lines(t)
	require.Len(t, lines, 1)
	require.Equal(t, "at it", lines[0]["msg"])
	require.Equal(t, uint64(1), l.Stats().Sinks[0].Routed)
	closeLogger(t, l)
}

// A lone sync write to a sink that fails or panics is counted Failed,
// for the pipeline and the sink, and goes to the fallback.
func TestSyncLoneCallFailingSink(t *testing.T) {
	for _, panics := range []bool{false, true} {
		t.Run(fmt.Sprintf("panics=%v", panics), func(t *testing.T) {
			sink := &faultSink{failEvery: 1, panics: panics}
			fallback := &memSink{}
			l, err := NewSync(Config{Sinks: []Sink{sink}, Fallback: fallback, Diagnostics: &syncBuffer{}})
			require.NoError(t, err)
			l.Info("fails")
			require.NotNil(t, l.w.alone, "the call took the lone path")
			st := l.Stats()
			require.Equal(t, []uint64{1, 0, 1, 1}, []uint64{st.Submitted, st.Written, st.Failed, st.Fallback})
			require.Equal(t, uint64(1), st.Sinks[0].Failed)
			require.NotEmpty(t, st.Sinks[0].LastError)
			require.Len(t, fallback.lines(t), 1)
			requireLossOnly(t, l.Close(context.Background()), l.Stats())
		})
	}
}

// A Close that gives up while a lone sync write hangs counts that record
// as Dropped, for the pipeline and the sink, and the late write changes
// nothing once the sink returns: for a record written without a queue
// position (writeDirect), and for one its caller queued because the lock
// was taken, then wrote from its slot (writeAlone).
func TestCloseAbandonsLoneSyncWrite(t *testing.T) {
	for _, queued := range []bool{false, true} {
		t.Run(fmt.Sprintf("queued=%v", queued), func(t *testing.T) { testCloseAbandonsLoneSyncWrite(t, queued) })
	}
}

func testCloseAbandonsLoneSyncWrite(t *testing.T, queued bool) {
	// The call writes alone only if the worker goroutine is parked, not
	// draining the queue itself: wait for that, and try again in the rare
	// case that it woke anyway (a loaded machine, a goroutine preempted
	// between saying it parks and parking).
	var (
		sink     *faultSink
		l        *SyncLogger
		returned chan struct{}
	)
	for try := 0; ; try++ {
		sink = hungSink()
		var err error
		l, err = NewSync(Config{Sinks: []Sink{sink}, Diagnostics: &syncBuffer{}})
		require.NoError(t, err)
		require.Eventually(t, l.w.q.sleeping.Load, 5*time.Second, time.Millisecond, "the worker parks")
		held := queued && l.w.tryLock() // the call finds the lock taken, and queues its record
		returned = make(chan struct{})
		go func() {
			defer close(returned)
			l.Info("hangs")
		}()
		if held {
			require.Eventually(t, func() bool { return l.w.lockWaiters.Load() == 1 }, 5*time.Second, time.Millisecond,
				"the caller waits for the lock")
			l.w.unlock()
		}
		<-sink.entered
		direct := uint64(1) // records written without a queue position
		if queued {
			direct = 0
		}
		if l.w.alone != nil && l.w.unqueued.Load() == direct {
			break
		}
		require.Less(t, try, 10, "the call never took the lone path")
		close(sink.gate)
		<-returned
		closeLogger(t, l)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	within(t, "Close with a hung lone write", func() {
		require.ErrorIs(t, l.Close(ctx), context.DeadlineExceeded)
	})
	st := l.Stats()
	requireBalanced(t, st)
	require.Equal(t, []uint64{1, 0, 1}, []uint64{st.Submitted, st.Written, st.Dropped})
	require.Equal(t, uint64(1), st.Sinks[0].Dropped)

	close(sink.gate)
	<-returned
	requireLossOnly(t, l.Close(context.Background()), l.Stats())
	late := l.Stats()
	require.Equal(t, []uint64{1, 0, 1}, []uint64{late.Submitted, late.Written, late.Dropped},
		"the late write is not counted again")
	require.Equal(t, []uint64{0, 1}, []uint64{late.Sinks[0].Written, late.Sinks[0].Dropped})
}

// A sync call does not write alone while some goroutine waits on the
// pipeline's progress: that waiter may be a sync caller about to join a
// shared write (group commit).
func TestSyncCallNotAloneWhileOthersWait(t *testing.T) {
	var out syncBuffer
	set, err := Config{Sinks: []Sink{NewWriterSink(&out)}}.settings()
	require.NoError(t, err)
	w := newIdleWorker(set)
	var release atomic.Bool
	waited := make(chan struct{})
	go func() {
		defer close(waited)
		w.progress.wait(release.Load, nil)
	}()
	require.Eventually(t, w.progress.waiting, 5*time.Second, time.Millisecond, "the other goroutine waits")
	w.log(context.Background(), rootScope, true, 0, slog.LevelInfo, "shared path", nil)
	require.Nil(t, w.alone, "the call did not write alone")
	require.Contains(t, out.String(), `"msg":"shared path"`)
	require.Equal(t, uint64(1), w.written.Load())
	release.Store(true)
	w.progress.notify()
	<-waited

	w.log(context.Background(), rootScope, true, 0, slog.LevelInfo, "alone", nil)
	require.NotNil(t, w.alone, "with no one waiting, it writes alone")
	require.Equal(t, uint64(2), w.written.Load())
}
