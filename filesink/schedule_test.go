package filesink

import (
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // the DST cases need New York's rules on any machine

	"github.com/fapilog/fapilog-go/internal/ship/shiptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNextRotation(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	at := func(loc *time.Location, mo time.Month, d, h, m int) time.Time {
		return time.Date(2026, mo, d, h, m, 0, 0, loc)
	}
	for _, c := range []struct {
		from  time.Time
		every time.Duration
		want  time.Time
	}{
		{at(time.UTC, 11, 27, 23, 59), 24 * time.Hour, at(time.UTC, 11, 28, 0, 0)},
		{at(time.UTC, 11, 27, 0, 0), 24 * time.Hour, at(time.UTC, 11, 28, 0, 0)},
		{at(time.UTC, 12, 31, 10, 0), 24 * time.Hour, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
		{at(time.UTC, 11, 27, 10, 20), time.Hour, at(time.UTC, 11, 27, 11, 0)},
		{at(time.UTC, 11, 27, 11, 0), time.Hour, at(time.UTC, 11, 27, 12, 0)},
		{at(time.UTC, 11, 27, 10, 20), 15 * time.Minute, at(time.UTC, 11, 27, 10, 30)},
		{at(time.UTC, 11, 27, 15, 0), 7 * time.Hour, at(time.UTC, 11, 27, 21, 0)},
		{at(time.UTC, 11, 27, 22, 0), 7 * time.Hour, at(time.UTC, 11, 28, 0, 0)}, // the day restarts the count
		{at(time.UTC, 11, 27, 10, 0), 48 * time.Hour, at(time.UTC, 11, 29, 0, 0)},
		{at(time.UTC, 11, 27, 10, 0), 25 * time.Hour, at(time.UTC, 11, 29, 0, 0)}, // rounded up to days
		// DST in New York: 8 March 2026 has 23 hours (02:00 → 03:00), 1 November 25.
		{at(ny, 3, 8, 0, 30), 24 * time.Hour, at(ny, 3, 9, 0, 0)},
		{at(ny, 3, 8, 1, 30), time.Hour, at(ny, 3, 8, 3, 0)},
		{at(ny, 3, 8, 3, 30), time.Hour, at(ny, 3, 8, 4, 0)},
		{at(ny, 11, 1, 0, 30), 24 * time.Hour, at(ny, 11, 2, 0, 0)},
		{at(ny, 11, 1, 12, 10), 30 * time.Minute, at(ny, 11, 1, 12, 30)},
		{at(ny, 11, 1, 23, 50), 30 * time.Minute, at(ny, 11, 2, 0, 0)},
	} {
		got := nextRotation(c.from, c.every)
		assert.True(t, c.want.Equal(got), "from %v every %v: got %v, want %v", c.from, c.every, got, c.want)
	}
}

func TestRotateEvery(t *testing.T) {
	loc := time.FixedZone("UTC+3", 3*3600)
	clk := shiptest.ClockAt(time.Date(2026, 11, 27, 23, 59, 0, 0, loc))
	path := filepath.Join(t.TempDir(), "app.log")
	s, err := newSink(path, Options{RotateEvery: 24 * time.Hour}, clk.Now)
	require.NoError(t, err)
	require.NoError(t, s.WriteBatch(batchOf("27th")))
	clk.Advance(59 * time.Second)
	require.NoError(t, s.WriteBatch(batchOf("27th again")))
	clk.Advance(time.Second) // local midnight
	require.NoError(t, s.WriteBatch(batchOf("28th")))
	clk.Advance(3 * 24 * time.Hour) // the first write after days without any
	require.NoError(t, s.WriteBatch(batchOf("31st")))
	got := files(t, path)
	require.Len(t, got, 3)
	assert.Equal(t, []string{"27th\n27th again\n", "28th\n", "31st\n"}, datas(got))
	assert.Equal(t, "app-2026-11-27T21-00-00.000.log", got[0].name, "local midnight in UTC")

	// An empty file is not rotated, and the schedule moves on.
	require.NoError(t, s.Rotate())
	clk.Advance(24 * time.Hour)
	require.NoError(t, s.WriteBatch(batchOf("1st")))
	clk.Advance(time.Hour)
	require.NoError(t, s.WriteBatch(batchOf("1st again")))
	require.NoError(t, s.Close())
	got = files(t, path)
	require.Len(t, got, 4)
	assert.Equal(t, "1st\n1st again\n", got[3].data)
}

// A file left by an earlier run is scheduled from its modification time:
// yesterday's file is rotated by today's first write.
func TestRotateEveryExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	require.NoError(t, os.WriteFile(path, []byte("yesterday\n"), 0o600))
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	require.NoError(t, os.Chtimes(path, now, now.Add(-24*time.Hour)))
	s, err := newSink(path, Options{RotateEvery: 24 * time.Hour}, shiptest.ClockAt(now).Now)
	require.NoError(t, err)
	require.NoError(t, s.WriteBatch(batchOf("today")))
	require.NoError(t, s.Close())
	assert.Equal(t, []string{"yesterday\n", "today\n"}, datas(files(t, path)))
}
