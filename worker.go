package fapilog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// worker is the one pipeline behind both facades. It owns the ring, the
// lanes (one per sink) and the counters; it captures records, queues
// them, drains them in batches, encodes them and hands each batch to every
// lane, and contains every failure.
//
// The consumer side of the ring (draining and encoding) runs under lock,
// held by the worker's goroutine or, for a SyncLogger, by a caller that
// found the worker idle and does the work itself (no hand-off per call).
// Whoever holds the lock encodes everything queued so far, so concurrent
// sync callers share one batch. Each sink is written by its lane: the
// lane's goroutine, a sync caller writing for it (see lane.drain), or,
// for a lone fast sink, the worker (inlineLane).
type worker struct {
	set    settings
	q      *ring[record]
	diag   *diagnostics
	stages *stages
	lanes  []*lane
	ctl    control // levels, sampling, dedupe

	// locked is the consumer lock: taken by a CAS, released by a store
	// and, when some goroutine waits for it (lockWaiters), a notify of
	// progress, which is what such a goroutine waits on (so that the wait
	// can honor a context). Sequentially consistent atomics order the
	// holder's work before the next holder's, as a mutex would.
	locked atomic.Bool
	// Owned by the lock holder.
	droppedShown uint64 // rejected count already reported

	// Batches handed to the lanes and not yet accounted for, in queue
	// order, and spare ones, under imu.
	imu      sync.Mutex
	inflight []*batchTally
	tallies  []*batchTally // spare ones
	spare    []*sharedBatch

	fallbackMu sync.Mutex // one fallback write at a time, from any lane
	fallbackTo Sink

	// done counts queue positions accounted for (every lane done with
	// them, or abandoned), always a prefix of the queue: sync callers and
	// Flush wait for it to pass their position. progress is notified when
	// it moves, and when lock is released or a lane's owner lets go while
	// someone waits for that (lockWaiters, ownerWaiters).
	done     atomic.Uint64
	progress notifier

	rejected    atomic.Uint64 // never queued: queue full or closed
	abandoned   atomic.Uint64 // queued, then given up by a Close that timed out
	written     atomic.Uint64
	failed      atomic.Uint64
	sinkDropped atomic.Uint64 // dropped by some sink's buffer
	fellBack    atomic.Uint64 // written by the fallback
	fallbackErr atomic.Uint64 // the fallback failed on them too
	truncated   atomic.Uint64
	batches     atomic.Uint64
	shed        atomic.Uint64 // part of rejected
	summaries   atomic.Uint64 // drop summaries written, counted apart
	drops       dropCounts    // the queue's drops, by reason and level, for summaries

	stop      chan struct{} // closed by close
	exited    chan struct{} // closed when run returns
	closeOnce sync.Once
	closeErr  error // written by run before exited is closed

	// lockWaiters counts goroutines waiting on progress for the lock to
	// be free (lockOr, and sync callers whose record is not yet
	// consumed), ownerWaiters those waiting for a lane's owner to let go
	// (lane.flush): unlock and a lane's release notify only when some
	// goroutine waits for them. A waiter counts itself before it checks
	// its condition and the releaser loads the count after its release,
	// so one of the two sees the other (sequentially consistent atomics).
	// Without them, every release woke every sync caller in a group
	// commit, most of them only to sleep again. At the end (with alone),
	// so that the fields above keep their places.
	lockWaiters, ownerWaiters atomic.Int32
	alone                     *sharedBatch // the lock holder's, for writeAlone and writeDirect
	solo                      record       // the lock holder's, for writeDirect
	// unqueued counts the records writeDirect took, which have no queue
	// position: part of Submitted. Added to under the lane's mutex
	// (lane.ownAlone), which the lane's abandon takes to count such a
	// record, unfinished, as dropped: a snapshot after abandon holds it in
	// both counts.
	unqueued atomic.Uint64
}

