package fapilog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestLatencyBuckets(t *testing.T) {
	var l latency
	for _, d := range []time.Duration{0, 100 * time.Microsecond, 101 * time.Microsecond, 5 * time.Millisecond, time.Minute} {
		l.observe(d)
	}
	got := l.load()
	require.Equal(t, uint64(5), got.Count)
	require.Equal(t, time.Minute, got.Max)
	require.Equal(t, 100*time.Microsecond+101*time.Microsecond+5*time.Millisecond+time.Minute, got.Sum)
	require.Equal(t, [len(LatencyBounds) + 1]uint64{2, 1, 1, 0, 0, 0, 1}, got.Buckets)
}

func TestSinkWriteLatencyInStats(t *testing.T) {
	sink := &faultSink{delay: 2 * time.Millisecond}
	l, err := NewSync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	for range 3 {
		l.Info("m")
	}
	st := closeLogger(t, l)
	lat := st.Sinks[0].WriteLatency
	require.Equal(t, uint64(3), lat.Count)
	require.GreaterOrEqual(t, lat.Sum, 6*time.Millisecond)
	require.GreaterOrEqual(t, lat.Max, 2*time.Millisecond)
	require.Equal(t, uint64(3), lat.Buckets[2]+lat.Buckets[3]+lat.Buckets[4], "between 1 ms and 1 s")
}
