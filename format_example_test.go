package fapilog_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	fapilog "github.com/fapilog/fapilog-go"
)

// dropUntil writes lines to os.Stdout without what comes before its
// text (the time), keeping a JSON line's '{', so examples have stable
// output.
type dropUntil string

func (d dropUntil) Write(p []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if i := strings.Index(line, string(d)); i > 0 {
			if line[0] == '{' {
				line = "{" + line[i:]
			} else {
				line = line[i:]
			}
		}
		os.Stdout.WriteString(line)
	}
	return len(p), nil
}

func ExampleNewLogfmtSink() {
	logger, err := fapilog.NewSync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewLogfmtSink(dropUntil("level="))}})
	if err != nil {
		panic(err)
	}
	defer logger.Close(context.Background())
	logger.WithGroup("http").Info("request done", slog.String("method", "GET"), slog.Int("status", 200),
		slog.String("password", "hunter2"))
	logger.Error("payment failed", slog.Any("err", errors.New("card declined")))
	// Output:
	// level=INFO msg="request done" http.method=GET http.status=200 http.password=***
	// level=ERROR msg="payment failed" err="card declined"
}

func ExampleNewConsoleSink() {
	logger, err := fapilog.NewSync(fapilog.Config{Sinks: []fapilog.Sink{
		// ColorAuto: colors on a terminal, none here (os.Stdout is a pipe
		// under go test).
		fapilog.NewConsoleSink(os.Stdout, fapilog.ConsoleOptions{TimeFormat: "-"}),
	}})
	if err != nil {
		panic(err)
	}
	defer logger.Close(context.Background())
	logger.Warn("disk low", slog.Int("free_mb", 12), slog.String("mount", "/var"))
	// Output:
	// - WARN  disk low free_mb=12 mount=/var
}

func ExampleGoogleCloudLogging() {
	logger, err := fapilog.NewSync(fapilog.Config{
		Sinks:  []fapilog.Sink{fapilog.NewWriterSink(dropUntil(`"severity"`))},
		Fields: fapilog.GoogleCloudLogging(),
	})
	if err != nil {
		panic(err)
	}
	defer logger.Close(context.Background())
	logger.Warn("disk low", slog.Int("free_mb", 12))
	// Output:
	// {"severity":"WARNING","message":"disk low","free_mb":12}
}

// auditSink is a user's Sink that asks for logfmt by implementing
// Format() fapilog.Format; a Sink without that method gets JSON.
type auditSink struct{}

func (auditSink) WriteBatch(b *fapilog.Batch) error {
	for i := range b.Len() {
		line := string(b.Record(i))
		fmt.Print(line[strings.Index(line, "level="):])
	}
	return nil
}
func (auditSink) Flush() error           { return nil }
func (auditSink) Close() error           { return nil }
func (auditSink) Format() fapilog.Format { return fapilog.Logfmt() }

func ExampleFormat() {
	logger, err := fapilog.NewSync(fapilog.Config{Sinks: []fapilog.Sink{auditSink{}, fapilog.NewWriterSink(stripTime{})}})
	if err != nil {
		panic(err)
	}
	defer logger.Close(context.Background())
	logger.Info("user deleted", slog.String("user", "ann"))
	// Output:
	// level=INFO msg="user deleted" user=ann
	// {"level":"INFO","msg":"user deleted","user":"ann"}
}

func ExampleConfig_uniqueKeys() {
	logger, err := fapilog.NewSync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewWriterSink(stripTime{})}, UniqueKeys: true})
	if err != nil {
		panic(err)
	}
	defer logger.Close(context.Background())
	logger.With(slog.String("user", "ann")).Info("retry", slog.Int("attempt", 1), slog.Int("attempt", 2), slog.String("user", "bob"))
	// Output:
	// {"level":"INFO","msg":"retry","attempt":2,"user":"bob"}
}
