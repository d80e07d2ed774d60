package fapilog

import (
	"errors"
	"sync/atomic"
	"time"
)

var (
	// errFull is returned when a record cannot be queued because the queue
	// has no free slot (immediately, or by the caller's deadline).
	errFull = errors.New("fapilog: queue full")
	// errClosed is returned when a record is offered after the queue was
	// closed.
	errClosed = errors.New("fapilog: queue closed")
)

// cacheLine is the padding unit that keeps hot counters apart. It is two
// 64-byte lines because the adjacent-line prefetcher of common x86 parts
// pulls lines in 128-byte pairs, which is enough to cause false sharing.
const cacheLine = 128

// closedBit is the bit of the tail word that marks the ring closed. Keeping
// it in the same word as the claim counter makes close and claim atomic
// with respect to each other: a claim is a CAS from a tail without the bit,
// so no producer can claim a slot once close has set it.
const closedBit = 1 << 63

// A slot holds one element together with its sequence number, which tells
// producers and the consumer whose turn it is. For the slot at index i and
// ring size n, position p ≡ i (mod n) goes through:
//
//	seq == p     free: the producer that claims p may write it
//	seq == p+1   published: the consumer may take it
//	seq == p+n   released: free for position p+n
//
// A size of 1 would make "published p" and "released for p+1" the same
// value, which is why rings have at least two slots.
type slot[T any] struct {
	seq atomic.Uint64
	val T
}

// A ring is a bounded, lock-free queue for many producers and one consumer.
//
// Producers claim a position by CAS on the tail, fill the slot in place
// and publish it by advancing the slot's sequence number. The window
// between claim and publish is a copy into the slot and nothing else (no
// user code, no allocation in steady state): a producer preempted there
// delays only the items behind it, and the consumer returns a partial
// batch instead of spinning. The consumer reads items in place, in
// batches, and releases their slots once done with them, so that elements
// are never copied out or pooled; it parks on a channel when the ring is
// empty, and producers wake it only when it has said it is parked, which
// costs them one atomic load otherwise. Producers that choose to wait for
// room are woken by the consumer through a notifier.
//
// Positions are 63-bit counters that never wrap in practice; they are
// compared through signed differences all the same.
type ring[T any] struct {
	_ [cacheLine]byte // keep tail off whatever precedes the ring in memory

	// tail is the next position to claim, with closedBit set once closed.
	// It is written by producers on every enqueue.
	tail atomic.Uint64
	_    [cacheLine - 8]byte

	// head is the next position to consume. Only the consumer writes it.
	head atomic.Uint64
	_    [cacheLine - 8]byte

	// sleeping is set by the consumer while it is parked in wait (or about
	// to be). Producers read it on every enqueue, so it lives on its own
	// line to keep the consumer's writes to head from evicting it.
	sleeping atomic.Bool
	_        [cacheLine - 4]byte

	// Read-only after newRing.
	slots []slot[T]
	mask  uint64 // size - 1
	size  uint64 // a power of two, at least 2
	wake  chan struct{}

	// Rarely written.
	hw   atomic.Int64 // high-water mark of len, sampled by drain
	room notifier     // producers waiting for room in enqueue
}

// newRing returns an empty ring able to hold size elements, rounded up to
// a power of two (at least 2) so that a position maps to its slot with a
// mask. The caller has validated 0 < size <= 1<<30.
func newRing[T any](size int) *ring[T] {
	n := uint64(2)
	for n < uint64(size) {
		n <<= 1
	}
	r := &ring[T]{
		slots: make([]slot[T], n),
		mask:  n - 1,
		size:  n,
		wake:  make(chan struct{}, 1),
	}
	for i := range r.slots {
		r.slots[i].seq.Store(uint64(i))
	}
	return r
}

// claim reserves the next position for a producer without blocking and
// returns it: 0, 1, 2, ... in the order producers claimed. The producer
// then fills the slot (at) and publishes it (publish), and nothing else:
// the consumer cannot take later positions before this one is published,
// so the window between claim and publish must hold no more than copying
// into the slot. claim returns errFull if the ring has no free slot and
// errClosed if the ring is closed. It uses only atomics.
func (r *ring[T]) claim() (uint64, error) { return r.claimUnder(noLimit) }

