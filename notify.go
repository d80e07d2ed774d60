package fapilog

import (
	"sync"
	"sync/atomic"
)

// A notifier wakes goroutines waiting for a condition that another
// goroutine makes true. Unlike [sync.Cond] it cannot lose a notification
// sent between the waiter's check of the condition and its going to sleep,
// its waits can be abandoned through a done channel, and notify costs one
// inlined atomic load when nobody is waiting, so it can sit on a hot path.
//
// The zero value is ready to use. A notifier must not be copied after
// first use.
type notifier struct {
	// waiters counts goroutines inside wait. notify reads it to skip the
	// mutex when it is zero.
	waiters atomic.Int32

	mu sync.Mutex
	// ch is closed by notify to wake every goroutine that took it. It is
	// created lazily by the first waiter after a notify, so a notify that
	// finds no channel allocates nothing.
	ch chan struct{}
}

// wait blocks until cond reports true and then returns true, or returns
// false if done is closed first. A nil done never closes. cond is called
// from the waiting goroutine, once on entry and again after every notify,
// so it must be safe to call repeatedly; if it has side effects, they
// happen exactly when it returns true.
//
// The goroutine that makes cond true must call notify afterwards; wait
// does not miss that notify. Proof sketch: the waiter increments waiters,
// then takes the current channel, then re-checks cond; the notifier makes
// cond true, then loads waiters. Go's atomics are sequentially consistent,
// so either the waiter's re-check sees cond true, or the notifier's load
// sees the increment and closes the channel under mu. In the second case
// the waiter either took that channel before it was closed (and is woken),
// or took its replacement after notify released mu, and then notify's
// write of cond happens before the re-check, which therefore sees it.
func (n *notifier) wait(cond func() bool, done <-chan struct{}) bool {
	if cond() {
		return true
	}
	n.waiters.Add(1)
	defer n.waiters.Add(-1)
	for {
		ch := n.channel()
		if cond() {
			return true
		}
		select {
		case <-ch:
		case <-done:
			return false
		}
	}
}

// channel returns the channel the next notify will close.
func (n *notifier) channel() chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

// notify wakes every goroutine blocked in wait so that it re-checks its
// condition. Call it after making a condition true. When nobody waits it
// is one atomic load, inlined into the caller, and does not allocate.
func (n *notifier) notify() {
	if n.waiters.Load() != 0 {
		n.wake()
	}
}

// wake is notify's slow path, kept apart so that notify inlines.
func (n *notifier) wake() {
	n.mu.Lock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil // the next waiter makes a fresh one
	}
	n.mu.Unlock()
}

// waiting reports whether any goroutine is blocked in wait.
func (n *notifier) waiting() bool { return n.waiters.Load() > 0 }
