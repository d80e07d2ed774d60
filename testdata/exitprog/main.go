// Command exitprog logs records from several goroutines to stdout, closes
// the logger and exits at once. TestExitAfterCloseKeepsEveryRecord runs it
// and checks that every record is in its output. It writes the logger's
// Stats to stderr as JSON.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
)

func main() {
	face := flag.String("face", "async", "async or sync")
	goroutines := flag.Int("g", 4, "logging goroutines")
	n := flag.Int("n", 1000, "records per goroutine")
	flag.Parse()

	// Block without a timeout: a record is never dropped for want of room,
	// so every record must reach stdout.
	logger, err := fapilog.NewAsync(fapilog.Config{Backpressure: fapilog.Block, BlockTimeout: -1})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	log := logger.Info
	if *face == "sync" {
		log = logger.AsSync().Info
	}
	var wg sync.WaitGroup
	for g := range *goroutines {
		wg.Go(func() {
			for i := range *n {
				log("exit test", slog.Int("g", g), slog.Int("i", i))
			}
		})
	}
	wg.Wait()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err = logger.Close(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "close:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stderr).Encode(logger.Stats())
	os.Exit(0) // no deferred work, nothing left running
}
