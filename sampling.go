package fapilog

import (
	"hash/maphash"
	"log/slog"
	"sync/atomic"
	"time"
)

// Sampling thins out records that repeat: per Tick, per level and
// message, the First records pass, then every Thereafter-th; the others
// are dropped on the caller, before anything is captured, and counted in
// Stats.Sampled. Records at or above Config.ProtectedLevel are never
// sampled out.
//
// Facade calls read a coarse clock that a goroutine of the logger
// advances every Tick/64 (at least every 100 ms, at most every 1 ms), so
// a sampled-out call reads no clock: ticks start up to that late. Records
// that come through a slog.Handler carry their own time and use it.
//
// Counters live in a fixed table of 4096 entries (64 KiB) keyed by a hash
// of level and message: memory does not grow with the number of distinct
// messages, and two messages that share an entry share one count, so each
// is sampled out a little sooner than alone.
type Sampling struct {
	// Tick is the period after which every count starts over; 0 means
	// one second.
	Tick time.Duration
	// First is how many records of a level and message pass per tick
	// before sampling starts.
	First int
	// Thereafter: after the first First, every Thereafter-th record
	// passes; 0 means none do.
	Thereafter int
}

// DefaultSamplingTick is the Tick of a Sampling whose Tick is 0.
const DefaultSamplingTick = time.Second

// samplerBits sizes the counter table: 1<<samplerBits entries.
const samplerBits = 12

// sampler decides, lock-free, which records Sampling keeps.
type sampler struct {
	tick              int64
	first, thereafter uint64
	seed              maphash.Seed
	every             time.Duration // how often run advances now
	clock             func() int64  // Unix nanoseconds; samplerClock
	now               atomic.Int64  // the coarse clock: clock() at the last advance
	counters          [1 << samplerBits]sampleCounter
}

// samplerClock is the clock of new samplers: a hook for tests.
var samplerClock = func() int64 { return time.Now().UnixNano() }

// run advances the coarse clock until stop is closed.
func (s *sampler) run(stop <-chan struct{}) {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.advance()
		case <-stop:
			return
		}
	}
}

// advance sets the coarse clock to the clock's time.
func (s *sampler) advance() { s.now.Store(s.clock()) }

// sampleCounter packs the tick a count belongs to (high 32 bits) and the
// count (low 32 bits) into one word, so that a reset and an increment
// cannot interleave: counts are exact, whatever the contention.
type sampleCounter struct{ w atomic.Uint64 }

func newSampler(s *Sampling) (*sampler, error) {
	switch {
	case s.Tick < 0:
		return nil, configError("Sampling", "Tick %v is negative", s.Tick)
	case s.First < 0 || s.Thereafter < 0:
		return nil, configError("Sampling", "First %d and Thereafter %d must not be negative", s.First, s.Thereafter)
	case s.First == 0 && s.Thereafter == 0:
		return nil, configError("Sampling", "First and Thereafter are both 0: every record would be sampled out")
	}
	tick := s.Tick
	if tick == 0 {
		tick = DefaultSamplingTick
	}
	smp := &sampler{
		tick:       int64(tick),
		first:      uint64(s.First),
		thereafter: uint64(s.Thereafter),
		seed:       maphash.MakeSeed(),
		every:      min(max(tick/64, time.Millisecond), 100*time.Millisecond),
		clock:      samplerClock,
	}
	smp.advance()
	return smp, nil
}

// keep reports whether the record of level and msg logged at t (Unix
// nanoseconds) passes.
func (s *sampler) keep(level slog.Level, msg string, t int64) bool {
	n := s.counters[s.index(level, msg)].inc(uint32(t / s.tick))
	if n <= s.first {
		return true
	}
	return s.thereafter > 0 && (n-s.first)%s.thereafter == 0
}

// index returns the counter of level and msg.
func (s *sampler) index(level slog.Level, msg string) uint64 {
	h := maphash.String(s.seed, msg) ^ uint64(int64(level))*0x9e3779b97f4a7c15
	return h >> (64 - samplerBits)
}

// inc counts one record in tick and returns its number in the tick,
// from 1. A record whose clock is behind the counter's tick (goroutines
// read the clock at slightly different times) counts in the newer tick
// rather than resetting it.
func (c *sampleCounter) inc(tick uint32) uint64 {
	v := c.w.Add(1)
	for {
		if cur := uint32(v >> 32); cur == tick || int32(tick-cur) < 0 {
			return uint64(uint32(v))
		}
		// A stale tick's count: start this tick. The Adds to the stale
		// word are lost with it, as they should be.
		if c.w.CompareAndSwap(v, uint64(tick)<<32|1) {
			return 1
		}
		v = c.w.Add(1)
	}
}
