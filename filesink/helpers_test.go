package filesink

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/stretchr/testify/require"
)

// batchOf returns a batch of the given records, each ending in '\n'.
func batchOf(records ...string) *fapilog.Batch {
	var b fapilog.Batch
	for _, r := range records {
		b.Append(time.Time{}, 0, []byte(r+"\n"))
	}
	return &b
}

// record returns a line of n bytes, '\n' excluded, starting with i.
func record(i, n int) string {
	id := strconv.Itoa(i) + ":"
	return id + strings.Repeat("x", n-len(id))
}

// file is one file the sink made, oldest first, with its uncompressed
// contents.
type file struct {
	name string // base name
	data string
}

// files returns the backups of path, oldest first, then path itself,
// decompressing .gz files. It fails on temporary files and on any backup
// both plain and compressed.
func files(t *testing.T, path string) []file {
	t.Helper()
	list, err := newBackups(path).list()
	require.NoError(t, err)
	var out []file
	for _, b := range list {
		require.Empty(t, b.tmp, "temporary file left")
		require.False(t, b.plain != "" && b.gz != "", "backup both plain and compressed: %s", b.plain)
		if b.gz != "" {
			out = append(out, file{filepath.Base(b.gz), gunzip(t, b.gz)})
		} else {
			data, err := os.ReadFile(b.plain)
			require.NoError(t, err)
			out = append(out, file{filepath.Base(b.plain), string(data)})
		}
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return append(out, file{filepath.Base(path), string(data)})
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReader(f))
	require.NoError(t, err, path)
	data, err := io.ReadAll(zr)
	require.NoError(t, err, path)
	require.NoError(t, zr.Close())
	require.Equal(t, strings.TrimSuffix(filepath.Base(path), gzSuffix), zr.Name)
	return string(data)
}

func datas(fs []file) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.data
	}
	return out
}