func newWorker(cfg Config) (*worker, error) {
	set, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	w := newIdleWorker(set)
	for _, ln := range w.lanes {
		go ln.run()
	}
	go w.run()
	w.ctl.start(w.stop)
	if set.dropSummaryEvery > 0 && len(w.lanes) > 0 {
		go w.summaryTicker(w.stop)
	}
	if set.dedupeWindow > 0 {
		go w.dedupeTicker(w.stop)
	}
	return w, nil
}

// newIdleWorker returns a worker for set whose goroutines are not started.
func newIdleWorker(set settings) *worker {
	diag := newDiagnostics(set.diagnostics)
	w := &worker{
		set:        set,
		q:          newRing[record](set.queueSize),
		diag:       diag,
		stages:     newStages(set, diag),
		fallbackTo: set.fallback,
		stop:       make(chan struct{}),
		exited:     make(chan struct{}),
	}
	for i, sc := range set.sinks {
		ln := newLane(w, sc)
		ln.format = set.sinkFormats[i]
		w.lanes = append(w.lanes, ln)
	}
	w.ctl.init(set)
	return w
}

// waitDone returns true once every position below target is accounted
// for, doing the work itself where it can: encoding when the lock is
// free, writing for lanes no one is writing for. It returns false if
// cancel closes first; the work it left undone is then woken up for.
func (w *worker) waitDone(target uint64, cancel <-chan struct{}) bool {
	for w.done.Load() < target {
		if w.q.consumed() < target && w.tryLock() {
			if w.writeAlone(target) {
				w.unlock()
				return true
			}
			if w.progress.waiting() {
				// Others wait on this write: yield once so callers that
				// are runnable but not yet queued join the batch (group
				// commit). A lone caller does not pay for it.
				runtime.Gosched()
			}
			for w.q.consumed() < target {
				if w.processBatch(false) == 0 {
					// A producer before target claimed its slot but has
					// not published it yet; it is one store away.
					runtime.Gosched()
				}
			}
			w.unlock()
		}
		for _, ln := range w.lanes {
			ln.drain(false, false) // untimed: a sync call pays no clock reads for its flush
		}
		// Once its record is consumed, a caller waits for done alone: it
		// needs no wake-up when the lock is released.
		needLock := w.q.consumed() < target
		if needLock {
			w.lockWaiters.Add(1)
		}
		ok := w.progress.wait(func() bool {
			return w.done.Load() >= target || (w.q.consumed() < target && !w.locked.Load()) || w.helpable()
		}, cancel)
		if needLock {
			w.lockWaiters.Add(-1)
		}
		if !ok {
			w.q.wakeConsumer()
			for _, ln := range w.lanes {
				ln.wakeUp()
			}
			return false
		}
	}
	return true
}

// writeAlone writes the record at target-1, a sync caller's, straight to
// the lone sink and accounts for it, and reports whether it did. It runs
// under lock and does so only when that record is the pipeline's whole
// work: the only one claimed and not accounted for, no one waiting on
// progress (else group commit: see waitDone), a lone lane that is idle,
// empty and takes it, no dedupe. The queued batch, the lane's queue and
// the tally, which keep records in order and let callers share a write,
// then serve no one: skipping them takes a lone ten-attr sync call from
// ~710 to ~560 ns (BenchmarkTenAttrs/sync). The lock is held through the
// write, so no later batch is accounted for before this record.
func (w *worker) writeAlone(target uint64) bool {
	if !w.writesAlone() || w.q.claimed() != target || w.done.Load() != target-1 ||
		w.q.consumed() != target-1 || w.q.peek(1) != 1 {
		return false
	}
	ln, r := w.lanes[0], w.q.at(target-1)
	if !ln.ownAlone(r.level, false) {
		return false
	}
	sb := w.encodeAlone(r)
	w.q.release(1)
	status, abandoned := ln.writeAlone(sb.lines(ln.format))
	sb.reset()
	if !abandoned && w.done.CompareAndSwap(target-1, target) { // else Close counted it
		w.applyAlone(status)
		w.progress.notify()
	}
	return true
}

