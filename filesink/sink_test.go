package filesink

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fapilog/fapilog-go/internal/ship/shiptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// t0 is a fixed time for the fake clock.
var t0 = time.Date(2026, 11, 27, 14, 5, 9, 123456789, time.UTC)

func TestNewRejectsInvalidOptions(t *testing.T) {
	dir := t.TempDir()
	for field, opts := range map[string]Options{
		"MaxSize":     {MaxSize: -1},
		"RotateEvery": {RotateEvery: -time.Hour},
		"MaxBackups":  {MaxBackups: -2},
		"MaxAge":      {MaxAge: -time.Second},
		"Mode":        {Mode: os.ModeDir | 0o600},
	} {
		s, err := New(filepath.Join(dir, "app.log"), opts)
		require.Error(t, err, field)
		assert.Nil(t, s)
		assert.Contains(t, err.Error(), "Options."+field)
	}
	_, err := New(filepath.Join(dir, "app.log"), Options{RotateEvery: time.Millisecond})
	assert.ErrorContains(t, err, "Options.RotateEvery: 1ms is under a second")
	_, err = New("", Options{})
	assert.ErrorContains(t, err, "empty path")
	assert.NoFileExists(t, filepath.Join(dir, "app.log"), "New made a file despite invalid options")
}

func TestNewParentIsAFile(t *testing.T) {
	dir := t.TempDir()
	parent := filepath.Join(dir, "not-a-dir")
	require.NoError(t, os.WriteFile(parent, []byte("x"), 0o600))
	for _, path := range []string{filepath.Join(parent, "app.log"), filepath.Join(parent, "sub", "app.log")} {
		_, err := New(path, Options{})
		require.Error(t, err, path)
		assert.ErrorContains(t, err, "filesink: directory of "+path)
		assert.ErrorContains(t, err, "not a directory")
	}
}

func TestNewPathIsADirectory(t *testing.T) {
	_, err := New(t.TempDir(), Options{})
	assert.ErrorContains(t, err, "is a directory")
}

// TestNewUnwritableDirectory needs a directory the process may not write:
// a read-only one for an ordinary user; as root, who writes anywhere chmod
// allows, sysfs, where not even root may create a file.
func TestNewUnwritableDirectory(t *testing.T) {
	var path string
	if os.Geteuid() == 0 {
		if _, err := os.Stat("/sys/kernel"); err != nil {
			t.Skip("running as root without sysfs: no directory root cannot write")
		}
		path = "/sys/fapilog-filesink-test.log"
	} else {
		dir := t.TempDir()
		require.NoError(t, os.Chmod(dir, 0o500))
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		path = filepath.Join(dir, "app.log")
	}
	s, err := New(path, Options{})
	if err == nil {
		s.Close()
		os.Remove(path)
		t.Fatalf("New(%s) succeeded", path)
	}
	assert.Regexp(t, `^filesink: open `+regexp.QuoteMeta(path)+`: (permission denied|operation not permitted|read-only file system)$`, err.Error())
}

func TestSizeRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "app.log")
	s, err := New(path, Options{MaxSize: 100})
	require.NoError(t, err)
	var recs []string
	for i := range 10 {
		recs = append(recs, record(i, 29)) // 30 bytes a line: 3 lines a file
	}
	require.NoError(t, s.WriteBatch(batchOf(recs...)))
	assert.Equal(t, 4, s.writes, "one write per file")
	require.NoError(t, s.Close())

	got := files(t, path)
	require.Len(t, got, 4)
	name := regexp.MustCompile(`^app-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$`)
	for i, f := range got {
		want := strings.Join(recs[3*i:min(3*i+3, 10)], "\n") + "\n"
		assert.Equal(t, want, f.data, f.name)
		if i < 3 {
			assert.Regexp(t, name, f.name)
		}
		info, err := os.Stat(filepath.Join(filepath.Dir(path), f.name))
		require.NoError(t, err)
		assert.LessOrEqual(t, info.Size(), int64(100))
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "default mode")
	}

	// The size of a file the sink finds counts: its 30 bytes and 11 more rotate it.
	s, err = New(path, Options{MaxSize: 40})
	require.NoError(t, err)
	require.NoError(t, s.WriteBatch(batchOf(record(10, 10))))
	require.NoError(t, s.Close())
	got = files(t, path)
	require.Len(t, got, 5)
	assert.Equal(t, record(9, 29)+"\n", got[3].data)
	assert.Equal(t, record(10, 10)+"\n", got[4].data)
}

