// Command otlp logs a few records to an OpenTelemetry Collector over
// OTLP/HTTP, closes the logger and prints what the sink did.
//
//	go run ./examples/otlp -endpoint http://127.0.0.1:4318
//
// The endpoint may also come from OTEL_EXPORTER_OTLP_ENDPOINT.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/otlpsink"
)

func main() {
	def := os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	if def == "" {
		def = "http://127.0.0.1:4318"
	}
	endpoint := flag.String("endpoint", def, "OTLP/HTTP endpoint of the collector")
	flag.Parse()
	if err := run(*endpoint); err != nil {
		fmt.Fprintln(os.Stderr, "otlp example:", err)
		os.Exit(1)
	}
}

func run(endpoint string) error {
	// Say so at once when nothing listens, rather than retrying for a
	// minute: the sink would keep the records until its MaxElapsed.
	u, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	conn, err := net.DialTimeout("tcp", hostPort(u), 2*time.Second)
	if err != nil {
		return fmt.Errorf("no collector at %s (%v); start one, or pass -endpoint", endpoint, err)
	}
	conn.Close()

	sink, err := otlpsink.New(endpoint, otlpsink.Options{
		ServiceName:    "otlp-example",
		ServiceVersion: "1.0.0",
		Environment:    "dev",
		HTTP:           otlpsink.HTTP{Gzip: true},
		Delivery:       otlpsink.Delivery{MaxElapsed: 10 * time.Second},
	})
	if err != nil {
		return err
	}
	logger, err := fapilog.NewAsync(fapilog.Config{Level: slog.LevelDebug, Sinks: []fapilog.Sink{sink}})
	if err != nil {
		return err
	}
	api := logger.With(slog.String("component", "checkout"))
	api.Info("order placed", slog.Int("order_id", 1042), slog.Float64("total", 99.5),
		slog.String("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"), slog.String("span_id", "00f067aa0ba902b7"))
	api.Warn("payment retried", slog.Int("attempt", 2), slog.Group("card", slog.String("brand", "visa")))
	api.Error("payment failed", slog.Any("err", errors.New("card declined")))

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := logger.Close(ctx); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	st := sink.Stats()
	fmt.Printf("sent %d, failed %d, retries %d, spooled %d\n", st.Sent, st.Failed, st.Retries, st.Spooled)
	if st.Failed > 0 {
		return fmt.Errorf("%d records failed", st.Failed)
	}
	return nil
}

// hostPort returns u's host:port, with the scheme's default port.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}
