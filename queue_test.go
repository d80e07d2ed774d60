package fapilog

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// hangTimeout bounds every wait that should end promptly, so that a lost
// wake-up fails the test instead of hanging it.
const hangTimeout = 10 * time.Second

// TestRingCapacity checks rounding of the size to a power of two, at least 2.
func TestRingCapacity(t *testing.T) {
	for _, tc := range []struct{ size, want int }{
		{1, 2}, {2, 2}, {3, 4}, {4, 4}, {5, 8}, {1000, 1024}, {16384, 16384}, {16385, 32768},
	} {
		require.Equal(t, tc.want, newRing[int](tc.size).cap(), "size %d", tc.size)
	}
}

// TestRingFIFO checks that items come out in order, across several laps.
func TestRingFIFO(t *testing.T) {
	r := newRing[int](4)
	for i := range 3 {
		pos, err := r.tryEnqueue(i * 10)
		require.NoError(t, err)
		require.Equal(t, uint64(i), pos)
	}
	require.Equal(t, []int{0, 10}, r.drain(nil, 2))
	require.Equal(t, []int{20}, r.drain(nil, 10))
	require.Empty(t, r.drain(nil, 10))

	// Wrap around the slots several times.
	var got []int
	for i := range 20 {
		pos, err := r.tryEnqueue(i)
		require.NoError(t, err)
		require.Equal(t, uint64(i+3), pos)
		got = r.drain(got, 1)
	}
	require.Len(t, got, 20)
	for i, v := range got {
		require.Equal(t, i, v)
	}
	require.Empty(t, r.drain(nil, 0), "max 0 takes nothing")
}

// TestRingFull checks that a full ring refuses items until drained.
func TestRingFull(t *testing.T) {
	r := newRing[int](3) // 4 slots
	for i := range 4 {
		_, err := r.tryEnqueue(i)
		require.NoError(t, err)
	}
	_, err := r.tryEnqueue(4)
	require.ErrorIs(t, err, errFull)
	require.Equal(t, uint64(4), r.claimed(), "a failed enqueue claims nothing")

	require.Equal(t, []int{0}, r.drain(nil, 1))
	pos, err := r.tryEnqueue(4)
	require.NoError(t, err)
	require.Equal(t, uint64(4), pos)
	_, err = r.tryEnqueue(5)
	require.ErrorIs(t, err, errFull)
	require.Equal(t, []int{1, 2, 3, 4}, r.drain(nil, 10))
}

// TestRingClose checks that close refuses new items but keeps queued ones.
func TestRingClose(t *testing.T) {
	r := newRing[int](4)
	for i := range 3 {
		_, err := r.tryEnqueue(i)
		require.NoError(t, err)
	}
	require.False(t, r.isClosed())
	r.close()
	r.close() // idempotent
	require.True(t, r.isClosed())

	_, err := r.tryEnqueue(3)
	require.ErrorIs(t, err, errClosed)
	_, err = r.enqueue(3, time.Time{})
	require.ErrorIs(t, err, errClosed)
	require.Equal(t, uint64(3), r.claimed(), "closed bit is not part of the position")

	require.Equal(t, []int{0, 1, 2}, r.drain(nil, 10))
	require.Empty(t, r.drain(nil, 10))
	r.wait(nil) // closed and drained: must not block
}

// TestRingClosedFull checks that a closed ring reports closed even when full.
func TestRingClosedFull(t *testing.T) {
	r := newRing[int](2)
	for i := range 2 {
		_, err := r.tryEnqueue(i)
		require.NoError(t, err)
	}
	r.close()
	_, err := r.tryEnqueue(2)
	require.ErrorIs(t, err, errClosed, "closed takes precedence over full")
}

// TestRingCounters checks len, highWater, claimed and consumed.
func TestRingCounters(t *testing.T) {
	r := newRing[int](8)
	require.Equal(t, 0, r.len())
	require.Equal(t, 0, r.highWater())
	for i := range 5 {
		_, err := r.tryEnqueue(i)
		require.NoError(t, err)
	}
	require.Equal(t, 5, r.len())
	require.Equal(t, uint64(5), r.claimed())
	require.Equal(t, uint64(0), r.consumed())
	require.Equal(t, 0, r.highWater(), "high water is sampled by drain")

	r.drain(nil, 3)
	require.Equal(t, 2, r.len())
	require.Equal(t, uint64(3), r.consumed())
	require.Equal(t, 5, r.highWater())

	for i := range 6 {
		_, err := r.tryEnqueue(i)
		require.NoError(t, err)
	}
	require.Equal(t, 8, r.len())
	r.drain(nil, 100)
	require.Equal(t, 0, r.len())
	require.Equal(t, 8, r.highWater())
	require.Equal(t, uint64(11), r.claimed())
	require.Equal(t, uint64(11), r.consumed())

	_, err := r.tryEnqueue(0)
	require.NoError(t, err)
	r.drain(nil, 100)
	require.Equal(t, 8, r.highWater(), "high water never decreases")

	r.close()
	require.Equal(t, uint64(12), r.claimed())
	require.Equal(t, 0, r.len())
}

