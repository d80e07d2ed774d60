package fapilog

import (
	"log/slog"
	"sync/atomic"
	"time"
)

// DefaultDropSummaryEvery is the least time between two drop summaries in
// a sink's stream when Config.DropSummaryEvery is 0.
const DefaultDropSummaryEvery = time.Second

// DropSummaryMsg is the message of the record that says, in every sink's
// stream, how many records were dropped (see Config.DropSummaryEvery).
const DropSummaryMsg = "fapilog: records dropped"

// SampledSummaryMsg is the message of the record that says, in every
// sink's stream and as often as drop summaries, how many records
// Config.Sampling left out.
const SampledSummaryMsg = "fapilog: records sampled out"

// Why records were dropped, as drop summaries name it.
const (
	dropQueue = iota // the queue was full or closed
	dropShed         // shed: a queue or a sink's buffer was fuller than ShedAt
	dropSink         // the sink's buffer was full
	numDropReasons
)

var dropReasonNames = [numDropReasons]string{"queue", "shed", "sink"}

// Level buckets of drop counts: DEBUG, INFO, WARN, ERROR, FATAL (and
// whatever lies between and beyond, in the bucket below it).
const numLevelBuckets = 5

var levelBucketNames = [numLevelBuckets]string{"DEBUG", "INFO", "WARN", "ERROR", "FATAL"}

func levelBucket(l slog.Level) int {
	switch {
	case l < slog.LevelInfo:
		return 0
	case l < slog.LevelWarn:
		return 1
	case l < slog.LevelError:
		return 2
	case l < LevelFatal:
		return 3
	}
	return 4
}

// dropCounts counts drops by reason and level. The ring's are counted on
// the callers, each sink's by its lane.
type dropCounts [numDropReasons][numLevelBuckets]atomic.Uint64

func (d *dropCounts) add(reason int, level slog.Level, n uint64) {
	d[reason][levelBucket(level)].Add(n)
}

// dropSnapshot is dropCounts read at one time.
type dropSnapshot [numDropReasons][numLevelBuckets]uint64

func (d *dropCounts) load(into *dropSnapshot, plus bool) {
	for r := range d {
		for l := range d[r] {
			if plus {
				into[r][l] += d[r][l].Load()
			} else {
				into[r][l] = d[r][l].Load()
			}
		}
	}
}

func (s *dropSnapshot) total() uint64 {
	var n uint64
	for r := range s {
		for _, c := range s[r] {
			n += c
		}
	}
	return n
}

// laneSummary is what a lane's owner remembers of the drops it last
// reported.
type laneSummary struct {
	reported dropSnapshot // counts when the last summary was written
	sampled  uint64       // Stats.Sampled then
	at       time.Time    // when it was written
}

// dropsFor returns the drops a summary in ln's stream reports: the
// ring's, and ln's own.
func (ln *lane) dropsFor() dropSnapshot {
	var s dropSnapshot
	ln.w.drops.load(&s, false)
	ln.drops.load(&s, true)
	return s
}

// summaryDue reports whether ln should write a drop summary now: records
// were dropped since its last one, and a period has passed since then
// (or the pipeline is closing). It runs as the owner.
func (ln *lane) summaryDue(now time.Time, closing bool) (dropSnapshot, uint64, bool) {
	every := ln.w.set.dropSummaryEvery
	if every < 0 {
		return dropSnapshot{}, 0, false
	}
	cur, sampled := ln.dropsFor(), ln.w.ctl.sampled.Load()
	if cur.total() == ln.summary.reported.total() && sampled == ln.summary.sampled {
		return cur, sampled, false
	}
	return cur, sampled, closing || now.Sub(ln.summary.at) >= every
}

