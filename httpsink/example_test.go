package httpsink_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/httpsink"
)

func ExampleNew() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.Method, r.Header.Get("Content-Type"), bytes.Count(body, []byte("\n")), "lines")
	}))
	defer srv.Close()

	sink, err := httpsink.New(srv.URL, httpsink.Options{
		Header:   http.Header{"Authorization": {"Bearer token"}},
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
	fmt.Println("sent:", sink.Stats().Sent)
	// Output:
	// POST application/x-ndjson 2 lines
	// sent: 2
}
