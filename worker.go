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
// sinks and the counters; it captures records, queues them, drains them in
// batches, encodes and writes them, and contains every failure.
//
// The consumer side (draining, encoding, every Sink call) runs under lock,
// held by the worker's goroutine or, for a SyncLogger, by a caller that
// found the worker idle and does the work itself (no hand-off per call).
// Whoever holds the lock writes everything queued so far, so concurrent
// sync callers share one batch write.
type worker struct {
	set    settings
	q      *ring[record]
	diag   *diagnostics
	stages *stages

	// lock is a 1-buffered channel so that waiting for it can honor a
	// context.
	lock chan struct{}
	// Owned by the lock holder.
	lines        []Batch // one per format in use (stages.formats)
	dirty        bool    // sinks written since their last Flush
	sinksClosed  bool
	droppedShown uint64 // rejected count already reported

	// done counts queue positions accounted for (written, failed or
	// abandoned), always a prefix of the queue: sync callers and Flush wait
	// for it to pass their position. progress is notified when it moves
	// and when lock is released.
	done     atomic.Uint64
	progress notifier

	rejected  atomic.Uint64 // never queued: queue full or closed
	abandoned atomic.Uint64 // queued, then given up by a Close that timed out
	written   atomic.Uint64
	failed    atomic.Uint64
	truncated atomic.Uint64
	batches   atomic.Uint64

	stop      chan struct{} // closed by close
	exited    chan struct{} // closed when run returns
	closeOnce sync.Once
	closeErr  error // written by run before exited is closed
}

func newWorker(cfg Config) (*worker, error) {
	set, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	w := newIdleWorker(set)
	go w.run()
	return w, nil
}

// newIdleWorker returns a worker for set whose goroutine is not started.
func newIdleWorker(set settings) *worker {
	diag := newDiagnostics(set.diagnostics)
	return &worker{
		set:    set,
		q:      newRing[record](set.queueSize),
		diag:   diag,
		stages: newStages(set, diag),
		lines:  make([]Batch, len(set.formats)),
		lock:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
		exited: make(chan struct{}),
	}
}

// enabled reports whether level passes the configured minimum.
func (w *worker) enabled(level slog.Level) bool {
	return level >= w.set.level.Level()
}

// log captures a facade call and queues it; with wait, it returns once
// the record is accounted for (or ctx ends). skip counts the frames
// between the user's call and log, for the source PC.
func (w *worker) log(ctx context.Context, sc *scope, wait bool, skip int, level slog.Level, msg string, attrs []slog.Attr) {
	if !w.enabled(level) {
		return
	}
	var pc uintptr
	if w.set.addSource {
		var pcs [1]uintptr
		runtime.Callers(skip+2, pcs[:]) // skip runtime.Callers and log
		pc = pcs[0]
	}
	w.emit(ctx, sc, wait, now(), level, msg, pc, nil, attrs)
}

// handle is log for a record that came through slog.Handler.Handle, which
// supplies the time (zero: none) and the PC (used only with AddSource).
func (w *worker) handle(ctx context.Context, sc *scope, wait bool, call *slog.Record) {
	if !w.enabled(call.Level) {
		return
	}
	pc := call.PC
	if !w.set.addSource {
		pc = 0
	}
	w.emit(ctx, sc, wait, call.Time, call.Level, call.Message, pc, call, nil)
}

