package fapilog

import (
	"context"
	"hash/maphash"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// distinctSampler returns a sampler for cfg whose seed puts each of keys
// in a counter of its own, so that a test's counts are exact.
func distinctSampler(t *testing.T, cfg Sampling, keys ...sampleKey) *sampler {
	t.Helper()
	s, err := newSampler(&cfg)
	require.NoError(t, err)
	for {
		seen := map[uint64]bool{}
		for _, k := range keys {
			seen[s.index(k.level, k.msg)] = true
		}
		if len(seen) == len(keys) {
			return s
		}
		s.seed = maphash.MakeSeed()
	}
}

type sampleKey struct {
	level slog.Level
	msg   string
}

// keeps returns which of n calls at t the sampler keeps, by number from 1.
func keeps(s *sampler, level slog.Level, msg string, t time.Time, n int) []int {
	var kept []int
	for i := 1; i <= n; i++ {
		if s.keep(level, msg, t.UnixNano()) {
			kept = append(kept, i)
		}
	}
	return kept
}

func TestSamplerExactCounts(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	info, warn := sampleKey{slog.LevelInfo, "cache miss"}, sampleKey{slog.LevelWarn, "cache miss"}
	other := sampleKey{slog.LevelInfo, "other"}
	s := distinctSampler(t, Sampling{Tick: time.Second, First: 3, Thereafter: 4}, info, warn, other)

	require.Equal(t, []int{1, 2, 3, 7, 11, 15, 19}, keeps(s, info.level, info.msg, t0, 20))
	require.Equal(t, []int{1, 2, 3}, keeps(s, warn.level, warn.msg, t0, 5), "each level counts apart")
	require.Equal(t, []int{1, 2}, keeps(s, other.level, other.msg, t0.Add(500*time.Millisecond), 2), "each message counts apart")
	require.Equal(t, []int{3}, keeps(s, info.level, info.msg, t0.Add(999*time.Millisecond), 4), "records 21..24 of the tick: the 23rd passes")
	require.Equal(t, []int{1, 2, 3, 7}, keeps(s, info.level, info.msg, t0.Add(time.Second), 8), "a new tick starts over")
	require.Equal(t, []int(nil), keeps(s, info.level, info.msg, t0.Add(time.Second-1), 2),
		"a clock behind the tick counts in the newer tick (records 9, 10)")
	require.Equal(t, []int{1}, keeps(s, info.level, info.msg, t0.Add(time.Second), 2), "11 passes, 12 does not")

	s = distinctSampler(t, Sampling{Tick: time.Minute, First: 2}, info)
	require.Equal(t, []int{1, 2}, keeps(s, info.level, info.msg, t0, 100), "Thereafter 0: none after First")
	s = distinctSampler(t, Sampling{Thereafter: 5}, info)
	require.Equal(t, []int{5, 10}, keeps(s, info.level, info.msg, t0, 12), "First 0: every 5th")
	require.Equal(t, int64(DefaultSamplingTick), s.tick)
}

func TestSamplerExactUnderContention(t *testing.T) {
	s := distinctSampler(t, Sampling{Tick: time.Hour, First: 10, Thereafter: 7}, sampleKey{slog.LevelInfo, "m"})
	t0 := time.Unix(1_700_000_000, 0).UnixNano()
	var mu sync.Mutex
	kept := 0
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			n := 0
			for range 2500 {
				if s.keep(slog.LevelInfo, "m", t0) {
					n++
				}
			}
			mu.Lock()
			kept += n
			mu.Unlock()
		})
	}
	wg.Wait()
	require.Equal(t, 10+(10000-10)/7, kept)
}

func TestSamplingConfigErrors(t *testing.T) {
	for cfg, want := range map[Sampling]string{
		{Tick: -1, First: 1}:       "Tick",
		{First: -1}:                "negative",
		{First: 1, Thereafter: -2}: "negative",
		{}:                         "both 0",
	} {
		_, err := NewAsync(Config{Sampling: &cfg, Sinks: []Sink{&memSink{}}})
		require.ErrorContains(t, err, "Config.Sampling")
		require.ErrorContains(t, err, want)
	}
}

