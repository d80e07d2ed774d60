package fapilog

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// longRun reports whether the opt-in long run was asked for
// (FAPILOG_LONG=1): the full accounting load, meant for -count 20.
func longRun() bool { return os.Getenv("FAPILOG_LONG") != "" }

// A logFunc logs one record. (*AsyncLogger).Log, (*SyncLogger).Log and
// (*slog.Logger).LogAttrs all have this shape.
type logFunc func(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr)

// pipeline is what the tests need of a logger besides logging.
type pipeline interface {
	Flush(context.Context) error
	Close(context.Context) error
	Stats() Stats
}

// A face opens a pipeline for cfg and says how to log one record through
// it. Add a face here and every test that ranges over faces covers it.
type face struct {
	name string
	open func(cfg Config) (logFunc, pipeline, error)
}

var faces = []face{
	{"async", func(cfg Config) (logFunc, pipeline, error) {
		l, err := NewAsync(cfg)
		if err != nil {
			return nil, nil, err
		}
		return l.Log, l, nil
	}},
	{"sync", func(cfg Config) (logFunc, pipeline, error) {
		l, err := NewSync(cfg)
		if err != nil {
			return nil, nil, err
		}
		return l.Log, l, nil
	}},
}

// openFace opens f for cfg, failing the test on error, with Diagnostics
// kept out of the test output.
func openFace(t testing.TB, f face, cfg Config) (logFunc, pipeline) {
	t.Helper()
	if cfg.Diagnostics == nil {
		cfg.Diagnostics = &syncBuffer{}
	}
	log, p, err := f.open(cfg)
	require.NoError(t, err)
	return log, p
}

// A policy is a backpressure setup for the accounting runner, with the
// levels it promises never to drop.
type policy struct {
	name  string
	cfg   Config
	keeps func(slog.Level) bool
}

var policies = []policy{
	{"DropNewest", Config{}, func(slog.Level) bool { return false }},
	{"Block", Config{Backpressure: Block, BlockTimeout: -1}, func(slog.Level) bool { return true }},
	{"Protected", Config{ProtectedLevel: slog.LevelWarn, BlockTimeout: -1},
		func(l slog.Level) bool { return l >= slog.LevelWarn }},
	// Sampling drops most of the runner's one message below Error (the
	// protected level); dedupe finds no repeats (every record has its own
	// g and i) but runs on every record.
	{"Sampled", Config{Sampling: &Sampling{Tick: time.Hour, First: 100, Thereafter: 7}, DedupeWindow: time.Minute, BlockTimeout: -1},
		func(l slog.Level) bool { return l >= slog.LevelError }},
}

// loadLevels are drawn at random; Debug is below the runner's minimum
// level, so it must be neither Submitted nor written.
var loadLevels = []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError}

// loadExtras are the random attrs a load record carries besides g and i.
var loadExtras = []slog.Attr{
	slog.String("user", "ann \"the\" admin\n"),
	slog.Float64("took", 1.25),
	slog.Group("req", slog.String("method", "GET"), slog.Int("status", 200)),
	slog.Any("tags", []string{"a", "b"}),
	slog.Bool("ok", true),
	slog.Duration("wait", time.Millisecond),
}

// loadSize returns goroutines × records per goroutine for an accounting
// run: the 8 × 100k in the long run, less in the normal suite so
// that it stays within seconds under -race, and less again with -short.
func loadSize() (goroutines, n int) {
	switch {
	case longRun():
		return 8, 100_000
	case testing.Short():
		return 8, 500
	}
	return 8, 2_000
}

// tally counts, per goroutine and record number, how often a record
// reached the sinks, from the "g" and "i" attrs the runner gives each.
// It is fed by a faultSink's observe under the worker's lock.
type tally struct {
	seen      [][]uint8
	last      []int // highest i seen per g
	total     uint64
	disorder  int // records seen after a later one of the same goroutine
	malformed int
	summaries int // drop summaries
}

func newTally(goroutines, n int) *tally {
	t := &tally{seen: make([][]uint8, goroutines), last: make([]int, goroutines)}
	for g := range t.seen {
		t.seen[g] = make([]uint8, n)
		t.last[g] = -1
	}
	return t
}