// writeDirect is writeAlone for a sync call that finds the pipeline idle
// (every queued record accounted for) before it claims a slot: it takes
// the lock, fills the worker's own record (solo) as emit fills a slot,
// and writes it, and reports whether it did. A slot is the next of the
// queue's thousands, cold in the cache by the time it comes round again,
// and so is its attr buffer; solo's are the last call's.
func (w *worker) writeDirect(t time.Time, msg string, level slog.Level, pc uintptr, sc *scope, side *capture, ctxAttrs, attrs []slog.Attr) bool {
	if !w.directIdle() || !w.tryLock() {
		return false
	}
	ln := w.lanes[0]
	// Under lock, closed is final: run closes the sinks after it took
	// the lock and found the queue closed and empty.
	if !w.directIdle() || w.q.isClosed() || !ln.ownAlone(level, true) {
		w.unlock()
		return false
	}
	r := &w.solo
	r.fill(t, msg, level, pc, sc, side, ctxAttrs, attrs)
	sb := w.encodeAlone(r)
	status, abandoned := ln.writeAlone(sb.lines(ln.format))
	sb.reset()
	if !abandoned { // else Close counted it (lane.abandon)
		w.applyAlone(status)
	}
	w.unlock()
	return true
}

// writesAlone reports whether the pipeline may write a record alone: one
// lane, no dedupe, and no caller waiting on progress.
func (w *worker) writesAlone() bool {
	return len(w.lanes) == 1 && w.ctl.dedupe == nil && !w.progress.waiting()
}

// directIdle reports whether writeDirect may write now: writesAlone, and
// every position claimed accounted for.
func (w *worker) directIdle() bool { return w.writesAlone() && w.q.claimed() == w.done.Load() }

// encodeAlone encodes r, in the lock holder's batch, and returns that
// batch, for writeAlone and writeDirect.
func (w *worker) encodeAlone(r *record) *sharedBatch {
	if w.alone == nil {
		w.alone = w.newBatch()
	}
	sb := w.alone
	size := w.encode(sb, r)
	sb.commit(r.time, r.level)
	r.done(size)
	return sb
}

// applyAlone counts one record written alone, with the status its write
// returned.
func (w *worker) applyAlone(status uint8) {
	t := batchTally{records: 1}
	if status != 0 {
		t.failed = 1
	}
	w.apply(&t)
}

// helpable reports whether some lane has batches queued and no owner.
func (w *worker) helpable() bool {
	for _, ln := range w.lanes {
		if !ln.owner.Load() && ln.hasQueued() {
			return true
		}
	}
	return false
}

// tryLock takes the consumer lock if it is free and reports whether it
// did.
func (w *worker) tryLock() bool { return w.locked.CompareAndSwap(false, true) }

// lockOr takes the consumer lock, waiting for it, and returns true, or
// returns false if cancel closes first.
func (w *worker) lockOr(cancel <-chan struct{}) bool {
	if w.tryLock() {
		return true
	}
	w.lockWaiters.Add(1)
	ok := w.progress.wait(w.tryLock, cancel) // tryLock's effect happens exactly when it reports true
	w.lockWaiters.Add(-1)
	return ok
}

func (w *worker) unlock() {
	w.locked.Store(false)
	if w.lockWaiters.Load() != 0 {
		w.progress.notify()
	}
}

