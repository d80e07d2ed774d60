package filesink

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fapilog/fapilog-go/internal/ship/shiptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// strangers are files in the log directory that pruning must never touch.
var strangers = []string{
	"app-notes.log",
	"app-2026-11-27T14-05-09.123.log.bak",
	"app-2026-11-27T14-05-09.12.log",
	"other-2026-11-27T14-05-09.123.log",
	"app-2026-13-27T14-05-09.123.log", // no month 13
	"app.log.1",
}

func writeStrangers(t *testing.T, dir string) {
	for _, name := range strangers {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("keep"), 0o600))
	}
}

func checkStrangers(t *testing.T, dir string) {
	for _, name := range strangers {
		assert.FileExists(t, filepath.Join(dir, name))
	}
}

// rotations writes record i and rotates, n times, stepping clk by step.
func rotations(t *testing.T, s *Sink, clk *shiptest.Clock, n int, step time.Duration) {
	for i := range n {
		require.NoError(t, s.WriteBatch(batchOf(record(i, 9))))
		require.NoError(t, s.Rotate())
		clk.Advance(step)
	}
}

func TestMaxBackups(t *testing.T) {
	for _, compress := range []bool{false, true} {
		dir := t.TempDir()
		writeStrangers(t, dir)
		path := filepath.Join(dir, "app.log")
		clk := shiptest.ClockAt(t0)
		s, err := newSink(path, Options{MaxBackups: 2, Compress: compress}, clk.Now)
		require.NoError(t, err)
		rotations(t, s, clk, 5, time.Second)
		require.NoError(t, s.WriteBatch(batchOf("last")))
		require.NoError(t, s.Close())
		got := files(t, path)
		ext := ".log"
		if compress {
			ext += ".gz"
		}
		require.Len(t, got, 3, "compress=%v", compress)
		assert.Equal(t, "app-2026-11-27T14-05-12.123"+ext, got[0].name)
		assert.Equal(t, "app-2026-11-27T14-05-13.123"+ext, got[1].name)
		assert.Equal(t, []string{record(3, 9) + "\n", record(4, 9) + "\n", "last\n"}, datas(got))
		checkStrangers(t, dir)
	}
}

func TestMaxAge(t *testing.T) {
	dir := t.TempDir()
	writeStrangers(t, dir)
	path := filepath.Join(dir, "app.log")
	clk := shiptest.ClockAt(t0)
	s, err := newSink(path, Options{MaxAge: 90 * time.Minute}, clk.Now)
	require.NoError(t, err)
	rotations(t, s, clk, 2, time.Hour) // backups at t0 and t0+1h
	assert.Len(t, files(t, path), 3)
	rotations(t, s, clk, 1, time.Hour) // at t0+2h: t0 is past MaxAge
	got := files(t, path)
	require.Len(t, got, 3)
	assert.Equal(t, "app-2026-11-27T15-05-09.123.log", got[0].name)
	require.NoError(t, s.Close())

	// A new sink prunes what aged while no sink ran.
	clk.Advance(2 * time.Hour)
	s, err = newSink(path, Options{MaxAge: 90 * time.Minute}, clk.Now)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	assert.Len(t, files(t, path), 1)
	checkStrangers(t, dir)
}

func TestParse(t *testing.T) {
	b := newBackups("/var/log/app.log")
	for name, want := range map[string]string{
		"app-2026-11-27T14-05-09.123.log":        "",
		"app-2026-11-27T14-05-09.123.log.gz":     ".gz",
		"app-2026-11-27T14-05-09.123.log.gz.tmp": ".gz.tmp",
	} {
		tm, suffix, ok := b.parse(name)
		assert.True(t, ok, name)
		assert.Equal(t, want, suffix, name)
		assert.Equal(t, t0.Truncate(time.Millisecond), tm, name)
	}
	for _, name := range append(strangers, "app.log", "app-.log") {
		_, _, ok := b.parse(name)
		assert.False(t, ok, name)
	}
}