func (t *tally) observe(b *Batch) {
	for k := range b.Len() {
		rec := b.Record(k)
		if bytes.Contains(rec, []byte(`"msg":"`+DropSummaryMsg+`"`)) || bytes.Contains(rec, []byte(`"msg":"`+SampledSummaryMsg+`"`)) {
			t.summaries++
			continue
		}
		g, okG := intAttr(rec, `"g":`)
		i, okI := intAttr(rec, `"i":`)
		if !okG || !okI || g >= len(t.seen) || i >= len(t.seen[g]) {
			t.malformed++
			continue
		}
		t.total++
		if t.seen[g][i] < 255 {
			t.seen[g][i]++
		}
		if i < t.last[g] {
			t.disorder++
		}
		t.last[g] = max(t.last[g], i)
	}
}

// requireConsistent checks what holds under every policy: each record
// reached the sinks at most once, in order per goroutine, and the sinks
// saw exactly the Written and Failed records.
func (t *tally) requireConsistent(tb testing.TB, st Stats) {
	tb.Helper()
	require.Zero(tb, t.malformed, "records without g and i")
	require.Zero(tb, t.disorder, "records out of order within a goroutine")
	for g := range t.seen {
		for i, count := range t.seen[g] {
			if count > 1 {
				require.FailNow(tb, "record written twice", "g=%d i=%d seen %d times", g, i, count)
			}
		}
	}
	fast := st.Sinks[0]
	require.Equal(tb, fast.Written, t.total, "the fast sink saw exactly what it wrote")
	require.Zero(tb, fast.Failed, "the fast sink failed nothing")
	if fast.Dropped > 0 {
		// Under DropNewest the fast sink drops when its own buffer fills:
		// its goroutine fell behind the worker (under -race, tallying every
		// record it is the slower of the two; the long run saw it in about
		// 1 in 12 runs, before and after the encoder got faster). The
		// other sinks cannot fill its buffer, so its high-water mark shows
		// whose backlog it was.
		require.GreaterOrEqual(tb, 2*fast.BufferHighWater, fast.BufferCap,
			"the fast sink dropped %d records without its own buffer filling: the slow and failing ones held it back", fast.Dropped)
	}
	require.Equal(tb, st.Submitted-st.Rejected-st.Sampled-st.Deduped, fast.Routed, "the fast sink got every record that reached the worker")
	require.LessOrEqual(tb, st.Written+st.Failed, t.total, "every record Written or Failed reached the fast sink")
}

// intAttr parses the non-negative integer following the first key in rec.
func intAttr(rec []byte, key string) (int, bool) {
	at := bytes.Index(rec, []byte(key))
	if at < 0 {
		return 0, false
	}
	rest := rec[at+len(key):]
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	v, err := strconv.Atoi(string(rest[:end]))
	return v, err == nil
}

// loadResult is what one accounting run saw.
type loadResult struct {
	Stats
	Calls uint64 // log calls made, at any level
	Found uint64 // records that reached the sinks
}

