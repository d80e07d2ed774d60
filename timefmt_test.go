package fapilog

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAppendRecordTimeMatchesAppendTime(t *testing.T) {
	east := time.FixedZone("E", 5*3600+30*60)
	base := time.Date(2026, 11, 26, 23, 59, 59, 0, time.UTC)
	var times []time.Time
	for _, ns := range []int{0, 1, 10, 120_000_000, 999_999_999, 500_000_000, 123_456_789} {
		for _, loc := range []*time.Location{time.UTC, east, time.Local} {
			times = append(times, base.Add(time.Duration(ns)).In(loc), base.Add(time.Second+time.Duration(ns)).In(loc))
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 10_000 {
		times = append(times, base.Add(time.Duration(rng.Int64N(int64(time.Hour)))))
	}
	for _, tm := range times[len(times)-10_000:] {
		want := tm.Format("2006-01-02T15:04:05.000Z07:00")
		require.Equal(t, want, string(appendTimeAs(nil, tm, TimeRFC3339Millis, false)))
	}
	times = append(times, time.Date(10000, 1, 1, 0, 0, 0, 5, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Now())
	for _, tm := range times {
		for range 2 { // a miss, then a hit
			require.Equal(t, string(appendTime(nil, tm)), string(appendRecordTime(nil, tm)), "%v", tm)
		}
	}
}
