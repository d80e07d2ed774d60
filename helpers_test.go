package fapilog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// memSink keeps every batch it is given. Safe to read from the test
// goroutine while the worker writes.
type memSink struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	sizes   []int // records per batch
	flushes int
	closes  int
	misuses int // WriteBatch, Flush or Close called after Close
	// summaries keeps the drop summaries, apart from the records, so
	// that tests of records need not skip them (TestDropSummaries looks).
	summaries bytes.Buffer
}

// isSummary reports whether rec is a record the pipeline wrote of its
// own: a drop, sampling or repeated-record summary.
func isSummary(rec []byte) bool {
	for _, msg := range []string{DropSummaryMsg, SampledSummaryMsg, RepeatedMsg} {
		if bytes.Contains(rec, []byte(`"msg":"`+msg+`"`)) {
			return true
		}
	}
	return false
}

// keepSummary keeps b if it is a batch of summaries alone, and reports
// whether it was.
func (s *memSink) keepSummary(b *Batch) bool {
	if b.Len() == 0 {
		return false
	}
	for i := range b.Len() {
		if !isSummary(b.Record(i)) {
			return false
		}
	}
	s.mu.Lock()
	s.summaries.Write(b.Bytes())
	s.mu.Unlock()
	return true
}

// WriteBatch keeps the summaries apart from the records: a lane may write
// them in one batch with records.
func (s *memSink) WriteBatch(b *Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkOpen()
	n := 0
	for i := range b.Len() {
		if isSummary(b.Record(i)) {
			s.summaries.Write(b.Record(i))
			continue
		}
		s.buf.Write(b.Record(i))
		n++
	}
	if n > 0 {
		s.sizes = append(s.sizes, n)
	}
	return nil
}

func (s *memSink) Flush() error {
	s.mu.Lock()
	s.checkOpen()
	s.flushes++
	s.mu.Unlock()
	return nil
}

func (s *memSink) Close() error {
	s.mu.Lock()
	s.checkOpen()
	s.closes++
	s.mu.Unlock()
	return nil
}

// checkOpen counts a call made after Close. Called with mu held.
func (s *memSink) checkOpen() {
	if s.closes > 0 {
		s.misuses++
	}
}

// requireClosedOnce checks that Close was called once and nothing after it.
func (s *memSink) requireClosedOnce(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	require.Equal(t, 1, s.closes, "sink Close calls")
	require.Zero(t, s.misuses, "sink calls after Close")
}

func (s *memSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func (s *memSink) batchSizes() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.sizes...)
}

// lines decodes every line written so far; it fails the test on a line
// that is not a JSON object.
func (s *memSink) lines(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader([]byte(s.String())))
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "line %q", sc.Text())
		out = append(out, m)
	}
	return out
}

// errSinkFault is what faultSink returns from a failed write.
var errSinkFault = errors.New("injected sink fault")

// faultSink wraps a memSink with injected faults: failing every Nth batch
// or always, panicking, sleeping per write, or hanging until released.
// Batches it accepts are kept in the memSink, or given to observe.
type faultSink struct {
	memSink
	failEvery int           // fail batches whose number is a multiple of failEvery (1: always)
	panics    bool          // panic instead of returning the error
	delay     time.Duration // sleep before each write
	gate      chan struct{} // if non-nil, each write waits until it is closed
	closeGate chan struct{} // if non-nil, Close waits until it is closed
	entered   chan struct{} // if non-nil, receives a value when a write starts (non-blocking)
	observe   func(*Batch)  // if non-nil, accepted batches go here instead of the memSink
	writes    atomic.Int64
	failing   atomic.Bool // when failEvery is 0, fail while set
}

func (s *faultSink) WriteBatch(b *Batch) error {
	if s.keepSummary(b) {
		return nil // the faults are for records
	}
	n := s.writes.Add(1)
	if s.entered != nil {
		select {
		case s.entered <- struct{}{}:
		default:
		}
	}
	if s.gate != nil {
		<-s.gate
	}
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	if (s.failEvery > 0 && n%int64(s.failEvery) == 0) || s.failing.Load() {
		if s.panics {
			panic("injected sink panic")
		}
		return errSinkFault
	}
	if s.observe != nil {
		s.mu.Lock()
		s.checkOpen()
		s.mu.Unlock()
		s.observe(b)
		return nil
	}
	return s.memSink.WriteBatch(b)
}

func (s *faultSink) Close() error {
	if s.closeGate != nil {
		<-s.closeGate
	}
	return s.memSink.Close()
}

// syncBuffer is an io.Writer safe for concurrent use, for Diagnostics.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// requireBalanced checks the accounting invariant of a closed logger.
func requireBalanced(t testing.TB, st Stats) {
	t.Helper()
	require.Equal(t, st.Submitted, st.Written+st.Dropped+st.Failed+st.Sampled+st.Deduped,
		"Submitted != Written+Dropped+Failed+Sampled+Deduped: %+v", st)
}

// requireSinksBalanced checks, once a logger is closed, that every record
// routed to each sink is exactly one of Written, Failed or Dropped for
// it, and that no sink saw more than reached the worker.
func requireSinksBalanced(t testing.TB, st Stats) {
	t.Helper()
	for _, s := range st.Sinks {
		require.Equal(t, s.Routed, s.Written+s.Failed+s.Dropped, "sink %s: %+v", s.Name, s)
		require.LessOrEqual(t, s.Routed, st.Submitted-st.Rejected-st.Sampled-st.Deduped, "sink %s", s.Name)
		require.Zero(t, s.BufferLen, "sink %s", s.Name)
	}
}

// hungSink returns a faultSink whose writes hang until its gate is closed
// and that signals entered when one starts: log one record, receive from
// entered, and the worker is busy while the next records queue up.
func hungSink() *faultSink {
	return &faultSink{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
}

// testStages returns the worker's per-record stages for cfg, to test or
// measure them without the queue; it fails tb if cfg is invalid.
func testStages(tb testing.TB, cfg Config) *stages {
	tb.Helper()
	set, err := cfg.settings()
	if err != nil {
		tb.Fatal(err)
	}
	return newStages(set, newDiagnostics(io.Discard))
}
