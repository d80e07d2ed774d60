package httpsink_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/httpsink"
)

func ExampleNew() {
	var lines atomic.Int64 // the logger may send one batch or two
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/x-ndjson" {
			lines.Add(int64(bytes.Count(body, []byte("\n"))))
		}
	}))
	defer srv.Close()

	sink, err := httpsink.New(srv.URL, httpsink.Options{
		HTTP:     httpsink.HTTP{Header: http.Header{"Authorization": {"Bearer token"}}},
		Delivery: httpsink.Delivery{SpoolDir: ""}, // set a directory to survive outages
	})
	if err != nil {
		panic(err)
	}
	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{sink}})
	if err != nil {
		panic(err)
	}
	logger.Info("order placed")
	logger.Info("order shipped")
	logger.Close(context.Background())
	fmt.Println("NDJSON lines posted:", lines.Load())
	fmt.Println("sent:", sink.Stats().Sent)
	// Output:
	// NDJSON lines posted: 2
	// sent: 2
}