// TestRingDrainZeroesSlots checks that the ring keeps no reference to drained items.
func TestRingDrainZeroesSlots(t *testing.T) {
	r := newRing[*int](2)
	x := new(int)
	_, err := r.tryEnqueue(x)
	require.NoError(t, err)
	require.Equal(t, []*int{x}, r.drain(nil, 1))
	for i := range r.slots {
		require.Nil(t, r.slots[i].val, "slot %d retains a reference", i)
	}
}

// TestRingDrainStopsAtUnpublished checks that drain returns a partial batch
// instead of waiting for a claimed but unpublished slot.
func TestRingDrainStopsAtUnpublished(t *testing.T) {
	r := newRing[int](8)
	_, err := r.tryEnqueue(1)
	require.NoError(t, err)
	// Simulate a producer preempted between claim and publish of position 1.
	require.True(t, r.tail.CompareAndSwap(1, 2))
	_, err = r.tryEnqueue(3)
	require.NoError(t, err)

	require.Equal(t, []int{1}, r.drain(nil, 10), "partial batch")
	require.Empty(t, r.drain(nil, 10))
	require.Equal(t, 2, r.len(), "claimed but unpublished items count")

	r.slots[1].val = 2
	r.slots[1].seq.Store(2)
	require.Equal(t, []int{2, 3}, r.drain(nil, 10))
}

// stressItem encodes a producer id and that producer's sequence number.
func stressItem(id, seq int) uint64 { return uint64(id)<<32 | uint64(seq) }

// stressSplit decodes a stressItem.
func stressSplit(v uint64) (id, seq int) { return int(v >> 32), int(uint32(v)) }

// byProducer groups the sequence numbers in order by producer id.
func byProducer(order []uint64, producers int) [][]int {
	got := make([][]int, producers)
	for _, v := range order {
		id, seq := stressSplit(v)
		got[id] = append(got[id], seq)
	}
	return got
}

// stressCount returns the number of items each stress producer sends.
func stressCount() int {
	if testing.Short() {
		return 10_000
	}
	return 100_000
}

// runStress runs producers goroutines that each offer n items through
// send, while one consumer drains in batches of up to 256 and parks with
// wait. It returns the items in the order drained and the number of items
// send reported as not queued. If the run stalls, it closes the ring to
// release the producers and fails.
func runStress(t *testing.T, r *ring[uint64], producers, n int, send func(uint64) bool) (order []uint64, failed int64) {
	t.Helper()
	var nfailed atomic.Int64
	var wg sync.WaitGroup
	for id := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seq := range n {
				if !send(stressItem(id, seq)) {
					nfailed.Add(1)
				}
			}
		}()
	}

	// stop ends the consumer's parking once the producers are done or the
	// watchdog fires.
	stop := make(chan struct{})
	var stopOnce sync.Once
	halt := func() { stopOnce.Do(func() { close(stop) }) }
	var finished, stuck atomic.Bool
	go func() {
		wg.Wait()
		finished.Store(true)
		halt()
	}()
	watchdog := time.AfterFunc(30*time.Second, func() {
		stuck.Store(true)
		halt()
	})
	defer watchdog.Stop()

	order = make([]uint64, 0, producers*n)
	for {
		k := len(order)
		order = r.drain(order, 256)
		if len(order) > k {
			continue
		}
		if finished.Load() && r.consumed() == r.claimed() {
			return order, nfailed.Load()
		}
		if stuck.Load() {
			r.close() // release blocked producers
			<-stop
			wg.Wait()
			t.Fatalf("stress run stalled: consumed %d, claimed %d", r.consumed(), r.claimed())
		}
		r.wait(stop)
	}
}