// run is the worker goroutine: it parks until records arrive, drains them
// a batch at a time (releasing the lock between batches so Flush and sync
// callers get their turn) and, after close, drains what is left, closes
// the lanes and waits for them to close their sinks.
func (w *worker) run() {
	defer close(w.exited)
	for {
		w.q.wait(w.stop)
		for {
			w.lockOr(nil)
			inline := w.inlineLane()
			n := w.processBatch(inline == nil)
			if n == 0 {
				w.idle()
				if w.q.isClosed() && w.q.len() == 0 {
					w.writeRepeats(true, true, true)
					w.unlock()
					w.closeErr = w.closeLanes()
					return
				}
			}
			w.unlock()
			if inline != nil {
				// After unlock: sync callers and Flush need not wait for
				// the write to take the lock.
				inline.drain(false, true)
			}
			if n == 0 {
				break
			}
		}
		if w.q.isClosed() {
			// A producer that claimed before close has yet to publish.
			runtime.Gosched()
		}
	}
}

// inlineLane returns the lane the worker writes for itself, if any: a
// lone lane whose sink takes bytes at memory speed (lane.inline), such
// as an in-memory writer. Its goroutine would spare the worker little
// and cost a wake-up and the batch a trip to another core. A sink that
// makes system calls (a file, a network) keeps its goroutine, writing
// while the worker encodes; with more lanes every one does, so that a
// sink that stalls holds back no other.
func (w *worker) inlineLane() *lane {
	if len(w.lanes) == 1 && w.lanes[0].inline.Load() {
		return w.lanes[0]
	}
	return nil
}

// idle runs under lock when the queue is empty: write the summaries of
// dedupe windows that closed, and report drops since the last report.
func (w *worker) idle() {
	w.writeRepeats(true, false, true)
	if n := w.rejected.Load(); n != w.droppedShown {
		w.diag.report("queue", strconv.FormatUint(n-w.droppedShown, 10)+" records dropped: queue full or closed", nil)
		w.droppedShown = n
	}
}

// processBatch encodes up to BatchSize queued records, in their slots,
// into one batch, releases the slots and hands the batch to every lane,
// waking their goroutines if wake is set (else the caller writes for
// them). It runs under lock and returns the number of records taken.
func (w *worker) processBatch(wake bool) int {
	w.writeRepeats(false, false, wake) // ahead of the records after the windows
	start := w.q.consumed()
	n := w.q.peek(w.set.batchSize)
	if n == 0 {
		return 0
	}
	sb := w.spareBatch()
	// Dedupe looks at the first format's line and keeps or drops the
	// record in all.
	for i := range uint64(n) {
		r := w.q.at(start + i)
		size := w.encode(sb, r)
		if b := &sb.Batch; w.ctl.dedupe != nil && w.deduped(r, b.buf[b.end():]) {
			sb.discard()
			sb.deduped++
		} else {
			sb.commit(r.time, r.level)
		}
		r.done(size)
	}
	w.q.release(n)
	w.dispatch(sb, start, start+uint64(n), wake)
	return n
}

// dispatch hands sb, the batch of queue positions start to end, to every
// lane, in order after the batches handed before it.
func (w *worker) dispatch(sb *sharedBatch, start, end uint64, wake bool) {
	sb.start, sb.end = start, end
	sb.status = append(sb.status[:0], make([]uint8, sb.Len())...)
	sb.refs.Store(1) // the worker's, until every lane has taken it
	w.imu.Lock()
	var t *batchTally
	if n := len(w.tallies); n > 0 {
		t = w.tallies[n-1]
		w.tallies = w.tallies[:n-1]
	} else {
		t = new(batchTally)
	}
	t.start, t.end = start, end
	sb.tally = t
	w.inflight = append(w.inflight, t)
	w.imu.Unlock()
	for _, ln := range w.lanes {
		ln.push(sb, wake)
	}
	w.settle(sb, nil, 0)
}

// encode appends r to sb in each format in use, without committing it,
// and returns its largest line's size. The record is enriched and
// redacted once; a line over MaxRecordBytes in a format is truncated in
// that format, and the record counted once.
func (w *worker) encode(sb *sharedBatch, r *record) (size int) {
	w.stages.begin(r)
	truncated := false
	for f := range w.stages.formats {
		bt := sb.lines(f)
		pos := len(bt.buf)
		bt.buf = w.stages.encode(f, bt.buf, r)
		line := len(bt.buf) - pos
		if line > w.set.maxRecord {
			bt.buf = r.appendTruncated(w.stages.fmts[f].head, bt.buf[:pos], line, w.set.maxRecord)
			truncated = true
		}
		size = max(size, line)
	}
	w.stages.end()
	if truncated {
		w.truncated.Add(1)
	}
	return size
}

