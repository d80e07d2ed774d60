package ship

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff computes retry delays: exponential from Initial, capped at Max,
// with full jitter (a uniform draw in [0, cap)), so that many clients
// retrying one endpoint spread out instead of arriving in waves.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
}

// Delay returns the wait before retry number n (0 for the first retry).
// rand(k) must return a uniform value in [0, k).
func (b Backoff) Delay(n int, rand func(int64) int64) time.Duration {
	d := b.Initial
	for i := 0; i < n && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	if d <= 0 {
		return 0
	}
	return time.Duration(rand(int64(d)))
}

// ParseRetryAfter reads a Retry-After header value, either delay-seconds
// or an HTTP-date, and returns how long to wait from now. ok is false for
// an empty or malformed value. A date in the past means no wait.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		// Cap before multiplying so a huge value cannot overflow.
		return time.Duration(min(secs, int64(24*time.Hour/time.Second))) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
