package fapilog

import (
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// A lane is one sink's side of the pipeline: a bounded buffer of the
// batches routed to the sink and a goroutine that writes them, so that a
// slow, hung or failing sink delays nobody but itself. The worker pushes
// each batch it encodes onto every lane, dropping it for a lane whose
// buffer is full (or waiting for room, if the sink asked for that).
//
// Whoever calls the sink holds owner: the lane's goroutine, or a
// SyncLogger caller writing what is queued itself rather than waking the
// goroutine and waiting for it (see drain). Batches are written in the
// order they were pushed.
type lane struct {
	w     *worker
	sink  Sink
	name  string
	level slog.Leveler // nil: every record
	block bool
	// keepProtected: when the buffer is full, records at or above
	// ProtectedLevel wait for room rather than be dropped.
	keepProtected bool
	limit         int // most records buffered (one batch is always taken into an empty buffer)
	format        int // the sink's format, an index in stages.formats

	mu          sync.Mutex
	queue       []*laneBatch // pushed, not yet taken by the owner; oldest first
	queued      int          // records in queue
	hw          int          // most records queued at once
	current     []*laneBatch // taken by the owner, being written as one; emptied by abandon
	alone       int          // records the owner writes unqueued (worker.writeAlone); zeroed by abandon
	aloneDirect bool         // they have no queue position (worker.writeDirect)
	closing     bool         // the pipeline is closing: write what is queued, then close the sink
	abandoned   bool         // Close gave up: queued and current batches were counted as dropped
	sinkClosed  bool
	free        []*laneBatch
	spare       atomic.Pointer[laneBatch] // one more free laneBatch, taken and given back without mu

	owner    atomic.Bool
	dirty    bool // owner only: written since the last Flush
	sleeping atomic.Bool
	wake     chan struct{}
	room     notifier // a pusher waiting for room (Block)
	exited   chan struct{}
	closeErr error // set by the goroutine before exited is closed

	routed, failed, dropped, fellBack atomic.Uint64
	written                           uint64  // under mu: the write takes it anyway
	latency                           latency // under mu
	lastErr                           atomic.Pointer[sinkError]

	drops         dropCounts  // this sink's drops, by reason and level, for summaries
	summary       laneSummary // owner only
	summaryBatch  Batch       // owner only
	merged        Batch       // owner only: several queued batches written as one
	reportedTotal atomic.Uint64
	summaryWanted atomic.Bool // set by the summary ticker: drops to report

	// inline is set while the sink takes bytes at memory speed (rate at
	// least inlineRate, its last write did not fail): the worker then
	// writes for a lone lane itself (see worker.inlineLane). Last, so
	// that the hot fields above keep their places: placed after dirty,
	// they cost paced callers ~25% of their p99 (BenchmarkSlowSink).
	inline atomic.Bool
	rate   rate // owner only
}

// sinkError is a sink's last failure, for Stats.
type sinkError struct {
	at  time.Time
	msg string
}

// A laneBatch is what one lane has to write of a sharedBatch: all of it,
// or, when the sink's level filters some records out, a copy of the
// others and their positions in the shared batch.
type laneBatch struct {
	sb    *sharedBatch
	fmt   int // the lane's format: which of sb's batches
	whole bool
	own   Batch
	idx   []int
}

func (lb *laneBatch) batch() *Batch {
	if lb.whole {
		return lb.sb.lines(lb.fmt)
	}
	return &lb.own
}

func newLane(w *worker, cfg sinkConfig) *lane {
	ln := &lane{
		w:     w,
		sink:  cfg.sink,
		name:  cfg.name,
		level: cfg.opts.Level,
		block: cfg.opts.Backpressure == SinkBlock || (cfg.opts.Backpressure == SinkFollowsLogger && w.set.block),
		// An explicit SinkDropNewest drops even protected records.
		keepProtected: cfg.opts.Backpressure != SinkDropNewest,
		limit:         cfg.opts.Buffer,
		wake:          make(chan struct{}, 1),
		exited:        make(chan struct{}),
	}
	return ln
}

// push queues the records of sb that pass the lane's level. When the
// buffer is fuller than Config.ShedAt, records below ShedBelow are shed
// for this sink, unless it blocks. When it is full, push waits for room (block), or drops
// the batch for this sink but for its records at or above
// ProtectedLevel, which wait for room unless the sink chose
// SinkDropNewest. With wake, a parked goroutine is woken; without, the
// caller writes what is queued itself (drain). The caller holds a
// reference on sb; push takes one for each part of it that the lane
// keeps or settles.
func (ln *lane) push(sb *sharedBatch, wake bool) {
	lo := slog.Level(math.MinInt)
	if ln.level != nil {
		lo = ln.level.Level()
	}
	lb := ln.take(sb, lo, levelOff)
	if lb == nil {
		return // no record passes the level
	}
	if !sb.synthetic() {
		ln.routed.Add(uint64(lb.batch().Len()))
	}
	if shed := &ln.w.set.shed; !ln.block && shed.cut() > lo && uint64(ln.buffered()) > shed.room(ln.limit) {
		// Shed what is below ShedBelow (and ProtectedLevel).
		cut := shed.cut()
		if lb = ln.split(sb, lb, lo, cut, dropShed); lb == nil {
			return
		}
		lo = cut
	}
	ln.mu.Lock()
	if ln.full(lb) && !ln.abandoned && !ln.block && ln.keepProtected {
		// Keep what must wait; drop the rest for this sink now.
		ln.mu.Unlock()
		cut := max(lo, ln.w.set.protected.Level())
		if lb = ln.split(sb, lb, lo, cut, dropSink); lb == nil {
			return
		}
		ln.mu.Lock()
	}
	if ln.full(lb) && !ln.abandoned && (ln.block || ln.keepProtected) {
		ln.mu.Unlock()
		ln.wakeUp() // room comes from the goroutine, which may be parked
		ln.room.wait(func() bool {
			ln.mu.Lock()
			if !ln.full(lb) || ln.abandoned {
				return true // keeps mu locked
			}
			ln.mu.Unlock()
			return false
		}, nil)
	}
	if ln.abandoned || ln.full(lb) {
		abandoned := ln.abandoned
		ln.mu.Unlock()
		reason := dropSink
		if abandoned {
			reason = -1 // Close gave up: no summary will tell
		}
		ln.drop(lb, reason)
		return
	}
	ln.w.hold(sb)
	n := lb.batch().Len()
	ln.queue = append(ln.queue, lb)
	ln.queued += n
	ln.hw = max(ln.hw, ln.queued)
	ln.mu.Unlock()
	if wake {
		ln.wakeUp()
	}
}

// split drops for this sink the records of lb (the view of sb at levels
// lo and up) below cut, counting them for reason, and returns the view of
// the rest: lb itself if nothing was dropped, nil if nothing is left.
func (ln *lane) split(sb *sharedBatch, lb *laneBatch, lo, cut slog.Level, reason int) *laneBatch {
	drop := ln.take(sb, lo, cut)
	if drop == nil {
		return lb
	}
	kept := ln.take(sb, cut, levelOff)
	ln.recycle(lb)
	ln.drop(drop, reason)
	return kept
}

// drop counts lb's records as dropped by this sink for reason (-1: none
// that a summary reports) and settles them.
func (ln *lane) drop(lb *laneBatch, reason int) {
	ln.w.hold(lb.sb)
	b := lb.batch()
	if lb.sb.synthetic() {
		ln.settle(lb, statusDropped) // not a record: uncounted
		return
	}
	ln.dropped.Add(uint64(b.Len()))
	if reason >= 0 {
		var byLevel [numLevelBuckets]uint64 // one atomic add per level, not per record
		for _, l := range b.levels {
			byLevel[levelBucket(l)]++
		}
		for i, n := range byLevel {
			if n > 0 {
				ln.drops[reason][i].Add(n)
			}
		}
	}
	ln.settle(lb, statusDropped)
}

// full reports whether lb does not fit in the buffer. An empty buffer
// takes any batch. It runs under mu.
func (ln *lane) full(lb *laneBatch) bool {
	return ln.queued > 0 && ln.queued+lb.batch().Len() > ln.limit
}

// take returns the lane's view of the records of sb with levels in
// [lo, hi), or nil if there are none.
func (ln *lane) take(sb *sharedBatch, lo, hi slog.Level) *laneBatch {
	b := sb.lines(ln.format)
	all := true
	for _, l := range b.levels {
		if l < lo || l >= hi {
			all = false
			break
		}
	}
	if all {
		return ln.newLaneBatch(sb, true)
	}
	var lb *laneBatch
	for i, l := range b.levels {
		if l < lo || l >= hi {
			continue
		}
		if lb == nil {
			lb = ln.newLaneBatch(sb, false)
		}
		lb.own.buf = append(lb.own.buf, b.Record(i)...)
		lb.own.ends = append(lb.own.ends, len(lb.own.buf))
		lb.own.levels = append(lb.own.levels, l)
		lb.own.times = append(lb.own.times, b.times[i])
		lb.idx = append(lb.idx, i)
	}
	return lb
}

func (ln *lane) newLaneBatch(sb *sharedBatch, whole bool) *laneBatch {
	lb := ln.spare.Swap(nil) // one locked instruction, where mu costs two
	if lb == nil {
		ln.mu.Lock()
		if n := len(ln.free); n > 0 {
			lb = ln.free[n-1]
			ln.free = ln.free[:n-1]
		}
		ln.mu.Unlock()
	}
	if lb == nil {
		lb = new(laneBatch)
	}
	lb.sb, lb.fmt, lb.whole = sb, ln.format, whole
	return lb
}

// settle accounts for lb, written or not (status says why not), and
// recycles it.
func (ln *lane) settle(lb *laneBatch, status uint8) {
	ln.w.settle(lb.sb, lb.idx, status)
	ln.recycle(lb)
}

// recycle returns lb to the lane's free list.
func (ln *lane) recycle(lb *laneBatch) {
	lb.sb = nil
	lb.own.Reset()
	lb.idx = lb.idx[:0]
	if ln.spare.CompareAndSwap(nil, lb) {
		return
	}
	ln.mu.Lock()
	ln.free = append(ln.free, lb)
	ln.mu.Unlock()
}

// wakeUp unparks the lane's goroutine if it is parked.
func (ln *lane) wakeUp() {
	if ln.sleeping.Load() && ln.sleeping.CompareAndSwap(true, false) {
		select {
		case ln.wake <- struct{}{}:
		default:
		}
	}
}

// run is the lane's goroutine: it parks until batches are pushed, writes
// them, flushes the sink when its buffer empties and, once the pipeline
// closes, writes what is left and closes the sink.
//
// No wake-up is lost: run stores sleeping and then looks at the queue
// under mu; push queues under mu and then loads sleeping. Either run sees
// the batch, or push sees sleeping and leaves a token in wake.
func (ln *lane) run() {
	defer close(ln.exited)
	for {
		ln.sleeping.Store(true)
		if !ln.ready() {
			<-ln.wake
		}
		ln.sleeping.Store(false)
		if ln.drain(true, true) {
			return
		}
	}
}

// buffered returns the number of records queued.
func (ln *lane) buffered() int {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	return ln.queued
}

// hasQueued reports whether batches wait to be written.
func (ln *lane) hasQueued() bool {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	return len(ln.queue) > 0
}

// ready reports whether the goroutine has work: batches, or closing.
func (ln *lane) ready() bool {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	return len(ln.queue) > 0 || (ln.closing && !ln.sinkClosed)
}

// drain writes every queued batch as the owner and flushes the sink once
// its buffer is empty (timed: the flush adds to the sink's rate, as every
// write does); for the lane's goroutine (last), when the pipeline is
// closing, it closes the sink and reports that it did. If another goroutine owns the lane,
// drain returns at once: the owner looks at the queue again after it
// lets go (below), so a batch queued meanwhile is not stranded. Owner is
// an atomic, and Go's atomics are sequentially consistent: a pusher that
// queues and then fails to take owner has queued before the owner's
// release, which comes before the owner's second look.
func (ln *lane) drain(last, timed bool) (closed bool) {
	for ln.owner.CompareAndSwap(false, true) {
		var run []*laneBatch
		var closing bool
		for {
			run, closing, closed = ln.pop()
			if ln.summaryWanted.Load() && !closed {
				ln.summaryWanted.Store(false)
				ln.writeSummary(false) // ahead of what is queued
			}
			if len(run) == 0 {
				break
			}
			ln.write(run)
		}
		switch {
		case closing && !closed && last:
			ln.writeSummary(true) // the last one, whatever the period
			ln.closeSink()
			closed = true
		case ln.dirty && !closed && timed:
			start := monotonic()
			ln.flushSink()
			ln.measure(monotonic()-start, 0, true)
		case ln.dirty && !closed:
			ln.flushSink()
		}
		ln.release()
		if closed || !ln.ready() || (closing && !last) {
			return closed
		}
	}
	return false
}

// inlineRate is the fewest bytes a nanosecond a sink must take, on
// average over its writes and flushes, for the worker to write for it
// (see worker.inlineLane): about a memory copy's speed. Measured on this
// project's 2-core machine, batches of 256 records: an in-memory writer
// takes 45-60 bytes/ns, a file 2-4.
const inlineRate = 8

// measure adds a write of n bytes (or a flush, with n 0) that took d to
// the sink's rate, and sets inline from it; a failed one clears it. The
// owner calls it.
func (ln *lane) measure(d time.Duration, n int, ok bool) {
	// Stored only when it changes: a store is a locked instruction, paid
	// on every write, and the answer rarely changes.
	if in := ln.rate.add(d, n) >= inlineRate && ok; in != ln.inline.Load() {
		ln.inline.Store(in)
	}
}

// A rate is how fast a sink takes bytes, as a running average of its
// writes weighted by their size: each moves it an eighth of the way, so
// that neither one stall or preemption nor a write of one record swings
// it, and flushes, which take time but no bytes, slow it.
type rate struct{ took, bytes float64 }

// add adds n bytes that took d and returns the bytes a nanosecond the
// sink takes now.
func (r *rate) add(d time.Duration, n int) float64 {
	if r.took == 0 && r.bytes == 0 {
		r.took, r.bytes = float64(d), float64(n)
	} else {
		r.took += (float64(d) - r.took) / 8
		r.bytes += (float64(n) - r.bytes) / 8
	}
	if r.took <= 0 {
		return math.Inf(1) // too fast for the clock
	}
	return r.bytes / r.took
}

// pop takes the oldest queued batch and those after it that fit with it
// in one write of at most Config.BatchSize records, or returns none. A
// sink that is slower than the worker gets the batches that piled up
// meanwhile in one write, not one write each: records arriving one by
// one make small batches.
func (ln *lane) pop() (run []*laneBatch, closing, closed bool) {
	ln.mu.Lock()
	closing, closed = ln.closing, ln.sinkClosed
	if len(ln.queue) == 0 {
		ln.mu.Unlock()
		return nil, closing, closed
	}
	k, n := 1, ln.queue[0].batch().Len()
	for ; k < len(ln.queue); k++ {
		m := ln.queue[k].batch().Len()
		if n+m > ln.w.set.batchSize {
			break
		}
		n += m
	}
	ln.current = append(ln.current[:0], ln.queue[:k]...)
	ln.queue = dropFront(ln.queue, k)
	ln.queued -= n
	ln.mu.Unlock()
	ln.room.notify()
	return ln.current, closing, closed
}

// write hands run, the batches pop took, to the sink in one write and
// accounts for them; a failed write goes to the fallback.
func (ln *lane) write(run []*laneBatch) {
	b := run[0].batch()
	if len(run) > 1 {
		b = &ln.merged
		b.Reset()
		for _, lb := range run {
			b.appendBatch(lb.batch())
		}
	}
	var n uint64
	for _, lb := range run {
		if !lb.sb.synthetic() { // summaries are not records: uncounted
			n += uint64(lb.batch().Len())
		}
	}
	status, abandoned := ln.send(b, n, false)
	if abandoned {
		return
	}
	for _, lb := range run {
		ln.settle(lb, status)
	}
}

// ownAlone makes the caller the owner of the lane for one record at
// level that will not be queued (worker.writeAlone), and reports whether
// it did: only if the lane takes that level, no summary is due, and it
// is free, empty and open. The record is counted as the lane's for
// abandon until writeAlone lets the lane go. A direct record, which has
// no queue position (worker.writeDirect), is counted as submitted here,
// under the mutex abandon takes to count it as dropped.
func (ln *lane) ownAlone(level slog.Level, direct bool) bool {
	if (ln.level != nil && level < ln.level.Level()) || ln.summaryWanted.Load() ||
		!ln.owner.CompareAndSwap(false, true) {
		return false
	}
	ln.mu.Lock()
	idle := len(ln.queue) == 0 && !ln.closing && !ln.abandoned
	if idle {
		ln.alone, ln.aloneDirect = 1, direct
		if direct {
			ln.w.unqueued.Add(1)
		}
	}
	ln.mu.Unlock()
	if !idle {
		ln.release()
	}
	return idle
}

// writeAlone writes b, the one record ownAlone took the lane for, flushes
// the sink (untimed, as a sync caller's drain) and lets the lane go. It
// returns what send does.
func (ln *lane) writeAlone(b *Batch) (status uint8, abandoned bool) {
	ln.routed.Add(1)
	status, abandoned = ln.send(b, 1, true)
	if ln.dirty && !abandoned {
		ln.flushSink()
	}
	ln.release()
	return status, abandoned
}

// send writes b, of n records, to the sink as the owner and counts the
// write for the sink (latency, rate, written or failed, the fallback).
// It returns the records' status, or abandoned if Close gave up on them
// meanwhile and counted them: ln.current, or ln.alone for a write that
// never went through the queue (direct: writeAlone), emptied.
func (ln *lane) send(b *Batch, n uint64, direct bool) (status uint8, abandoned bool) {
	start := monotonic()
	err := callSink(ln.sink, sinkWrite, b)
	took := monotonic() - start
	ln.mu.Lock()
	ln.latency.observe(took)
	ln.measure(took, len(b.buf), err == nil)
	if direct {
		abandoned = ln.alone == 0
		ln.alone = 0
	} else {
		abandoned = len(ln.current) == 0
		ln.current = ln.current[:0]
	}
	if !abandoned && err == nil {
		ln.written += n
	}
	ln.mu.Unlock()
	switch {
	case abandoned:
		return 0, true
	case err == nil:
		ln.dirty = true
		return 0, false
	}
	ln.failed.Add(n)
	ln.fail(fmt.Sprintf("write of %d records failed", n), err)
	if ln.w.fallback(b) {
		ln.fellBack.Add(n)
	}
	return statusFailed, false
}

// fail records and reports a failure of the sink.
func (ln *lane) fail(what string, err error) {
	ln.lastErr.Store(&sinkError{at: time.Now(), msg: errorString(err)})
	ln.w.diag.report("sink", "sink "+ln.name+": "+what, err)
}

func (ln *lane) flushSink() error {
	ln.dirty = false
	err := callSink(ln.sink, sinkFlush, nil)
	if err != nil {
		ln.fail("flush failed", err)
	}
	return err
}

func (ln *lane) closeSink() {
	ln.dirty = false
	err := callSink(ln.sink, sinkClose, nil)
	if err != nil {
		ln.fail("close failed", err)
	}
	ln.mu.Lock()
	ln.sinkClosed = true
	ln.closeErr = err
	ln.mu.Unlock()
}

// flush runs the sink's Flush as the owner, waiting for the owner to let
// go, or returns false if cancel closes first.
func (ln *lane) flush(cancel <-chan struct{}) (error, bool) {
	ln.w.ownerWaiters.Add(1)
	ok := ln.w.progress.wait(func() bool { return ln.owner.CompareAndSwap(false, true) }, cancel)
	ln.w.ownerWaiters.Add(-1)
	if !ok {
		return nil, false
	}
	var err error
	ln.mu.Lock()
	closed := ln.sinkClosed
	ln.mu.Unlock()
	if !closed {
		err = ln.flushSink()
	}
	ln.release()
	if ln.ready() {
		ln.wakeUp() // pushed while we held it
	}
	return err, true
}

// release lets go of owner, waking a flush that waits for it. A batch
// queued meanwhile needs no wake-up: the owner looks again (see drain).
func (ln *lane) release() {
	ln.owner.Store(false)
	if ln.w.ownerWaiters.Load() != 0 {
		ln.w.progress.wake()
	}
}

// close makes the goroutine write what is queued, close the sink and
// exit.
func (ln *lane) close() {
	ln.mu.Lock()
	ln.closing = true
	ln.mu.Unlock()
	ln.wakeUp()
	ln.forceWake()
}

// forceWake leaves a token for the goroutine whether or not it said it
// is parked: it may be just about to park.
func (ln *lane) forceWake() {
	select {
	case ln.wake <- struct{}{}:
	default:
	}
}

// abandon counts everything the lane still holds as dropped, for a Close
// whose context ended: the batch being written too (if the sink returns
// from it later, it is not counted again). A sink that can be interrupted
// is told to give up.
func (ln *lane) abandon() {
	ln.mu.Lock()
	if ln.abandoned {
		ln.mu.Unlock()
		return
	}
	ln.abandoned = true
	held := ln.queue
	ln.queue = nil
	ln.queued = 0
	writing := len(held) // held[writing:] are being written
	held = append(held, ln.current...)
	ln.current = ln.current[:0]
	ln.dropped.Add(uint64(ln.alone))
	if ln.aloneDirect {
		ln.w.abandoned.Add(uint64(ln.alone)) // no position for worker.abandon to count
	}
	ln.alone = 0
	ln.mu.Unlock()
	ln.room.notify()
	for i, lb := range held {
		ln.dropped.Add(uint64(lb.batch().Len()))
		if i >= writing {
			// The sink may still be reading it: account, never reuse.
			lb.sb.pinned = true
			ln.w.settle(lb.sb, lb.idx, statusDropped)
			continue
		}
		ln.settle(lb, statusDropped)
	}
	if s, ok := ln.sink.(interface{ Interrupt() }); ok {
		func() {
			defer func() { recover() }() // contained like every sink call
			s.Interrupt()
		}()
	}
}

// stats returns the lane's counters.
func (ln *lane) stats() SinkStats {
	ln.mu.Lock()
	st := SinkStats{Name: ln.name, BufferLen: ln.queued, BufferCap: ln.limit, BufferHighWater: ln.hw,
		Written: ln.written, WriteLatency: ln.latency.load()}
	ln.mu.Unlock()
	st.Routed, st.Failed, st.Dropped, st.Fallback = ln.routed.Load(), ln.failed.Load(), ln.dropped.Load(), ln.fellBack.Load()
	if e := ln.lastErr.Load(); e != nil {
		st.LastError, st.LastErrorTime = e.msg, e.at
	}
	return st
}

// Status bits of a record in a sharedBatch: what some lane did not do.
const (
	statusDropped uint8 = 1 << iota
	statusFailed
)

// A sharedBatch is a batch of encoded records that the worker hands to
// every lane, and the accounting of its records until every lane is done
// with it.
type sharedBatch struct {
	Batch                   // the records in the first format in use
	more       []Batch      // the same records in each further format (Config's sinks' formats)
	start, end uint64       // the queue positions of its records
	refs       atomic.Int32 // holders: the worker while it pushes, and each lane that took it
	status     []uint8      // per record: statusDropped, statusFailed bits
	deduped    uint64       // records of start..end left out as repeats (Config.DedupeWindow)
	pinned     bool         // a hung sink may still read it: never reuse
	tally      *batchTally  // its accounting, until every lane is done with it
}

// commit ends, in every format, the record just encoded.
func (sb *sharedBatch) commit(t time.Time, level slog.Level) {
	sb.Batch.commit(t, level)
	for i := range sb.more {
		sb.more[i].commit(t, level)
	}
}

// discard drops, in every format, the record just encoded.
func (sb *sharedBatch) discard() {
	sb.buf = sb.buf[:sb.Batch.end()]
	for i := range sb.more {
		sb.more[i].buf = sb.more[i].buf[:sb.more[i].end()]
	}
}

// synthetic reports whether sb holds records the pipeline wrote of its
// own (summaries): they take no queue positions.
func (sb *sharedBatch) synthetic() bool { return sb.start == sb.end }

// lines returns sb's records in format f, an index in stages.formats.
func (sb *sharedBatch) lines(f int) *Batch {
	if f == 0 {
		return &sb.Batch
	}
	return &sb.more[f-1]
}

// reset empties sb's batches, keeping their memory.
func (sb *sharedBatch) reset() {
	sb.Batch.Reset()
	for i := range sb.more {
		sb.more[i].Reset()
	}
}
