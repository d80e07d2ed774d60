package fapilog

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestShedKeepsWarnings fills the ring behind a hung sink and checks that,
// once it is fuller than ShedAt, Debug and Info records are shed at once
// while every Warn and Error still finds room, with exact counts.
func TestShedKeepsWarnings(t *testing.T) {
	sink := hungSink()
	l, err := NewAsync(Config{Sinks: []Sink{sink}, Level: slog.LevelDebug, QueueSize: 16, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	l.Info("first")
	<-sink.entered                   // the sink holds "first"; the ring is empty
	require.True(t, l.w.lockOr(nil)) // and the worker drains nothing meanwhile

	// 0.8 × 16 = 12.8: Debug and Info join while the ring holds at most 12.
	for i := range 20 {
		l.Log(context.Background(), slog.LevelDebug+slog.Level(i%2)*4, "low", slog.Int("i", i))
	}
	require.Equal(t, 13, l.Stats().QueueLen)
	for i, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn, slog.LevelDebug, slog.LevelError, slog.LevelInfo, slog.LevelWarn} {
		l.Log(context.Background(), level, "mixed", slog.Int("i", 20+i))
	}
	st := l.Stats()
	require.Equal(t, 16, st.QueueLen, "the three warnings took the room left")
	require.Equal(t, uint64(10), st.Shed, "7 low, then 3 low among the warnings")
	require.Equal(t, st.Shed, st.Dropped, "shed records are dropped records")
	l.w.unlock()

	close(sink.gate)
	err = l.Close(context.Background())
	st = l.Stats()
	requireBalanced(t, st)
	var loss *LossError
	require.ErrorAs(t, err, &loss)
	require.Equal(t, LossError{Dropped: 10, Shed: 10}, *loss)
	require.Equal(t, uint64(27), st.Submitted)
	require.Equal(t, uint64(17), st.Written)

	lines := requireValidLines(t, sink.String(), 17)
	var kept []float64
	for _, m := range lines[1:] {
		kept = append(kept, m["i"].(float64))
	}
	require.Equal(t, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 21, 23, 25}, kept)
}

// TestShedPolicy checks the shedding decision and its defaults.
func TestShedPolicy(t *testing.T) {
	policy := func(cfg Config) *shedPolicy {
		set, err := cfg.settings()
		require.NoError(t, err)
		return &set.shed
	}
	p := policy(Config{})
	require.True(t, p.shed(slog.LevelInfo, 13, 16), "13 > 12.8")
	require.False(t, p.shed(slog.LevelInfo, 12, 16))
	require.False(t, p.shed(slog.LevelWarn, 16, 16), "Warn is never shed by default")

	require.False(t, policy(Config{Backpressure: Block}).shed(slog.LevelDebug, 16, 16), "off under Block")
	require.True(t, policy(Config{Backpressure: Block, ShedBelow: slog.LevelInfo}).shed(slog.LevelDebug, 16, 16))
	require.False(t, policy(Config{ShedAt: -1}).shed(slog.LevelDebug, 16, 16), "negative turns it off")
	require.False(t, policy(Config{ShedAt: 1}).shed(slog.LevelDebug, 16, 16), "never fuller than full")
	require.True(t, policy(Config{ShedAt: 0.5}).shed(slog.LevelInfo, 9, 16))
	require.False(t, policy(Config{ShedAt: 0.5}).shed(slog.LevelInfo, 8, 16))

	protected := policy(Config{ShedBelow: LevelFatal})
	require.True(t, protected.shed(slog.LevelWarn, 16, 16))
	require.False(t, protected.shed(slog.LevelError, 16, 16), "protected records are never shed")

	var below slog.LevelVar
	dynamic := policy(Config{ShedBelow: &below})
	require.False(t, dynamic.shed(slog.LevelInfo, 16, 16))
	below.Set(slog.LevelWarn)
	require.True(t, dynamic.shed(slog.LevelInfo, 16, 16), "a LevelVar is read each time")

	for _, bad := range []float64{1.5, 2} {
		_, err := Config{ShedAt: bad}.settings()
		require.ErrorContains(t, err, "Config.ShedAt")
	}
	_, err := Config{ShedAt: math.NaN()}.settings()
	require.ErrorContains(t, err, "Config.ShedAt")
}

// TestSyncLevel checks that records at or above Config.SyncLevel return
// only once written on the async face, and that a *slog.LevelVar moves
// the threshold while the logger runs.
func TestSyncLevel(t *testing.T) {
	var syncAt slog.LevelVar
	syncAt.Set(slog.LevelError)
	sink := hungSink()
	l, err := NewAsync(Config{Sinks: []Sink{sink}, SyncLevel: &syncAt, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	within(t, "async Warn below SyncLevel", func() { l.Warn("queued") })
	<-sink.entered // the worker hangs writing it

	returned := make(chan struct{})
	go func() {
		l.Error("waits")
		close(returned)
	}()
	require.Eventually(t, func() bool {
		st := l.Stats()
		return st.QueueLen+st.Sinks[0].BufferLen == 1 // queued, or waiting for the sink
	}, hangTimeout, time.Millisecond)
	select {
	case <-returned:
		t.Fatal("Error at SyncLevel returned before its write")
	default:
	}
	close(sink.gate)
	within(t, "Error once written", func() { <-returned })
	require.Equal(t, uint64(2), l.Stats().Written, "returned after the write")

	syncAt.Set(LevelFatal + 1)
	sink2 := &memSink{}
	l2, err := NewAsync(Config{Sinks: []Sink{sink2}, SyncLevel: slog.LevelError})
	require.NoError(t, err)
	l2.Error("durable")
	require.Len(t, requireValidLines(t, sink2.String(), 1), 1, "written before Error returned, no Flush")
	closeLogger(t, l)
	closeLogger(t, l2)
}

// TestShedStatsUnderLoad logs from several goroutines into a small queue
// behind a slow sink while another reads Stats: every snapshot has
// Shed <= Dropped, and, with Warn protected (waiting for room rather than
// dropped), every warning is written while Info is shed to make room.
func TestShedStatsUnderLoad(t *testing.T) {
	sink := &faultSink{delay: 50 * time.Microsecond}
	l, err := NewAsync(Config{Sinks: []Sink{sink}, QueueSize: 64, ProtectedLevel: slog.LevelWarn, BlockTimeout: -1,
		Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	stop := make(chan struct{})
	snapshots := make(chan error, 1)
	go func() {
		for {
			if st := l.Stats(); st.Shed > st.Dropped {
				snapshots <- fmt.Errorf("snapshot with Shed > Dropped: %+v", st)
				return
			}
			select {
			case <-stop:
				snapshots <- nil
				return
			default:
			}
		}
	}()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				level := slog.LevelInfo
				if i%10 == 0 {
					level = slog.LevelWarn
				}
				l.Log(context.Background(), level, "load", slog.Int("g", g), slog.Int("i", i))
			}
		})
	}
	wg.Wait()
	close(stop)
	require.NoError(t, <-snapshots)
	st := closeLogger(t, l)
	require.NotZero(t, st.Shed, "the load was heavy enough to shed")
	warns := 0
	for _, m := range sink.lines(t) {
		if m["level"] == "WARN" {
			warns++
		}
	}
	require.Equal(t, 4*200, warns, "no warning shed or dropped")
	require.Equal(t, st.Dropped, st.Shed, "only Info was dropped, all of it shed")
}
