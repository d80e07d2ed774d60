package ship

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// HTTP is how an HTTP-based sink sends its requests; httpsink and
// otlpsink embed it in their Options (as HTTP).
type HTTP struct {
	// Header is added to every request (e.g. Authorization or an API
	// key). Content-Type is the sink's own unless set here.
	Header http.Header
	// Gzip compresses request bodies (Content-Encoding: gzip).
	Gzip bool
	// Timeout bounds each request, answer included; default 10s.
	Timeout time.Duration
	// Client sends the requests; default a client of its own.
	Client *http.Client
}

// A Poster makes one HTTP POST of a payload per Attempt: the transport
// shared by httpsink and otlpsink.
type Poster struct {
	Client     *http.Client
	Owned      bool // Client was made for this Poster: Close closes its idle connections
	URL        string
	Header     http.Header // sent with every request; Content-Type belongs here
	Gzip       bool
	Timeout    time.Duration                 // per request
	Retryable  func(status int) bool         // statuses worth a retry
	IdemHeader string                        // header carrying Payload.Key, "" for none
	Now        func() time.Time              // for Retry-After dates
	OnResponse func(p *Payload, body []byte) // called with the body of a 2xx answer
}

// maxResponse bounds the response bytes read: enough for an OTLP partial
// success or an error message.
const maxResponse = 64 << 10

// A StatusError is an HTTP answer that is neither success nor retryable.
type StatusError struct {
	Code int
	Body string // its start
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("HTTP %d", e.Code)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Code, e.Body)
}

// Attempt posts p once. It is an Attempt.
func (c *Poster) Attempt(ctx context.Context, p *Payload) error {
	body := p.Body
	if c.Gzip {
		if p.Cache == nil {
			p.Cache = gzipBytes(p.Body)
		}
		body = p.Cache
	}
	if c.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.Timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if c.Gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if c.IdemHeader != "" {
		req.Header.Set(c.IdemHeader, p.Key)
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return &RetryableError{Err: err}
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // lets the connection be reused
	resp.Body.Close()
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		if err != nil {
			// Delivered: the server answered 2xx before the body broke.
			answer = nil
		}
		if c.OnResponse != nil {
			c.OnResponse(p, answer)
		}
		return nil
	case c.Retryable(code):
		r := &RetryableError{Err: &StatusError{code, snippet(answer)}, Alive: code == http.StatusTooManyRequests}
		now := time.Now
		if c.Now != nil {
			now = c.Now
		}
		r.After, r.HasAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), now())
		return r
	default:
		return &StatusError{code, snippet(answer)}
	}
}

func snippet(b []byte) string {
	const n = 200
	if len(b) > n {
		b = b[:n]
	}
	return string(bytes.TrimSpace(b))
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// Close releases the idle connections of a client made for c.
func (c *Poster) Close() {
	if c.Owned {
		c.Client.CloseIdleConnections()
	}
}

// NewClient returns a client with a transport of its own, so closing its
// idle connections touches nobody else's.
func NewClient() *http.Client {
	return &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
}

// NewHTTPSender returns a Sender posting through p, after filling p's
// defaults: a 10s Timeout and a client of its own (closed with the
// Sender). It is how httpsink and otlpsink are built.
func NewHTTPSender(cfg Config, p *Poster) (*Sender, error) {
	if p.Timeout < 0 {
		return nil, errors.New("negative Timeout")
	}
	p.Timeout = Or(p.Timeout, 10*time.Second)
	if p.Client == nil {
		p.Client, p.Owned = NewClient(), true
	}
	if p.Now == nil {
		p.Now = cfg.Now
	}
	s, err := NewSender(cfg, p.Attempt)
	if err != nil {
		return nil, err
	}
	s.onClose = p.Close
	return s, nil
}
