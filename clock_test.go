package fapilog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestClockFollowsWallClock(t *testing.T) {
	for range 1000 {
		before := time.Now().Round(0)
		got := now()
		after := time.Now().Round(0)
		// The base may be up to clockResync old; slewing aside, base plus
		// monotonic elapsed time lies between the two readings.
		require.False(t, got.Before(before.Add(-time.Millisecond)), "now %v before %v", got, before)
		require.False(t, got.After(after.Add(time.Millisecond)), "now %v after %v", got, after)
		require.Equal(t, time.Local, got.Location())
	}
}

func TestClockResyncsAfterStep(t *testing.T) {
	// A base that is an hour off (as if the wall clock had stepped) is
	// used until it is clockResync old, then replaced.
	stale := time.Now().Add(-clockResync - time.Millisecond)
	lastClock.Store(&clockBase{wall: stale.UnixNano() - int64(time.Hour), mono: stale})
	got := now()
	require.WithinDuration(t, time.Now(), got, 10*time.Millisecond)

	fresh := time.Now()
	lastClock.Store(&clockBase{wall: fresh.UnixNano() - int64(time.Hour), mono: fresh})
	require.WithinDuration(t, time.Now().Add(-time.Hour), now(), 10*time.Millisecond, "a fresh base is trusted")
	lastClock.Store(nil)
	require.WithinDuration(t, time.Now(), now(), 10*time.Millisecond)
}

func TestClockDoesNotAllocate(t *testing.T) {
	now()
	require.Zero(t, testing.AllocsPerRun(1000, func() { _ = now() }))
}
