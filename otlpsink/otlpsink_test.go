package otlpsink

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/internal/ship/shiptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)

// decode turns an export request back into generic JSON.
func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(body, &v), string(body))
	return v
}

func logRecords(t *testing.T, req map[string]any) []any {
	rl := req["resourceLogs"].([]any)[0].(map[string]any)
	sl := rl["scopeLogs"].([]any)[0].(map[string]any)
	return sl["logRecords"].([]any)
}

func TestEncodeMapsEveryField(t *testing.T) {
	b := &fapilog.Batch{}
	b.Append(t0, slog.LevelWarn, []byte(`{"time":"2026-01-02T03:04:05.123456789Z","level":"WARN",`+
		`"source":{"function":"main.f","file":"/app/main.go","line":12},"msg":"hi \"you\"",`+
		`"n":42,"big":18446744073709551615,"f":0.5,"whole":3.0,"e":1e3,"ok":true,"nil":null,`+
		`"g":{"a":1,"b":[1,"x",{"c":false}]},"empty":{},`+
		`"trace_id":"4BF92F3577B34DA6A3CE929D0E0E4736","span_id":"00f067aa0ba902b7",`+
		`"time":"an attribute after msg","msg":"another"}`+"\n"))
	enc := newEncoder([]slog.Attr{slog.String("service.name", "svc")})
	req := decode(t, enc.encode(b, t0.Add(time.Second)))
	res := req["resourceLogs"].([]any)[0].(map[string]any)["resource"]
	assert.Equal(t, map[string]any{"attributes": []any{
		map[string]any{"key": "service.name", "value": map[string]any{"stringValue": "svc"}},
	}}, res)
	recs := logRecords(t, req)
	require.Len(t, recs, 1)
	r := recs[0].(map[string]any)
	assert.Equal(t, "1767323045123456789", r["timeUnixNano"])
	assert.Equal(t, "1767323046123456789", r["observedTimeUnixNano"])
	assert.Equal(t, 13.0, r["severityNumber"])
	assert.Equal(t, "WARN", r["severityText"])
	assert.Equal(t, map[string]any{"stringValue": `hi "you"`}, r["body"])
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", r["traceId"])
	assert.Equal(t, "00f067aa0ba902b7", r["spanId"])
	kv := func(k string, v any) any { return map[string]any{"key": k, "value": v} }
	assert.Equal(t, []any{
		kv("code.function.name", map[string]any{"stringValue": "main.f"}),
		kv("code.file.path", map[string]any{"stringValue": "/app/main.go"}),
		kv("code.line.number", map[string]any{"intValue": "12"}),
		kv("n", map[string]any{"intValue": "42"}),
		kv("big", map[string]any{"doubleValue": 18446744073709551615.0}),
		kv("f", map[string]any{"doubleValue": 0.5}),
		kv("whole", map[string]any{"doubleValue": 3.0}),
		kv("e", map[string]any{"doubleValue": 1000.0}),
		kv("ok", map[string]any{"boolValue": true}),
		kv("nil", map[string]any{}),
		kv("g", map[string]any{"kvlistValue": map[string]any{"values": []any{
			kv("a", map[string]any{"intValue": "1"}),
			kv("b", map[string]any{"arrayValue": map[string]any{"values": []any{
				map[string]any{"intValue": "1"},
				map[string]any{"stringValue": "x"},
				map[string]any{"kvlistValue": map[string]any{"values": []any{kv("c", map[string]any{"boolValue": false})}}},
			}}}),
		}}}),
		kv("empty", map[string]any{"kvlistValue": map[string]any{"values": []any{}}}),
		kv("time", map[string]any{"stringValue": "an attribute after msg"}),
		kv("msg", map[string]any{"stringValue": "another"}),
	}, r["attributes"])
}

func TestEncodeKeepsBadTraceIDsAsAttributes(t *testing.T) {
	b := &fapilog.Batch{}
	b.Append(time.Time{}, slog.LevelInfo, []byte(`{"level":"INFO","msg":"m","traceId":"00000000000000000000000000000000","spanId":"xyz","trace_id":42}`+"\n"))
	r := logRecords(t, decode(t, newEncoder(nil).encode(b, t0)))[0].(map[string]any)
	assert.NotContains(t, r, "traceId")
	assert.NotContains(t, r, "spanId")
	assert.NotContains(t, r, "timeUnixNano", "a record without time has none")
	assert.Len(t, r["attributes"], 3)
}

