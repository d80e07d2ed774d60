// Command file logs to a rotating file in a temporary directory, with a
// size limit small enough to rotate a few times, and its errors alone to
// stderr, then prints the files it made.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/filesink"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	dir, err := os.MkdirTemp("", "fapilog-file-example")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	file, err := filesink.New(filepath.Join(dir, "logs", "app.log"), filesink.Options{
		MaxSize:     4 << 10,        // rotate at 4 KiB (use tens of MiB in production)
		RotateEvery: 24 * time.Hour, // and at local midnight
		MaxBackups:  5,
		MaxAge:      7 * 24 * time.Hour,
		Compress:    true,
	})
	if err != nil {
		return err
	}
	sinks := []fapilog.Sink{
		file, // everything, as JSON lines
		// Errors only, for a human watching the terminal. Each sink has its
		// own buffer and goroutine: a slow terminal never holds back the file.
		fapilog.MinLevel(slog.LevelError, fapilog.NewConsoleSink(os.Stderr, fapilog.ConsoleOptions{})),
	}

	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: sinks})
	if err != nil {
		file.Close()
		return err
	}
	log := logger.With(slog.String("service", "checkout"))
	for i := range 200 {
		log.Info("order placed", slog.Int("order_id", 1000+i), slog.Float64("total", 19.5+float64(i)))
		if i%50 == 49 {
			log.Error("payment failed", slog.Int("order_id", 1000+i), slog.String("reason", "card declined"))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := logger.Close(ctx); err != nil { // closes the file sink, which waits for compression
		return err
	}

	fmt.Println("files in", filepath.Join(dir, "logs"))
	entries, err := os.ReadDir(filepath.Join(dir, "logs"))
	if err != nil {
		return err
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			return err
		}
		fmt.Printf("  %-40s %6d bytes\n", e.Name(), info.Size())
	}
	st := logger.Stats()
	fmt.Printf("written %d, dropped %d, failed %d\n", st.Written, st.Dropped, st.Failed)
	return nil
}
