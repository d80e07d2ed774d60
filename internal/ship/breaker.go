package ship

import "time"

// A Breaker stops calls to an endpoint that keeps failing. It opens after
// Failures consecutive failures; while open, Allow refuses at no cost.
// After Cooldown one probe is let through (half-open): its success closes
// the breaker, its failure opens it for another Cooldown.
//
// A Breaker is not safe for concurrent use; a sink's methods are never
// called concurrently.
type Breaker struct {
	Failures int           // consecutive failures that open it; <= 0 never opens
	Cooldown time.Duration // time open before a probe

	fails    int
	open     bool
	openedAt time.Time
	probing  bool
	opens    uint64
}

// Allow reports whether a call may go ahead at now.
func (b *Breaker) Allow(now time.Time) bool {
	if !b.open {
		return true
	}
	if b.probing || now.Sub(b.openedAt) < b.Cooldown {
		return false
	}
	b.probing = true
	return true
}

// ProbeAt returns when an open breaker lets its next probe through.
func (b *Breaker) ProbeAt() time.Time { return b.openedAt.Add(b.Cooldown) }

// Success records a call that reached a working endpoint.
func (b *Breaker) Success() {
	b.fails, b.open, b.probing = 0, false, false
}

// Failure records a failed call at now.
func (b *Breaker) Failure(now time.Time) {
	b.fails++
	if b.probing || (b.Failures > 0 && b.fails >= b.Failures) {
		if !b.open {
			b.opens++
		}
		b.open, b.probing, b.openedAt = true, false, now
	}
}

// Open reports whether the breaker is open (a probe may be in flight).
func (b *Breaker) Open() bool { return b.open }

// Opens returns how many times the breaker went from closed to open.
func (b *Breaker) Opens() uint64 { return b.opens }