func TestEncodeSeverityAndBrokenLines(t *testing.T) {
	b := &fapilog.Batch{}
	for _, l := range []slog.Level{slog.LevelDebug - 8, slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, slog.LevelError + 4, slog.LevelError + 100} {
		b.Append(t0, l, []byte(`{"level":"x","msg":"m"}`+"\n"))
	}
	b.Append(t0, slog.LevelInfo, []byte("not json\n"))
	recs := logRecords(t, decode(t, newEncoder(nil).encode(b, t0)))
	var got []float64
	for _, r := range recs[:7] {
		got = append(got, r.(map[string]any)["severityNumber"].(float64))
	}
	assert.Equal(t, []float64{1, 5, 9, 13, 17, 21, 24}, got)
	assert.Equal(t, "ERROR+4", recs[5].(map[string]any)["severityText"])
	assert.Equal(t, map[string]any{"stringValue": "not json"}, recs[7].(map[string]any)["body"], "kept, as text")
}

func TestEncodeAllocations(t *testing.T) {
	b := shiptest.Batch(0, 64)
	enc := newEncoder(nil)
	enc.encode(b, t0)
	allocs := testing.AllocsPerRun(20, func() { enc.encode(b, t0) })
	// The hand scanner copies literals: once the buffers have grown, a
	// batch costs nothing.
	assert.Zero(t, allocs, "allocs per batch")
}

// collector is a fake OTLP receiver answering with a script of statuses
// and bodies.
type collector struct {
	*httptest.Server
	mu      sync.Mutex
	answers []answer
	got     [][]byte
	paths   []string
}

type answer struct {
	status int
	body   string
	header http.Header
}

func newCollector(t *testing.T, answers ...answer) *collector {
	c := &collector{answers: answers}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		c.mu.Lock()
		c.got = append(c.got, b)
		c.paths = append(c.paths, r.URL.Path+" "+r.Header.Get("Content-Type"))
		a := answer{200, `{"partialSuccess":{}}`, nil}
		if len(c.answers) > 0 {
			a, c.answers = c.answers[0], c.answers[1:]
		}
		c.mu.Unlock()
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(c.Close)
	return c
}

func newSink(t *testing.T, endpoint string, opts Options) (*Sink, *shiptest.Clock) {
	t.Helper()
	clock := shiptest.NewClock()
	opts.hooks = clock.Config()
	s, err := New(endpoint, opts)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s, clock
}

func TestExportPathResourceAndEnvironment(t *testing.T) {
	t.Setenv("FAPILOG_SERVICE", "from-env")
	t.Setenv("FAPILOG_ENV", "staging")
	c := newCollector(t)
	s, _ := newSink(t, c.URL, Options{ServiceVersion: "1.0", Resource: map[string]string{"host.name": "h1"}})
	require.NoError(t, s.WriteBatch(shiptest.Batch(0, 2)))
	assert.Equal(t, []string{"/v1/logs application/json"}, c.paths)
	res := decode(t, c.got[0])["resourceLogs"].([]any)[0].(map[string]any)["resource"].(map[string]any)["attributes"]
	var keys []string
	for _, a := range res.([]any) {
		kv := a.(map[string]any)
		keys = append(keys, kv["key"].(string)+"="+kv["value"].(map[string]any)["stringValue"].(string))
	}
	assert.Equal(t, []string{"service.name=from-env", "service.version=1.0", "deployment.environment=staging", "host.name=h1"}, keys)
	assert.Equal(t, "otlp:"+c.URL+"/v1/logs", s.String())

	other, _ := newSink(t, c.URL+"/custom/path", Options{})
	require.NoError(t, other.WriteBatch(shiptest.Batch(0, 1)))
	assert.Equal(t, "/custom/path application/json", c.paths[1])
}

func TestRetriesOnlyTheRetryableStatuses(t *testing.T) {
	c := newCollector(t, answer{429, "", nil}, answer{502, "", nil}, answer{503, "", nil}, answer{504, "", nil}, answer{500, "boom", nil})
	s, clock := newSink(t, c.URL, Options{Delivery: Delivery{BreakerFailures: -1}})
	err := s.WriteBatch(shiptest.Batch(0, 3))
	require.ErrorContains(t, err, "HTTP 500: boom", "500 is not retryable in OTLP")
	assert.Len(t, clock.Sleeps(), 4)
	st := s.Stats()
	assert.Equal(t, uint64(3), st.Failed)
	assert.Equal(t, uint64(4), st.Retries)
}

