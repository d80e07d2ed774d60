package otlpsink

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/internal/ship/shiptest"
)

// BenchmarkEncode converts batches of 256 realistic JSON lines into an
// OTLP/JSON request, without the network.
func BenchmarkEncode(b *testing.B) {
	batch := shiptest.Realistic(256)
	enc := newEncoder(resource(Options{ServiceName: "bench"}))
	b.SetBytes(int64(len(batch.Bytes())))
	b.ReportAllocs()
	now := time.Now()
	for b.Loop() {
		enc.encode(batch, now)
	}
	shiptest.ReportRecords(b, b.N*batch.Len())
}

// BenchmarkWriteBatch exports batches of 256 records to a local server
// that reads them and answers an empty partialSuccess.
func BenchmarkWriteBatch(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"partialSuccess":{}}`)
	}))
	defer srv.Close()
	shiptest.BenchPlainAndGzip(b, func(gz bool) (fapilog.Sink, error) { return New(srv.URL, Options{HTTP: HTTP{Gzip: gz}}) })
}
