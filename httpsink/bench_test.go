package httpsink

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/internal/ship/shiptest"
)

// BenchmarkWriteBatch posts batches of 256 records to a local server that
// reads and drops them.
func BenchmarkWriteBatch(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer srv.Close()
	shiptest.BenchPlainAndGzip(b, func(gz bool) (fapilog.Sink, error) { return New(srv.URL, Options{HTTP: HTTP{Gzip: gz}}) })
}

// BenchmarkLoggerWithRemoteSink measures a log call with a fast local
// sink only, and with an HTTP sink whose server takes 5ms per batch
// added: with each sink on its own goroutine the caller's cost should
// not change.
func BenchmarkLoggerWithRemoteSink(b *testing.B) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		time.Sleep(5 * time.Millisecond)
	}))
	defer slow.Close()
	for _, remote := range []bool{false, true} {
		name := "local"
		if remote {
			name = "local+remote"
		}
		b.Run(name, func(b *testing.B) {
			sinks := []fapilog.Sink{fapilog.NewWriterSink(io.Discard)}
			if remote {
				s, err := New(slow.URL, Options{})
				if err != nil {
					b.Fatal(err)
				}
				// Under Block a sink follows the logger and would make the
				// worker wait for it; a remote sink that must never hold
				// the others back drops for itself instead (or spools).
				sinks = append(sinks, fapilog.WithOptions(s, fapilog.SinkOptions{Backpressure: fapilog.SinkDropNewest}))
			}
			logger, err := fapilog.NewAsync(fapilog.Config{Sinks: sinks, Diagnostics: io.Discard, Backpressure: fapilog.Block, DropSummaryEvery: -1})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				logger.Info("Test logging, but use a somewhat realistic message length.", slog.Int("n", 1), slog.String("s", "x"))
			}
			b.StopTimer()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			logger.Close(ctx)
			st := logger.Stats()
			b.ReportMetric(float64(st.Sinks[0].Dropped), "local-dropped")
			if remote {
				b.ReportMetric(float64(st.Sinks[1].Dropped), "remote-dropped")
			}
		})
	}
}