func TestPartialSuccessCountsRejected(t *testing.T) {
	c := newCollector(t,
		answer{200, `{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"too old"}}`, nil},
		answer{200, `{"partialSuccess":{"rejectedLogRecords":1}}`, nil},
		answer{200, ``, nil})
	s, _ := newSink(t, c.URL, Options{})
	for i := range 3 {
		require.NoError(t, s.WriteBatch(shiptest.Batch(5*i, 5)))
	}
	st := s.Stats()
	assert.Equal(t, uint64(3), st.Rejected)
	assert.Equal(t, uint64(3), st.Failed)
	assert.Equal(t, uint64(12), st.Sent)
}

func TestSpoolHoldsEncodedBatchesUntilBack(t *testing.T) {
	c := newCollector(t, answer{503, "", nil})
	s, clock := newSink(t, c.URL, Options{HTTP: HTTP{Gzip: true}, Delivery: Delivery{BreakerFailures: 1, BreakerCooldown: time.Minute, SpoolDir: t.TempDir()}})
	require.NoError(t, s.WriteBatch(shiptest.Batch(0, 2)))
	assert.Equal(t, uint64(2), s.Stats().Spooled)
	clock.Advance(time.Minute)
	require.NoError(t, s.Close())
	require.Len(t, c.got, 2)
	assert.Equal(t, c.got[0], c.got[1], "the spooled request is sent as it was")
	assert.Equal(t, uint64(2), s.Stats().Sent)
}

func TestNewRejectsBadEndpoints(t *testing.T) {
	for _, e := range []string{"", "127.0.0.1:4318", "grpc://x", "http://"} {
		_, err := New(e, Options{})
		assert.Error(t, err, e)
	}
	_, err := New("http://x", Options{HTTP: HTTP{Timeout: -1}})
	assert.Error(t, err)
}

// FuzzEncode checks that any line, broken or not, gives a valid request
// with one record per line.
func FuzzEncode(f *testing.F) {
	for _, seed := range []string{
		`{"time":"x","level":"INFO","msg":"m","a":[1,{"b":null}],"c":-1.5e3}`,
		`{"msg":"\u00e9\"","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}`,
		`{"msg":"bad escape \q"}`, `{"a":1,}`, `[1,2]`, "{\"msg\":\"\xff\"}", `{"n":-}`, `{`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		b := &fapilog.Batch{}
		b.Append(t0, slog.LevelInfo, append(line, '\n'))
		b.Append(t0, slog.LevelInfo, []byte(`{"msg":"after"}`+"\n"))
		out := newEncoder(nil).encode(b, t0)
		require.True(t, json.Valid(out), "%s", out)
		assert.Len(t, logRecords(t, decode(t, out)), 2)
	})
}

func TestEncodeBrokenLineKeepsNoHalfReadIDs(t *testing.T) {
	b := &fapilog.Batch{}
	b.Append(t0, slog.LevelInfo, []byte(`{"msg":"m","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","a":}`+"\n"))
	r := logRecords(t, decode(t, newEncoder(nil).encode(b, t0)))[0].(map[string]any)
	assert.NotContains(t, r, "traceId")
	assert.Empty(t, r["attributes"])
	assert.Contains(t, r["body"].(map[string]any)["stringValue"], `"a":}`)
}

func TestThrottleHonorsRetryAfterDate(t *testing.T) {
	clock := shiptest.NewClock()
	later := http.Header{"Retry-After": {clock.Now().Add(9 * time.Second).Format(http.TimeFormat)}}
	c := newCollector(t, answer{503, "", later})
	opts := Options{}
	opts.hooks = clock.Config()
	s, err := New(c.URL, opts)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.WriteBatch(shiptest.Batch(0, 1)))
	assert.Equal(t, []time.Duration{9 * time.Second}, clock.Sleeps())
	assert.Len(t, c.got, 2)
}

func TestHangingCollectorTimesOutThenSpools(t *testing.T) {
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server notices a gone client only then
		<-r.Context().Done()
	}))
	defer hang.Close()
	s, clock := newSink(t, hang.URL, Options{HTTP: HTTP{Timeout: 20 * time.Millisecond},
		Delivery: Delivery{BreakerFailures: 3, SpoolDir: t.TempDir()}})
	require.NoError(t, s.WriteBatch(shiptest.Batch(0, 2)))
	st := s.Stats()
	assert.Equal(t, uint64(2), st.Spooled, "three timeouts open the breaker: spooled")
	assert.Equal(t, uint64(1), st.BreakerOpens)
	assert.Len(t, clock.Sleeps(), 2)
}
