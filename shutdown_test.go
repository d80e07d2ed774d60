package fapilog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// Shutdown paths: Close called concurrently, log calls and Flush racing
// with Close, callers blocked for room when Close comes, and a real
// program that logs, closes and exits.

// TestConcurrentCloseWaitsForDrain checks that every one of several
// concurrent Close calls returns only once everything queued is written
// and the sink closed once, and that a later Close returns at once.
func TestConcurrentCloseWaitsForDrain(t *testing.T) {
	sink := &faultSink{delay: time.Millisecond}
	l, err := NewAsync(Config{Sinks: []Sink{sink}, BatchSize: 8})
	require.NoError(t, err)
	for i := range 200 {
		l.Info("m", slog.Int("i", i))
	}
	start := make(chan struct{})
	type result struct {
		err     error
		written uint64
		closes  int
	}
	results := make(chan result, 8)
	for range 8 {
		go func() {
			<-start
			err := l.Close(context.Background())
			sink.mu.Lock()
			closes := sink.closes
			sink.mu.Unlock()
			results <- result{err, l.Stats().Written, closes}
		}()
	}
	close(start)
	for range 8 {
		r := <-results
		require.NoError(t, r.err)
		require.Equal(t, uint64(200), r.written, "Close returned before the drain")
		require.Equal(t, 1, r.closes, "Close returned before the sink was closed")
	}
	within(t, "Close after Close", func() { require.NoError(t, l.Close(context.Background())) })
	closeLogger(t, l)
	sink.requireClosedOnce(t)
}

// TestLogRacingClose logs from several goroutines through each face while
// Close runs, under DropNewest and under Block (whose callers may be
// waiting for room when Close comes). No caller hangs, every call is
// Submitted, and each record is written at most once and counted once.
func TestLogRacingClose(t *testing.T) {
	const goroutines, n = 8, 1000
	for _, f := range faces {
		for _, pol := range policies[:2] { // DropNewest, Block
			t.Run(f.name+"/"+pol.name, func(t *testing.T) {
				seen := newTally(goroutines, n)
				sink := &faultSink{delay: 50 * time.Microsecond, observe: seen.observe}
				cfg := pol.cfg
				cfg.Sinks = []Sink{sink}
				cfg.QueueSize = 64
				log, p := openFace(t, f, cfg)

				// Goroutine 0 stops halfway until Close has returned, so that
				// some calls surely come after it; the others race with it.
				halfway, closed := make(chan struct{}), make(chan struct{})
				var wg sync.WaitGroup
				for g := range goroutines {
					wg.Go(func() {
						for i := range n {
							if g == 0 && i == n/2 {
								close(halfway)
								<-closed
							}
							log(context.Background(), slog.LevelInfo, "race", slog.Int("g", g), slog.Int("i", i))
						}
					})
				}
				<-halfway
				closeLogger(t, p)
				close(closed)
				within(t, "log calls after Close", wg.Wait)
				st := p.Stats()
				requireBalanced(t, st)
				require.Equal(t, uint64(goroutines*n), st.Submitted)
				require.GreaterOrEqual(t, st.Dropped, uint64(n/2), "calls after Close are dropped")
				seen.requireConsistent(t, st)
				sink.requireClosedOnce(t)
			})
		}
	}
}

// TestFlushRacingClose calls Flush in a loop from several goroutines
// while records are logged and Close runs. Every Flush returns without
// error, before and after Close, and no sink is used after its Close.
func TestFlushRacingClose(t *testing.T) {
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			sink := &faultSink{delay: 20 * time.Microsecond}
			log, p := openFace(t, f, Config{Sinks: []Sink{sink}, BatchSize: 16})
			stop := make(chan struct{})
			errs := make(chan error, 1024)
			var flushers, loggers sync.WaitGroup
			for range 3 {
				flushers.Go(func() {
					for {
						errs <- p.Flush(context.Background())
						select {
						case <-stop:
							return
						default:
						}
					}
				})
			}
			for range 4 {
				loggers.Go(func() {
					for i := range 300 {
						log(context.Background(), slog.LevelInfo, "m", slog.Int("i", i))
					}
				})
			}
			drained := make(chan struct{})
			go func() {
				for err := range errs {
					if err != nil {
						t.Errorf("Flush: %v", err)
					}
				}
				close(drained)
			}()
			time.Sleep(time.Millisecond)
			requireLossOnly(t, p.Close(context.Background()), p.Stats())
			within(t, "loggers", loggers.Wait)
			close(stop)
			within(t, "Flush racing Close", flushers.Wait)
			close(errs)
			<-drained
			require.NoError(t, p.Flush(context.Background()), "Flush after Close")

			st := p.Stats()
			requireBalanced(t, st)
			require.Len(t, sink.lines(t), int(st.Written))
			sink.requireClosedOnce(t)
		})
	}
}

