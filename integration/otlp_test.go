package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/otlpsink"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// collector runs the OpenTelemetry Collector built from ./otelcol: an
// OTLP/HTTP receiver on a loopback port and a file exporter.
type collector struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	runs int
	srv  *server
}

func newCollector(t *testing.T) *collector {
	c := &collector{t: t, bin: collectorBinary(t), dir: t.TempDir(), port: freePort(t, "tcp")}
	c.start()
	return c
}

func (c *collector) endpoint() string { return fmt.Sprintf("http://127.0.0.1:%d", c.port) }

// start runs the collector, writing to a new file each run (out-N.jsonl).
func (c *collector) start() {
	c.runs++
	conf := filepath.Join(c.dir, fmt.Sprintf("config-%d.yaml", c.runs))
	require.NoError(c.t, os.WriteFile(conf, fmt.Appendf(nil, `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:%d
exporters:
  file:
    path: %s
    flush_interval: 50ms
service:
  telemetry:
    metrics:
      level: none
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [file]
`, c.port, filepath.Join(c.dir, fmt.Sprintf("out-%d.jsonl", c.runs))), 0o600))
	c.srv = start(c.t, filepath.Join(c.dir, "otelcol.log"), c.bin, "--config", "file:"+conf)
	waitListening(c.t, c.srv, fmt.Sprintf("127.0.0.1:%d", c.port))
}

type anyValue map[string]any

type keyValue struct {
	Key   string   `json:"key"`
	Value anyValue `json:"value"`
}

type logRecord struct {
	TimeUnixNano   string     `json:"timeUnixNano"`
	SeverityNumber int        `json:"severityNumber"`
	SeverityText   string     `json:"severityText"`
	Body           anyValue   `json:"body"`
	Attributes     []keyValue `json:"attributes"`
	TraceID        string     `json:"traceId"`
	SpanID         string     `json:"spanId"`
	resource       []keyValue
}

func (r logRecord) attr(key string) anyValue {
	for _, kv := range r.Attributes {
		if kv.Key == key {
			return kv.Value
		}
	}
	return nil
}

// records returns every logRecord the collector wrote, in all its runs.
func (c *collector) records() []logRecord {
	var out []logRecord
	for run := 1; run <= c.runs; run++ {
		lines := readLines(c.t, filepath.Join(c.dir, fmt.Sprintf("out-%d.jsonl", run)))
		for i, line := range lines {
			var req struct {
				ResourceLogs []struct {
					Resource struct {
						Attributes []keyValue `json:"attributes"`
					} `json:"resource"`
					ScopeLogs []struct {
						LogRecords []logRecord `json:"logRecords"`
					} `json:"scopeLogs"`
				} `json:"resourceLogs"`
			}
			if err := json.Unmarshal([]byte(line), &req); err != nil {
				require.Equal(c.t, len(lines)-1, i, "bad line %q: %v", line, err)
				break // the collector is still writing it
			}
			for _, rl := range req.ResourceLogs {
				for _, sl := range rl.ScopeLogs {
					for _, r := range sl.LogRecords {
						r.resource = rl.Resource.Attributes
						out = append(out, r)
					}
				}
			}
		}
	}
	return out
}

// seqCounts counts the records of each "seq" attribute.
func seqCounts(t *testing.T, recs []logRecord) map[int]int {
	seen := map[int]int{}
	for _, r := range recs {
		v, ok := r.attr("seq")["intValue"].(string)
		require.True(t, ok, "record without seq: %+v", r)
		seq, err := strconv.Atoi(v)
		require.NoError(t, err)
		seen[seq]++
	}
	return seen
}