// claimUnder is claim that returns errShed, claiming nothing, if the ring
// holds more than limit items. Only a limit below the ring's size costs
// anything: one load of the consumer's position, whose cache line changes
// once per batch drained, not per item.
func (r *ring[T]) claimUnder(limit uint64) (uint64, error) {
	var head uint64
	if limit < r.size {
		head = r.head.Load() // before tail, so that tail >= head
	}
	t := r.tail.Load()
	for {
		if t&closedBit != 0 {
			return 0, errClosed
		}
		if limit < r.size && t-head > limit {
			// head may be stale, which overstates the fill by what the
			// consumer took since it was loaded: a record may be shed a
			// moment early, never one kept past the limit.
			return 0, errShed
		}
		seq := r.slots[t&r.mask].seq.Load()
		switch d := int64(seq - t); {
		case d == 0:
			// The slot is free for position t; claim it. The CAS fails if
			// another producer claimed t or close set the closed bit.
			if r.tail.CompareAndSwap(t, t+1) {
				return t, nil
			}
			t = r.tail.Load()
		case d < 0:
			// The slot still holds (or is about to hold) position t-size,
			// which the consumer has not released. tail >= t when seq was
			// loaded, so the ring held size items at that moment.
			return 0, errFull
		default:
			// Another producer claimed t after we loaded the tail.
			t = r.tail.Load()
		}
	}
}

// at returns the slot of a claimed or published position. The producer
// owns it from claim to publish, the consumer from peek to release.
func (r *ring[T]) at(pos uint64) *T { return &r.slots[pos&r.mask].val }

// publish hands the claimed position pos to the consumer. The store of
// the sequence number orders the producer's writes to the slot before the
// consumer's reads (Go's atomics are sequentially consistent). It does not
// wake a parked consumer: see wakeConsumer.
func (r *ring[T]) publish(pos uint64) { r.slots[pos&r.mask].seq.Store(pos + 1) }

// tryEnqueue adds v without blocking and returns its position, waking the
// consumer. It fails as claim does.
func (r *ring[T]) tryEnqueue(v T) (pos uint64, err error) {
	pos, err = r.put(v)
	if err == nil {
		r.wakeConsumer()
	}
	return pos, err
}

// put is tryEnqueue without waking a parked consumer.
func (r *ring[T]) put(v T) (pos uint64, err error) {
	pos, err = r.claim()
	if err == nil {
		*r.at(pos) = v
		r.publish(pos)
	}
	return pos, err
}