// TestSamplingThroughThePipeline logs a known sequence with a fake clock
// (slog records carry their time) and checks exactly what is written and
// counted.
func TestSamplingThroughThePipeline(t *testing.T) {
	for _, f := range faces {
		t.Run(f.name, func(t *testing.T) {
			sink := &memSink{}
			cfg := Config{Sinks: []Sink{sink}, Sampling: &Sampling{Tick: time.Second, First: 2, Thereafter: 3}}
			var l interface {
				pipeline
				Handler() slog.Handler
			}
			var err error
			if f.name == "async" {
				l, err = NewAsync(cfg)
			} else {
				l, err = NewSync(cfg)
			}
			require.NoError(t, err)
			h := l.Handler()
			t0 := time.Unix(1_700_000_000, 0)
			log := func(at time.Duration, level slog.Level, msg string) {
				require.NoError(t, h.Handle(context.Background(), slog.NewRecord(t0.Add(at), level, msg, 0)))
			}
			for range 10 { // kept: 1, 2, 5, 8
				log(0, slog.LevelInfo, "tick")
			}
			for range 5 { // protected: never sampled out
				log(0, slog.LevelError, "tick")
			}
			for range 3 { // kept: 1, 2
				log(time.Second, slog.LevelInfo, "tick")
			}
			log(0, slog.LevelDebug, "tick") // below the level: not submitted
			st := closeLogger(t, l)
			require.Equal(t, Stats{Submitted: 18, Written: 11, Sampled: 7}, Stats{Submitted: st.Submitted, Written: st.Written, Sampled: st.Sampled})
			require.Len(t, sink.lines(t), 11)
		})
	}
}

func TestSampledOutCallDoesNotAllocate(t *testing.T) {
	l, err := NewAsync(Config{Sinks: []Sink{&memSink{}}, Sampling: &Sampling{Tick: 1000 * time.Hour, First: 1}})
	require.NoError(t, err)
	defer closeLogger(t, l)
	l.Info("sampled", slog.Int("n", 1))
	ctx := context.Background()
	allocs := testing.AllocsPerRun(1000, func() {
		l.Info("sampled", slog.Int("n", 1), slog.Any("err", context.Canceled))
		l.InfoContext(ctx, "sampled", slog.String("s", "x"))
	})
	require.Zero(t, allocs)
	require.Equal(t, uint64(2002), l.Stats().Sampled, "one warm-up run, 1000 runs, two calls each")
}

// TestSamplingFacadeWithFakeClock drives the facade's coarse clock through
// the samplerClock hook: exact counts across two ticks.
func TestSamplingFacadeWithFakeClock(t *testing.T) {
	var fake atomic.Int64
	fake.Store(time.Unix(1_700_000_000, 0).UnixNano())
	old := samplerClock
	samplerClock = fake.Load
	defer func() { samplerClock = old }()

	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}, Sampling: &Sampling{Tick: time.Minute, First: 1, Thereafter: 2}})
	require.NoError(t, err)
	s := l.w.ctl.sampler
	for i := range 6 { // kept: 1, 3, 5
		l.Info("m", slog.Int("i", i))
	}
	fake.Add(int64(time.Minute))
	s.advance()              // what the sampler's goroutine does every Tick/64
	for i := 6; i < 9; i++ { // kept: 1, 3 of the new tick
		l.Info("m", slog.Int("i", i))
	}
	l.Error("m") // protected
	st := closeLogger(t, l)
	var kept []float64
	for _, m := range sink.lines(t) {
		if i, ok := m["i"].(float64); ok {
			kept = append(kept, i)
		}
	}
	require.Equal(t, []float64{0, 2, 4, 6, 8}, kept)
	require.Equal(t, uint64(4), st.Sampled)
	require.Equal(t, uint64(10), st.Submitted)
}