// TestRingStressBlocking checks that with blocking enqueues every item
// arrives exactly once, in order per producer, and that the positions
// returned to concurrent producers are unique, dense and match the order
// in which drain yields the items.
func TestRingStressBlocking(t *testing.T) {
	const producers = 8
	n := stressCount()
	r := newRing[uint64](1024)
	positions := make([][]uint64, producers) // [id][seq]
	for id := range positions {
		positions[id] = make([]uint64, n)
	}
	order, failed := runStress(t, r, producers, n, func(v uint64) bool {
		pos, err := r.enqueue(v, time.Time{})
		if err != nil {
			return false
		}
		id, seq := stressSplit(v)
		positions[id][seq] = pos
		return true
	})
	require.Zero(t, failed)
	require.Len(t, order, producers*n)
	for id, seqs := range byProducer(order, producers) {
		require.Len(t, seqs, n, "producer %d", id)
		for i, seq := range seqs {
			if seq != i {
				require.Equal(t, i, seq, "producer %d out of order", id)
			}
		}
	}
	for k, v := range order {
		if id, seq := stressSplit(v); positions[id][seq] != uint64(k) {
			require.Equal(t, uint64(k), positions[id][seq], "position of item %d/%d", id, seq)
		}
	}
	require.Equal(t, uint64(producers*n), r.consumed())
	require.Equal(t, 0, r.len())
	require.Equal(t, 1024, r.highWater(), "producers should have filled the ring")
}

// TestRingStressTry checks that with non-blocking enqueues every item is
// either received exactly once, in order per producer, or reported full.
func TestRingStressTry(t *testing.T) {
	const producers = 8
	n := stressCount()
	r := newRing[uint64](256)
	order, failed := runStress(t, r, producers, n, func(v uint64) bool {
		_, err := r.tryEnqueue(v)
		if err == errFull {
			runtime.Gosched()
			return false
		}
		if err != nil {
			t.Errorf("tryEnqueue: %v", err)
		}
		return true
	})
	for id, seqs := range byProducer(order, producers) {
		for i := 1; i < len(seqs); i++ {
			if seqs[i] <= seqs[i-1] {
				require.Greater(t, seqs[i], seqs[i-1], "producer %d out of order or duplicated", id)
			}
		}
	}
	require.Equal(t, int64(producers*n), int64(len(order))+failed)
	require.Equal(t, uint64(len(order)), r.consumed())
	t.Logf("received %d, full %d", len(order), failed)
}

// TestRingEnqueueDeadline checks that enqueue gives up at its deadline.
func TestRingEnqueueDeadline(t *testing.T) {
	r := newRing[int](2)
	for i := range 2 {
		_, err := r.tryEnqueue(i)
		require.NoError(t, err)
	}
	start := time.Now()
	_, err := r.enqueue(2, start.Add(50*time.Millisecond))
	require.ErrorIs(t, err, errFull)
	require.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

	_, err = r.enqueue(2, time.Now().Add(-time.Second))
	require.ErrorIs(t, err, errFull, "past deadline")
	require.Equal(t, []int{0, 1}, r.drain(nil, 10))
}

// waitForRoomWaiters blocks until n goroutines wait for room in r.
func waitForRoomWaiters(t *testing.T, r *ring[int], n int32) {
	t.Helper()
	deadline := time.Now().Add(hangTimeout)
	for r.room.waiters.Load() != n {
		require.True(t, time.Now().Before(deadline), "enqueue never waited")
		runtime.Gosched()
	}
}

// TestRingEnqueueWaitsForDrain checks that a waiting enqueue is woken by drain,
// with and without a deadline.
func TestRingEnqueueWaitsForDrain(t *testing.T) {
	for _, deadline := range []time.Time{{}, time.Now().Add(time.Hour)} {
		r := newRing[int](2)
		t.Cleanup(r.close) // release the producer if the test fails
		for i := range 2 {
			_, err := r.tryEnqueue(i)
			require.NoError(t, err)
		}
		type result struct {
			pos uint64
			err error
		}
		res := make(chan result, 1)
		go func() {
			pos, err := r.enqueue(2, deadline)
			res <- result{pos, err}
		}()
		waitForRoomWaiters(t, r, 1)
		require.Equal(t, []int{0}, r.drain(nil, 1))
		select {
		case got := <-res:
			require.NoError(t, got.err)
			require.Equal(t, uint64(2), got.pos)
		case <-time.After(hangTimeout):
			t.Fatal("enqueue not woken by drain")
		}
		require.Equal(t, []int{1, 2}, r.drain(nil, 10))
	}
}

