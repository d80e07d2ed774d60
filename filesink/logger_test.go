package filesink

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logNumbered logs records n = 0..count-1 through an async logger writing
// to s, calling each of during over and over on a goroutine of its own
// until the last is logged, and closes the logger.
func logNumbered(t *testing.T, s *Sink, count int, during ...func()) {
	logger, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{s}, Backpressure: fapilog.Block, BlockTimeout: -1})
	require.NoError(t, err)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for _, f := range during {
		wg.Go(func() {
			for !stop.Load() {
				f()
			}
		})
	}
	for i := range count {
		logger.Info("numbered record", slog.Int("n", i), slog.String("pad", strings.Repeat("p", i%50)))
	}
	stop.Store(true)
	wg.Wait()
	require.NoError(t, logger.Close(context.Background()))
	st := logger.Stats()
	require.Equal(t, uint64(count), st.Written, "%+v", st)
}

// checkNumbered checks that the lines of fs, in order, are records
// 0..count-1, each once, whole.
func checkNumbered(t *testing.T, fs []file, count int) {
	t.Helper()
	next := 0
	for _, f := range fs {
		if f.data == "" {
			continue
		}
		require.True(t, strings.HasSuffix(f.data, "\n"), "%s ends mid-line", f.name)
		for line := range strings.SplitSeq(strings.TrimSuffix(f.data, "\n"), "\n") {
			var rec struct{ N int }
			require.NoError(t, json.Unmarshal([]byte(line), &rec), "%s: %q", f.name, line)
			require.Equal(t, next, rec.N, "%s", f.name)
			next++
		}
	}
	require.Equal(t, count, next)
}

func TestEveryRecordOnceInOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	s, err := New(path, Options{MaxSize: 16 << 10, Compress: true})
	require.NoError(t, err)
	const n = 10000
	logNumbered(t, s, n)
	got := files(t, path)
	assert.Greater(t, len(got), 25)
	checkNumbered(t, got, n)
	for _, f := range got {
		info, err := os.Stat(filepath.Join(filepath.Dir(path), f.name))
		require.NoError(t, err)
		if !strings.HasSuffix(f.name, ".gz") {
			assert.LessOrEqual(t, info.Size(), int64(16<<10), f.name)
		}
		assert.LessOrEqual(t, len(f.data), 16<<10, f.name)
	}
}

func TestRotateAndReopenDuringWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	s, err := New(path, Options{MaxSize: 64 << 10, Compress: true})
	require.NoError(t, err)
	var rotations, reopens atomic.Int64
	logNumbered(t, s, 20000, func() {
		assert.NoError(t, s.Rotate())
		rotations.Add(1)
	}, func() {
		assert.NoError(t, s.Reopen())
		reopens.Add(1)
	})
	t.Logf("%d Rotate and %d Reopen calls", rotations.Load(), reopens.Load())
	assert.Positive(t, rotations.Load())
	assert.Positive(t, reopens.Load())
	checkNumbered(t, files(t, path), 20000)
}

// What logrotate does: rename the file, then signal the process, which
// calls Reopen.
func TestReopenAfterExternalRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	s, err := New(path, Options{})
	require.NoError(t, err)
	require.NoError(t, s.WriteBatch(batchOf("a")))
	require.NoError(t, os.Rename(path, path+".1"))
	require.NoError(t, s.WriteBatch(batchOf("b"))) // still the renamed file
	require.NoError(t, s.Reopen())
	require.NoError(t, s.WriteBatch(batchOf("c")))
	require.NoError(t, s.Close())
	old, err := os.ReadFile(path + ".1")
	require.NoError(t, err)
	assert.Equal(t, "a\nb\n", string(old))
	cur, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "c\n", string(cur))
}
