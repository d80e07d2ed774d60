package fapilog

import (
	"errors"
	"log/slog"
	"math"
)

// errShed is returned by a claim that shed its record: the queue was fuller
// than Config.ShedAt and the record below Config.ShedBelow.
var errShed = errors.New("fapilog: record shed")

// noLimit is the fill limit of a record that is never shed.
const noLimit = math.MaxUint64

// A shedPolicy decides which records are dropped early when a queue fills
// up, so that the room left goes to records at higher levels. The same
// decision serves wherever records wait: the ring, a sink's buffer.
type shedPolicy struct {
	below     threshold // records below it may be shed
	protected threshold // records at or above it never are
	at        float64   // fill fraction; 0: off
}

// shedPolicy validates ShedBelow and ShedAt and fills in their defaults.
func (c Config) shedPolicy(protected slog.Leveler) (shedPolicy, error) {
	at := c.ShedAt
	switch {
	case at == 0:
		at = DefaultShedAt
	case at < 0:
		return shedPolicy{}, nil
	case !(at <= 1): // NaN too
		return shedPolicy{}, configError("ShedAt", "%v is outside (0, 1]", c.ShedAt)
	}
	if c.ShedBelow == nil && c.Backpressure == Block {
		return shedPolicy{}, nil
	}
	return shedPolicy{
		below:     newThreshold(c.ShedBelow, slog.LevelWarn),
		protected: newThreshold(protected, slog.LevelError),
		at:        at,
	}, nil
}

// cut returns the level below which records may be shed; math.MinInt
// when shedding is off.
func (p *shedPolicy) cut() slog.Level {
	if p.at == 0 {
		return math.MinInt
	}
	return min(p.below.level(), p.protected.level())
}

// room returns how many records a queue of capacity may hold before the
// records below cut are shed.
func (p *shedPolicy) room(capacity int) uint64 { return uint64(p.at * float64(capacity)) }

// limit returns how many records a queue of capacity may hold for a record
// at level to join it: it is shed if the queue holds more. It is noLimit
// when shedding is off or level is not sheddable. Levels at or above
// ShedBelow cost one comparison (and an interface call if ShedBelow is
// not a fixed slog.Level).
func (p *shedPolicy) limit(level slog.Level, capacity int) uint64 {
	if p.at == 0 || level >= p.below.level() || level >= p.protected.level() {
		return noLimit
	}
	return p.room(capacity)
}

// shed reports whether a record at level is dropped from a queue of
// capacity that holds n records.
func (p *shedPolicy) shed(level slog.Level, n, capacity int) bool {
	return uint64(n) > p.limit(level, capacity)
}
