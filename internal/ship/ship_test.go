package ship_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fapilog/fapilog-go/internal/ship"
	"github.com/fapilog/fapilog-go/internal/ship/shiptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestBackoffDelayDoublesUpToMax(t *testing.T) {
	b := ship.Backoff{Initial: 100 * time.Millisecond, Max: time.Second}
	top := func(n int64) int64 { return n - 1 }
	for n, want := range []time.Duration{100, 200, 400, 800, 1000, 1000} {
		assert.Equal(t, want*time.Millisecond-1, b.Delay(n, top), "retry %d", n)
	}
	assert.Equal(t, time.Duration(0), b.Delay(3, func(int64) int64 { return 0 }), "full jitter reaches 0")
	assert.Equal(t, time.Second-1, b.Delay(1000, top), "no overflow")
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"99999999999999", 24 * time.Hour, true},
		{"", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
	} {
		d, ok := ship.ParseRetryAfter(c.in, now)
		assert.Equal(t, c.ok, ok, c.in)
		assert.Equal(t, c.want, d, c.in)
	}
}

func TestBreakerOpensProbesAndCloses(t *testing.T) {
	now := time.Unix(1000, 0)
	b := ship.Breaker{Failures: 3, Cooldown: time.Minute}
	for range 2 {
		require.True(t, b.Allow(now))
		b.Failure(now)
	}
	assert.False(t, b.Open())
	b.Failure(now)
	assert.True(t, b.Open())
	assert.False(t, b.Allow(now.Add(59*time.Second)), "open during the cooldown")
	assert.True(t, b.Allow(now.Add(time.Minute)), "one probe after it")
	assert.False(t, b.Allow(now.Add(time.Minute)), "only one")
	b.Failure(now.Add(time.Minute))
	assert.False(t, b.Allow(now.Add(90*time.Second)), "a failed probe opens it again")
	assert.True(t, b.Allow(now.Add(2*time.Minute)))
	b.Success()
	assert.False(t, b.Open())
	assert.True(t, b.Allow(now.Add(2*time.Minute)))
	assert.Equal(t, uint64(1), b.Opens())
}

func TestBreakerDisabled(t *testing.T) {
	b := ship.Breaker{Failures: -1, Cooldown: time.Minute}
	for range 100 {
		b.Failure(time.Unix(0, 0))
	}
	assert.True(t, b.Allow(time.Unix(0, 0)))
}

func payload(body string, records int) *ship.Payload {
	return &ship.Payload{Body: []byte(body), Records: records, Key: ship.NewKey()}
}

func TestSpoolKeepsOrderAcrossReopenAtomically(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	s, err := ship.OpenSpool(dir, 1<<20)
	require.NoError(t, err)
	keys := []string{}
	for _, body := range []string{"one", "two", "three"} {
		p := payload(body, len(body))
		keys = append(keys, p.Key)
		_, err := s.Put(p)
		require.NoError(t, err)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		info, err := e.Info()
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), e.Name())
	}
	// A crashed process leaves a temporary file and a stranger's file.
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".tmp-123"), []byte("half"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README"), []byte("not ours"), 0o600))

	s, err = ship.OpenSpool(dir, 1<<20)
	require.NoError(t, err)
	assert.Equal(t, 3, s.Len())
	assert.Equal(t, int64(len("onetwothree")), s.Size())
	for i, want := range []string{"one", "two", "three"} {
		p, err := s.Peek()
		require.NoError(t, err)
		assert.Equal(t, want, string(p.Body))
		assert.Equal(t, len(want), p.Records)
		assert.Equal(t, keys[i], p.Key, "the idempotency key survives the spool")
		require.NoError(t, s.Pop())
	}
	assert.NoFileExists(t, filepath.Join(dir, ".tmp-123"))
	assert.FileExists(t, filepath.Join(dir, "README"))
	// New batches continue the sequence after a reopen.
	_, err = s.Put(payload("four", 4))
	require.NoError(t, err)
	s, err = ship.OpenSpool(dir, 1<<20)
	require.NoError(t, err)
	p, err := s.Peek()
	require.NoError(t, err)
	assert.Equal(t, "four", string(p.Body))
}

func TestSpoolLimitDropsOldest(t *testing.T) {
	s, err := ship.OpenSpool(t.TempDir(), 10)
	require.NoError(t, err)
	for _, body := range []string{"aaaa", "bbbb"} {
		dropped, err := s.Put(payload(body, 1))
		require.NoError(t, err)
		assert.Zero(t, dropped)
	}
	dropped, err := s.Put(payload("cccc", 1)) // 12 > 10: "aaaa" goes
	require.NoError(t, err)
	assert.Equal(t, 1, dropped)
	dropped, err = s.Put(payload("this one is over the limit alone", 7))
	require.NoError(t, err)
	assert.Equal(t, 7, dropped, "too big: dropped itself, the others stay")
	assert.Equal(t, 2, s.Len())
	p, err := s.Peek()
	require.NoError(t, err)
	assert.Equal(t, "bbbb", string(p.Body))

	_, err = ship.OpenSpool(t.TempDir(), 0)
	assert.Error(t, err)
}

