package fapilog

import (
	"math/rand/v2"
	"testing"
	"time"
	_ "time/tzdata" // LoadLocation on machines without a zoneinfo database

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

// TestAppendTimeMatchesAppendFormat: appendTime writes what
// AppendFormat(time.RFC3339Nano) does, quoted, for times of every year
// from before 0 to past 9999, every fraction, and zones east and west,
// with odd offsets (seconds, under a minute, 100 hours), daylight saving
// and Local.
func TestAppendTimeMatchesAppendFormat(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	kathmandu, err := time.LoadLocation("Asia/Kathmandu")
	require.NoError(t, err)
	zones := []*time.Location{time.UTC, time.Local, ny, kathmandu, time.FixedZone("", -(4*3600 + 56*60 + 2)),
		time.FixedZone("", -30), time.FixedZone("", 30), time.FixedZone("", 14*3600), time.FixedZone("", -12*3600),
		time.FixedZone("", 100*3600), time.FixedZone("", -99*3600-59*60)}
	rng := rand.New(rand.NewPCG(3, 4))
	check := func(tm time.Time) {
		want := `"` + tm.Format(time.RFC3339Nano) + `"`
		if got := string(appendTime(nil, tm)); got != want {
			t.Fatalf("%v: appendTime %s, AppendFormat %s", tm, got, want)
		}
		require.Equal(t, tm.Year() >= 0 && tm.Year() <= 9999, inRFC3339(tm), tm)
		// appendTimestamp takes the times whose text is a timestamp, and
		// only those (the walk of captured JSON passes over timestamps).
		out, ok := appendTimestamp(nil, tm)
		require.Equal(t, isTimestamp(want[1:len(want)-1]), ok, want)
		if ok {
			require.Equal(t, want, string(out))
		}
	}
	const span = 10200 * 365 * 86400 // seconds from year -100 to 10100
	for range 200_000 {
		sec := rng.Int64N(span) - 62167219200 - 100*365*86400
		ns := []int64{0, rng.Int64N(1e9), rng.Int64N(1000) * 1e6}[rng.IntN(3)]
		check(time.Unix(sec, ns).In(zones[rng.IntN(len(zones))]))
	}
	for _, z := range zones {
		for _, s := range []string{"0000-01-01T00:00:00Z", "0000-02-29T23:59:59Z", "0000-03-01T00:00:00Z",
			"9999-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2000-02-29T12:00:00Z",
			"2100-03-01T00:00:00Z", "-0001-12-31T23:59:59Z", "2026-03-08T07:00:00Z"} {
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				tm = time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC)
			}
			for _, d := range []time.Duration{-time.Hour * 24, -time.Second, 0, time.Second, 24 * time.Hour} {
				check(tm.Add(d).In(z))
			}
		}
	}
}
