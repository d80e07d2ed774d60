package httpsink

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fapilog/fapilog-go/internal/ship/shiptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// request is what the test server got.
type request struct {
	body   string
	header http.Header
}

// server answers each request with the next status of a script (200
// once the script is done) and records what it got.
type server struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	header   http.Header // added to non-2xx answers
	got      []request
}

func newServer(t *testing.T, statuses ...int) *server {
	s := &server{statuses: statuses}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body io.Reader = r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(r.Body)
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			body = zr
		}
		b, _ := io.ReadAll(body)
		s.mu.Lock()
		s.got = append(s.got, request{string(b), r.Header.Clone()})
		status := 200
		if len(s.statuses) > 0 {
			status, s.statuses = s.statuses[0], s.statuses[1:]
		}
		s.mu.Unlock()
		if status != 200 {
			for k, v := range s.header {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(status)
		io.WriteString(w, http.StatusText(status))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.got...)
}

func newSink(t *testing.T, url string, opts Options) (*Sink, *shiptest.Clock) {
	t.Helper()
	clock := shiptest.NewClock()
	opts.hooks = clock.Config()
	s, err := New(url, opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, clock
}

func TestPostsNDJSONWithHeadersAndGzip(t *testing.T) {
	srv := newServer(t)
	s, _ := newSink(t, srv.URL, Options{HTTP: HTTP{Gzip: true, Header: http.Header{"Authorization": {"Bearer t"}}}})
	b := shiptest.Batch(0, 3)
	require.NoError(t, s.WriteBatch(b))
	got := srv.requests()
	require.Len(t, got, 1)
	assert.Equal(t, string(b.Bytes()), got[0].body)
	assert.Equal(t, "application/x-ndjson", got[0].header.Get("Content-Type"))
	assert.Equal(t, "gzip", got[0].header.Get("Content-Encoding"))
	assert.Equal(t, "Bearer t", got[0].header.Get("Authorization"))
	assert.Len(t, got[0].header.Get("Idempotency-Key"), 32)
	assert.Equal(t, uint64(3), s.Stats().Sent)
	assert.Equal(t, "http:"+srv.URL, s.String())
}

func TestRetriesFailuresWithOneIdempotencyKey(t *testing.T) {
	srv := newServer(t, 503, 502, 500)
	s, clock := newSink(t, srv.URL, Options{})
	require.NoError(t, s.WriteBatch(shiptest.Batch(0, 2)))
	got := srv.requests()
	require.Len(t, got, 4)
	for _, r := range got {
		assert.Equal(t, got[0].header.Get("Idempotency-Key"), r.header.Get("Idempotency-Key"))
	}
	assert.Len(t, clock.Sleeps(), 3)
	st := s.Stats()
	assert.Equal(t, uint64(2), st.Sent)
	assert.Equal(t, uint64(3), st.Retries)

	require.NoError(t, s.WriteBatch(shiptest.Batch(2, 1)))
	assert.NotEqual(t, got[0].header.Get("Idempotency-Key"), srv.requests()[4].header.Get("Idempotency-Key"), "a new batch, a new key")
}

func TestThrottleHonorsRetryAfter(t *testing.T) {
	srv := newServer(t, 429, 429)
	srv.header = http.Header{"Retry-After": {"7"}}
	s, clock := newSink(t, srv.URL, Options{Delivery: Delivery{BreakerFailures: 1}})
	require.NoError(t, s.WriteBatch(shiptest.Batch(0, 1)))
	assert.Equal(t, []time.Duration{7 * time.Second, 7 * time.Second}, clock.Sleeps())
	st := s.Stats()
	assert.Zero(t, st.BreakerOpens, "a throttling server is alive: the breaker stays closed")
	assert.Equal(t, uint64(1), st.Sent)
}

func TestClientErrorFailsAtOnce(t *testing.T) {
	srv := newServer(t, 400)
	s, clock := newSink(t, srv.URL, Options{Delivery: Delivery{SpoolDir: t.TempDir()}})
	err := s.WriteBatch(shiptest.Batch(0, 4))
	require.ErrorContains(t, err, "HTTP 400: Bad Request")
	assert.Len(t, srv.requests(), 1)
	assert.Empty(t, clock.Sleeps())
	st := s.Stats()
	assert.Equal(t, uint64(4), st.Failed)
	assert.Zero(t, st.Spooled)
}

func TestHangingServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)
	s, clock := newSink(t, hang.URL, Options{HTTP: HTTP{Timeout: 20 * time.Millisecond}, Delivery: Delivery{MaxElapsed: 3 * time.Second, BreakerFailures: -1}})
	err := s.WriteBatch(shiptest.Batch(0, 2))
	require.ErrorContains(t, err, "deadline exceeded")
	assert.NotEmpty(t, clock.Sleeps(), "a timeout is retried")
	assert.Equal(t, uint64(2), s.Stats().Failed)
}

