package fapilog

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLevelHandler(t *testing.T) {
	l, err := NewAsync(Config{Sinks: []Sink{&memSink{}}, Levels: "warn,http=debug"})
	require.NoError(t, err)
	defer closeLogger(t, l)
	srv := httptest.NewServer(LevelHandler(l.AsSync()))
	defer srv.Close()

	do := func(method, body string) (int, map[string]string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL, strings.NewReader(body))
		require.NoError(t, err)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var out map[string]string
		require.NoError(t, json.Unmarshal(raw, &out), "body %q", raw)
		require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
		return resp.StatusCode, out
	}

	code, out := do(http.MethodGet, "")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, map[string]string{"levels": "WARN,http=DEBUG"}, out)

	code, out = do(http.MethodPut, "info,db=error\n")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "INFO,db=ERROR", out["levels"])
	require.True(t, l.Enabled(context.Background(), slog.LevelInfo))
	require.False(t, l.Named("db").Enabled(context.Background(), slog.LevelWarn))

	code, out = do(http.MethodPost, ` {"levels":"debug,db.pool=warn"} `)
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "DEBUG,db.pool=WARN", out["levels"])

	for body, want := range map[string]string{
		"debug,db=chatty":          `"db=chatty"`,
		`{"levels":"x"}`:           `"x"`,
		`{"level":"debug"}`:        `unknown field`,
		`{}`:                       `no "levels" field`,
		`{"levels":`:               `not {"levels"`,
		strings.Repeat("a", 70000): `larger than 64 KiB`,
	} {
		code, out = do(http.MethodPut, body)
		require.Equal(t, http.StatusBadRequest, code, body)
		require.Contains(t, out["error"], want)
	}
	require.Equal(t, "DEBUG,db.pool=WARN", l.Levels(), "bad requests changed nothing")

	code, out = do(http.MethodDelete, "")
	require.Equal(t, http.StatusMethodNotAllowed, code)
	require.Contains(t, out["error"], "DELETE")
}
