package fapilog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLastWords builds testdata/lastwords and ends it in each way it
// knows, after 2000 async records and without Close: the exit code is
// the one expected, and the output holds every record in order, then the
// last words, with their level and the source of the call that said them.
func TestLastWords(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the test program")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "lastwords")
	out, err := exec.CommandContext(ctx, gobin, "build", "-o", bin, "./testdata/lastwords").CombinedOutput()
	require.NoError(t, err, "%s", out)

	const n = 2000
	for _, tc := range []struct {
		mode, level, msg string
		code             int
	}{
		{"fatal", "FATAL", "last words", 1},
		{"logfatal", "INFO", "last words", 1},
		{"logpanic", "INFO", "last words 2000", 2},
		{"slogexit", "ERROR", "last words", 3},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.CommandContext(ctx, bin, "-mode", tc.mode, "-n", "2000")
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exitErr *exec.ExitError
			require.True(t, errors.As(err, &exitErr), "%v; stderr: %s", err, stderr.String())
			require.Equal(t, tc.code, exitErr.ExitCode(), "stderr: %s", stderr.String())
			if tc.mode == "logpanic" {
				require.Contains(t, stderr.String(), "panic: last words 2000")
			}

			var lines []map[string]any
			sc := bufio.NewScanner(&stdout)
			for sc.Scan() {
				var m map[string]any
				require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "line %q", sc.Text())
				lines = append(lines, m)
			}
			require.NoError(t, sc.Err())
			require.Equal(t, n+1, len(lines), "every record, then the last words")
			for i, m := range lines[:n] {
				require.Equal(t, float64(i), m["i"])
			}
			last := lines[n]
			require.Equal(t, tc.msg, last["msg"])
			require.Equal(t, tc.level, last["level"])
			src, _ := last["source"].(map[string]any)
			require.NotNil(t, src, "last words carry their source: %v", last)
			require.Equal(t, "main.main", src["function"], "the caller of %s, not a frame inside it", tc.mode)
			require.True(t, strings.HasSuffix(src["file"].(string), "testdata/lastwords/main.go"), "%v", src)
		})
	}
}
