// Package ship holds what the shipping sinks (httpsink, otlpsink,
// syslogsink) share: retries with backoff, a circuit breaker, a disk spool
// and the counters they report.
package ship

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"sync/atomic"
	"time"
)

// A Payload is one batch on its way: the bytes a transport sends, the
// number of records in them and the idempotency key that stays the same
// across every retry and across the spool.
type Payload struct {
	Body    []byte
	Records int
	Key     string
	// Done and Cache belong to the Attempt: the records of Body already
	// delivered (the datagrams sent, for a transport that sends records
	// one by one) and an encoded form of Body (gzip) kept across
	// retries. Both start zero for a new Payload; if p fails, its Done
	// records still count as sent.
	Done  int
	Cache []byte
	// Rejected is set by an Attempt that succeeded but whose server
	// rejected that many of the records (an OTLP partial success).
	Rejected int
}

// An Attempt tries once to deliver p. It returns nil on success, a
// *RetryableError for a failure worth retrying, and any other error for a
// permanent failure (the endpoint answered but refuses this payload).
type Attempt func(ctx context.Context, p *Payload) error

// A RetryableError is a temporary failure of one attempt.
type RetryableError struct {
	Err error
	// After is the wait the server asked for (Retry-After), if HasAfter.
	After    time.Duration
	HasAfter bool
	// Alive means the endpoint answered (a 429 throttle): the failure does
	// not count towards opening the breaker.
	Alive bool
}

func (e *RetryableError) Error() string { return e.Err.Error() }
func (e *RetryableError) Unwrap() error { return e.Err }

// ErrBreakerOpen is returned for a batch refused because the breaker is
// open, there is no spool to keep it and the breaker's next probe comes
// after the batch's MaxElapsed.
var ErrBreakerOpen = errors.New("circuit breaker open")

// ErrInterrupted is returned for a batch given up because the sink was
// interrupted (the logger's Close deadline passed) and there is no spool.
var ErrInterrupted = errors.New("interrupted")

// Delivery is how a shipping sink retries, breaks and spools. Zero
// fields take the defaults noted.
type Delivery struct {
	// Retries of a batch wait from InitialBackoff (default 100ms), doubling
	// up to MaxBackoff (default 5s), each wait drawn at random below that
	// bound (full jitter); the server's Retry-After, if longer, is
	// waited instead. They stop once MaxElapsed (default 1m) would be passed.
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	MaxElapsed     time.Duration
	// BreakerFailures consecutive failed attempts (default 5; negative:
	// never) open the circuit breaker: for BreakerCooldown (default 30s)
	// batches are not tried at all, then one probe is let through. While
	// it is open a batch goes straight to the spool; with no spool it
	// waits for the probe if that comes within MaxElapsed, else fails.
	BreakerFailures int
	BreakerCooldown time.Duration
	// SpoolDir, if set, is a directory (one per sink and process) where
	// batches wait while the endpoint is down, sent oldest first once it
	// is back or on the next start. Past SpoolLimit bytes (default
	// 64 MiB) the oldest batches are dropped and counted.
	SpoolDir   string
	SpoolLimit int64
}

// Config sets up a Sender: a Delivery plus hooks for tests.
type Config struct {
	Delivery
	// The clock, the sleep (which must return early with ctx's error when
	// ctx is done) and the jitter source; nil for the real ones.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	Rand  func(n int64) int64
}

// Stats are a shipping sink's counters, in records unless named otherwise.
// Every record handed to the sink ends up Sent, Failed or (for now) in the
// spool; a spooled record is later Sent, Failed or SpoolDropped.
type Stats struct {
	Sent         uint64 // delivered and acknowledged (for UDP: handed to the socket)
	Failed       uint64 // given up: permanent errors, retries exhausted with no spool, rejected by the server
	Rejected     uint64 // of Failed: rejected by the server in a partial success (OTLP)
	Spooled      uint64 // written to the spool (counted again if spooled again)
	SpoolDropped uint64 // dropped from the spool over its byte limit, or unreadable
	Retries      uint64 // attempts after the first, in batches
	BreakerOpens uint64 // times the breaker opened
	Truncated    uint64 // shortened to fit a datagram (syslog)
	Reconnects   uint64 // connections made after the first (syslog)
	SpoolBatches int64  // batches in the spool now
	SpoolBytes   int64  // bytes in the spool now
}

