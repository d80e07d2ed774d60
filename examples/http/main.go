// Command http is a net/http service that logs through fapilog. A
// middleware gives every request a request id and an OpenTelemetry-style
// trace id (taken from a W3C traceparent header when the caller sent one),
// puts them in the request's context, and logs each request with its
// method, path, status and latency. Handlers log through log/slog, whose
// default logger feeds the same pipeline, so their lines carry the ids too.
//
//	go run ./examples/http -addr 127.0.0.1:8080   # serve until interrupted
//	go run ./examples/http -demo                  # serve, call itself, shut down, exit 0
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
)

func main() {
	demo := flag.Bool("demo", false, "serve on 127.0.0.1:0, make a few requests to itself, shut down and exit")
	addr := flag.String("addr", "127.0.0.1:8080", "address to serve on (without -demo)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *demo {
		*addr = "127.0.0.1:0"
	}
	if err := run(ctx, *addr, *demo, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "http example:", err)
		os.Exit(1)
	}
}

// run serves on addr, logging JSON lines to out, until ctx ends or, with
// demo, until it has made its demo requests. Then it shuts the server
// down gracefully and closes the logger. It fails if a record was lost.
func run(ctx context.Context, addr string, demo bool, out io.Writer) error {
	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewWriterSink(out)}})
	if err != nil {
		return err
	}
	// slog.Info and the log package now feed the pipeline; log.Fatal's
	// line is written before the process exits.
	fapilog.SetDefault(logger)

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		logger.Close(context.Background())
		return err
	}
	srv := &http.Server{
		Handler:           withRequestLog(logger, routes()),
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
		ReadHeaderTimeout: 5 * time.Second,
	}
	var serveErr error
	served := make(chan struct{}) // closed once Serve has returned serveErr
	go func() {
		serveErr = srv.Serve(ln)
		close(served)
	}()
	logger.Info("serving", slog.String("addr", ln.Addr().String()))

	if demo {
		err = callSelf(ctx, "http://"+ln.Addr().String())
	} else {
		select {
		case <-ctx.Done():
		case <-served: // it failed
		}
	}

	// Stop taking requests and finish those in flight, then write every
	// queued record and close the sinks: the order matters, so that the
	// last requests' lines are not logged after Close (and dropped).
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = errors.Join(err, srv.Shutdown(shutdownCtx))
	<-served
	if !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	logger.Info("stopped")
	err = errors.Join(err, logger.Close(shutdownCtx))
	if st := logger.Stats(); st.Dropped+st.Failed > 0 {
		err = errors.Join(err, fmt.Errorf("lost records: %+v", st))
	}
	return err
}

// routes is the service: handlers log through slog with the request's
// context, so their lines carry the request and trace ids.
func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		slog.InfoContext(r.Context(), "order looked up", "order_id", r.PathValue("id"))
		fmt.Fprintf(w, "order %s\n", r.PathValue("id"))
	})
	mux.HandleFunc("POST /payments", func(w http.ResponseWriter, r *http.Request) {
		slog.ErrorContext(r.Context(), "payment failed", "err", errors.New("card declined"))
		http.Error(w, "payment failed", http.StatusBadGateway)
	})
	return mux
}

// callSelf makes the demo's requests to the server at base.
func callSelf(ctx context.Context, base string) error {
	requests := []struct{ method, path, traceparent string }{
		{"GET", "/orders/42", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
		{"GET", "/orders/43", ""},
		{"POST", "/payments", ""},
		{"GET", "/nowhere", ""},
	}
	for _, rq := range requests {
		req, err := http.NewRequestWithContext(ctx, rq.method, base+rq.path, nil)
		if err != nil {
			return err
		}
		if rq.traceparent != "" {
			req.Header.Set("traceparent", rq.traceparent)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	http.DefaultClient.CloseIdleConnections()
	return nil
}

// requestLogger is what the middleware needs of a logger; both of
// fapilog's faces have it.
type requestLogger interface {
	Log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr)
}

// withRequestLog puts a request id and a trace id into each request's
// context and logs the request once it is served: Info, Warn for a 4xx
// status, Error for a 5xx.
func withRequestLog(logger requestLogger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		requestID := r.Header.Get("X-Request-Id")
		if !validRequestID(requestID) {
			requestID = randomHex(8)
		}
		traceID, ok := parseTraceparent(r.Header.Get("traceparent"))
		if !ok {
			traceID = randomHex(16)
		}
		spanID := randomHex(8) // this server's span
		w.Header().Set("X-Request-Id", requestID)
		ctx := fapilog.ContextWithAttrs(r.Context(),
			slog.String("request_id", requestID),
			slog.String("trace_id", traceID),
			slog.String("span_id", spanID))

		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(ctx))

		status := sw.status
		if status == 0 {
			status = http.StatusOK // the handler wrote nothing
		}
		level := slog.LevelInfo
		switch {
		case status >= 500:
			level = slog.LevelError
		case status >= 400:
			level = slog.LevelWarn
		}
		logger.Log(ctx, level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("latency", time.Since(start))) // nanoseconds, as slog's JSON handler writes durations
	})
}

// statusWriter remembers the status and counts the body bytes a handler
// writes.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// parseTraceparent returns the trace id of a W3C traceparent header
// (version-traceid-parentid-flags, lowercase hex), or false if h is not
// one: a malformed or all-zero id is ignored, as the spec says.
func parseTraceparent(h string) (traceID string, ok bool) {
	// Version 00 is exactly 55 characters; later versions may append
	// fields after another '-'.
	if len(h) < 55 || (len(h) > 55 && h[55] != '-') ||
		h[2] != '-' || h[35] != '-' || h[52] != '-' {
		return "", false
	}
	version, traceID, parentID, flags := h[:2], h[3:35], h[36:52], h[53:55]
	if !isLowerHex(version) || version == "ff" || (version == "00" && len(h) != 55) ||
		!isLowerHex(traceID) || !isLowerHex(parentID) || !isLowerHex(flags) ||
		allZeros(traceID) || allZeros(parentID) {
		return "", false
	}
	return traceID, true
}

func isLowerHex(s string) bool {
	for i := range len(s) {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func allZeros(s string) bool {
	for i := range len(s) {
		if s[i] != '0' {
			return false
		}
	}
	return true
}

// validRequestID accepts a caller's X-Request-Id only if it is short and
// plain, so that a client cannot put anything it likes into the logs.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := range len(id) {
		c := id[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// randomHex returns n random bytes in hex: 8 for a span or request id, 16
// for a trace id, as OpenTelemetry sizes them.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand crashes the program instead)
	return hex.EncodeToString(b)
}