// writeSummary writes a drop summary ahead of whatever is queued, as the
// owner, if one is due. It is never dropped for want of room: it does
// not go through the buffer.
func (ln *lane) writeSummary(closing bool) {
	now := time.Now()
	cur, sampled, due := ln.summaryDue(now, closing)
	if !due {
		return
	}
	b := &ln.summaryBatch
	b.Reset()
	if cur.total() != ln.summary.reported.total() {
		r := dropSummary(now, &cur, &ln.summary.reported)
		b.buf = ln.w.stages.appendOwn(ln.format, b.buf, &r)
		b.commit(now, r.level)
	}
	if sampled != ln.summary.sampled {
		r := record{time: now, level: slog.LevelInfo, msg: SampledSummaryMsg, scope: rootScope, attrs: []slog.Attr{
			slog.Uint64("sampled", sampled-ln.summary.sampled), slog.Uint64("sampled_total", sampled)}}
		b.buf = ln.w.stages.appendOwn(ln.format, b.buf, &r)
		b.commit(now, r.level)
	}
	ln.summary.reported, ln.summary.sampled, ln.summary.at = cur, sampled, now
	ln.reportedTotal.Store(cur.total() + sampled)
	if err := callSink(ln.sink, sinkWrite, b); err != nil {
		ln.fail("write of a summary failed", err)
		return
	}
	ln.dirty = true
	ln.w.summaries.Add(uint64(b.Len()))
}

// dropSummary returns the drop summary record of the drops of cur since
// prev.
func dropSummary(now time.Time, cur, prev *dropSnapshot) record {
	var byLevel [numLevelBuckets]uint64
	var byReason [numDropReasons]uint64
	var since uint64
	for r := range cur {
		for l := range cur[r] {
			d := cur[r][l] - prev[r][l]
			byLevel[l] += d
			byReason[r] += d
			since += d
		}
	}
	levels := make([]slog.Attr, 0, numLevelBuckets)
	for l, n := range byLevel {
		if n > 0 {
			levels = append(levels, slog.Uint64(levelBucketNames[l], n))
		}
	}
	reasons := make([]slog.Attr, 0, numDropReasons)
	for r, n := range byReason {
		if n > 0 {
			reasons = append(reasons, slog.Uint64(dropReasonNames[r], n))
		}
	}
	return record{time: now, level: slog.LevelWarn, msg: DropSummaryMsg, scope: rootScope, attrs: []slog.Attr{
		slog.Uint64("dropped", since),
		{Key: "dropped_by_level", Value: slog.GroupValue(levels...)},
		{Key: "reasons", Value: slog.GroupValue(reasons...)},
		slog.Uint64("dropped_total", cur.total()),
	}}
}

// summaryTicker tells every lane that has drops (or records sampled out)
// to report, once a
// period, to write a summary before its next batch, and wakes it, so that
// a summary goes out under sustained overload, ahead of a backlog, and to
// a sink nothing else is written to. It returns when stop is closed.
func (w *worker) summaryTicker(stop <-chan struct{}) {
	every(stop, w.set.dropSummaryEvery, func() {
		for _, ln := range w.lanes {
			if cur := ln.dropsFor(); cur.total()+w.ctl.sampled.Load() != ln.reportedTotal.Load() {
				ln.summaryWanted.Store(true)
				ln.forceWake()
			}
		}
	})
}

// every calls f every period until stop is closed.
func every(stop <-chan struct{}, period time.Duration, f func()) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			f()
		}
	}
}

// dedupeTicker wakes the worker often enough that a dedupe window's
// "repeated" summary goes out soon after the window closes, even when no
// record arrives. It returns when stop is closed.
func (w *worker) dedupeTicker(stop <-chan struct{}) {
	every(stop, max(w.set.dedupeWindow/4, time.Millisecond), w.q.wakeConsumer)
}

// writeRepeats writes the summaries of the dedupe windows that closed as
// a batch of their own, to every sink: those the records' times closed,
// and with byClock those the clock closed too (all of them with all, at
// Close). It runs under lock.
func (w *worker) writeRepeats(byClock, all, wake bool) {
	if w.ctl.dedupe == nil {
		return
	}
	var clock time.Time // the zero time closes no window
	if byClock {
		clock = w.ctl.dedupe.clock()
	}
	sums := w.ctl.dedupe.summaries(clock, all)
	if len(sums) == 0 {
		return
	}
	sb := w.spareBatch()
	at := w.q.consumed()
	for _, sum := range sums {
		r := record{time: now(), level: sum.level, msg: sum.msg, scope: rootScope, attrs: sum.attrs}
		w.encode(sb, &r)
		sb.commit(r.time, r.level)
	}
	w.summaries.Add(uint64(len(sums)))
	w.dispatch(sb, at, at, wake)
}
