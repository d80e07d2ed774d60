package fapilog_test

import (
	"context"
	"fmt"
	"io"
	"log"
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

func ExampleAsyncLogger_AsSync() {
	async, _ := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewWriterSink(stripTime{})}})
	defer async.Close(context.Background())
	audit := async.AsSync() // same pipeline, same counters
	async.Info("queued")
	audit.Info("written, with everything queued before it")
	fmt.Println(audit.Stats().Written)
	// Output:
	// {"level":"INFO","msg":"queued"}
	// {"level":"INFO","msg":"written, with everything queued before it"}
	// 2
}

func ExampleAsyncLogger_Handler() {
	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewWriterSink(stripTime{})}})
	if err != nil {
		panic(err)
	}
	defer restoreDefaults(slog.Default(), log.Writer(), log.Flags()) // for the other examples

	// Every slog call in the program now takes the pipeline...
	slog.SetDefault(slog.New(logger.Handler()))
	slog.Info("started", "port", 8080)
	slog.With("user", "ann").WithGroup("req").Warn("slow", "ms", 950)

	// ...and so does the standard log package, at Info,
	log.Print("from the log package")
	// or, for an API that wants a *log.Logger, at the level you choose.
	errorLog := slog.NewLogLogger(logger.Handler(), slog.LevelError)
	errorLog.Print("http: TLS handshake error")

	logger.Close(context.Background())
	// Output:
	// {"level":"INFO","msg":"started","port":8080}
	// {"level":"WARN","msg":"slow","user":"ann","req":{"ms":950}}
	// {"level":"INFO","msg":"from the log package"}
	// {"level":"ERROR","msg":"http: TLS handshake error"}
}

// restoreDefaults puts back slog's default logger and log's output, which
// slog.SetDefault changed.
func restoreDefaults(l *slog.Logger, w io.Writer, flags int) {
	slog.SetDefault(l)
	log.SetOutput(w)
	log.SetFlags(flags)
}

type traceIDKey struct{}

func ExampleContextWithAttrs() {
	logger, err := fapilog.NewSync(fapilog.Config{
		Sinks: []fapilog.Sink{fapilog.NewWriterSink(stripTime{})},
		// Pull a trace id out of the context, as one would from an
		// OpenTelemetry span.
		ContextExtractors: []func(context.Context) []slog.Attr{
			func(ctx context.Context) []slog.Attr {
				if id, ok := ctx.Value(traceIDKey{}).(string); ok {
					return []slog.Attr{slog.String("trace_id", id)}
				}
				return nil
			},
		},
	})
	if err != nil {
		panic(err)
	}
	defer logger.Close(context.Background())

	// A middleware attaches the request's attrs once...
	ctx := fapilog.ContextWithAttrs(context.Background(), slog.String("request_id", "r-42"))
	ctx = context.WithValue(ctx, traceIDKey{}, "4bf92f35")

	// ...and every record logged with ctx carries them, from the facade
	// or from slog.
	logger.InfoContext(ctx, "order placed", slog.Int("items", 3))
	slog.New(logger.Handler()).WarnContext(ctx, "stock low", "sku", "A-1")
	// Output:
	// {"level":"INFO","msg":"order placed","request_id":"r-42","trace_id":"4bf92f35","items":3}
	// {"level":"WARN","msg":"stock low","request_id":"r-42","trace_id":"4bf92f35","sku":"A-1"}
}
