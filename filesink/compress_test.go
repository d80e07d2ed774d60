package filesink

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompress(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	s, err := New(path, Options{MaxSize: 1000, Compress: true, Mode: 0o640})
	require.NoError(t, err)
	var recs []string
	for i := range 100 {
		recs = append(recs, record(i, 99)) // 10 lines a file
	}
	require.NoError(t, s.WriteBatch(batchOf(recs...)))
	require.NoError(t, s.Close()) // waits for the compressor
	got := files(t, path)         // decompresses, and fails on leftovers
	require.Len(t, got, 10)
	for i, f := range got[:9] {
		assert.True(t, strings.HasSuffix(f.name, ".log.gz"), f.name)
		assert.Equal(t, strings.Join(recs[10*i:10*i+10], "\n")+"\n", f.data)
		info, err := os.Stat(filepath.Join(filepath.Dir(path), f.name))
		require.NoError(t, err)
		assert.Equal(t, 0o640&^currentUmask(), info.Mode().Perm(), "a .gz keeps its backup's mode")
		assert.Less(t, info.Size(), int64(1000))
	}
	assert.Equal(t, strings.Join(recs[90:], "\n")+"\n", got[9].data)
}

// A crash can leave a backup uncompressed, or a .gz.tmp. The next sink
// removes the temporary file and compresses the backup (or, without
// Compress, leaves it be).
func TestCrashLeftovers(t *testing.T) {
	for _, compress := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "app.log")
		plain := filepath.Join(dir, "app-2026-11-27T14-05-09.123.log")
		tmp := filepath.Join(dir, "app-2026-11-27T14-05-10.123.log.gz.tmp")
		require.NoError(t, os.WriteFile(plain, []byte("old\n"), 0o600))
		require.NoError(t, os.WriteFile(tmp, []byte("half a gzip"), 0o600))
		s, err := New(path, Options{Compress: compress})
		require.NoError(t, err)
		require.NoError(t, s.Close())
		assert.NoFileExists(t, tmp)
		if compress {
			assert.NoFileExists(t, plain)
			assert.FileExists(t, plain+".gz")
		} else {
			assert.FileExists(t, plain)
		}
		assert.Equal(t, []string{"old\n", ""}, datas(files(t, path)))
	}
}

// A compression that fails leaves the backup plain and reports the error
// from Flush or Close.
func TestCompressErrorReported(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	plain := filepath.Join(dir, "app-2026-11-27T14-05-09.123.log")
	require.NoError(t, os.WriteFile(plain, []byte("old\n"), 0o600))
	// A directory where the temporary file would go makes creating it fail.
	require.NoError(t, os.MkdirAll(filepath.Join(plain+tmpSuffix, "blocker"), 0o700))
	s, err := New(path, Options{Compress: true})
	require.NoError(t, err)
	err = s.Close()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "filesink: compress: open "+plain+tmpSuffix)
	assert.FileExists(t, plain)
	assert.NoFileExists(t, plain+gzSuffix)
	assert.NoError(t, s.Close(), "a second Close")
	assert.NoError(t, s.Flush(), "the error was returned once")
}

// Interrupt leaves Close waiting for no compression: each backup ends up
// either plain or compressed, whole, and never both.
func TestInterruptCompression(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	s, err := New(path, Options{Compress: true})
	require.NoError(t, err)
	noise := make([]byte, 1<<20)
	rand.Read(noise)
	line := hex.EncodeToString(noise) // 2 MiB that gzip cannot shrink much
	require.NoError(t, s.WriteBatch(batchOf(line)))
	require.NoError(t, s.Rotate())
	require.NoError(t, s.WriteBatch(batchOf("b")))
	require.NoError(t, s.Rotate())
	s.Interrupt()
	require.NoError(t, s.Close())
	assert.Equal(t, []string{line + "\n", "b\n", ""}, datas(files(t, path)))
}