// A Sender delivers payloads through an Attempt with retries, a breaker
// and an optional spool. Send, Flush and Close must not be called
// concurrently; Interrupt and Stats may be called at any time.
type Sender struct {
	attempt    Attempt
	backoff    Backoff
	maxElapsed time.Duration
	breaker    Breaker
	spool      *Spool
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error
	rand       func(int64) int64

	ctx     context.Context // done once interrupted
	cancel  context.CancelFunc
	onClose func() // releases the transport, if set

	sent, failed, rejected, spooled, spoolDropped, retries atomic.Uint64
	breakerOpens, truncated, reconnects                    atomic.Uint64
	spoolBatches, spoolBytes                               atomic.Int64
}

// NewSender returns a Sender using attempt, opening the spool if cfg has
// one. Batches already in the spool are sent first, before any new one.
func NewSender(cfg Config, attempt Attempt) (*Sender, error) {
	if cfg.MaxElapsed < 0 || cfg.BreakerCooldown < 0 || cfg.SpoolLimit < 0 ||
		cfg.InitialBackoff < 0 || cfg.MaxBackoff < 0 {
		return nil, errors.New("Delivery: negative duration or limit")
	}
	s := &Sender{
		attempt:    attempt,
		maxElapsed: Or(cfg.MaxElapsed, time.Minute),
		breaker:    Breaker{Failures: Or(cfg.BreakerFailures, 5), Cooldown: Or(cfg.BreakerCooldown, 30*time.Second)},
		now:        cfg.Now,
		sleep:      cfg.Sleep,
		rand:       cfg.Rand,
	}
	s.backoff.Initial = Or(cfg.InitialBackoff, 100*time.Millisecond)
	s.backoff.Max = max(Or(cfg.MaxBackoff, 5*time.Second), s.backoff.Initial)
	if s.now == nil {
		s.now = time.Now
	}
	if s.sleep == nil {
		s.sleep = sleepCtx
	}
	if s.rand == nil {
		s.rand = mrand.Int64N
	}
	if cfg.SpoolDir != "" {
		sp, err := OpenSpool(cfg.SpoolDir, Or(cfg.SpoolLimit, 64<<20))
		if err != nil {
			return nil, fmt.Errorf("spool: %w", err)
		}
		s.spool = sp
		s.noteSpool()
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Or returns v, or def if v is the zero value.
func Or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NewKey returns a fresh idempotency key: 32 hex digits.
func NewKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func validKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Send delivers p, after whatever the spool holds. If the spool cannot be
// emptied, or p cannot be delivered for a temporary reason, p goes to the
// spool (and Send returns nil) or, without a spool, fails. p.Body must
// stay valid only during the call.
func (s *Sender) Send(p *Payload) error {
	if err := s.drain(); err != nil {
		return s.park(p, err)
	}
	err, permanent := s.deliver(p)
	switch {
	case err == nil:
		return nil
	case permanent:
		s.fail(p)
		return err
	}
	return s.park(p, err)
}

// Flush tries to empty the spool. An endpoint still down is not an error
// of Flush: the batches wait in the spool.
func (s *Sender) Flush() error {
	s.drain()
	return nil
}

// Close tries once more to empty the spool (up to MaxElapsed, or until
// Interrupt); what is left stays on disk for the next process.
func (s *Sender) Close() error {
	s.drain()
	s.cancel()
	if s.onClose != nil {
		s.onClose()
	}
	return nil
}

// Interrupt makes a pending or later Send, Flush or Close give up its
// waits and network attempts: batches go to the spool, or fail.
func (s *Sender) Interrupt() { s.cancel() }

// Interrupted returns a context done once Interrupt was called.
func (s *Sender) Interrupted() context.Context { return s.ctx }

// CountTruncated and CountReconnect add to the transport's counters.
func (s *Sender) CountTruncated(n int) { s.truncated.Add(uint64(n)) }

// CountReconnect counts a connection made after the first.
func (s *Sender) CountReconnect() { s.reconnects.Add(1) }

// Stats returns the counters.
func (s *Sender) Stats() Stats {
	return Stats{
		Sent:         s.sent.Load(),
		Failed:       s.failed.Load(),
		Rejected:     s.rejected.Load(),
		Spooled:      s.spooled.Load(),
		SpoolDropped: s.spoolDropped.Load(),
		Retries:      s.retries.Load(),
		BreakerOpens: s.breakerOpens.Load(),
		Truncated:    s.truncated.Load(),
		Reconnects:   s.reconnects.Load(),
		SpoolBatches: s.spoolBatches.Load(),
		SpoolBytes:   s.spoolBytes.Load(),
	}
}

// drain sends the spooled batches, oldest first. It returns an error if
// one of them could not be delivered for a temporary reason; it stays
// first in the spool.
func (s *Sender) drain() error {
	if s.spool == nil {
		return nil
	}
	defer s.noteSpool()
	for s.spool.Len() > 0 {
		p, err := s.spool.Peek()
		if err == nil {
			var permanent bool
			if err, permanent = s.deliver(p); err != nil && !permanent {
				return err
			}
			if permanent {
				s.fail(p)
			}
		} else {
			s.spoolDropped.Add(uint64(p.Records))
		}
		// A crash between the delivery and this removal sends the batch
		// again on the next start, with the same idempotency key.
		if err := s.spool.Pop(); err != nil {
			return err
		}
	}
	return nil
}

// fail counts p as failed, but for the records it had delivered.
func (s *Sender) fail(p *Payload) {
	done := min(max(p.Done, 0), p.Records)
	s.sent.Add(uint64(done))
	s.failed.Add(uint64(p.Records - done))
}

// park keeps p in the spool, or fails it when there is none.
func (s *Sender) park(p *Payload, cause error) error {
	if s.spool == nil {
		s.fail(p)
		return cause
	}
	defer s.noteSpool()
	dropped, err := s.spool.Put(p)
	s.spoolDropped.Add(uint64(dropped))
	if err != nil {
		s.fail(p)
		return fmt.Errorf("spool: %w (after: %v)", err, cause)
	}
	if int64(len(p.Body)) <= s.spool.limit { // else Put dropped p itself
		s.spooled.Add(uint64(p.Records))
	}
	return nil
}

func (s *Sender) noteSpool() {
	s.spoolBatches.Store(int64(s.spool.Len()))
	s.spoolBytes.Store(s.spool.Size())
}

// deliver tries p until it is delivered, refused for good (permanent), the
// breaker opens, MaxElapsed passes or the Sender is interrupted.
func (s *Sender) deliver(p *Payload) (err error, permanent bool) {
	start := s.now()
	for n := 0; ; n++ {
		if s.ctx.Err() != nil {
			return ErrInterrupted, false
		}
		if !s.breaker.Allow(s.now()) {
			// With a spool the batch waits there at no cost. Without one
			// it waits for the probe, if that comes within MaxElapsed:
			// failing at once would lose every batch of the cooldown.
			wait := s.breaker.ProbeAt().Sub(s.now())
			if s.spool != nil || s.breaker.probing || s.now().Add(wait).Sub(start) > s.maxElapsed {
				return ErrBreakerOpen, false
			}
			if s.sleep(s.ctx, wait) != nil {
				return ErrInterrupted, false
			}
			continue
		}
		if n > 0 {
			s.retries.Add(1)
		}
		err := s.attempt(s.ctx, p)
		if err == nil {
			s.breaker.Success()
			rejected := min(max(p.Rejected, 0), p.Records)
			s.sent.Add(uint64(p.Records - rejected))
			s.rejected.Add(uint64(rejected))
			s.failed.Add(uint64(rejected))
			return nil, false
		}
		var r *RetryableError
		if !errors.As(err, &r) {
			s.breaker.Success() // it answered
			return err, true
		}
		if s.ctx.Err() != nil {
			return ErrInterrupted, false
		}
		if !r.Alive {
			opens := s.breaker.Opens()
			s.breaker.Failure(s.now())
			s.breakerOpens.Add(s.breaker.Opens() - opens)
			if s.breaker.Open() {
				continue // the next turn spools, waits for the probe or gives up
			}
		}
		// A Retry-After is a floor, not a replacement: "0" must not turn
		// the retries into a busy loop.
		wait := s.backoff.Delay(n, s.rand)
		if r.HasAfter {
			wait = max(wait, r.After)
		}
		if s.now().Add(wait).Sub(start) > s.maxElapsed {
			return fmt.Errorf("gave up after %d attempts: %w", n+1, err), false
		}
		if s.sleep(s.ctx, wait) != nil {
			return ErrInterrupted, false
		}
	}
}