// emit queues the record of one call, built on the caller's goroutine from
// its time, level, message and PC, the attrs ctx yields, call's attrs
// (call may be nil) and attrs, all captured. A call whose values are all
// primitive is copied straight into its slot; anything that runs code or
// needs deep copies (see capture) is captured first, before the slot is
// claimed.
func (w *worker) emit(ctx context.Context, sc *scope, wait bool, t time.Time, level slog.Level, msg string, pc uintptr, call *slog.Record, attrs []slog.Attr) {
	var ctxAttrs []slog.Attr
	if ctx != nil {
		ctxAttrs, _ = ctx.Value(attrsKey{}).([]slog.Attr) // captured by ContextWithAttrs
	}
	var side *capture
	if len(w.set.extractors) > 0 || !plain(attrs) || (call != nil && !plainRecord(call)) {
		side = w.capture(ctx, ctxAttrs, call, attrs)
	}
	pos, err := w.claim(level, wait)
	if err != nil {
		if side != nil {
			side.free()
		}
		w.rejected.Add(1) // reported by the worker, off the caller's path
		return
	}
	// From here to publish: copies only.
	r := w.q.at(pos)
	r.time, r.msg, r.level, r.pc, r.scope = t, msg, level, pc, sc
	r.side = side
	if side != nil {
		r.ctx, r.attrs = side.ctx, side.attrs
	} else {
		r.ctx = ctxAttrs
		r.own = append(r.own[:0], attrs...)
		if call != nil {
			call.Attrs(func(a slog.Attr) bool {
				r.own = append(r.own, a)
				return true
			})
		}
		r.attrs = r.own
	}
	w.q.publish(pos)
	if !wait {
		w.q.wakeConsumer()
	} else if !w.waitDone(pos+1, doneOf(ctx)) {
		// No wake-up was needed while this caller could drain itself (or
		// wait for the lock holder to); now the record is still queued
		// and the worker takes it over.
		w.q.wakeConsumer()
	}
}

// plainRecord reports whether every attr of a slog record is plain.
func plainRecord(call *slog.Record) bool {
	ok := true
	call.Attrs(func(a slog.Attr) bool {
		ok = plainValue(a.Value)
		return ok
	})
	return ok
}

// capture captures, into a pooled capture, the context's attrs (ctxAttrs
// and what the extractors pull out of ctx), call's attrs and attrs.
func (w *worker) capture(ctx context.Context, ctxAttrs []slog.Attr, call *slog.Record, attrs []slog.Attr) *capture {
	c := newCapture()
	c.ctx = append(c.ctx, ctxAttrs...)
	if ctx != nil {
		c.ctx = w.appendExtracted(c.ctx, ctx, &c.mem)
	}
	if call != nil && call.NumAttrs() > 0 {
		// Collect, then capture in one pass: capturing from the callback
		// made a 10-attr slog call ~1.5x slower.
		call.Attrs(func(a slog.Attr) bool {
			c.attrs = append(c.attrs, a)
			return true
		})
		c.mem.captureInPlace(c.attrs, 0)
	}
	c.attrs = c.mem.appendCaptured(c.attrs, attrs...)
	return c
}

// claim claims a slot for a record at level, waiting for room under Block
// or for a protected level, up to BlockTimeout. A caller that will wait
// for its write does not wake the worker: it drains itself when the lock
// is free, and otherwise the lock holder drains for it (waitDone).
func (w *worker) claim(level slog.Level, wait bool) (uint64, error) {
	pos, err := w.q.claim()
	if err == errFull && (w.set.block || level >= w.set.protected.Level()) {
		var deadline time.Time
		if w.set.blockTimeout > 0 {
			deadline = time.Now().Add(w.set.blockTimeout)
		}
		w.q.wakeConsumer() // cheap insurance: room comes from the worker
		pos, err = w.q.claimWait(deadline)
	}
	return pos, err
}

// doneOf is ctx.Done(), allowing a nil ctx as log/slog does.
func doneOf(ctx context.Context) <-chan struct{} {
	if ctx == nil {
		return nil
	}
	return ctx.Done()
}

// waitDone returns true once every position below target is accounted
// for, doing the work itself whenever the lock is free, or false if
// cancel closes first.
func (w *worker) waitDone(target uint64, cancel <-chan struct{}) bool {
	for w.done.Load() < target {
		if w.tryLock() {
			if w.progress.waiting() {
				// Others wait on this write: yield once so callers that
				// are runnable but not yet queued join the batch (group
				// commit). A lone caller does not pay for it.
				runtime.Gosched()
			}
			for w.done.Load() < target {
				if w.processBatch() == 0 {
					// A producer before target claimed its slot but has
					// not published it yet; it is one store away.
					runtime.Gosched()
				}
			}
			if w.q.len() == 0 {
				w.idle()
			}
			w.unlock()
			continue
		}
		ok := w.progress.wait(func() bool {
			return w.done.Load() >= target || len(w.lock) == 0
		}, cancel)
		if !ok {
			return false
		}
	}
	return true
}