// TestRingEnqueueClosedWhileWaiting checks that close wakes every waiting enqueue.
func TestRingEnqueueClosedWhileWaiting(t *testing.T) {
	r := newRing[int](2)
	for i := range 2 {
		_, err := r.tryEnqueue(i)
		require.NoError(t, err)
	}
	const waiters = 4
	errs := make(chan error, waiters)
	for range waiters {
		go func() {
			_, err := r.enqueue(2, time.Time{})
			errs <- err
		}()
	}
	waitForRoomWaiters(t, r, waiters)
	r.close()
	for range waiters {
		select {
		case err := <-errs:
			require.ErrorIs(t, err, errClosed)
		case <-time.After(hangTimeout):
			t.Fatal("enqueue not woken by close")
		}
	}
	require.Equal(t, []int{0, 1}, r.drain(nil, 10))
}

// TestRingWaitNoLostWakeup races a parking consumer against a producer
// many times; a lost wake-up leaves the consumer parked and fails.
func TestRingWaitNoLostWakeup(t *testing.T) {
	iterations := 20000
	if testing.Short() {
		iterations = 2000
	}
	r := newRing[int](4)
	stop := make(chan struct{})
	defer close(stop)
	buf := make([]int, 0, 1)
	for i := range iterations {
		parked := make(chan struct{})
		go func() {
			r.wait(stop)
			close(parked)
		}()
		if i%3 == 0 {
			runtime.Gosched()
		}
		_, err := r.tryEnqueue(i)
		require.NoError(t, err)
		select {
		case <-parked:
		case <-time.After(hangTimeout):
			t.Fatalf("iteration %d: consumer not woken", i)
		}
		require.Equal(t, []int{i}, r.drain(buf[:0], 1))
		// Discard a token left by a producer that woke a consumer which
		// had already seen the item, so the next round tests a real park.
		select {
		case <-r.wake:
		default:
		}
	}
}

// TestRingWaitStop checks that closing stop unparks the consumer.
func TestRingWaitStop(t *testing.T) {
	r := newRing[int](4)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		r.wait(stop)
		close(done)
	}()
	close(stop)
	select {
	case <-done:
	case <-time.After(hangTimeout):
		t.Fatal("wait ignored stop")
	}
	require.False(t, r.sleeping.Load(), "flag left set after stop")
}

// TestRingWaitReturnsWhenReady checks that wait does not park with an item ready.
func TestRingWaitReturnsWhenReady(t *testing.T) {
	r := newRing[int](4)
	_, err := r.tryEnqueue(1)
	require.NoError(t, err)
	r.wait(nil) // an item is published: must not block
	require.False(t, r.sleeping.Load())
}

// TestRingWaitClose checks that close unparks the consumer.
func TestRingWaitClose(t *testing.T) {
	r := newRing[int](4)
	done := make(chan struct{})
	go func() {
		r.wait(nil)
		close(done)
	}()
	r.close()
	select {
	case <-done:
	case <-time.After(hangTimeout):
		t.Fatal("wait not woken by close")
	}
}

// TestRingTryEnqueueAllocs checks that the enqueue fast paths do not allocate.
func TestRingTryEnqueueAllocs(t *testing.T) {
	p := new(int)
	rp := newRing[*int](8)
	bufp := make([]*int, 0, 8)
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		if _, err := rp.tryEnqueue(p); err != nil {
			panic(err)
		}
		bufp = rp.drain(bufp[:0], 8)
	}))

	ru := newRing[uint64](8)
	bufu := make([]uint64, 0, 8)
	require.Zero(t, testing.AllocsPerRun(1000, func() {
		if _, err := ru.enqueue(42, time.Time{}); err != nil {
			panic(err)
		}
		bufu = ru.drain(bufu[:0], 8)
	}))
}

// TestNotifierWakesAll checks that one notify wakes every waiter.
func TestNotifierWakesAll(t *testing.T) {
	var n notifier
	var ready atomic.Bool
	const waiters = 50
	var wg sync.WaitGroup
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !n.wait(ready.Load, nil) {
				t.Error("wait returned false with a nil done")
			}
		}()
	}
	for n.waiters.Load() != waiters {
		runtime.Gosched()
	}
	ready.Store(true)
	n.notify()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(hangTimeout):
		t.Fatal("not every waiter woke")
	}
	require.Zero(t, n.waiters.Load())
}

