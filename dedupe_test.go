package fapilog

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// line encodes a record line as the worker does: time first.
func line(t time.Time, rest string) []byte {
	return []byte(`{"time":"` + t.Format(time.RFC3339Nano) + `",` + rest + "}\n")
}

func TestDedupeWindows(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	d := newDedupe(10 * time.Second)
	a := func(s float64) bool {
		return d.suppress(line(at(s), `"level":"ERROR","msg":"db down","n":1`), slog.LevelError, "db down", at(s))
	}
	b := func(s float64) bool {
		return d.suppress(line(at(s), `"level":"ERROR","msg":"db down","n":2`), slog.LevelError, "db down", at(s))
	}
	require.False(t, a(0), "the first is written")
	require.True(t, a(1), "a repeat within the window is suppressed, whatever its time")
	require.True(t, a(2.5))
	require.False(t, b(3), "other attrs: another record")
	require.Empty(t, d.summaries(at(9.9), false), "no window has closed")
	next, ok := d.next()
	require.True(t, ok)
	require.Equal(t, at(10), next)

	sums := d.summaries(at(10), false)
	require.Equal(t, []summary{{
		level: slog.LevelError,
		msg:   RepeatedMsg,
		attrs: []slog.Attr{
			slog.String("repeated_msg", "db down"),
			slog.Int("count", 2),
			slog.Time("first", at(1)),
			slog.Time("last", at(2.5)),
		},
	}}, sums)
	require.Empty(t, d.summaries(at(10), false), "taken once")

	require.False(t, a(11), "after the window, a new one opens")
	require.True(t, b(12.9))
	require.False(t, b(13), "a record's time closes windows too")
	sums = d.summaries(at(13), false)
	require.Len(t, sums, 1, "b's first window had one repeat")
	require.Equal(t, slog.Int("count", 1), sums[0].attrs[1])

	require.True(t, a(14))
	sums = d.summaries(at(14), true)
	require.Len(t, sums, 1, "Close closes every window; b's second has no repeats")
	require.Equal(t, slog.Time("last", at(14)), sums[0].attrs[3])
	_, ok = d.next()
	require.False(t, ok)
}

func TestDedupeBoundedMemory(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	d := newDedupe(time.Hour)
	rec := func(i int) bool {
		return d.suppress(line(t0, fmt.Sprintf(`"msg":"m","i":%d`, i)), slog.LevelInfo, "m", t0)
	}
	require.False(t, rec(0))
	require.True(t, rec(0))
	for i := 1; i < dedupeEntries; i++ {
		require.False(t, rec(i))
	}
	require.Empty(t, d.summaries(t0, false))
	require.False(t, rec(dedupeEntries), "the table is full: the oldest window is closed early")
	require.Equal(t, dedupeEntries, d.n)
	require.Len(t, d.index, dedupeEntries)
	sums := d.summaries(t0, false)
	require.Len(t, sums, 1, "the evicted window's repeat is summarized, not lost")
	require.False(t, rec(0), "record 0 was evicted")

	long := strings.Repeat("é", maxDedupeMsg)
	d.suppress(line(t0, `"msg":"long"`), slog.LevelInfo, long, t0)
	d.suppress(line(t0, `"msg":"long"`), slog.LevelInfo, long, t0)
	sums = d.summaries(t0, true)
	msg := sums[len(sums)-1].attrs[0].Value.String()
	require.LessOrEqual(t, len(msg), maxDedupeMsg)
	require.True(t, strings.HasPrefix(long, msg) && len(msg) > maxDedupeMsg-2, "cut at a rune start")
}

func TestDedupeThroughThePipeline(t *testing.T) {
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}, DedupeWindow: time.Minute})
	require.NoError(t, err)
	h := l.Handler()
	t0 := time.Unix(1_700_000_000, 0)
	log := func(at time.Duration, msg string, attrs ...slog.Attr) {
		r := slog.NewRecord(t0.Add(at), slog.LevelWarn, msg, 0)
		r.AddAttrs(attrs...)
		require.NoError(t, h.Handle(context.Background(), r))
	}
	for i := range 5 {
		log(time.Duration(i)*time.Second, "retrying", slog.String("host", "a"))
	}
	log(0, "retrying", slog.String("host", "b"))
	log(0, "other")
	log(2*time.Minute, "retrying", slog.String("host", "a"))
	l.Named("x").Warn("other") // another logger: another record
	require.NoError(t, l.Flush(context.Background()))
	// What the lead's synthetic-record mechanism writes: windows ended
	// long ago (the records' times are in 2023).
	sums := l.w.dedupeSummaries(false)
	require.Len(t, sums, 1)
	require.Equal(t, slog.LevelWarn, sums[0].level)
	require.Equal(t, []slog.Attr{
		slog.String("repeated_msg", "retrying"), slog.Int("count", 4),
		slog.Time("first", t0.Add(time.Second)), slog.Time("last", t0.Add(4*time.Second)),
	}, sums[0].attrs)
	_, open := l.w.nextDedupe()
	require.True(t, open, "the last windows are still open")
	require.Empty(t, l.w.dedupeSummaries(true), "they had no repeats")
	st := closeLogger(t, l)
	require.Equal(t, []string{"retrying", "retrying", "other", "retrying", "other"}, loggedMsgs(t, sink))
	require.Equal(t, uint64(9), st.Submitted)
	require.Equal(t, uint64(5), st.Written)
	require.Equal(t, uint64(4), st.Deduped)
}
