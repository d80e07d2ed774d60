// Command quickstart logs through both faces of one fapilog pipeline and
// prints the pipeline's counters.
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
	logger, err := fapilog.NewAsync(fapilog.Config{Level: slog.LevelDebug})
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
