package filesink

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	fapilog "github.com/fapilog/fapilog-go"
)

func TestSinkWritesItsFormat(t *testing.T) {
	dir := t.TempDir()
	logfmt, err := New(filepath.Join(dir, "app.log"), Options{Format: fapilog.Logfmt()})
	require.NoError(t, err)
	json, err := New(filepath.Join(dir, "app.json"), Options{})
	require.NoError(t, err)
	l, err := fapilog.NewSync(fapilog.Config{Sinks: []fapilog.Sink{logfmt, json}})
	require.NoError(t, err)
	l.Info("hello", slog.Int("n", 1))
	require.NoError(t, l.Close(context.Background()))
	text, err := os.ReadFile(filepath.Join(dir, "app.log"))
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(string(text), " level=INFO msg=hello n=1\n"), string(text))
	js, err := os.ReadFile(filepath.Join(dir, "app.json"))
	require.NoError(t, err)
	require.True(t, strings.HasSuffix(string(js), `"level":"INFO","msg":"hello","n":1}`+"\n"), string(js))
}