// wakeConsumer unparks the consumer if it is parked in wait. It is called
// after publishing; see wait for why the wake-up cannot be lost.
func (r *ring[T]) wakeConsumer() {
	if r.sleeping.Load() && r.sleeping.CompareAndSwap(true, false) {
		select {
		case r.wake <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}

// enqueue is like tryEnqueue but, when the ring is full, waits for the
// consumer to free a slot, as claimWait does.
func (r *ring[T]) enqueue(v T, deadline time.Time) (pos uint64, err error) {
	pos, err = r.claimWait(deadline)
	if err == nil {
		*r.at(pos) = v
		r.publish(pos)
		r.wakeConsumer()
	}
	return pos, err
}

// claimWait is claim that, when the ring is full, waits for the consumer
// to free a slot. It returns errFull if the ring is still full at the
// deadline (a zero deadline means wait indefinitely) and errClosed if the
// ring is or becomes closed. Waiting blocks on a notifier signalled by
// release and close; it neither spins nor polls.
func (r *ring[T]) claimWait(deadline time.Time) (uint64, error) {
	pos, err := r.claim()
	if err != errFull {
		return pos, err
	}
	return r.claimSlow(deadline)
}

// claimSlow is the waiting part of claimWait, kept separate so that its
// closure and timer cost nothing on the fast path.
func (r *ring[T]) claimSlow(deadline time.Time) (pos uint64, err error) {
	var done <-chan struct{}
	if !deadline.IsZero() {
		d := time.Until(deadline)
		if d <= 0 {
			return 0, errFull
		}
		c := make(chan struct{})
		t := time.AfterFunc(d, func() { close(c) })
		defer t.Stop()
		done = c
	}
	ok := r.room.wait(func() bool {
		pos, err = r.claim()
		return err != errFull
	}, done)
	if !ok {
		return 0, errFull
	}
	return pos, err
}

// peek returns how many items from the consumer's position on, up to max,
// are published, and records the high-water mark of len. It stops at the
// first slot that is claimed but not yet published rather than wait for
// its producer. The consumer reads them in place (at) and then releases
// them. Only one goroutine may consume at a time; callers that take turns
// must serialize through their own lock.
func (r *ring[T]) peek(max int) int {
	head := r.head.Load()
	if n := int64(min(r.tail.Load()&^closedBit-head, r.size)); n > r.hw.Load() {
		r.hw.Store(n)
	}
	n := 0
	for n < max && r.slots[(head+uint64(n))&r.mask].seq.Load() == head+uint64(n)+1 {
		n++
	}
	return n
}

// release hands the n items peek found back to the producers, which may
// overwrite them at once, and wakes producers waiting for room. The slots
// keep what they held until then: the consumer clears what it must not
// retain.
func (r *ring[T]) release(n int) {
	if n == 0 {
		return
	}
	head := r.head.Load()
	for i := range uint64(n) {
		r.slots[(head+i)&r.mask].seq.Store(head + i + r.size)
	}
	r.head.Store(head + uint64(n))
	r.room.notify()
}

// drain appends to dst up to max published items in position order, zeroes
// their slots so that the ring retains no references, releases them, and
// returns the extended slice. It is peek, a copy and release in one.
func (r *ring[T]) drain(dst []T, max int) []T {
	n := r.peek(max)
	head := r.head.Load()
	var zero T
	for i := range uint64(n) {
		v := r.at(head + i)
		dst = append(dst, *v)
		*v = zero
	}
	r.release(n)
	return dst
}

// wait parks the consumer until an item may be available, the ring is
// closed and fully drained, or stop is closed (a nil stop never closes).
// It may return spuriously, so callers loop around drain and wait.
//
// No wake-up is lost: the consumer stores sleeping=true and then loads the
// slot at head (and the tail, for close); a producer stores the slot's
// sequence (close sets the closed bit) and then loads sleeping. Go's
// atomics are sequentially consistent, so in this Dekker-style pairing at
// least one side sees the other's store: either the consumer's re-check
// finds the item and it returns at once, or the producer sees sleeping,
// clears it and leaves a token in the one-slot wake channel, which the
// consumer then receives.
func (r *ring[T]) wait(stop <-chan struct{}) {
	r.sleeping.Store(true)
	if r.ready() {
		r.sleeping.Store(false)
		return
	}
	select {
	case <-r.wake:
	case <-stop:
	}
	// A producer that woke us has cleared the flag already; after stop,
	// clear it ourselves. A token sent after a concurrent clear only
	// makes a later wait return spuriously.
	r.sleeping.Store(false)
}

// ready reports whether the consumer has no reason to park: the item at
// head is published, or the ring is closed and every claimed item has been
// consumed. A closed ring with claimed but unpublished items is not ready;
// their producers will wake the consumer when they publish.
func (r *ring[T]) ready() bool {
	head := r.head.Load()
	if r.slots[head&r.mask].seq.Load() == head+1 {
		return true
	}
	t := r.tail.Load()
	return t&closedBit != 0 && t&^closedBit == head
}

// len returns the number of claimed items not yet consumed, including
// items whose producers have not finished publishing them. It is a
// snapshot and may be stale by the time it returns.
func (r *ring[T]) len() int {
	head := r.head.Load() // before tail, so that tail >= head
	tail := r.tail.Load() &^ closedBit
	return int(min(tail-head, r.size))
}

// cap returns the number of slots in the ring.
func (r *ring[T]) cap() int {
	return int(r.size)
}

// highWater returns the largest len observed by drain so far.
func (r *ring[T]) highWater() int {
	return int(r.hw.Load())
}

// claimed returns the number of positions ever claimed, which is also the
// position the next item will get.
func (r *ring[T]) claimed() uint64 {
	return r.tail.Load() &^ closedBit
}

// consumed returns the number of items drained so far: every position
// below it has been taken by the consumer.
func (r *ring[T]) consumed() uint64 {
	return r.head.Load()
}

// close marks the ring closed so that every later enqueue fails with
// errClosed, then wakes the consumer and every producer waiting for room.
// Items already claimed remain and can be drained. close is idempotent.
func (r *ring[T]) close() {
	if r.tail.Or(closedBit)&closedBit != 0 {
		return // already closed; the first close woke everyone
	}
	r.wakeConsumer()
	r.room.notify()
}

// isClosed reports whether close has been called.
func (r *ring[T]) isClosed() bool {
	return r.tail.Load()&closedBit != 0
}
