package fapilog

import (
	"sync/atomic"
	"time"
)

// Reading the wall clock costs about twice what reading the monotonic
// clock does (time.Now reads both), and every log call needs the time.
// So a record's time is a wall-clock base plus the monotonic time elapsed
// since it was read. The base is read anew every clockResync, which bounds
// how long a step of the wall clock (an NTP correction, a manual change)
// goes unseen; between reads, records follow the monotonic clock, which
// a slewing NTP daemon keeps within its rate (500 ppm at most: 50 µs
// over the period).
const clockResync = 100 * time.Millisecond

// clockBase pairs a wall-clock reading in Unix nanoseconds with the same
// instant as a time.Time holding the monotonic reading.
type clockBase struct {
	wall int64
	mono time.Time
}

var lastClock atomic.Pointer[clockBase]

// now returns the current time, in time.Local, as time.Now would within
// the bounds above. It does not allocate but once per clockResync.
func now() time.Time {
	if c := lastClock.Load(); c != nil {
		if d := time.Since(c.mono); 0 <= d && d < clockResync {
			return time.Unix(0, c.wall+int64(d))
		}
	}
	return resyncClock()
}

// resyncClock reads the wall clock and makes it the new base. Callers
// racing here each store a base; any of them is right.
func resyncClock() time.Time {
	t := time.Now()
	lastClock.Store(&clockBase{wall: t.UnixNano(), mono: t})
	return t.Round(0)
}

// monoBase is a time with a monotonic reading, for monotonic.
var monoBase = time.Now()

// monotonic returns the time since the program started by the monotonic
// clock alone: half the cost of time.Now, for measuring durations.
func monotonic() time.Duration { return time.Since(monoBase) }