func TestInterruptReleasesAHangingWrite(t *testing.T) {
	arrived := make(chan struct{}, 1)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server notices a gone client only then
		arrived <- struct{}{}
		<-r.Context().Done()
	}))
	defer hang.Close()
	s, _ := newSink(t, hang.URL, Options{HTTP: HTTP{Timeout: time.Hour}, Delivery: Delivery{SpoolDir: t.TempDir()}})
	done := make(chan error)
	go func() { done <- s.WriteBatch(shiptest.Batch(0, 2)) }()
	<-arrived
	s.Interrupt()
	require.NoError(t, <-done, "the batch went to the spool")
	assert.Equal(t, uint64(2), s.Stats().Spooled)
	require.NoError(t, s.Close(), "Close does not hang either")
}

func TestSpoolWhileDownThenCatchUpInOrder(t *testing.T) {
	srv := newServer(t, 503, 503)
	dir := t.TempDir()
	s, clock := newSink(t, srv.URL, Options{Delivery: Delivery{BreakerFailures: 2, BreakerCooldown: time.Minute, SpoolDir: dir}})
	require.NoError(t, s.WriteBatch(shiptest.Batch(0, 2)))
	require.NoError(t, s.WriteBatch(shiptest.Batch(2, 2)))
	assert.Len(t, srv.requests(), 2, "the open breaker spares the server")
	st := s.Stats()
	assert.Equal(t, uint64(4), st.Spooled)
	assert.Equal(t, int64(2), st.SpoolBatches)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		info, _ := e.Info()
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	}

	clock.Advance(time.Minute)
	require.NoError(t, s.Flush())
	require.NoError(t, s.WriteBatch(shiptest.Batch(4, 1)))
	got := srv.requests()
	require.Len(t, got, 5)
	assert.Equal(t, string(shiptest.Batch(0, 2).Bytes()), got[2].body)
	assert.Equal(t, got[0].header.Get("Idempotency-Key"), got[2].header.Get("Idempotency-Key"), "same key after the spool")
	assert.Equal(t, string(shiptest.Batch(2, 2).Bytes()), got[3].body)
	assert.Equal(t, string(shiptest.Batch(4, 1).Bytes()), got[4].body)
	assert.Equal(t, uint64(5), s.Stats().Sent)
	assert.Zero(t, s.Stats().SpoolBatches)
}

func TestSpoolLeftByACrashIsSentFirst(t *testing.T) {
	down := newServer(t, 503)
	dir := t.TempDir()
	crashed, _ := newSink(t, down.URL, Options{Delivery: Delivery{BreakerFailures: 1, BreakerCooldown: time.Hour, SpoolDir: dir}})
	require.NoError(t, crashed.WriteBatch(shiptest.Batch(0, 3)))
	crashed.Interrupt() // its Close (at cleanup) must not send
	assert.Equal(t, uint64(3), crashed.Stats().Spooled)

	srv := newServer(t)
	s, _ := newSink(t, srv.URL, Options{Delivery: Delivery{SpoolDir: dir}})
	require.NoError(t, s.WriteBatch(shiptest.Batch(3, 1)))
	got := srv.requests()
	require.Len(t, got, 2)
	assert.Equal(t, string(shiptest.Batch(0, 3).Bytes()), got[0].body)
	assert.Equal(t, string(shiptest.Batch(3, 1).Bytes()), got[1].body)
	assert.Equal(t, uint64(4), s.Stats().Sent)
}