// A record larger than MaxSize gets a file of its own; a batch far larger
// than MaxSize is written whole, rotating as often as it takes.
func TestOversizedRecordsAndBatches(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	s, err := New(path, Options{MaxSize: 50})
	require.NoError(t, err)
	big := record(1, 119)
	require.NoError(t, s.WriteBatch(batchOf(record(0, 19), big, record(2, 19))))
	assert.Equal(t, []string{record(0, 19) + "\n", big + "\n", record(2, 19) + "\n"}, datas(files(t, path)))

	var recs []string
	for i := range 1000 {
		recs = append(recs, record(i, 24)) // two lines a file
	}
	require.NoError(t, s.WriteBatch(batchOf(recs...)))
	require.NoError(t, s.Close())
	got := files(t, path)
	require.Len(t, got, 3+500)
	all := strings.Join(datas(got[3:]), "")
	assert.Equal(t, strings.Join(recs[1:], "\n")+"\n", all)
	assert.Equal(t, record(2, 19)+"\n"+recs[0]+"\n", got[2].data)
}

func TestBackupNamesUniqueInOneMillisecond(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	clk := shiptest.ClockAt(t0)
	s, err := newSink(path, Options{}, clk.Now)
	require.NoError(t, err)
	for i := range 3 {
		require.NoError(t, s.WriteBatch(batchOf(record(i, 9))))
		require.NoError(t, s.Rotate())
	}
	clk.Advance(-time.Hour) // the clock steps back: names still sort in order
	require.NoError(t, s.WriteBatch(batchOf(record(3, 9))))
	require.NoError(t, s.Rotate())
	require.NoError(t, s.Close())
	var names []string
	for _, f := range files(t, path) {
		names = append(names, f.name)
	}
	assert.Equal(t, []string{
		"app-2026-11-27T14-05-09.123.log",
		"app-2026-11-27T14-05-09.124.log",
		"app-2026-11-27T14-05-09.125.log",
		"app-2026-11-27T14-05-09.126.log",
		"app.log",
	}, names)
	assert.Equal(t, []string{record(0, 9) + "\n", record(1, 9) + "\n", record(2, 9) + "\n", record(3, 9) + "\n", ""}, datas(files(t, path)))

	// A new sink on the path continues after the newest backup.
	s, err = newSink(path, Options{}, clk.Now)
	require.NoError(t, err)
	require.NoError(t, s.Rotate())
	require.NoError(t, s.Close())
	assert.FileExists(t, filepath.Join(filepath.Dir(path), "app-2026-11-27T14-05-09.127.log"))
}

func TestBackupNamesWithoutExtension(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app")
	s, err := newSink(path, Options{Compress: true}, shiptest.ClockAt(t0).Now)
	require.NoError(t, err)
	require.NoError(t, s.WriteBatch(batchOf("a")))
	require.NoError(t, s.Rotate())
	require.NoError(t, s.Close())
	assert.FileExists(t, path+"-2026-11-27T14-05-09.123.gz")
	assert.Equal(t, []string{"a\n", ""}, datas(files(t, path)))
}

func TestModes(t *testing.T) {
	umask := currentUmask()
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "app.log")
	s, err := New(path, Options{Mode: 0o640})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, 0o640&^umask, info.Mode().Perm())
	for _, d := range []string{dir, filepath.Dir(dir)} {
		info, err = os.Stat(d)
		require.NoError(t, err)
		assert.Equal(t, 0o750&^umask, info.Mode().Perm(), d)
	}
	assert.Equal(t, os.FileMode(0o700), dirMode(0o600))
	assert.Equal(t, os.FileMode(0o755), dirMode(0o644))
}

func TestString(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	s, err := New(path, Options{})
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, "file:"+path, s.String())
}
