package fapilogtest_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/fapilogtest"
)

func ExampleRecorder() {
	rec := fapilogtest.NewRecorder()
	logger, err := fapilog.NewSync(fapilog.Config{Sinks: []fapilog.Sink{rec}})
	if err != nil {
		panic(err)
	}
	defer logger.Close(context.Background())

	logger.WithGroup("order").Info("placed", slog.Int("id", 1042), slog.String("password", "hunter2"))
	logger.Warn("stock low", slog.String("sku", "A-1"))

	for _, e := range rec.Entries() {
		fmt.Println(e.Level, e.Message, e.Attrs)
	}
	fmt.Println(len(rec.Filter("stock low")))
	// Output:
	// INFO placed map[order:map[id:1042 password:***]]
	// WARN stock low map[sku:A-1]
	// 1
}

func ExampleNewBatch() {
	// Any Sink can be tested without a logger; here, fapilog's writer sink.
	sink := fapilog.NewWriterSink(os.Stdout)
	batch := fapilogtest.NewBatch(
		[]byte(`{"time":"2026-11-27T10:00:00Z","level":"WARN","msg":"slow"}`),
		[]byte(`{"level":"ERROR","msg":"failed"}`),
	)
	if err := sink.WriteBatch(batch); err != nil {
		panic(err)
	}
	fmt.Println(batch.Len(), batch.Level(0), batch.Time(0).UTC().Format("15:04"), batch.Level(1), batch.Time(1).IsZero())
	// Output:
	// {"time":"2026-11-27T10:00:00Z","level":"WARN","msg":"slow"}
	// {"level":"ERROR","msg":"failed"}
	// 2 WARN 10:00 ERROR true
}

// TestNewLoggerExample runs ExampleNewLogger's test.
func TestNewLoggerExample(t *testing.T) { testCheckout(t) }
