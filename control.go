package fapilog

import (
	"errors"
	"log/slog"
	"sync/atomic"
	"time"
)

// control is the run-time control of a pipeline: levels, sampling and
// dedupe, and what they count.
type control struct {
	levels  levels
	sampler *sampler // nil: off
	dedupe  *dedupe  // nil: off; owned by the worker's lock holder

	_       [64]byte      // keep the callers' counter off levels' line
	sampled atomic.Uint64 // sampled out on the caller
	deduped atomic.Uint64 // suppressed on the worker as repeats
}

func (c *control) init(set settings) {
	c.levels.init(set.level, set.levels)
	c.sampler = set.sampler
	if set.dedupeWindow > 0 {
		c.dedupe = newDedupe(set.dedupeWindow)
	}
}

// enabledIn reports whether a logger with scope sc logs at level.
// An unnamed logger with a fixed level costs one atomic load and a
// compare; the rest is out of line.
func (w *worker) enabledIn(sc *scope, level slog.Level) bool {
	if r := w.ctl.levels.root.Load(); r != followBase && sc.lvl == nil {
		return int64(level) >= r
	}
	return w.ctl.levels.enabledSlow(sc.lvl, level)
}

// start starts what runs beside the worker: the sampler's clock. It stops
// when stop is closed.
func (c *control) start(stop <-chan struct{}) {
	if c.sampler != nil {
		go c.sampler.run(stop)
	}
}

// sampledOut reports whether Config.Sampling drops the record of level
// and msg at t (Unix nanoseconds; 0: the sampler's coarse clock), counting
// it if so.
func (w *worker) sampledOut(level slog.Level, msg string, t int64) bool {
	s := w.ctl.sampler
	if s == nil || level >= w.set.protected.Level() {
		return false
	}
	if t == 0 {
		t = s.now.Load()
	}
	if s.keep(level, msg, t) {
		return false
	}
	w.ctl.sampled.Add(1)
	return true
}

// deduped reports whether dedupe suppresses the record r, just encoded as
// line. It runs under the worker's lock.
func (w *worker) deduped(r *record, line []byte) bool {
	d := w.ctl.dedupe
	if d == nil {
		return false
	}
	t := r.time
	if t.IsZero() {
		t = now()
	}
	return d.suppress(line, r.level, r.msg, t)
}

// errDiscardLevels is SetLevels' error on Discard(), whose pipeline every
// caller shares.
var errDiscardLevels = errors.New("fapilog: SetLevels: Discard() logs nothing at any level")

// Levels returns the levels in force as a spec (see Config.Levels): the
// default level first, then name=level sorted by name. Without a default
// in the spec, the default shown is Config.Level's current level.
func (c *core) Levels() string { return c.w.ctl.levels.String() }

// SetLevels replaces the levels of every logger of the pipeline, named or
// not, with spec (see Config.Levels). On a bad spec it returns an error
// naming the bad entry and changes nothing. A spec without a default level
// leaves unnamed loggers, and names it does not match, at Config.Level.
func (c *core) SetLevels(spec string) error {
	if c.w == discardWorker {
		return errDiscardLevels
	}
	return c.w.ctl.levels.Set(spec)
}

func (c core) named(name string) core {
	c.scope = c.scope.named(name)
	return c
}

// dedupeSummaries returns the "fapilog: repeated" records due now: those
// of the dedupe windows that have closed, or of all of them if all is set
// (at Close, before the sinks close). It runs under the worker's lock;
// nil when dedupe is off or nothing is due. The caller writes each as a
// record of its own (see summary), not through dedupe.
func (w *worker) dedupeSummaries(all bool) []summary {
	if w.ctl.dedupe == nil {
		return nil
	}
	return w.ctl.dedupe.summaries(now(), all)
}

// nextDedupe returns when the oldest open dedupe window closes, for a
// timer that writes its summary even if no record arrives; ok is false if
// none is open.
func (w *worker) nextDedupe() (t time.Time, ok bool) {
	if w.ctl.dedupe == nil {
		return time.Time{}, false
	}
	return w.ctl.dedupe.next()
}