// spareBatch returns an empty sharedBatch.
func (w *worker) spareBatch() *sharedBatch {
	w.imu.Lock()
	var sb *sharedBatch
	if n := len(w.spare); n > 0 {
		sb = w.spare[n-1]
		w.spare = w.spare[:n-1]
	} else {
		sb = w.newBatch()
	}
	w.imu.Unlock()
	return sb
}

// newBatch returns a new sharedBatch with a batch for each format.
func (w *worker) newBatch() *sharedBatch {
	return &sharedBatch{more: make([]Batch, len(w.stages.formats)-1)}
}

// hold takes a reference on sb for a lane.
func (w *worker) hold(sb *sharedBatch) { sb.refs.Add(1) }

// settle drops a reference on sb, marking status on the records at idx
// (nil: all). When the last reference goes, the batches accounted for in
// queue order are tallied: a record is Dropped if a lane dropped it,
// else Failed if a lane failed it, else Written.
//
// A reference that is not the last changes nothing else, so with no
// status to mark it is dropped without the lock: the worker's own, which
// it drops while the lanes still hold theirs, costs one atomic add. The
// last holder sees every other holder's marks: each made them under imu
// before its add, and atomics are sequentially consistent.
func (w *worker) settle(sb *sharedBatch, idx []int, status uint8) {
	if status == 0 {
		if sb.refs.Add(-1) != 0 {
			return
		}
		w.imu.Lock()
	} else {
		w.imu.Lock()
		if idx == nil {
			for i := range sb.status {
				sb.status[i] |= status
			}
		} else {
			for _, i := range idx {
				sb.status[i] |= status
			}
		}
		if sb.refs.Add(-1) != 0 {
			w.imu.Unlock()
			return
		}
	}
	// Every lane is done with it: its outcome is known, and its
	// memory goes back for reuse now, even while an older batch still
	// waits for a slow sink (the accounting below follows queue order;
	// the buffers need not).
	t := sb.tally
	t.count(sb.status)
	t.deduped, t.ready = sb.deduped, true
	sb.tally = nil
	if !sb.pinned {
		sb.reset()
		sb.deduped = 0
		w.spare = append(w.spare, sb)
	}
	moved := false
	k := 0 // tallies accounted for, from the front
	for ; k < len(w.inflight) && w.inflight[k].ready; k++ {
		t := w.inflight[k]
		// The CAS fails if a timed-out Close counted them as dropped.
		if t.start != t.end && w.done.CompareAndSwap(t.start, t.end) { // else summaries: no positions
			w.apply(t)
			moved = true
		}
		*t = batchTally{}
		w.tallies = append(w.tallies, t)
	}
	w.inflight = dropFront(w.inflight, k) // a few pointers: few batches are in flight
	w.imu.Unlock()
	if moved {
		w.progress.notify()
	}
}

// A batchTally is the accounting of one dispatched batch, kept in queue
// order until the batches before it are accounted for.
type batchTally struct {
	start, end                        uint64 // queue positions
	records, dropped, failed, deduped uint64
	ready                             bool // every lane is done with the batch
}

// count sets t's counts from the batch's record statuses: a record is
// Dropped if a lane dropped it, else Failed if a lane failed it, else
// Written.
func (t *batchTally) count(status []uint8) {
	t.records = uint64(len(status))
	for _, s := range status {
		switch {
		case s&statusDropped != 0:
			t.dropped++
		case s&statusFailed != 0:
			t.failed++
		}
	}
}

