package fapilog

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// summarySink takes delay per batch and keeps the drop summaries it is
// given, with when they came, and counts the other records.
type summarySink struct {
	delay time.Duration

	mu        sync.Mutex
	records   int
	summaries []map[string]any
	arrived   []time.Time
}

func (s *summarySink) WriteBatch(b *Batch) error {
	now := time.Now()
	s.mu.Lock()
	for i := range b.Len() {
		rec := b.Record(i)
		if !bytes.Contains(rec, []byte(DropSummaryMsg)) {
			s.records++
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(rec, &m); err != nil {
			panic(err)
		}
		s.summaries = append(s.summaries, m)
		s.arrived = append(s.arrived, now)
	}
	s.mu.Unlock()
	time.Sleep(s.delay)
	return nil
}

func (s *summarySink) Flush() error { return nil }
func (s *summarySink) Close() error { return nil }

func (s *summarySink) firstSummary() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.arrived) == 0 {
		return time.Time{}, false
	}
	return s.arrived[0], true
}

// TestDropSummaries overloads a slow sink with a backlog of seconds and
// checks that drop summaries reach it within two periods of the first
// drop, ahead of the backlog, and go on coming while drops continue; that
// their counts, by level and reason, add up to what Stats says was
// dropped for that sink; and that summaries are counted apart.
func TestDropSummaries(t *testing.T) {
	const period = 100 * time.Millisecond
	sink := &summarySink{delay: 5 * time.Millisecond}
	l, err := NewAsync(Config{
		Sinks:            []Sink{WithOptions(sink, SinkOptions{Buffer: 4096})},
		Level:            slog.LevelDebug,
		QueueSize:        256,
		BatchSize:        16, // the sink drains 16 records per 5 ms: 4096 take over a second
		DropSummaryEvery: period,
		Diagnostics:      &syncBuffer{},
	})
	require.NoError(t, err)

	var firstDrop time.Time
	deadline := time.Now().Add(6 * period)
	levels := []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError}
	for i := 0; time.Now().Before(deadline); i++ {
		l.Log(context.Background(), levels[i%len(levels)], "overload", slog.Int("i", i))
		if firstDrop.IsZero() {
			if st := l.Stats(); st.Rejected+st.Sinks[0].Dropped > 0 {
				firstDrop = time.Now()
			}
		}
		if i%64 == 0 {
			time.Sleep(50 * time.Microsecond) // a steady stream, not one burst
		}
	}
	require.False(t, firstDrop.IsZero(), "the overload drops records")
	first, ok := sink.firstSummary()
	require.True(t, ok, "a summary while the drops go on, before Close")
	require.Less(t, first.Sub(firstDrop), 2*period, "the first summary comes within two periods, ahead of the backlog")
	sink.mu.Lock()
	during := len(sink.summaries)
	sink.mu.Unlock()
	require.GreaterOrEqual(t, during, 2, "one summary per period while drops continue")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	requireLossOnly(t, l.Close(ctx), l.Stats())
	st := l.Stats()
	requireBalanced(t, st)
	requireSinksBalanced(t, st)

	var dropped, total float64
	byLevel := map[string]float64{}
	byReason := map[string]float64{}
	for i, m := range sink.summaries {
		require.Equal(t, "WARN", m["level"])
		dropped += m["dropped"].(float64)
		total = m["dropped_total"].(float64)
		sum := 0.0
		for k, v := range m["dropped_by_level"].(map[string]any) {
			byLevel[k] += v.(float64)
			sum += v.(float64)
		}
		require.Equal(t, m["dropped"], sum, "summary %d: the levels add up", i)
		for k, v := range m["reasons"].(map[string]any) {
			byReason[k] += v.(float64)
		}
	}
	want := float64(st.Rejected + st.Sinks[0].Dropped)
	require.Equal(t, want, dropped, "the summaries add up to what the sink missed")
	require.Equal(t, want, total, "the last one's total is all of it")
	require.Equal(t, float64(st.Rejected-st.Shed), byReason["queue"])
	require.Equal(t, want, byReason["queue"]+byReason["shed"]+byReason["sink"])
	require.Zero(t, byLevel["ERROR"], "protected records are never dropped for want of room")
	require.Equal(t, uint64(len(sink.summaries)), st.Summaries, "counted apart")
	require.Equal(t, int(st.Sinks[0].Written), sink.records, "summaries are not records: %+v", st)
	t.Logf("%d summaries; dropped %v by level %v by reason %v; written %d", len(sink.summaries), dropped, byLevel, byReason, st.Written)
}

// TestDropSummariesOff checks that a negative DropSummaryEvery writes none.
func TestDropSummariesOff(t *testing.T) {
	sink := &summarySink{}
	l, err := NewAsync(Config{Sinks: []Sink{sink}, QueueSize: 2, DropSummaryEvery: -1, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	for i := range 1000 {
		l.Info("m", slog.Int("i", i))
	}
	requireLossOnly(t, l.Close(context.Background()), l.Stats())
	require.NotZero(t, l.Stats().Dropped)
	require.Empty(t, sink.summaries)
	require.Zero(t, l.Stats().Summaries)
}

// TestDropSummaryInSinkFormat checks that a sink gets its drop summary in
// the format it chose.
func TestDropSummaryInSinkFormat(t *testing.T) {
	var lf syncBuffer
	l, err := NewAsync(Config{Sinks: []Sink{NewLogfmtSink(&lf)}, QueueSize: 2, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	for i := range 1000 {
		l.Info("m", slog.Int("i", i))
	}
	requireLossOnly(t, l.Close(context.Background()), l.Stats())
	require.Regexp(t, `level=WARN msg="fapilog: records dropped" dropped=\d+ dropped_by_level.INFO=\d+ reasons.(queue|shed)=\d+`, lf.String())
}