// TestNotifierDone checks that closing done ends a wait with false.
func TestNotifierDone(t *testing.T) {
	var n notifier
	done := make(chan struct{})
	close(done)
	require.False(t, n.wait(func() bool { return false }, done))
	require.True(t, n.wait(func() bool { return true }, done), "cond wins over done")

	done = make(chan struct{})
	res := make(chan bool)
	go func() { res <- n.wait(func() bool { return false }, done) }()
	n.notify() // spurious notifies must not end the wait
	close(done)
	require.False(t, <-res)
	require.Zero(t, n.waiters.Load())
}

// TestNotifierNoLostNotify races a waiter's check against the condition
// becoming true many times; a lost notify leaves the waiter blocked.
func TestNotifierNoLostNotify(t *testing.T) {
	iterations := 20000
	if testing.Short() {
		iterations = 2000
	}
	var n notifier
	var count atomic.Int64
	abort := make(chan struct{}) // releases a stuck waiter if the test fails
	defer close(abort)
	for i := range iterations {
		want := int64(i + 1)
		woke := make(chan bool, 1)
		go func() { woke <- n.wait(func() bool { return count.Load() >= want }, abort) }()
		if i%3 == 0 {
			runtime.Gosched()
		}
		count.Add(1)
		n.notify()
		select {
		case ok := <-woke:
			require.True(t, ok)
		case <-time.After(hangTimeout):
			t.Fatalf("iteration %d: notify lost", i)
		}
	}
}

// TestNotifierNotifyAllocs checks that notify without waiters does not allocate.
func TestNotifierNotifyAllocs(t *testing.T) {
	var n notifier
	require.Zero(t, testing.AllocsPerRun(100, n.notify))
}

// FuzzQueue runs a random sequence of ring operations from one goroutine
// against a slice model. The first byte picks the capacity; each later
// byte is an operation (its low 3 bits) and an argument (the rest):
// tryEnqueue, put, enqueue with a deadline already past, drain(max), and
// close. After every operation the ring's positions, errors, contents,
// length, readiness and closed state must match the model.
func FuzzQueue(f *testing.F) {
	f.Add([]byte{3, 0, 0, 1, 3 | 4<<3, 0, 0, 0, 0, 0, 2, 3 | 31<<3, 4, 0, 3 | 1<<3})
	f.Add([]byte{1, 0, 0, 0, 2, 3, 0, 4, 4, 1, 3 | 8<<3})
	f.Add([]byte{16, 1, 1, 1, 1, 3 | 2<<3, 0, 0, 0, 3 | 0<<3, 3 | 30<<3, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) == 0 {
			return
		}
		r := newRing[int](int(ops[0])%64 + 1)
		var model []int // queued, in order
		claimed, next := 0, 0
		closed := false
		highWater := 0
		for step, op := range ops[1:] {
			arg := int(op >> 3)
			switch op & 7 {
			case 0, 1, 2: // tryEnqueue, put, enqueue with a past deadline
				var pos uint64
				var err error
				switch op & 7 {
				case 0:
					pos, err = r.tryEnqueue(next)
				case 1:
					pos, err = r.put(next)
				default:
					pos, err = r.enqueue(next, time.Now().Add(-time.Second))
				}
				switch {
				case closed:
					require.ErrorIs(t, err, errClosed, "step %d", step)
				case len(model) == r.cap():
					require.ErrorIs(t, err, errFull, "step %d", step)
				default:
					require.NoError(t, err, "step %d", step)
					require.Equal(t, uint64(claimed), pos, "step %d", step)
					model = append(model, next)
					claimed++
				}
				next++
			case 3: // drain(max)
				highWater = max(highWater, len(model))
				got := r.drain(nil, arg)
				n := min(arg, len(model))
				if n == 0 {
					require.Empty(t, got, "step %d", step)
				} else {
					require.Equal(t, model[:n], got, "step %d", step)
				}
				model = model[n:]
			case 4: // close
				r.close()
				closed = true
			default: // observe only
			}
			require.Equal(t, len(model), r.len(), "step %d", step)
			require.Equal(t, uint64(claimed), r.claimed(), "step %d", step)
			require.Equal(t, uint64(claimed-len(model)), r.consumed(), "step %d", step)
			require.Equal(t, closed, r.isClosed(), "step %d", step)
			require.Equal(t, len(model) > 0 || closed, r.ready(), "step %d", step)
			require.Equal(t, highWater, r.highWater(), "step %d", step)
		}
	})
}
