package filesink

import "time"

const day = 24 * time.Hour

// nextRotation returns the first time after t at which a file rotated
// every d (> 0) rotates, on the wall clock of t's location.
func nextRotation(t time.Time, d time.Duration) time.Time {
	y, m, dd := t.Date()
	loc := t.Location()
	if d >= day {
		return time.Date(y, m, dd+int((d+day-1)/day), 0, 0, 0, 0, loc)
	}
	// Multiples of d counted in elapsed time from midnight stay on the
	// wall clock's hours across a DST change, which moves by whole hours.
	midnight := time.Date(y, m, dd, 0, 0, 0, 0, loc)
	next := midnight.Add((t.Sub(midnight)/d + 1) * d)
	if tomorrow := time.Date(y, m, dd+1, 0, 0, 0, 0, loc); next.After(tomorrow) {
		return tomorrow
	}
	return next
}
