package fapilog_test

import (
	"context"
	"log"
	"log/slog"
	"os"
	"os/signal"

	fapilog "github.com/fapilog/fapilog-go"
)

// SetDefault routes log/slog's default logger and the standard log
// package into one pipeline; the log package's lines are written before
// its call returns, so log.Fatal's line is never lost.
func ExampleSetDefault() {
	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewWriterSink(stripTime{})}})
	if err != nil {
		panic(err)
	}
	defer restoreDefaults(slog.Default(), log.Writer(), log.Flags()) // for the other examples

	fapilog.SetDefault(logger)
	log.Printf("from log: %d", 1) // written when Printf returns
	slog.Warn("from slog", "k", 2)
	logger.Close(context.Background())
	// Output:
	// {"level":"INFO","msg":"from log: 1"}
	// {"level":"WARN","msg":"from slog","k":2}
}

// The exit patterns: Close on return, on a signal, and Fatal, which
// closes the pipeline (within Config.ExitTimeout) before os.Exit(1).
func ExampleAsyncLogger_Fatal() {
	logger, err := fapilog.NewAsync(fapilog.Config{})
	if err != nil {
		panic(err)
	}
	// Returning from main: Close writes what is queued.
	defer logger.Close(context.Background())

	// Ctrl-C or SIGTERM: cancel ctx, return from main, and the deferred
	// Close runs.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if err := run(ctx); err != nil {
		// os.Exit skips deferred calls: Fatal closes the pipeline itself.
		logger.Fatal("run failed", slog.Any("err", err))
	}
}

func run(context.Context) error { return nil }
