// Command lastwords logs records through an AsyncLogger to stdout, then
// ends the process in the way -mode says, without closing the logger:
//
//	fatal     logger.Fatal
//	logfatal  log.Fatal, after fapilog.SetDefault
//	logpanic  log.Panicf, after fapilog.SetDefault
//	slogexit  slog.Error, Flush and os.Exit(3), after fapilog.SetDefault
//
// TestLastWords runs it and checks that the last line and every record
// before it are in the output.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"

	fapilog "github.com/fapilog/fapilog-go"
)

func main() {
	mode := flag.String("mode", "fatal", "fatal, logfatal, logpanic or slogexit")
	n := flag.Int("n", 1000, "records logged before the last words")
	flag.Parse()

	logger, err := fapilog.NewAsync(fapilog.Config{AddSource: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *mode != "fatal" {
		fapilog.SetDefault(logger)
	}
	for i := range *n {
		logger.Info("before", slog.Int("i", i))
	}
	switch *mode {
	case "fatal":
		logger.Fatal("last words", slog.Int("n", *n))
	case "logfatal":
		log.Fatal("last words")
	case "logpanic":
		log.Panicf("last words %d", *n)
	case "slogexit":
		slog.Error("last words", "n", *n)
		if err := logger.Flush(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		os.Exit(3)
	}
	fmt.Fprintln(os.Stderr, "still running")
	os.Exit(4)
}