// script is an Attempt that answers from a list, then succeeds.
type script struct {
	errs   []error
	calls  int
	keys   []string
	bodies []string
}

func (s *script) attempt(ctx context.Context, p *ship.Payload) error {
	s.calls++
	s.keys = append(s.keys, p.Key)
	if len(s.errs) > 0 {
		err := s.errs[0]
		s.errs = s.errs[1:]
		return err
	}
	s.bodies = append(s.bodies, string(p.Body))
	return nil
}

func retryable(err string) error { return &ship.RetryableError{Err: errors.New(err)} }

func newSender(t *testing.T, d ship.Delivery, sc *script) (*ship.Sender, *shiptest.Clock) {
	t.Helper()
	clock := shiptest.NewClock()
	cfg := clock.Config()
	cfg.Delivery = d
	s, err := ship.NewSender(cfg, sc.attempt)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, clock
}

func TestSenderRetriesWithBackoffAndRetryAfter(t *testing.T) {
	sc := &script{errs: []error{
		retryable("refused"),
		&ship.RetryableError{Err: errors.New("429"), After: 7 * time.Second, HasAfter: true, Alive: true},
		retryable("503"),
	}}
	s, clock := newSender(t, ship.Delivery{InitialBackoff: time.Second, MaxBackoff: 10 * time.Second}, sc)
	require.NoError(t, s.Send(payload("x", 3)))
	assert.Equal(t, []time.Duration{time.Second - 1, 7 * time.Second, 4*time.Second - 1}, clock.Sleeps())
	assert.Equal(t, 4, sc.calls)
	assert.Equal(t, []string{sc.keys[0], sc.keys[0], sc.keys[0], sc.keys[0]}, sc.keys, "one key for every try")
	st := s.Stats()
	assert.Equal(t, uint64(3), st.Sent)
	assert.Equal(t, uint64(3), st.Retries)
	assert.Zero(t, st.Failed)
}

func TestSenderGivesUpAfterMaxElapsed(t *testing.T) {
	errs := make([]error, 100)
	for i := range errs {
		errs[i] = retryable("down")
	}
	s, clock := newSender(t, ship.Delivery{InitialBackoff: time.Second, MaxBackoff: time.Second, MaxElapsed: 5 * time.Second, BreakerFailures: -1}, &script{errs: errs})
	err := s.Send(payload("x", 2))
	require.ErrorContains(t, err, "down")
	var total time.Duration
	for _, d := range clock.Sleeps() {
		total += d
	}
	assert.LessOrEqual(t, total, 5*time.Second)
	assert.Equal(t, uint64(2), s.Stats().Failed)

	// A Retry-After beyond MaxElapsed gives up at once.
	sc := &script{errs: []error{&ship.RetryableError{Err: errors.New("429"), After: time.Hour, HasAfter: true}}}
	s, clock = newSender(t, ship.Delivery{MaxElapsed: time.Minute}, sc)
	require.Error(t, s.Send(payload("x", 1)))
	assert.Empty(t, clock.Sleeps())
}

func TestSenderPermanentErrorFailsAtOnce(t *testing.T) {
	sc := &script{errs: []error{errors.New("HTTP 400")}}
	s, clock := newSender(t, ship.Delivery{SpoolDir: t.TempDir()}, sc)
	require.ErrorContains(t, s.Send(payload("x", 5)), "400")
	assert.Equal(t, 1, sc.calls)
	assert.Empty(t, clock.Sleeps())
	st := s.Stats()
	assert.Equal(t, uint64(5), st.Failed)
	assert.Zero(t, st.Spooled, "a refused batch is not spooled: it would be refused again")
}

func TestSenderBreakerWithoutSpoolWaitsForTheProbe(t *testing.T) {
	sc := &script{errs: []error{retryable("a"), retryable("b")}}
	s, clock := newSender(t, ship.Delivery{
		InitialBackoff: time.Millisecond, MaxBackoff: time.Millisecond,
		BreakerFailures: 2, BreakerCooldown: 10 * time.Second, MaxElapsed: time.Minute,
	}, sc)
	require.NoError(t, s.Send(payload("x", 1)))
	assert.Equal(t, []time.Duration{time.Millisecond - 1, 10 * time.Second}, clock.Sleeps())
	st := s.Stats()
	assert.Equal(t, uint64(1), st.BreakerOpens)
	assert.Equal(t, uint64(1), st.Sent)

	// A cooldown longer than MaxElapsed fails the batch at once.
	sc = &script{errs: []error{retryable("a"), retryable("b")}}
	s, _ = newSender(t, ship.Delivery{BreakerFailures: 1, BreakerCooldown: time.Hour, MaxElapsed: time.Minute}, sc)
	require.ErrorIs(t, s.Send(payload("x", 1)), ship.ErrBreakerOpen)
	require.ErrorIs(t, s.Send(payload("y", 1)), ship.ErrBreakerOpen)
	assert.Equal(t, 1, sc.calls, "an open breaker costs no attempt")
	assert.Equal(t, uint64(2), s.Stats().Failed)
}

