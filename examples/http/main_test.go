package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/fapilogtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve sends one request through the middleware and the routes, with
// slog's default logger and the middleware writing to rec.
func serve(t *testing.T, rec *fapilogtest.Recorder, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	logger := fapilogtest.NewLogger(t, fapilogtest.Sinks(rec))
	fapilogtest.KeepDefaults(t)
	fapilog.SetDefault(logger)
	w := httptest.NewRecorder()
	withRequestLog(logger, routes()).ServeHTTP(w, req)
	return w
}

var (
	hex16 = regexp.MustCompile(`^[0-9a-f]{16}$`)
	hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)
)

func TestRequestLogCarriesIDsStatusAndLatency(t *testing.T) {
	rec := fapilogtest.NewRecorder()
	req := httptest.NewRequest("GET", "/orders/42", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	w := serve(t, rec, req)
	require.Equal(t, http.StatusOK, w.Code)

	entries := rec.Entries()
	require.Len(t, entries, 2, "the handler's line, then the request's")
	handler, request := entries[0], entries[1]
	assert.Equal(t, "order looked up", handler.Message)
	assert.Equal(t, "request", request.Message)
	assert.Equal(t, slog.LevelInfo, request.Level)

	id := w.Header().Get("X-Request-Id")
	assert.Regexp(t, hex16, id)
	for _, e := range entries {
		assert.Equal(t, id, e.Attrs["request_id"], "%s", e.Message)
		assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", e.Attrs["trace_id"], "%s", e.Message)
		assert.Regexp(t, hex16, e.Attrs["span_id"], "%s", e.Message)
	}
	assert.Equal(t, handler.Attrs["span_id"], request.Attrs["span_id"])
	assert.Equal(t, "42", handler.Attrs["order_id"])

	assert.Equal(t, "GET", request.Attrs["method"])
	assert.Equal(t, "/orders/42", request.Attrs["path"])
	assert.Equal(t, 200.0, request.Attrs["status"])
	assert.Equal(t, float64(len("order 42\n")), request.Attrs["bytes"])
	latency, ok := request.Attrs["latency"].(float64)
	require.True(t, ok, "latency: %#v", request.Attrs["latency"])
	assert.Positive(t, latency)
}

func TestRequestLogLevelFollowsStatus(t *testing.T) {
	for _, c := range []struct {
		method, path string
		status       int
		level        slog.Level
	}{
		{"GET", "/orders/7", 200, slog.LevelInfo},
		{"GET", "/nowhere", 404, slog.LevelWarn},
		{"DELETE", "/orders/7", 405, slog.LevelWarn},
		{"POST", "/payments", 502, slog.LevelError},
	} {
		t.Run(c.method+c.path, func(t *testing.T) {
			rec := fapilogtest.NewRecorder()
			w := serve(t, rec, httptest.NewRequest(c.method, c.path, nil))
			require.Equal(t, c.status, w.Code)
			got := rec.Filter("request")
			require.Len(t, got, 1)
			assert.Equal(t, c.level, got[0].Level)
			assert.Equal(t, float64(c.status), got[0].Attrs["status"])
			assert.Equal(t, c.method, got[0].Attrs["method"])
		})
	}
}

func TestRequestIDs(t *testing.T) {
	rec := fapilogtest.NewRecorder()
	req := httptest.NewRequest("GET", "/orders/1", nil)
	req.Header.Set("X-Request-Id", "abc-123_x.y")
	serve(t, rec, req)
	for _, bad := range []string{"has space", "line\nbreak", `{"json":1}`, strings.Repeat("a", 65)} {
		req := httptest.NewRequest("GET", "/orders/1", nil)
		req.Header.Set("X-Request-Id", bad)
		serve(t, rec, req)
	}
	serve(t, rec, httptest.NewRequest("GET", "/orders/1", nil))

	got := rec.Filter("request")
	require.Len(t, got, 6)
	assert.Equal(t, "abc-123_x.y", got[0].Attrs["request_id"], "a plain caller id is kept")
	seen := map[any]bool{}
	for _, e := range got[1:] {
		assert.Regexp(t, hex16, e.Attrs["request_id"], "a bad or missing caller id is replaced")
		assert.Regexp(t, hex32, e.Attrs["trace_id"], "no traceparent: a fresh trace id")
		assert.NotEqual(t, strings.Repeat("0", 32), e.Attrs["trace_id"])
		assert.False(t, seen[e.Attrs["trace_id"]], "trace ids differ")
		seen[e.Attrs["trace_id"]] = true
	}
}

func TestParseTraceparent(t *testing.T) {
	const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	for h, want := range map[string]string{
		valid: "4bf92f3577b34da6a3ce929d0e0e4736",
		"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future": "4bf92f3577b34da6a3ce929d0e0e4736",
		"":                     "",
		valid + "-extra":       "", // version 00 has no more fields
		valid[:54]:             "",
		"ff" + valid[2:]:       "", // version ff is invalid
		strings.ToUpper(valid): "",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01":  "",
		"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01":  "",
		"00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01":  "",
		"00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01":  "",
		"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x": "",
	} {
		got, ok := parseTraceparent(h)
		assert.Equal(t, want, got, "%q", h)
		assert.Equal(t, want != "", ok, "%q", h)
	}
}

// TestDemo runs what CI runs with go run ./examples/http -demo.
func TestDemo(t *testing.T) {
	fapilogtest.KeepDefaults(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), "127.0.0.1:0", true, &out))

	var lines [][]byte
	for line := range bytes.Lines(out.Bytes()) {
		lines = append(lines, line)
	}
	rec := fapilogtest.NewRecorder()
	require.NoError(t, rec.WriteBatch(fapilogtest.NewBatch(lines...)))
	var statuses []any
	for _, e := range rec.Filter("request") {
		statuses = append(statuses, e.Attrs["status"])
		assert.NotEmpty(t, e.Attrs["request_id"])
	}
	assert.Equal(t, []any{200.0, 200.0, 502.0, 404.0}, statuses)
	assert.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", rec.Filter("request")[0].Attrs["trace_id"])
	assert.Len(t, rec.Filter("serving"), 1)
	assert.Len(t, rec.Filter("stopped"), 1)
	for _, e := range rec.Entries() {
		assert.NotContains(t, e.Attrs, fapilogtest.MalformedKey)
	}
}

func TestRunFailsOnBadAddress(t *testing.T) {
	fapilogtest.KeepDefaults(t)
	assert.Error(t, run(context.Background(), "256.0.0.1:bad", false, &bytes.Buffer{}))
}

// TestRunServesUntilContextEnds: without -demo, run serves until its
// context ends (the signal), then shuts down cleanly.
func TestRunServesUntilContextEnds(t *testing.T) {
	fapilogtest.KeepDefaults(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	require.NoError(t, run(ctx, "127.0.0.1:0", false, &out))
	assert.Contains(t, out.String(), `"msg":"serving"`)
	assert.Contains(t, out.String(), `"msg":"stopped"`)
}