func TestSpoolLimitDropsOldestAndCounts(t *testing.T) {
	srv := newServer(t, 503)
	one := len(shiptest.Batch(0, 2).Bytes())
	s, clock := newSink(t, srv.URL, Options{Delivery: Delivery{BreakerFailures: 1, BreakerCooldown: time.Minute, SpoolDir: t.TempDir(), SpoolLimit: int64(2*one + 10)}})
	for i := range 3 {
		require.NoError(t, s.WriteBatch(shiptest.Batch(2*i, 2)))
	}
	st := s.Stats()
	assert.Equal(t, uint64(2), st.SpoolDropped)
	assert.Equal(t, int64(2), st.SpoolBatches)
	clock.Advance(time.Minute)
	require.NoError(t, s.Flush())
	got := srv.requests()
	require.Len(t, got, 3)
	assert.True(t, strings.Contains(got[1].body, `"seq":2`), "batch 0 was dropped: %s", got[1].body)
	st = s.Stats()
	assert.Equal(t, uint64(4), st.Sent)
	assert.Equal(t, st.Spooled, st.Sent+st.SpoolDropped, "every spooled record accounted for")
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, c := range []struct {
		url  string
		opts Options
	}{
		{"ftp://x/", Options{}},
		{"http://", Options{}},
		{"::", Options{}},
		{"http://x/", Options{HTTP: HTTP{Timeout: -1}}},
		{"http://x/", Options{Delivery: Delivery{MaxElapsed: -time.Second}}},
	} {
		_, err := New(c.url, c.opts)
		assert.Error(t, err, "%q %+v", c.url, c.opts)
	}
}

func TestEmptyBatchSendsNothing(t *testing.T) {
	srv := newServer(t)
	s, _ := newSink(t, srv.URL, Options{})
	require.NoError(t, s.WriteBatch(shiptest.Batch(0, 0)))
	assert.Empty(t, srv.requests())
}

// TestStatsAndInterruptFromOtherGoroutines reads Stats while batches go
// through retries and the spool, then interrupts: run with -race.
func TestStatsAndInterruptFromOtherGoroutines(t *testing.T) {
	statuses := make([]int, 0, 200)
	for i := range 200 {
		statuses = append(statuses, []int{200, 503, 429}[i%3])
	}
	srv := newServer(t, statuses...)
	dir := t.TempDir()
	s, _ := newSink(t, srv.URL, Options{Delivery: Delivery{BreakerFailures: 2, SpoolDir: dir}})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					st := s.Stats()
					if st.SpoolBatches < 0 || st.SpoolBytes < 0 {
						t.Error("negative spool size")
					}
					runtime.Gosched() // CPU is shared: read, don't spin

				}
			}
		}()
	}
	for i := range 50 {
		require.NoError(t, s.WriteBatch(shiptest.Batch(2*i, 2)))
	}
	s.Interrupt()
	require.NoError(t, s.WriteBatch(shiptest.Batch(100, 2)))
	close(stop)
	wg.Wait()
	st := s.Stats()
	assert.Equal(t, uint64(102), st.Sent+st.Failed+st.SpoolDropped+uint64(spooledNow(t, dir)), "every record accounted for: %+v", st)
}

// spooledNow counts the records waiting in a spool directory, from the
// file names (sequence-records-key.batch).
func spooledNow(t *testing.T, dir string) int {
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	n := 0
	for _, e := range entries {
		parts := strings.Split(e.Name(), "-")
		require.Len(t, parts, 3, e.Name())
		r, err := strconv.Atoi(parts[1])
		require.NoError(t, err)
		n += r
	}
	return n
}
