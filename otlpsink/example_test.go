package otlpsink_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/otlpsink"
)

func ExampleNew() {
	// A stand-in for a Collector's OTLP/HTTP receiver.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ResourceLogs []struct {
				ScopeLogs []struct {
					LogRecords []struct {
						SeverityNumber int
						Body           struct{ StringValue string }
						Attributes     []struct {
							Key   string
							Value map[string]any
						}
					}
				}
			}
		}
		json.NewDecoder(r.Body).Decode(&req)
		for _, rec := range req.ResourceLogs[0].ScopeLogs[0].LogRecords {
			fmt.Println(r.URL.Path, rec.SeverityNumber, rec.Body.StringValue, rec.Attributes[0].Key, rec.Attributes[0].Value)
		}
	}))
	defer srv.Close()

	sink, err := otlpsink.New(srv.URL, otlpsink.Options{ServiceName: "checkout"})
	if err != nil {
		panic(err)
	}
	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{sink}})
	if err != nil {
		panic(err)
	}
	logger.Warn("payment retried", slog.Int("attempt", 2))
	logger.Close(context.Background())
	// Output:
	// /v1/logs 13 payment retried attempt map[intValue:2]
}