func (w *worker) tryLock() bool {
	select {
	case w.lock <- struct{}{}:
		return true
	default:
		return false
	}
}

func (w *worker) lockOr(cancel <-chan struct{}) bool {
	select {
	case w.lock <- struct{}{}:
		return true
	case <-cancel:
		return false
	}
}

func (w *worker) unlock() {
	<-w.lock
	w.progress.notify()
}

// run is the worker goroutine: it parks until records arrive, drains them
// a batch at a time (releasing the lock between batches so Flush and sync
// callers get their turn), flushes the sinks when the queue goes idle, and
// after close drains what is left and closes the sinks.
func (w *worker) run() {
	defer close(w.exited)
	for {
		w.q.wait(w.stop)
		for {
			w.lock <- struct{}{}
			n := w.processBatch()
			if n == 0 {
				w.idle()
				if w.q.isClosed() && w.q.len() == 0 {
					w.closeErr = w.closeSinks()
					w.unlock()
					return
				}
			}
			w.unlock()
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

// idle runs under lock when the queue is empty: flush buffered sinks and
// report drops since the last report.
func (w *worker) idle() {
	if w.dirty {
		w.flushSinks()
	}
	if n := w.rejected.Load(); n != w.droppedShown {
		w.diag.report("queue", strconv.FormatUint(n-w.droppedShown, 10)+" records dropped: queue full or closed", nil)
		w.droppedShown = n
	}
}

// processBatch encodes up to BatchSize queued records, in their slots,
// into one batch, releases the slots, hands the batch to every sink and
// accounts for it. It runs under lock and returns the number of records
// taken.
func (w *worker) processBatch() int {
	start := w.q.consumed()
	n := w.q.peek(w.set.batchSize)
	if n == 0 {
		return 0
	}
	// Each record is enriched and redacted once, then encoded into the
	// batch of each format in use; a line over MaxRecordBytes in a format
	// is truncated in that format, and the record counted once.
	for f := range w.lines {
		w.lines[f].Reset()
	}
	for i := range uint64(n) {
		r := w.q.at(start + i)
		w.stages.begin(r)
		size, truncated := 0, false
		for f := range w.lines {
			bt := &w.lines[f]
			pos := len(bt.buf)
			bt.buf = w.stages.encode(f, bt.buf, r)
			line := len(bt.buf) - pos
			if line > w.set.maxRecord {
				bt.buf = r.appendTruncated(w.stages.fmts[f].head, bt.buf[:pos], line, w.set.maxRecord)
				truncated = true
			}
			bt.commit(r.time, r.level)
			size = max(size, line)
		}
		w.stages.end()
		if truncated {
			w.truncated.Add(1)
		}
		r.done(size)
	}
	w.q.release(n)
	end := start + uint64(n)
	if w.done.Load() == start { // else a timed-out Close counted them as dropped
		ok := w.writeBatch()
		if w.done.CompareAndSwap(start, end) {
			w.batches.Add(1)
			if ok {
				w.written.Add(uint64(n))
			} else {
				w.failed.Add(uint64(n))
			}
		}
	}
	w.progress.notify()
	return n
}

// writeBatch hands the batch to every sink; false if any failed.
func (w *worker) writeBatch() bool {
	ok := true
	w.dirty = true
	for i, s := range w.set.sinks {
		b := &w.lines[w.set.sinkFormats[i]]
		if err := callSink(s, sinkWrite, b); err != nil {
			ok = false
			w.diag.report("sink", fmt.Sprintf("sink %T: write of %d records failed", s, b.Len()), err)
		}
	}
	return ok
}

func (w *worker) flushSinks() error {
	if w.sinksClosed {
		return nil
	}
	w.dirty = false
	return w.eachSink(sinkFlush, "flush")
}

func (w *worker) closeSinks() error {
	if w.sinksClosed {
		return nil
	}
	w.sinksClosed = true
	return w.eachSink(sinkClose, "close")
}

func (w *worker) eachSink(op sinkOp, name string) error {
	var errs []error
	for _, s := range w.set.sinks {
		if err := callSink(s, op, nil); err != nil {
			w.diag.report("sink", fmt.Sprintf("sink %T: %s failed", s, name), err)
			errs = append(errs, err)
		}
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
	if !w.waitDone(w.q.claimed(), cancel) || !w.lockOr(cancel) {
		return ctx.Err()
	}
	err := w.flushSinks()
	w.unlock()
	return err
}

// close stops new records, waits for the goroutine to write what is queued
// and close the sinks, and returns their errors. If ctx ends first, what
// is still undelivered is counted as dropped and ctx's error returned.
func (w *worker) close(ctx context.Context) error {
	w.closeOnce.Do(func() {
		w.q.close()
		close(w.stop)
	})
	select {
	case <-w.exited:
		return w.closeErr
	default:
	}
	select {
	case <-w.exited:
		return w.closeErr
	case <-doneOf(ctx):
		w.abandon()
		return ctx.Err()
	}
}

// abandon accounts every queued record not yet accounted for as dropped.
// The CAS on done decides, record by record, whether the worker (written
// or failed) or abandon (dropped) counts it: never both, never neither.
func (w *worker) abandon() {
	final := w.q.claimed() // fixed: the queue is closed
	for {
		d := w.done.Load()
		if d >= final {
			return
		}
		if w.done.CompareAndSwap(d, final) {
			w.abandoned.Add(final - d)
			w.progress.notify()
			return
		}
	}
}

// Stats is a snapshot of a logger's counters. Every record that passed the
// level check is Submitted and, once the logger is closed, exactly one of
// Written, Dropped or Failed: Submitted == Written + Dropped + Failed.
type Stats struct {
	// Submitted counts records that passed the level check.
	Submitted uint64
	// Written counts records every sink accepted.
	Written uint64
	// Dropped counts records never written: the queue was full or closed,
	// or Close gave up on them when its context ended.
	Dropped uint64
	// Failed counts records in batches that a sink failed or panicked on.
	Failed uint64
	// Truncated counts records that encoded larger than
	// Config.MaxRecordBytes and were replaced by a short record saying so.
	// It is not part of the sum above: such a record is still Written (or
	// Failed) like any other.
	Truncated uint64
	// Batches counts batches handed to the sinks.
	Batches uint64
	// QueueLen is the number of records queued now, QueueCap the queue's
	// capacity and QueueHighWater the most seen queued at once.
	QueueLen, QueueCap, QueueHighWater int
	// EnricherErrors counts enricher panics (the record was written
	// without that enricher's attrs) and static enrichers that could not
	// compute a field.
	EnricherErrors uint64
	// RedactorErrors counts redactor panics; the value being looked at
	// was masked.
	RedactorErrors uint64
	// RedactionLimited counts records, and With calls, in which values
	// were masked whole without being scanned: nested deeper than
	// Config.RedactMaxDepth, past Config.RedactMaxKeys, or not readable
	// as JSON.
	RedactionLimited uint64
}

func (w *worker) stats() Stats {
	rejected := w.rejected.Load()
	return Stats{
		Submitted:      w.q.claimed() + rejected,
		Written:        w.written.Load(),
		Dropped:        rejected + w.abandoned.Load(),
		Failed:         w.failed.Load(),
		Truncated:      w.truncated.Load(),
		Batches:        w.batches.Load(),
		QueueLen:       w.q.len(),
		QueueCap:       w.q.cap(),
		QueueHighWater: w.q.highWater(),

		EnricherErrors:   w.stages.enricherErrors.Load(),
		RedactorErrors:   w.stages.redactorErrors.Load(),
		RedactionLimited: w.stages.redactionLimited.Load(),
	}
}