func TestOTLPCollector(t *testing.T) {
	c := newCollector(t)
	sink, err := otlpsink.New(c.endpoint(), otlpsink.Options{
		ServiceName: "itest-svc", ServiceVersion: "1.2.3", Environment: "test", HTTP: otlpsink.HTTP{Gzip: true},
	})
	require.NoError(t, err)
	logger, err := fapilog.NewAsync(fapilog.Config{Level: slog.LevelDebug, Sinks: []fapilog.Sink{sink}, AddSource: true})
	require.NoError(t, err)
	const n = 1000
	const traceID, spanID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	for i := range n {
		l := levels[i%len(levels)]
		logger.Log(context.Background(), l.level, "order "+strconv.Itoa(i),
			slog.Int("seq", i), slog.Float64("ratio", 0.25), slog.Bool("ok", i%2 == 0),
			slog.Group("http", slog.String("method", "GET"), slog.Int("status", 200)),
			slog.Any("tags", []string{"a", "b"}),
			slog.String("trace_id", traceID), slog.String("span_id", spanID))
	}
	require.NoError(t, logger.Close(context.Background()))
	var recs []logRecord
	waitFor(t, 20*time.Second, "the collector to write every record", func() bool {
		recs = c.records()
		return len(recs) >= n
	})
	time.Sleep(200 * time.Millisecond) // room for a duplicate to show up
	recs = c.records()
	seen := seqCounts(t, recs)
	for i := range n {
		require.Equal(t, 1, seen[i], "record %d arrived %d times", i, seen[i])
	}
	require.Len(t, recs, n)

	severities := map[slog.Level]int{slog.LevelDebug: 5, slog.LevelInfo: 9, slog.LevelWarn: 13, slog.LevelError: 17, slog.LevelError + 4: 21}
	for _, r := range recs {
		seq, _ := strconv.Atoi(r.attr("seq")["intValue"].(string))
		lv := levels[seq%len(levels)].level
		assert.Equal(t, severities[lv], r.SeverityNumber)
		assert.Equal(t, lv.String(), r.SeverityText)
		assert.Equal(t, anyValue{"stringValue": "order " + strconv.Itoa(seq)}, r.Body)
		assert.NotEmpty(t, r.TimeUnixNano)
		assert.Equal(t, traceID, r.TraceID)
		assert.Equal(t, spanID, r.SpanID)
		assert.Nil(t, r.attr("trace_id"), "trace_id is moved out of the attributes")
		assert.Equal(t, anyValue{"doubleValue": 0.25}, r.attr("ratio"))
		assert.Equal(t, anyValue{"boolValue": seq%2 == 0}, r.attr("ok"))
		assert.Equal(t, anyValue{"kvlistValue": map[string]any{"values": []any{
			map[string]any{"key": "method", "value": map[string]any{"stringValue": "GET"}},
			map[string]any{"key": "status", "value": map[string]any{"intValue": "200"}},
		}}}, r.attr("http"))
		assert.Equal(t, anyValue{"arrayValue": map[string]any{"values": []any{
			map[string]any{"stringValue": "a"}, map[string]any{"stringValue": "b"},
		}}}, r.attr("tags"))
		assert.Contains(t, r.attr("code.file.path")["stringValue"], "otlp_test.go")
		assert.NotNil(t, r.attr("code.line.number")["intValue"])
		assert.Equal(t, []keyValue{
			{"service.name", anyValue{"stringValue": "itest-svc"}},
			{"service.version", anyValue{"stringValue": "1.2.3"}},
			{"deployment.environment", anyValue{"stringValue": "test"}},
		}, r.resource)
	}
	st := sink.Stats()
	assert.Equal(t, uint64(n), st.Sent)
	assert.Zero(t, st.Failed)
}

// TestOTLPCollectorRestart stops the collector while records flow and
// starts it again: the batches that meet the dead endpoint are retried,
// then spooled once the breaker opens, and sent first when it is back.
// Nothing may be lost; a record may arrive twice only if the collector
// took its batch but the answer was lost, which a clean stop (SIGTERM)
// does not do, so none may be duplicated here.
func TestOTLPCollectorRestart(t *testing.T) {
	c := newCollector(t)
	spool := t.TempDir()
	sink, err := otlpsink.New(c.endpoint(), otlpsink.Options{
		ServiceName: "itest-svc",
		Delivery: otlpsink.Delivery{
			InitialBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
			BreakerFailures: 3, BreakerCooldown: 200 * time.Millisecond, SpoolDir: spool,
		},
	})
	require.NoError(t, err)
	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{sink}, BatchSize: 50})
	require.NoError(t, err)

	const n = 6000
	var logged atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range n {
			logger.Info("tick", slog.Int("seq", i))
			logged.Store(int64(i + 1))
			if i%20 == 0 {
				time.Sleep(time.Millisecond) // a steady stream, not one burst
			}
		}
	}()
	waitFor(t, 20*time.Second, "a third of the records", func() bool { return logged.Load() >= n/3 })
	c.srv.stop()
	stoppedAt := logged.Load()
	waitFor(t, 20*time.Second, "batches to reach the spool", func() bool { return sink.Stats().Spooled > 0 })
	c.start()
	<-done
	require.NoError(t, logger.Close(context.Background()))
	t.Logf("collector stopped after record %d; sink stats %+v", stoppedAt, sink.Stats())

	var recs []logRecord
	waitFor(t, 20*time.Second, "the collector to write every record", func() bool {
		recs = c.records()
		return len(recs) >= n
	})
	time.Sleep(200 * time.Millisecond)
	seen := seqCounts(t, c.records())
	for i := range n {
		require.Equal(t, 1, seen[i], "record %d arrived %d times", i, seen[i])
	}
	st := sink.Stats()
	assert.Equal(t, uint64(n), st.Sent)
	assert.Zero(t, st.Failed)
	assert.Zero(t, st.SpoolDropped)
	assert.Positive(t, st.BreakerOpens)
	assert.Zero(t, st.SpoolBatches)
	left, err := os.ReadDir(spool)
	require.NoError(t, err)
	assert.Empty(t, left, "spool emptied")
}
