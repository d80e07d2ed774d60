package fapilog

import (
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAttrSlabTake(t *testing.T) {
	var s attrSlab
	require.Nil(t, s.take(3), "no chunk yet")
	s.refill(0, 16)
	a, b := s.take(3), s.take(5)
	require.Equal(t, []int{0, 3, 0, 5}, []int{len(a), cap(a), len(b), cap(b)})
	a = append(a, slog.Int("a", 1), slog.Int("a", 2), slog.Int("a", 3))
	b = append(b, slog.Int("b", 1))
	a = append(a, slog.Int("a", 4)) // past its cap: a new array, b untouched
	require.Equal(t, "b", b[0].Key)
	require.Equal(t, int64(1), b[0].Value.Int64())
	require.Len(t, a, 4)
	require.Nil(t, s.take(maxPooledAttrs+1), "a huge call allocates its own")
	for s.take(maxPooledAttrs) != nil {
	}
	require.Nil(t, s.take(1), "the chunk is used up")
}

func TestAttrSlabRefill(t *testing.T) {
	var s attrSlab
	s.refill(0, 1024)
	first := s.cur.Load()
	for range slabChunkAttrs/2/32 - 1 {
		require.NotNil(t, s.take(32))
	}
	s.take(31)
	s.refill(10, 1024)
	require.True(t, first == s.cur.Load(), "under half used: kept")
	s.take(1)
	s.refill(20, 1024)
	require.True(t, first != s.cur.Load(), "half used: replaced")
	s.refill(1024, 1024)
	require.Nil(t, s.cur.Load(), "the first lap is over: retired")
	s.refill(0, 1024)
	require.Nil(t, s.cur.Load(), "retired for good")
	require.Nil(t, s.take(1))
}

// Concurrent takers get disjoint ranges: each fills its range with its
// own mark, and every mark is intact afterwards.
func TestAttrSlabConcurrentTakes(t *testing.T) {
	var s attrSlab
	s.refill(0, 1<<20)
	var mu sync.Mutex
	var got [][]slog.Attr
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				n := 1 + (g+i)%7
				buf := s.take(n)
				if buf == nil {
					return
				}
				for range n {
					buf = append(buf, slog.Int("g", g))
				}
				mu.Lock()
				got = append(got, buf)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	total := 0
	for _, buf := range got {
		for _, a := range buf {
			require.Equal(t, buf[0].Value.Int64(), a.Value.Int64(), "a range shared by two takers")
		}
		total += len(buf)
	}
	require.LessOrEqual(t, total, slabChunkAttrs)
	require.Greater(t, len(got), 100)
}

// A new logger's callers take their slots' first buffers from the slab:
// a call into a slot never used does not allocate.
func TestFirstLapCallsDoNotAllocate(t *testing.T) {
	l, err := NewAsync(Config{Sinks: []Sink{NewWriterSink(discard{})}, QueueSize: 4096})
	require.NoError(t, err)
	logTen(l)
	require.NoError(t, l.Flush(t.Context())) // the worker has run: the slab has a chunk
	require.Zero(t, testing.AllocsPerRun(100, func() { logTen(l) }))
	require.Less(t, l.Stats().Submitted, uint64(l.Stats().QueueCap), "every call took a fresh slot")
	closeLogger(t, l)
}