func TestSenderSpoolsWhileDownAndSendsOldestFirst(t *testing.T) {
	errs := []error{retryable("down")}
	sc := &script{errs: errs}
	dir := t.TempDir()
	s, clock := newSender(t, ship.Delivery{BreakerFailures: 1, BreakerCooldown: time.Minute, SpoolDir: dir}, sc)
	require.NoError(t, s.Send(payload("1", 1)), "spooled, not failed")
	require.NoError(t, s.Send(payload("2", 1)))
	assert.Equal(t, 1, sc.calls, "breaker open: straight to the spool")
	st := s.Stats()
	assert.Equal(t, uint64(2), st.Spooled)
	assert.Equal(t, int64(2), st.SpoolBatches)

	clock.Advance(time.Minute)
	require.NoError(t, s.Send(payload("3", 1)))
	assert.Equal(t, []string{"1", "2", "3"}, sc.bodies)
	assert.Equal(t, sc.keys[0], sc.keys[1], "the spooled batch keeps its key")
	st = s.Stats()
	assert.Equal(t, uint64(3), st.Sent)
	assert.Zero(t, st.SpoolBatches)
	left, _ := os.ReadDir(dir)
	assert.Empty(t, left)
}

func TestSenderResumesASpoolLeftBehind(t *testing.T) {
	dir := t.TempDir()
	sp, err := ship.OpenSpool(dir, 1<<20)
	require.NoError(t, err)
	_, err = sp.Put(payload("old", 4))
	require.NoError(t, err)

	sc := &script{}
	s, _ := newSender(t, ship.Delivery{SpoolDir: dir}, sc)
	assert.Equal(t, int64(1), s.Stats().SpoolBatches)
	require.NoError(t, s.Flush())
	require.NoError(t, s.Send(payload("new", 1)))
	assert.Equal(t, []string{"old", "new"}, sc.bodies)
	assert.Equal(t, uint64(5), s.Stats().Sent)
}

func TestSenderInterruptSpoolsOrFails(t *testing.T) {
	sc := &script{errs: []error{retryable("down"), retryable("down")}}
	s, _ := newSender(t, ship.Delivery{SpoolDir: t.TempDir()}, sc)
	s.Interrupt()
	require.NoError(t, s.Send(payload("x", 1)))
	assert.Equal(t, uint64(1), s.Stats().Spooled)
	assert.Zero(t, sc.calls, "no network once interrupted")

	s, _ = newSender(t, ship.Delivery{}, &script{})
	s.Interrupt()
	require.ErrorIs(t, s.Send(payload("x", 1)), ship.ErrInterrupted)
	assert.Equal(t, uint64(1), s.Stats().Failed)
}

func TestSenderCountsRejectedRecords(t *testing.T) {
	s, _ := newSender(t, ship.Delivery{}, &script{})
	p := payload("x", 10)
	p.Rejected = 3
	require.NoError(t, s.Send(p))
	st := s.Stats()
	assert.Equal(t, uint64(7), st.Sent)
	assert.Equal(t, uint64(3), st.Failed)
	assert.Equal(t, uint64(3), st.Rejected)
}

func TestSenderRejectsBadConfig(t *testing.T) {
	_, err := ship.NewSender(ship.Config{Delivery: ship.Delivery{MaxElapsed: -1}}, nil)
	assert.Error(t, err)
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = ship.NewSender(ship.Config{Delivery: ship.Delivery{SpoolDir: file}}, nil)
	assert.ErrorContains(t, err, "spool")
}

func TestAppendString(t *testing.T) {
	got := string(ship.AppendString(nil, "a\"b\\c\n\t\x01é\xff<"))
	assert.Equal(t, `"a\"b\\c\n\t\u0001é\ufffd<"`, got)
}

func TestSenderRetryAfterZeroStillBacksOff(t *testing.T) {
	zero := func() error { return &ship.RetryableError{Err: errors.New("429"), HasAfter: true, Alive: true} }
	sc := &script{errs: []error{zero(), zero(), zero()}}
	s, clock := newSender(t, ship.Delivery{InitialBackoff: time.Second, MaxBackoff: time.Minute}, sc)
	require.NoError(t, s.Send(payload("x", 1)))
	assert.Equal(t, []time.Duration{time.Second - 1, 2*time.Second - 1, 4*time.Second - 1}, clock.Sleeps())
}

func TestSenderCountsWhatAFailedPayloadDelivered(t *testing.T) {
	partial := func(ctx context.Context, p *ship.Payload) error {
		p.Done = 2 // two datagrams out, then a refusal
		return errors.New("message too long")
	}
	s, err := ship.NewSender(ship.Config{}, partial)
	require.NoError(t, err)
	defer s.Close()
	require.Error(t, s.Send(payload("x", 5)))
	st := s.Stats()
	assert.Equal(t, uint64(2), st.Sent)
	assert.Equal(t, uint64(3), st.Failed)
}
