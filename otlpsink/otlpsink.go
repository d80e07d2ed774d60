// Package otlpsink ships log batches to an OpenTelemetry Collector (or any
// OTLP/HTTP endpoint) as OTLP/JSON logs, with retries, a circuit breaker
// and an optional disk spool.
//
// Each fapilog JSON line becomes one logRecord:
//   - "time" → timeUnixNano; the send time → observedTimeUnixNano
//   - the level → severityNumber (slog level + 9, within 1..24: Debug 5,
//     Info 9, Warn 13, Error 17) and severityText ("INFO", "ERROR+4")
//   - "msg" → body
//   - "source" → attributes code.function.name, code.file.path,
//     code.line.number
//   - top-level "trace_id" or "traceId" (32 hex digits) → traceId, and
//     "span_id" or "spanId" (16 hex digits) → spanId; they are then not
//     attributes. Ids of another length, all zero, or nested in a group
//     stay ordinary attributes.
//   - every other attribute → a typed attribute: integer literals intValue,
//     other numbers doubleValue, booleans boolValue, strings stringValue,
//     groups kvlistValue, arrays arrayValue, null an empty value.
//
// Known limitation: the sink reads the JSON lines, and JSON does not tell
// 3.0 from 3, so a float with an integral value arrives as an intValue.
package otlpsink

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/internal/ship"
)

// Delivery sets retries, the circuit breaker and the disk spool; see the
// fields' comments for the defaults.
type Delivery = ship.Delivery

// HTTP is how the Sink sends its requests: see its fields.
type HTTP = ship.HTTP

// Stats are the sink's counters; see Sink.Stats.
type Stats = ship.Stats

// Options configure a Sink. The zero value is usable.
type Options struct {
	// ServiceName, ServiceVersion and Environment become the resource
	// attributes service.name, service.version and deployment.environment.
	// Empty ones fall back to the environment variables FAPILOG_SERVICE,
	// FAPILOG_VERSION and FAPILOG_ENV (those of fapilog.ServiceInfo), read
	// by New; a value still empty is left out.
	ServiceName    string
	ServiceVersion string
	Environment    string
	// Resource adds more resource attributes (e.g. "host.name").
	Resource map[string]string
	// HTTP: headers (e.g. an API key), gzip, the per-request timeout and
	// the client.
	HTTP
	Delivery

	hooks ship.Config // tests: clock, sleep, jitter
}

// A Sink sends each batch as one OTLP/HTTP JSON export request. It
// retries network errors and 429, 502, 503 and 504 answers (honoring
// Retry-After), fails other errors at once, and counts records a
// partialSuccess answer rejects as failed. See Delivery for the breaker
// and the spool. Its methods follow fapilog.Sink: never called
// concurrently, except Interrupt and Stats.
type Sink struct {
	url    string
	enc    *encoder
	now    func() time.Time
	sender *ship.Sender
}

var _ fapilog.Sink = (*Sink)(nil)

// New returns a Sink exporting to endpoint, the base URL of an OTLP/HTTP
// receiver such as "http://127.0.0.1:4318"; "/v1/logs" is appended when
// the URL has no path. A URL with a path is used as it is.
func New(endpoint string, opts Options) (*Sink, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("otlpsink: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("otlpsink: endpoint %q: want http:// or https:// and a host", endpoint)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/logs"
	}
	header := opts.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	header.Set("Content-Type", "application/json")
	cfg := opts.hooks
	cfg.Delivery = opts.Delivery
	s := &Sink{url: u.String(), enc: newEncoder(resource(opts)), now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	post := &ship.Poster{
		Client:     opts.Client,
		URL:        s.url,
		Header:     header,
		Gzip:       opts.Gzip,
		Timeout:    opts.Timeout,
		Retryable:  retryable,
		OnResponse: partialSuccess,
	}
	if s.sender, err = ship.NewHTTPSender(cfg, post); err != nil {
		return nil, fmt.Errorf("otlpsink: %w", err)
	}
	return s, nil
}

// retryable lists the statuses the OTLP/HTTP specification says to retry.
func retryable(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// resource returns the resource attributes of opts, in a fixed order.
func resource(opts Options) []slog.Attr {
	var attrs []slog.Attr
	for _, f := range []struct{ key, val, env string }{
		{"service.name", opts.ServiceName, "FAPILOG_SERVICE"},
		{"service.version", opts.ServiceVersion, "FAPILOG_VERSION"},
		{"deployment.environment", opts.Environment, "FAPILOG_ENV"},
	} {
		if v := ship.Or(f.val, os.Getenv(f.env)); v != "" {
			attrs = append(attrs, slog.String(f.key, v))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(opts.Resource)) {
		attrs = append(attrs, slog.String(k, opts.Resource[k]))
	}
	return attrs
}

// partialSuccess reads an export answer: records rejected in a
// partialSuccess are counted as failed.
func partialSuccess(p *ship.Payload, body []byte) {
	var answer struct {
		PartialSuccess struct {
			// int64 in the JSON mapping: a string, though some servers
			// send a number.
			RejectedLogRecords json.RawMessage `json:"rejectedLogRecords"`
		} `json:"partialSuccess"`
	}
	if json.Unmarshal(body, &answer) != nil {
		return
	}
	n, err := strconv.Atoi(strings.Trim(string(answer.PartialSuccess.RejectedLogRecords), `"`))
	if err == nil && n > 0 {
		p.Rejected = n
	}
}

// WriteBatch exports b, after any batches waiting in the spool. It
// returns nil once b is delivered (records a partialSuccess rejects are
// counted in Stats) or spooled, and an error if b failed.
func (s *Sink) WriteBatch(b *fapilog.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	body := s.enc.encode(b, s.now())
	return s.sender.Send(&ship.Payload{Body: body, Records: b.Len(), Key: ship.NewKey()})
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

// String names the sink, e.g. "otlp:http://127.0.0.1:4318/v1/logs".
func (s *Sink) String() string { return "otlp:" + s.url }