// apply adds t to the counters.
func (w *worker) apply(t *batchTally) {
	if t.records > 0 {
		w.batches.Add(1)
	}
	w.written.Add(t.records - t.dropped - t.failed)
	if t.failed > 0 {
		w.failed.Add(t.failed)
	}
	if t.dropped > 0 {
		w.sinkDropped.Add(t.dropped)
	}
	if t.deduped > 0 {
		w.ctl.deduped.Add(t.deduped)
	}
}

// fallback writes b, which a sink failed on, to Config.Fallback and
// reports whether it took it. It is called from any lane, one at a time.
func (w *worker) fallback(b *Batch) bool {
	if w.fallbackTo == nil {
		return false
	}
	w.fallbackMu.Lock()
	err := callSink(w.fallbackTo, sinkWrite, b)
	if err == nil {
		err = callSink(w.fallbackTo, sinkFlush, nil)
	}
	w.fallbackMu.Unlock()
	n := uint64(b.Len())
	if err != nil {
		w.fallbackErr.Add(n)
		w.diag.report("fallback", fmt.Sprintf("the fallback failed to write %d records", n), err)
		return false
	}
	w.fellBack.Add(n)
	return true
}

// closeLanes closes every lane, waits for them to close their sinks, then
// closes the fallback, and returns the errors.
func (w *worker) closeLanes() error {
	for _, ln := range w.lanes {
		ln.close()
	}
	var errs []error
	for _, ln := range w.lanes {
		<-ln.exited
		errs = append(errs, ln.closeErr)
	}
	if w.fallbackTo != nil {
		w.fallbackMu.Lock()
		if err := callSink(w.fallbackTo, sinkClose, nil); err != nil {
			w.diag.report("fallback", "the fallback failed to close", err)
		}
		w.fallbackMu.Unlock()
	}
	return errors.Join(errs...)
}

type sinkOp int

const (
	sinkWrite sinkOp = iota
	sinkFlush
	sinkClose
)

// callSink runs one Sink method, turning a panic into an error.
func callSink(s Sink, op sinkOp, b *Batch) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("fapilog: sink panicked: %v", r)
		}
	}()
	switch op {
	case sinkWrite:
		return s.WriteBatch(b)
	case sinkFlush:
		return s.Flush()
	default:
		return s.Close()
	}
}

// flush returns once every record queued before the call is accounted for
// and each sink's Flush has run, or ctx ends.
func (w *worker) flush(ctx context.Context) error {
	cancel := doneOf(ctx)
	if !w.waitDone(w.q.claimed(), cancel) {
		return ctx.Err()
	}
	var errs []error
	for _, ln := range w.lanes {
		err, ok := ln.flush(cancel)
		if !ok {
			return ctx.Err()
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// close stops new records, waits for the goroutine to write what is queued
// and close the sinks, and returns their errors joined with a *LossError
// if any record was lost. If ctx ends first, what is still undelivered is
// counted as dropped and ctx's error returned (with the loss).
func (w *worker) close(ctx context.Context) error {
	w.closeOnce.Do(func() {
		w.q.close()
		close(w.stop)
	})
	var err error
	select {
	case <-w.exited:
		err = w.closeErr
	case <-doneOf(ctx):
		select {
		case <-w.exited: // both ready: the close finished
			err = w.closeErr
		default:
			w.abandon()
			err = ctx.Err()
		}
	}
	return errors.Join(err, loss(w.stats()))
}

// abandon accounts every queued record not yet accounted for as dropped,
// and makes every lane give up what it holds. The CAS on done decides,
// batch by batch, whether the lanes (written or failed) or abandon
// (dropped) counts it: never both, never neither.
func (w *worker) abandon() {
	final := w.q.claimed() // fixed: the queue is closed
	for {
		d := w.done.Load()
		if d >= final || w.done.CompareAndSwap(d, final) {
			w.abandoned.Add(final - min(d, final))
			break
		}
	}
	for _, ln := range w.lanes {
		ln.abandon()
	}
	w.progress.notify()
}
