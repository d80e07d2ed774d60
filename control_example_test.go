package fapilog_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
)

func ExampleSyncLogger_Named() {
	logger, _ := fapilog.NewSync(fapilog.Config{
		Sinks:  []fapilog.Sink{fapilog.NewWriterSink(stripTime{})},
		Levels: "warn,http=debug,db.pool=error",
	})
	defer logger.Close(context.Background())
	http, pool := logger.Named("http"), logger.Named("db").Named("pool")
	http.Debug("request", slog.String("path", "/"))
	pool.Warn("slow checkout") // below db.pool's level
	pool.Error("exhausted", slog.Int("size", 10))
	logger.Info("not written: the default is warn")

	_ = logger.SetLevels("info,db=debug") // at run time: db.pool now follows db
	pool.Debug("checkout")
	fmt.Println(logger.Levels())
	// Output:
	// {"level":"DEBUG","msg":"request","logger":"http","path":"/"}
	// {"level":"ERROR","msg":"exhausted","logger":"db.pool","size":10}
	// {"level":"DEBUG","msg":"checkout","logger":"db.pool"}
	// INFO,db=DEBUG
}

func ExampleSampling() {
	logger, _ := fapilog.NewAsync(fapilog.Config{
		Sinks:    []fapilog.Sink{fapilog.NewWriterSink(io.Discard)},
		Sampling: &fapilog.Sampling{Tick: time.Hour, First: 3, Thereafter: 10},
	})
	for range 100 {
		logger.Info("cache miss") // the 1st, 2nd, 3rd, 13th, 23rd, … pass
	}
	logger.Error("cache down") // at or above ProtectedLevel: never sampled out
	logger.Close(context.Background())
	st := logger.Stats()
	fmt.Println(st.Submitted, st.Written, st.Sampled)
	// Output:
	// 101 13 88
}

func ExampleLevelHandler() {
	logger, _ := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{fapilog.NewWriterSink(io.Discard)}})
	defer logger.Close(context.Background())
	// In a program: mux.Handle("/loglevel", fapilog.LevelHandler(logger))
	h := fapilog.LevelHandler(logger)
	for _, req := range []*http.Request{
		httptest.NewRequest("PUT", "/loglevel", strings.NewReader("info,http=debug")),
		httptest.NewRequest("POST", "/loglevel", strings.NewReader(`{"levels":"warn,http=debug"}`)),
		httptest.NewRequest("PUT", "/loglevel", strings.NewReader("warn,http=loud")),
		httptest.NewRequest("GET", "/loglevel", nil),
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Print(rec.Code, " ", rec.Body.String())
	}
	// Output:
	// 200 {"levels":"INFO,http=DEBUG"}
	// 200 {"levels":"WARN,http=DEBUG"}
	// 400 {"error":"fapilog: levels: entry \"http=loud\": unknown level \"loud\" (want debug, info, warn or error, optionally +N or -N)"}
	// 200 {"levels":"WARN,http=DEBUG"}
}
