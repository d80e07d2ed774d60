package filesink

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/fapilog/fapilog-go/internal/ship/shiptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A write that fails is an error from WriteBatch; the next batch tries
// again.
func TestWriteErrorReturned(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	s, err := New("/dev/full", Options{})
	require.NoError(t, err)
	for range 2 {
		err = s.WriteBatch(batchOf("a", "b"))
		assert.ErrorIs(t, err, syscall.ENOSPC)
		assert.EqualError(t, err, "filesink: write /dev/full: no space left on device")
	}
	assert.Equal(t, 2, s.writes, "reopened and tried again")
	require.NoError(t, s.Rotate(), "a device is reopened, never renamed")
	assert.FileExists(t, "/dev/full")
	backups, err := filepath.Glob("/dev/full-*")
	require.NoError(t, err)
	assert.Empty(t, backups)
	assert.NoError(t, s.Close(), "a device that cannot fsync is no error")
}

// When the path cannot be opened, Reopen and WriteBatch say why, and the
// sink writes again as soon as the path can be opened.
func TestRecoversWhenPathComesBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	s, err := New(path, Options{})
	require.NoError(t, err)
	require.NoError(t, s.WriteBatch(batchOf("a")))
	require.NoError(t, os.Rename(path, path+".1"))
	require.NoError(t, os.Mkdir(path, 0o700)) // something else took the name
	assert.ErrorContains(t, s.Reopen(), "filesink: open "+path+": is a directory")
	assert.ErrorContains(t, s.WriteBatch(batchOf("lost")), "is a directory")
	assert.ErrorContains(t, s.Rotate(), "is a directory")
	require.NoError(t, os.Remove(path))
	require.NoError(t, s.WriteBatch(batchOf("b")))
	require.NoError(t, s.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "b\n", string(data))
}

// A backup name that is taken (by a file of someone else's) is skipped.
func TestRotationSkipsTakenNames(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	s, err := newSink(path, Options{MaxSize: 10}, shiptest.ClockAt(t0).Now)
	require.NoError(t, err)
	require.NoError(t, s.WriteBatch(batchOf("12345678")))
	taken := filepath.Join(dir, "app-2026-11-27T14-05-09.123.log")
	require.NoError(t, os.MkdirAll(filepath.Join(taken, "x"), 0o700))
	require.NoError(t, s.WriteBatch(batchOf("abcdefgh")))
	require.NoError(t, s.Close())
	assert.FileExists(t, filepath.Join(dir, "app-2026-11-27T14-05-09.124.log"))
	require.NoError(t, os.RemoveAll(taken))
	assert.Equal(t, []string{"12345678\n", "abcdefgh\n"}, datas(files(t, path)))
}

// A rotation that cannot rename fails the batch rather than overfill the
// file, and the sink tries again on the next batch.
func TestRotationErrorFailsBatch(t *testing.T) {
	// The longest name the file system takes: its backup's name is too long.
	path := filepath.Join(t.TempDir(), strings.Repeat("a", 251)+".log")
	s, err := New(path, Options{MaxSize: 10})
	require.NoError(t, err)
	require.NoError(t, s.WriteBatch(batchOf("12345678")))
	for range 2 {
		err = s.WriteBatch(batchOf("abcdefgh"))
		assert.ErrorIs(t, err, syscall.ENAMETOOLONG)
		assert.ErrorContains(t, err, "filesink: rotate: rename "+path)
	}
	require.NoError(t, s.Close())
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "12345678\n", string(data))
}

func TestClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	s, err := New(path, Options{Compress: true})
	require.NoError(t, err)
	require.NoError(t, s.WriteBatch(batchOf("a")))
	require.NoError(t, s.Sync())
	require.NoError(t, s.Flush())
	require.NoError(t, s.Close())
	assert.NoError(t, s.Close(), "Close is idempotent")
	assert.ErrorIs(t, s.WriteBatch(batchOf("b")), ErrClosed)
	assert.ErrorIs(t, s.Rotate(), ErrClosed)
	assert.ErrorIs(t, s.Reopen(), ErrClosed)
	assert.ErrorIs(t, s.Sync(), ErrClosed)
	s.Interrupt() // after Close: harmless
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "a\n", string(data))
}

func TestFlushReportsBackgroundErrorsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	s, err := New(path, Options{})
	require.NoError(t, err)
	defer s.Close()
	s.report(os.ErrPermission)
	s.report(os.ErrNotExist)
	s.report(nil)
	err = s.Flush()
	assert.ErrorIs(t, err, os.ErrPermission)
	assert.EqualError(t, err, "permission denied (and 1 more errors)")
	assert.NoError(t, s.Flush())
}
