// Package httpsink ships log batches to an HTTP endpoint as NDJSON, with
// retries, a circuit breaker and an optional disk spool.
package httpsink

import (
	"fmt"
	"net/http"
	"net/url"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/internal/ship"
)

// Delivery sets retries, the circuit breaker and the disk spool; see the
// fields' comments for the defaults.
type Delivery = ship.Delivery

// Stats are the sink's counters; see Sink.Stats.
type Stats = ship.Stats

// Options configure a Sink. The zero value is usable.
type Options struct {
	// HTTP: headers (Content-Type is application/x-ndjson unless set
	// there), gzip, the per-request timeout and the client.
	HTTP
	Delivery

	hooks ship.Config // tests: clock, sleep, jitter
}

// HTTP is how the Sink sends its requests: see its fields.
type HTTP = ship.HTTP

// A Sink POSTs each batch as one NDJSON request. It retries network
// errors, 429 and 5xx answers (honoring Retry-After), sends the same
// Idempotency-Key header on every try of one batch (and after the spool),
// and fails other 4xx answers at once. See Delivery for the breaker and
// the spool. Its methods follow fapilog.Sink: never called concurrently,
// except Interrupt and Stats.
type Sink struct {
	url    string
	sender *ship.Sender
}

var _ fapilog.Sink = (*Sink)(nil)

// New returns a Sink posting to rawURL, an http or https URL.
func New(rawURL string, opts Options) (*Sink, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("httpsink: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("httpsink: URL %q: want http:// or https:// and a host", rawURL)
	}
	header := opts.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/x-ndjson")
	}
	cfg := opts.hooks
	cfg.Delivery = opts.Delivery
	s := &Sink{url: rawURL}
	post := &ship.Poster{
		Client:     opts.Client,
		URL:        rawURL,
		Header:     header,
		Gzip:       opts.Gzip,
		Timeout:    opts.Timeout,
		Retryable:  func(code int) bool { return code == http.StatusTooManyRequests || code >= 500 },
		IdemHeader: "Idempotency-Key",
	}
	if s.sender, err = ship.NewHTTPSender(cfg, post); err != nil {
		return nil, fmt.Errorf("httpsink: %w", err)
	}
	return s, nil
}

// WriteBatch posts b, after any batches waiting in the spool. It returns
// nil once b is delivered or spooled, and an error if b failed (a 4xx
// answer, or retries exhausted with no spool).
func (s *Sink) WriteBatch(b *fapilog.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	return s.sender.Send(&ship.Payload{Body: b.Bytes(), Records: b.Len(), Key: ship.NewKey()})
}

// Flush tries to send what waits in the spool.
func (s *Sink) Flush() error { return s.sender.Flush() }

// Close tries to send what waits in the spool (until Delivery.MaxElapsed
// or Interrupt); what is left stays there for the next start.
func (s *Sink) Close() error { return s.sender.Close() }

// Interrupt makes a pending WriteBatch, Flush or Close stop waiting:
// batches go to the spool, or fail. Safe to call at any time.
func (s *Sink) Interrupt() { s.sender.Interrupt() }

// Stats returns the sink's counters. Safe to call at any time.
func (s *Sink) Stats() Stats { return s.sender.Stats() }

// String names the sink, e.g. "http:https://logs.example.com/ingest".
func (s *Sink) String() string { return "http:" + s.url }