// TestCloseReleasesBlockedCallers checks that callers waiting for room
// under Block with no timeout are released by Close, even when the sink
// hangs and Close gives up at its deadline: their records are counted as
// dropped, and nothing is left running once the sink returns.
func TestCloseReleasesBlockedCallers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	sink := hungSink()
	l, err := NewAsync(Config{Sinks: []Sink{WithOptions(sink, SinkOptions{Buffer: 1})}, QueueSize: 2,
		Backpressure: Block, BlockTimeout: -1, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	l.Info("first")
	<-sink.entered
	l.Info("a") // fills the sink's buffer
	require.Eventually(t, func() bool { return l.w.lanes[0].stats().BufferLen == 1 }, hangTimeout, time.Millisecond)
	l.Info("b") // the worker waits for the sink's room with it
	require.Eventually(t, func() bool { return l.w.lanes[0].room.waiters.Load() == 1 }, hangTimeout, time.Millisecond)
	l.Info("c")
	l.Info("d") // the queue is full now
	var blocked sync.WaitGroup
	for range 4 {
		blocked.Go(func() { l.Info("waits for room") })
	}
	require.Eventually(t, func() bool { return l.w.q.room.waiters.Load() == 4 }, hangTimeout, time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err = l.Close(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	within(t, "callers blocked for room", blocked.Wait)
	st := l.Stats()
	requireBalanced(t, st)
	require.Equal(t, uint64(9), st.Submitted)
	require.Equal(t, uint64(9), st.Dropped, "4 refused, 5 given up by Close")
	var loss *LossError
	require.ErrorAs(t, err, &loss, "Close's error counts the records it gave up")
	require.Equal(t, LossError{Dropped: 9}, *loss)

	close(sink.gate)
	err = l.Close(context.Background())
	requireLossOnly(t, err, l.Stats())
	requireBalanced(t, l.Stats())
}

// TestExitAfterCloseKeepsEveryRecord builds testdata/exitprog, a program
// that logs from several goroutines to stdout, calls Close and exits at
// once, and checks that every record is in its output exactly once.
func TestExitAfterCloseKeepsEveryRecord(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the test program")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "exitprog")
	out, err := exec.CommandContext(ctx, gobin, "build", "-o", bin, "./testdata/exitprog").CombinedOutput()
	require.NoError(t, err, "%s", out)

	const goroutines, n = 4, 5000
	for _, face := range []string{"async", "sync"} {
		t.Run(face, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.CommandContext(ctx, bin, "-face", face, "-g", "4", "-n", "5000")
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Run(), "stderr: %s", stderr.String())

			var st Stats
			require.NoError(t, json.Unmarshal(stderr.Bytes(), &st), "stderr: %s", stderr.String())
			requireBalanced(t, st)
			require.Equal(t, uint64(goroutines*n), st.Written, "%+v", st)

			seen := make([][]int, goroutines)
			for g := range seen {
				seen[g] = make([]int, n)
			}
			lines := 0
			sc := bufio.NewScanner(&stdout)
			for sc.Scan() {
				var rec struct{ G, I int }
				require.NoError(t, json.Unmarshal(sc.Bytes(), &rec), "line %q", sc.Text())
				seen[rec.G][rec.I]++
				lines++
			}
			require.NoError(t, sc.Err())
			require.Equal(t, goroutines*n, lines)
			for g := range seen {
				for i, c := range seen[g] {
					if c != 1 {
						require.Equal(t, 1, c, "g=%d i=%d", g, i)
					}
				}
			}
		})
	}
}
