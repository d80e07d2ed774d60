package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	fapilog "github.com/fapilog/fapilog-go"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type nopSink struct{}

func (nopSink) WriteBatch(*fapilog.Batch) error { return nil }
func (nopSink) Flush() error                    { return nil }
func (nopSink) Close() error                    { return nil }

func TestScrape(t *testing.T) {
	logger, err := fapilog.NewAsync(fapilog.Config{
		Sinks:     []fapilog.Sink{nopSink{}},
		QueueSize: 64,
		Sampling:  &fapilog.Sampling{Tick: time.Hour, First: 2}, // one tick for the test
	})
	require.NoError(t, err)
	for range 5 {
		logger.Info("same") // 2 written, 3 sampled out
	}
	logger.Debug("below the level")
	require.NoError(t, logger.Flush(context.Background()))
	srv := httptest.NewServer(newMux(logger, prometheus.NewPedanticRegistry()))
	defer srv.Close()

	want := `
# HELP fapilog_records_submitted_total Records that passed the level check.
# TYPE fapilog_records_submitted_total counter
fapilog_records_submitted_total{pipeline="main"} 5
# HELP fapilog_records_written_total Records every sink accepted.
# TYPE fapilog_records_written_total counter
fapilog_records_written_total{pipeline="main"} 2
# HELP fapilog_records_sampled_total Records sampling dropped on the caller.
# TYPE fapilog_records_sampled_total counter
fapilog_records_sampled_total{pipeline="main"} 3
# HELP fapilog_records_dropped_total Records dropped: queue full or closed, or abandoned by Close.
# TYPE fapilog_records_dropped_total counter
fapilog_records_dropped_total{pipeline="main"} 0
# HELP fapilog_queue_capacity Capacity of the queue.
# TYPE fapilog_queue_capacity gauge
fapilog_queue_capacity{pipeline="main"} 64
# HELP fapilog_queue_length Records queued now.
# TYPE fapilog_queue_length gauge
fapilog_queue_length{pipeline="main"} 0
`
	require.NoError(t, testutil.ScrapeAndCompare(srv.URL+"/metrics", strings.NewReader(want),
		"fapilog_records_submitted_total", "fapilog_records_written_total", "fapilog_records_sampled_total",
		"fapilog_records_dropped_total", "fapilog_queue_capacity", "fapilog_queue_length"))

	// Every metric is there, and the pedantic registry found nothing wrong.
	resp, err := http.Get(srv.URL + "/metrics")
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 20, strings.Count(string(body), "# TYPE fapilog_"))
	// Per sink: its counters and the histogram of its write latency.
	require.Contains(t, string(body), `fapilog_sink_records_written_total{pipeline="main",sink="main.nopSink#0"} 2`)
	require.Contains(t, string(body), `# TYPE fapilog_sink_write_seconds histogram`)
	require.Contains(t, string(body), `fapilog_sink_write_seconds_bucket{pipeline="main",sink="main.nopSink#0",le="+Inf"}`)

	// The level endpoint is mounted too.
	resp, err = http.Get(srv.URL + "/loglevel")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.JSONEq(t, `{"levels":"INFO"}`, string(body))

	srv.Close()
	require.NoError(t, logger.Close(context.Background()))
}
