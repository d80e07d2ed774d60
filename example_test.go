package fapilog_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"strings"
	"time"

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

	// Every slog call in the program now takes the pipeline (see
	// fapilog.SetDefault for a log package bridge that never loses
	// log.Fatal's line)...
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

func ExampleAsyncLogger_Close() {
	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewWriterSink(stripTime{})}})
	if err != nil {
		panic(err)
	}
	logger.Info("queued before Close")

	// The deadline bounds the wait for a hung sink; what Close could not
	// deliver by then is counted as dropped.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := logger.Close(ctx); err != nil {
		fmt.Println("close:", err) // ctx's error, the sinks' Flush and Close errors, lost records
	}

	logger.Info("after Close") // not written: counted as dropped, never a panic
	// Close is idempotent, and its error counts every record lost so far.
	err = logger.Close(ctx)
	var loss *fapilog.LossError
	fmt.Println(errors.As(err, &loss), loss.Dropped)
	fmt.Println(logger.Stats().Written, logger.Stats().Dropped)
	// Output:
	// {"level":"INFO","msg":"queued before Close"}
	// true 1
	// 1 1
}

// failFirst is a sink whose first WriteBatch fails.
type failFirst struct{ calls int }

func (s *failFirst) WriteBatch(b *fapilog.Batch) error {
	if s.calls++; s.calls == 1 {
		return errors.New("connection reset")
	}
	return nil
}

func (s *failFirst) Flush() error { return nil }
func (s *failFirst) Close() error { return nil }

func ExampleStats() {
	logger, err := fapilog.NewSync(fapilog.Config{
		Level:       slog.LevelWarn,
		Sinks:       []fapilog.Sink{&failFirst{}},
		Diagnostics: io.Discard, // the failure and the drop are reported there
	})
	if err != nil {
		panic(err)
	}
	logger.Info("below the level: not counted at all")
	logger.Warn("submitted, then failed by the sink")
	logger.Warn("submitted and written")
	logger.Close(context.Background())
	logger.Error("submitted after Close: dropped")

	st := logger.Stats()
	fmt.Printf("submitted=%d written=%d dropped=%d failed=%d\n", st.Submitted, st.Written, st.Dropped, st.Failed)
	fmt.Println(st.Submitted == st.Written+st.Dropped+st.Failed+st.Sampled+st.Deduped)
	// Output:
	// submitted=3 written=1 dropped=1 failed=1
	// true
}

// errorSink is a custom Sink: it passes on only records at
// slog.LevelError and above. The worker never calls a Sink's methods
// concurrently, so it needs no lock.
type errorSink struct{ w io.Writer }

// WriteBatch writes the error records of b. b is valid only during the
// call: a sink that keeps records must copy them.
func (s errorSink) WriteBatch(b *fapilog.Batch) error {
	for i := range b.Len() {
		if b.Level(i) >= slog.LevelError {
			if _, err := s.w.Write(b.Record(i)); err != nil {
				return err // counted in Stats.Failed and reported; logging goes on
			}
		}
	}
	return nil
}

func (errorSink) Flush() error { return nil }
func (errorSink) Close() error { return nil }

// String names the sink in stats and diagnostics.
func (errorSink) String() string { return "errors:stdout" }

func ExampleSink() {
	logger, err := fapilog.NewSync(fapilog.Config{Sinks: []fapilog.Sink{errorSink{stripTime{}}}})
	if err != nil {
		panic(err)
	}
	defer logger.Close(context.Background())
	logger.Info("fine")
	logger.Error("disk full", slog.String("path", "/var"))
	logger.Warn("slow")
	// Output:
	// {"level":"ERROR","msg":"disk full","path":"/var"}
}

func ExampleConfig() {
	level := new(slog.LevelVar) // Info; may change while the logger runs
	logger, err := fapilog.NewAsync(fapilog.Config{
		Level:        level,
		Sinks:        []fapilog.Sink{fapilog.NewWriterSink(stripTime{})},
		QueueSize:    4096,
		Backpressure: fapilog.Block,         // wait for room rather than drop...
		BlockTimeout: 50 * time.Millisecond, // ...for 50ms at most
		Enrichers:    []fapilog.Enricher{fapilog.ServiceInfo("checkout", "prod", "1.4.2")},
		Redactors:    append(fapilog.DefaultRedactors(), fapilog.RedactFields("card.number")),
	})
	if err != nil {
		panic(err)
	}
	logger.Debug("not logged: below Info")
	level.Set(slog.LevelDebug)
	logger.Debug("charged", slog.Group("card", slog.String("number", "4111111111111111"), slog.String("brand", "visa")),
		slog.String("password", "hunter2"))
	logger.Close(context.Background())

	// An invalid Config is an error naming the field.
	_, err = fapilog.NewAsync(fapilog.Config{QueueSize: -1})
	fmt.Println(err)
	// Output:
	// {"level":"DEBUG","msg":"charged","service":"checkout","env":"prod","version":"1.4.2","card":{"number":"***","brand":"visa"},"password":"***"}
	// fapilog: Config.QueueSize: -1 is outside 0..1073741824
}