// runAccounting logs goroutines × n records with random levels and
// attrs through f under pol into three sinks of different speed (a fast
// one that tallies every record, one that sleeps per batch and has a
// small buffer, one that fails every 7th batch) or, if lone, into the
// fast one alone (which the worker may write itself), closes the pipeline and
// checks that every record is accounted for exactly: Submitted ==
// Written + Dropped + Failed + Sampled + Deduped, and per sink Routed == Written + Failed +
// Dropped; Submitted is the number of calls at an enabled level; the fast
// sink got every record that reached the worker, whatever the other
// sinks did, and wrote each at most once and in order per goroutine
// (dropping only when its own buffer filled); every record at a level
// pol keeps is seen exactly once.
func runAccounting(t testing.TB, f face, pol policy, goroutines, n int, lone bool) loadResult {
	t.Helper()
	seen := newTally(goroutines, n)
	cfg := pol.cfg
	cfg.Level = slog.LevelInfo
	cfg.QueueSize = 512 // small enough that DropNewest drops
	cfg.BatchSize = 64
	cfg.Sinks = []Sink{
		&faultSink{observe: seen.observe},
		// Drops for itself when its buffer is full, whatever the policy:
		// it must hold back no other sink, even under Block.
		WithOptions(&faultSink{delay: 20 * time.Microsecond, observe: func(*Batch) {}},
			SinkOptions{Buffer: 16, Backpressure: SinkDropNewest}),
		&faultSink{failEvery: 7, observe: func(*Batch) {}},
	}
	if lone {
		cfg.Sinks = cfg.Sinks[:1]
	}
	cfg.Fallback = NewWriterSink(io.Discard)
	log, p := openFace(t, f, cfg)

	levels := make([][]slog.Level, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		levels[g] = make([]slog.Level, n)
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), uint64(n)))
			attrs := make([]slog.Attr, 0, 2+len(loadExtras))
			ctx := context.Background()
			for i := range n {
				level := loadLevels[rng.IntN(len(loadLevels))]
				levels[g][i] = level
				attrs = append(attrs[:0], slog.Int("g", g), slog.Int("i", i))
				for range rng.IntN(4) {
					attrs = append(attrs, loadExtras[rng.IntN(len(loadExtras))])
				}
				log(ctx, level, "load", attrs...)
			}
		})
	}
	wg.Wait()
	st := closeLogger(t, p)

	var enabled uint64
	for g := range goroutines {
		for i, level := range levels[g] {
			count := seen.seen[g][i]
			switch {
			case level < slog.LevelInfo:
				require.Zero(t, count, "g=%d i=%d: a disabled record reached a sink", g, i)
				continue
			case pol.keeps(level) && count != 1:
				require.FailNow(t, "record lost", "g=%d i=%d %s under %s seen %d times", g, i, level, pol.name, count)
			}
			enabled++
		}
	}
	seen.requireConsistent(t, st)
	require.Equal(t, enabled, st.Submitted, "Submitted counts the calls at an enabled level")
	if !lone {
		require.NotZero(t, st.Sinks[2].Failed, "the failing sink failed some batches")
	}
	require.LessOrEqual(t, st.Shed, st.Rejected, "shed records are part of Rejected")
	if pol.cfg.Backpressure == Block {
		require.Zero(t, st.Shed, "no shedding under Block unless asked for")
	}
	if pol.name == "Block" {
		require.Zero(t, st.Rejected, "Block without a timeout drops nothing at the queue")
		if lone {
			require.Zero(t, st.Dropped, "Block drops nothing")
		} else {
			require.Equal(t, st.Sinks[1].Dropped, st.Dropped, "only the slow sink, which asked to, drops")
		}
	}
	if pol.cfg.Sampling != nil {
		require.NotZero(t, st.Sampled, "the sampler sampled out some records")
	} else {
		require.Zero(t, st.Sampled)
	}
	requireBalanced(t, st)
	return loadResult{Stats: st, Calls: uint64(goroutines * n), Found: seen.total}
}

// TestAccounting runs the accounting load for every face and policy,
// into three sinks and into a lone one. The opt-in long run is
// FAPILOG_LONG=1 go test -race -run Accounting -count 20 .
func TestAccounting(t *testing.T) {
	goroutines, n := loadSize()
	for _, lone := range []bool{false, true} {
		for _, f := range faces {
			for _, pol := range policies {
				name := f.name + "/" + pol.name
				if lone {
					name += "/lone"
				}
				t.Run(name, func(t *testing.T) {
					res := runAccounting(t, f, pol, goroutines, n, lone)
					st := res.Stats
					lost := int64(st.Submitted) - int64(st.Written+st.Dropped+st.Failed+st.Sampled+st.Deduped)
					var bySinks uint64
					for _, s := range st.Sinks {
						bySinks += s.Dropped
					}
					// One line per run, for summing the long run's figures.
					t.Logf("accounting %s: calls=%d submitted=%d written=%d dropped=%d (shed %d, by the sinks %d) failed=%d sampled=%d deduped=%d lost=%d",
						name, res.Calls, st.Submitted, st.Written, st.Dropped, st.Shed, bySinks, st.Failed, st.Sampled, st.Deduped, lost)
				})
			}
		}
	}
}

// TestBlockLosesNothing is the core pipeline's acceptance load at full
// size in the normal suite: 8 goroutines × 100,000 records into an async
// logger under Block; runAccounting finds every record at an enabled
// level exactly once, in order per goroutine, and Dropped is zero.
func TestBlockLosesNothing(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	async, block := faces[0], policies[1]
	require.Equal(t, "async/Block", async.name+"/"+block.name)
	res := runAccounting(t, async, block, 8, n, false)
	require.Zero(t, res.Stats.Rejected)
	require.Equal(t, res.Stats.Submitted, res.Stats.Sinks[0].Written, "the fast sink got every record")
}
