// Command quickstart logs through both faces of one fapilog pipeline and
// prints the pipeline's counters. On a terminal it writes the console
// format, in color; piped, JSON lines.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
)

func main() {
	// A terminal gets lines for people; a pipe gets JSON for machines.
	sink := fapilog.NewWriterSink(os.Stdout)
	if fi, err := os.Stdout.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		sink = fapilog.NewConsoleSink(os.Stdout, fapilog.ConsoleOptions{})
	}
	logger, err := fapilog.NewAsync(fapilog.Config{Level: slog.LevelDebug, Sinks: []fapilog.Sink{sink}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	// The async face queues and returns at once.
	api := logger.With(slog.String("service", "checkout"))
	api.Info("order placed", slog.Int("order_id", 1042), slog.Float64("total", 99.5))
	// Secrets are masked by default, inside nested values too.
	api.Info("login", slog.String("user", "ann"), slog.String("password", "hunter2"),
		slog.Any("db", map[string]string{"url": "postgres://app:s3cret@db:5432/shop"}))
	api.WithGroup("http").Debug("request", slog.String("method", "POST"), slog.Duration("took", 3*time.Millisecond))

	// The sync face of the same pipeline returns once the line is written.
	audit := api.AsSync()
	audit.Warn("payment retried", slog.Int("attempt", 2), slog.Any("err", errors.New("card declined")))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := logger.Close(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "close:", err)
	}
	fmt.Printf("stats: %+v\n", logger.Stats())
}
