package fapilog_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	fapilog "github.com/fapilog/fapilog-go"
)

// stripTime removes the time field so examples have stable output.
type stripTime struct{}

func (stripTime) Write(p []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if i := strings.Index(line, `"level"`); i > 0 {
			line = "{" + line[i:]
		}
		os.Stdout.WriteString(line)
	}
	return len(p), nil
}

func ExampleNewAsync() {
	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewWriterSink(stripTime{})}})
	if err != nil {
		panic(err)
	}
	logger.Info("started", slog.Int("port", 8080))
	logger.With(slog.String("user", "ann")).WithGroup("req").Warn("slow", slog.Int("ms", 950))
	logger.Close(context.Background()) // writes what is queued
	st := logger.Stats()
	fmt.Println(st.Submitted, st.Written, st.Dropped)
	// Output:
	// {"level":"INFO","msg":"started","port":8080}
	// {"level":"WARN","msg":"slow","user":"ann","req":{"ms":950}}
	// 2 2 0
}

func ExampleNewSync() {
	logger, err := fapilog.NewSync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewWriterSink(stripTime{})}})
	if err != nil {
		panic(err)
	}
	defer logger.Close(context.Background())
	logger.Error("disk full", slog.String("path", "/var"))
	fmt.Println("the line above was written before this one")
	// Output:
	// {"level":"ERROR","msg":"disk full","path":"/var"}
	// the line above was written before this one
}

func ExampleAsyncLogger_Sync() {
	async, _ := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewWriterSink(stripTime{})}})
	defer async.Close(context.Background())
	audit := async.Sync() // same pipeline, same counters
	async.Info("queued")
	audit.Info("written, with everything queued before it")
	fmt.Println(audit.Stats().Written)
	// Output:
	// {"level":"INFO","msg":"queued"}
	// {"level":"INFO","msg":"written, with everything queued before it"}
	// 2
}
