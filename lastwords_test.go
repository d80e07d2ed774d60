package fapilog

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
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

// watchExit replaces exit for the test and returns the codes passed to it.
func watchExit(t *testing.T) *[]int {
	var codes []int
	saved := exit
	exit = func(code int) { codes = append(codes, code) }
	t.Cleanup(func() { exit = saved })
	return &codes
}

// TestFatal checks, in process, what Fatal does on each face: the FATAL
// record after every earlier one, the sink closed once, then exit(1).
func TestFatal(t *testing.T) {
	for _, sync := range []bool{false, true} {
		codes := watchExit(t)
		sink := &memSink{}
		l, err := NewAsync(Config{Sinks: []Sink{sink}, Diagnostics: &syncBuffer{}})
		require.NoError(t, err)
		fatal := l.Fatal
		if sync {
			fatal = l.AsSync().With(slog.String("face", "sync")).Fatal
		}
		for i := range 100 {
			l.Info("before", slog.Int("i", i))
		}
		fatal("bye", slog.Int("code", 1))
		require.Equal(t, []int{1}, *codes)
		sink.requireClosedOnce(t)
		lines := requireValidLines(t, sink.String(), 101)
		require.Equal(t, "FATAL", lines[100]["level"])
		require.Equal(t, "bye", lines[100]["msg"])
		st := l.Stats()
		require.Equal(t, uint64(101), st.Written)
		requireBalanced(t, st)
	}
}

// TestFatalBoundedByExitTimeout checks that ExitTimeout bounds Fatal when
// a sink hangs: while the record waits for its write (and ctx, already
// cancelled, does not cut the wait for the close short), and while it
// waits for room in a full queue under Block without a timeout. Fatal
// exits, the records it could not deliver counted as dropped.
func TestFatalBoundedByExitTimeout(t *testing.T) {
	cancelled, cancel := context.WithCancel(ContextWithAttrs(context.Background(), slog.String("req", "r1")))
	cancel()
	for _, c := range []struct {
		name    string
		cfg     Config
		queued  int // records queued behind the hung write
		dropped uint64
	}{
		{"write", Config{}, 0, 2},
		{"room", Config{QueueSize: 2, Backpressure: Block, BlockTimeout: -1}, 2, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			codes := watchExit(t)
			sink := hungSink()
			cfg := c.cfg
			cfg.Sinks, cfg.ExitTimeout, cfg.Diagnostics = []Sink{sink}, 20*time.Millisecond, &syncBuffer{}
			l, err := NewAsync(cfg)
			require.NoError(t, err)
			l.Info("first")
			<-sink.entered
			for range c.queued {
				l.Info("queued")
			}
			within(t, "Fatal with a hung sink", func() { l.FatalContext(cancelled, "bye") })
			require.Equal(t, []int{1}, *codes)
			st := l.Stats()
			require.Equal(t, c.dropped, st.Dropped, "the FATAL record and every one before it")
			requireBalanced(t, st)
			close(sink.gate)
			requireLossOnly(t, l.Close(context.Background()), l.Stats())
		})
	}
}

// TestLevelFatalName checks that LevelFatal is named FATAL however it is
// logged, and that Log at LevelFatal does not exit.
func TestLevelFatalName(t *testing.T) {
	codes := watchExit(t)
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	l.Log(context.Background(), LevelFatal, "via Log")
	slog.New(l.Handler()).Log(context.Background(), LevelFatal, "via slog")
	l.Log(context.Background(), LevelFatal+1, "above")
	lines := requireValidLines(t, sink.String(), 3)
	require.Equal(t, "FATAL", lines[0]["level"])
	require.Equal(t, "FATAL", lines[1]["level"])
	require.Equal(t, "ERROR+5", lines[2]["level"])
	require.Empty(t, *codes)
	closeLogger(t, l)
}
