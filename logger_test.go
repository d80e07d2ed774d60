package fapilog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func closeLogger(t testing.TB, c interface {
	Close(context.Context) error
	Stats() Stats
}) Stats {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.Close(ctx)
	st := c.Stats()
	requireLossOnly(t, err, st)
	requireBalanced(t, st)
	requireSinksBalanced(t, st)
	return st
}

// requireLossOnly checks that err, from Close, holds nothing but a
// *LossError consistent with st, read after Close returned: Failed as
// is, Dropped and Shed no more (calls made after Close, or racing it,
// may be dropped since).
func requireLossOnly(t testing.TB, err error, st Stats) {
	t.Helper()
	if err == nil {
		require.Zero(t, st.Failed, "Close said nothing of failed records")
		return
	}
	var le *LossError
	require.ErrorAs(t, err, &le)
	require.Equal(t, le.Error(), err.Error(), "no error besides the loss")
	require.Equal(t, st.Failed, le.Failed)
	require.LessOrEqual(t, le.Dropped, st.Dropped)
	require.LessOrEqual(t, le.Shed, st.Shed)
	require.NotZero(t, le.Dropped+le.Failed)
}

func TestSyncReturnsAfterWrite(t *testing.T) {
	sink := &memSink{}
	l, err := NewSync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	for i := range 100 {
		l.Info("hello", slog.Int("i", i))
		lines := sink.lines(t) // no Flush: the call itself waited
		require.Len(t, lines, i+1)
		require.Equal(t, float64(i), lines[i]["i"])
	}
	closeLogger(t, l)
}

func TestSyncConcurrentCallersShareBatches(t *testing.T) {
	sink := &faultSink{delay: 200 * time.Microsecond}
	l, err := NewSync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				l.Info("m", slog.Int("g", g), slog.Int("i", i))
			}
		})
	}
	wg.Wait()
	st := closeLogger(t, l)
	require.Equal(t, uint64(1600), st.Written)
	require.Less(t, st.Batches, uint64(1600), "concurrent sync callers share batch writes")
	t.Logf("1600 sync records in %d batches", st.Batches)
}

func TestProtectedLevelWaitsUnderDropNewest(t *testing.T) {
	sink := hungSink()
	l, err := NewAsync(Config{Sinks: []Sink{WithOptions(sink, SinkOptions{Buffer: 1})}, QueueSize: 2,
		BlockTimeout: 20 * time.Millisecond, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	ln := l.w.lanes[0]
	l.Info("first")
	<-sink.entered
	l.Info("a") // the sink's buffer of one record is full now
	require.Eventually(t, func() bool { return ln.stats().BufferLen == 1 }, hangTimeout, time.Millisecond)
	l.Info("dropped by the sink") // at once: Info does not wait for the sink's room
	require.Eventually(t, func() bool { return ln.stats().Dropped == 1 }, hangTimeout, time.Millisecond)
	l.Error("waits for the sink's room in the worker")
	require.Eventually(t, func() bool { return ln.room.waiters.Load() == 1 }, hangTimeout, time.Millisecond)
	l.Info("x")
	l.Info("y") // the ring is full now
	l.Info("dropped by the ring")
	// The sink's drop is counted in Stats.Dropped once the records before
	// it are accounted for: the counters follow queue order.
	require.Equal(t, uint64(1), l.Stats().Dropped)

	start := time.Now()
	l.Error("waits, then dropped")
	require.GreaterOrEqual(t, time.Since(start), 20*time.Millisecond, "an Error waits for room")
	require.Equal(t, uint64(2), l.Stats().Dropped)

	errDone := make(chan struct{})
	go func() { l.Error("gets in"); close(errDone) }()
	time.Sleep(5 * time.Millisecond)
	close(sink.gate)
	<-errDone
	st := closeLogger(t, l)
	// x and y may find the sink's buffer full again (Info: dropped).
	require.GreaterOrEqual(t, st.Written, uint64(4))
	require.GreaterOrEqual(t, st.Dropped, uint64(3))
	require.Equal(t, uint64(9), st.Submitted)
	require.Contains(t, sink.String(), "waits for the sink's room")
	require.Contains(t, sink.String(), "gets in")
}

func TestCloseWithHungSinkReturnsByDeadline(t *testing.T) {
	sink := hungSink()
	l, err := NewAsync(Config{Sinks: []Sink{sink}, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	for range 50 {
		l.Info("m")
	}
	<-sink.entered
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	require.ErrorIs(t, l.Close(ctx), context.DeadlineExceeded)
	require.Less(t, time.Since(start), 2*time.Second)
	requireBalanced(t, l.Stats())
	l.Info("after close") // safe, counted
	requireBalanced(t, l.Stats())
	close(sink.gate)
	closeLogger(t, l)
}

func TestLogAfterCloseIsSafeAndCounted(t *testing.T) {
	sink := &memSink{}
	a, err := NewAsync(Config{Sinks: []Sink{sink}, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	s := a.AsSync()
	a.Info("before")
	closeLogger(t, a)
	a.Info("after")
	s.Error("after, sync")
	a.With(slog.Int("k", 1)).Warn("after, child")
	st := a.Stats()
	requireBalanced(t, st)
	require.Equal(t, uint64(3), st.Dropped)
	require.NoError(t, s.Flush(context.Background()))
	requireLossOnly(t, s.Close(context.Background()), st)
	require.Len(t, sink.lines(t), 1)
}

func TestCloseFromManyGoroutines(t *testing.T) {
	sink := &memSink{}
	l, err := NewAsync(Config{Sinks: []Sink{sink}, Diagnostics: &syncBuffer{}})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				l.Info("m", slog.Int("g", g), slog.Int("i", i))
				if i == 500 && g%2 == 0 {
					// Others drop records meanwhile: the count moves on.
					if err := l.Close(context.Background()); err != nil {
						var loss *LossError
						assert.ErrorAs(t, err, &loss)
					}
				}
			}
		})
	}
	wg.Wait()
	st := closeLogger(t, l)
	require.Equal(t, uint64(8000), st.Submitted)
	require.Equal(t, 1, sink.closes)
	require.Len(t, sink.lines(t), int(st.Written))
}

func TestFacesShareOnePipeline(t *testing.T) {
	sink := &memSink{}
	a, err := NewAsync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	s := a.With(slog.String("svc", "x")).AsSync()
	s.Info("sync")
	a.Info("async")
	a2 := s.AsAsync().WithGroup("g")
	a2.Info("grouped", slog.Int("n", 1))
	require.NoError(t, a.Flush(context.Background()))
	require.Equal(t, a.Stats(), s.Stats())
	lines := sink.lines(t)
	require.Len(t, lines, 3)
	require.Equal(t, "x", lines[0]["svc"])
	require.Nil(t, lines[1]["svc"])
	require.Equal(t, map[string]any{"n": float64(1)}, lines[2]["g"])
	require.Equal(t, "x", lines[2]["svc"])
	st := closeLogger(t, s)
	require.Equal(t, uint64(3), st.Written)
}

func TestValuesCapturedAtCallTime(t *testing.T) {
	sink := hungSink()
	l, err := NewAsync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	l.Info("first")
	<-sink.entered // the worker is busy: the next records wait in the queue
	m := map[string]int{"a": 1}
	s := []string{"x"}
	type user struct{ Name string }
	u := &user{Name: "ann"}
	l.Info("snap", slog.Any("m", m), slog.Any("s", s), slog.Any("u", u), slog.Group("g", slog.Any("m", m)))
	m["a"] = 2 // would race with the worker without the capture
	s[0] = "y"
	u.Name = "bob"
	close(sink.gate)
	closeLogger(t, l)
	lines := sink.lines(t)
	require.Len(t, lines, 2)
	require.Equal(t, map[string]any{"a": float64(1)}, lines[1]["m"])
	require.Equal(t, []any{"x"}, lines[1]["s"])
	require.Equal(t, map[string]any{"Name": "ann"}, lines[1]["u"])
	require.Equal(t, map[string]any{"m": map[string]any{"a": float64(1)}}, lines[1]["g"])
}

func TestConfigErrorsNameTheField(t *testing.T) {
	for field, cfg := range map[string]Config{
		"QueueSize":         {QueueSize: -1},
		"BatchSize":         {BatchSize: -5},
		"Backpressure":      {Backpressure: 7},
		"Sinks":             {Sinks: []Sink{nil}},
		"ContextExtractors": {ContextExtractors: []func(context.Context) []slog.Attr{nil}},
	} {
		_, err := NewAsync(cfg)
		require.ErrorContains(t, err, "Config."+field)
		_, err = NewSync(cfg)
		require.ErrorContains(t, err, "Config."+field)
	}
	_, err := NewAsync(Config{Sinks: []Sink{}})
	require.ErrorContains(t, err, "Config.Sinks")
	_, err = NewAsync(Config{QueueSize: maxQueueSize + 1})
	require.ErrorContains(t, err, "Config.QueueSize")
}

func TestLevelVarChangesLive(t *testing.T) {
	sink := &memSink{}
	var lv slog.LevelVar
	l, err := NewSync(Config{Sinks: []Sink{sink}, Level: &lv})
	require.NoError(t, err)
	l.Debug("hidden")
	require.False(t, l.Enabled(context.Background(), slog.LevelDebug))
	lv.Set(slog.LevelDebug)
	l.Debug("shown")
	require.True(t, l.Enabled(context.Background(), slog.LevelDebug))
	st := closeLogger(t, l)
	require.Equal(t, uint64(1), st.Submitted)
	require.Contains(t, sink.String(), "shown")
}

// TestOutputMatchesSlogJSON compares our lines with slog.JSONHandler's for
// the same calls, With and WithGroup chains included.
func TestOutputMatchesSlogJSON(t *testing.T) {
	type step struct {
		group string
		attrs []slog.Attr
	}
	cases := map[string]struct {
		chain []step
		attrs []slog.Attr
	}{
		"plain":           {attrs: []slog.Attr{slog.Int("a", 1), slog.String("b", "x")}},
		"with":            {chain: []step{{attrs: []slog.Attr{slog.Bool("w", true)}}}, attrs: []slog.Attr{slog.Int("a", 1)}},
		"group":           {chain: []step{{group: "g"}}, attrs: []slog.Attr{slog.Int("a", 1)}},
		"empty group":     {chain: []step{{group: "g"}}},
		"group with":      {chain: []step{{group: "g"}, {attrs: []slog.Attr{slog.Int("w", 1)}}, {group: "h"}}, attrs: []slog.Attr{slog.Int("a", 1)}},
		"group with none": {chain: []step{{group: "g"}, {attrs: []slog.Attr{slog.Int("w", 1)}}, {group: "h"}}},
		"nested attrs":    {attrs: []slog.Attr{slog.Group("n", slog.Int("x", 1), slog.Group("e")), slog.Group("", slog.Int("inl", 2)), {}}},
		"with empty":      {chain: []step{{attrs: []slog.Attr{{}}}, {group: "g"}}, attrs: []slog.Attr{slog.Any("err", errSinkFault)}},
		"kinds": {attrs: []slog.Attr{
			slog.Float64("f", 1.5), slog.Uint64("u", 1<<63), slog.Duration("d", time.Second),
			slog.Time("t", time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)), slog.Any("m", map[string]int{"k": 1}),
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sink := &memSink{}
			ours, err := NewSync(Config{Sinks: []Sink{sink}})
			require.NoError(t, err)
			var ref bytes.Buffer
			theirs := slog.New(slog.NewJSONHandler(&ref, nil))
			for _, s := range tc.chain {
				if s.group != "" {
					ours, theirs = ours.WithGroup(s.group), theirs.WithGroup(s.group)
				} else {
					ours, theirs = ours.With(s.attrs...), theirs.With(attrsToArgs(s.attrs)...)
				}
			}
			ours.Info("msg", tc.attrs...)
			theirs.LogAttrs(context.Background(), slog.LevelInfo, "msg", tc.attrs...)
			closeLogger(t, ours)

			got, want := sink.lines(t)[0], map[string]any{}
			require.NoError(t, json.Unmarshal(ref.Bytes(), &want))
			for _, m := range []map[string]any{got, want} {
				_, hasTime := m["time"]
				require.True(t, hasTime)
				delete(m, "time")
			}
			require.Equal(t, want, got, "ours: %s\nslog: %s", sink.String(), ref.String())
		})
	}
}

func attrsToArgs(attrs []slog.Attr) []any {
	args := make([]any, len(attrs))
	for i, a := range attrs {
		args[i] = a
	}
	return args
}

func TestAllocsSteadyState(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race")
	}
	l, err := NewAsync(Config{Sinks: []Sink{NewWriterSink(discard{})}, Backpressure: Block})
	require.NoError(t, err)
	now := time.Now()
	child := l.With(slog.String("svc", "api"), slog.Int("shard", 3)).WithGroup("req")
	calls := map[string]func(){
		"Info 0 attrs": func() { l.Info("static message") },
		"Info 10 attrs": func() {
			l.Info("ten", slog.Int("a", 1), slog.String("b", "x"), slog.Bool("c", true), slog.Float64("d", 1.5),
				slog.Int64("e", -1), slog.Uint64("f", 2), slog.Duration("g", time.Second), slog.Time("h", now),
				slog.String("i", "y"), slog.Int("j", 10))
		},
		"With context 3 attrs": func() { child.Info("ctx", slog.Int("a", 1), slog.String("b", "x"), slog.Bool("c", true)) },
		"Debug disabled":       func() { l.Debug("off", slog.Int("a", 1)) },
	}
	requireNoAllocs(t, l, calls)
	closeLogger(t, l)
}

// TestAllocsSteadyStateSync: a SyncLogger call, which also encodes and
// writes its record (the caller is the worker), allocates nothing either.
func TestAllocsSteadyStateSync(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race")
	}
	l, err := NewSync(Config{Sinks: []Sink{NewWriterSink(discard{})}})
	require.NoError(t, err)
	child := l.With(slog.String("svc", "api")).WithGroup("req")
	requireNoAllocs(t, l, map[string]func(){
		"Info 10 attrs": func() { logTenSync(l) },
		"With 3 attrs":  func() { child.Info("ctx", slog.Int("a", 1), slog.String("b", "x"), slog.Bool("c", true)) },
	})
	closeLogger(t, l)
}

// requireNoAllocs checks that each call, in steady state, makes no
// allocation (on the caller's goroutine, for an AsyncLogger). Steady state is once every slot
// of the ring has held a record like the call's (a slot's attr buffer is
// made on its first use) and the capture pool is warm.
func requireNoAllocs(t *testing.T, l interface {
	Stats() Stats
	Flush(context.Context) error
}, calls map[string]func()) {
	t.Helper()
	for name, call := range calls {
		for i := range l.Stats().QueueCap + 1000 {
			call()
			if i%512 == 0 {
				require.NoError(t, l.Flush(context.Background()))
			}
		}
		require.NoError(t, l.Flush(context.Background()))
		allocs := testing.AllocsPerRun(1000, call)
		require.Zero(t, allocs, name)
	}
}

// TestWithAllocs: a child logger of a request's ids costs its scope and
// its encoded attrs, with redaction on or off, fused or walked (the
// redaction state is borrowed); a second format adds its line and the
// slice of lines. With default redaction it took 8 allocations before the
// line was sized once and the walked copy kept on the stack, and 3 before
// the state was borrowed.
func TestWithAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation counts")
	}
	for _, c := range []struct {
		cfg Config
		max float64
	}{
		{Config{}, 2},
		{Config{Redactors: []Redactor{}}, 2},
		{Config{Redactors: []Redactor{noopRedactor{}}}, 2}, // walked
		{Config{Sinks: []Sink{NewWriterSink(discard{}), NewLogfmtSink(discard{})}}, 4},
	} {
		l, err := NewAsync(c.cfg)
		require.NoError(t, err)
		allocs := testing.AllocsPerRun(100, func() {
			_ = l.With(slog.String("request_id", "abc-123"), slog.String("user", "ann"))
		})
		require.LessOrEqual(t, allocs, c.max)
		closeLogger(t, l)
	}
}

// TestWithConcurrent makes child loggers on many goroutines at once, each
// With its own values and secrets, in two formats, so that the redaction
// state With borrows serves many callers in turn: every record is written
// once, with its own goroutine's values, and no secret shows.
func TestWithConcurrent(t *testing.T) {
	var js, lf syncBuffer
	l, err := NewSync(Config{Sinks: []Sink{NewWriterSink(&js), NewLogfmtSink(&lf)}})
	require.NoError(t, err)
	const goroutines, each = 16, 300
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				c := l.With(slog.Int("g", g), slog.Int("i", i),
					slog.String(fmt.Sprintf("k%d", (g*each+i)%400), "v"), // more keys than a verdict cache holds
					slog.String("db_password", fmt.Sprintf("pw-%d-%d", g, i)),
					slog.String("note", fmt.Sprintf("retry with token=tk-%d-%d", g, i)))
				c.Info("m")
			}
		})
	}
	wg.Wait()
	closeLogger(t, l)
	seen := make(map[[2]int]bool)
	for line := range strings.Lines(js.String()) {
		var m struct{ G, I int }
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		require.False(t, seen[[2]int{m.G, m.I}], "written twice: %s", line)
		seen[[2]int{m.G, m.I}] = true
		require.Contains(t, line, fmt.Sprintf(`"k%d":"v"`, (m.G*each+m.I)%400))
	}
	require.Len(t, seen, goroutines*each)
	require.Equal(t, goroutines*each, strings.Count(lf.String(), "\n"))
	for _, out := range []string{js.String(), lf.String()} {
		require.NotContains(t, out, "pw-")
		require.NotContains(t, out, "tk-")
	}
}

// discard is io.Discard without the ReadFrom fast path, as a plain writer.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func TestSourceIsTheCallSite(t *testing.T) {
	sink := &memSink{}
	a, err := NewAsync(Config{Sinks: []Sink{sink}, AddSource: true})
	require.NoError(t, err)
	s := a.AsSync()
	var lines []int
	mark := func() { _, _, line, _ := runtime.Caller(1); lines = append(lines, line+1) }
	mark()
	a.Info("a")
	mark()
	s.Warn("s")
	mark()
	a.With(slog.Int("k", 1)).Error("child")
	mark()
	s.Log(context.Background(), slog.LevelInfo, "log")
	mark()
	a.InfoContext(context.Background(), "ctx")
	mark()
	s.WithGroup("g").ErrorContext(context.Background(), "ctx, sync child")
	mark()
	slog.New(a.Handler()).Info("slog")
	mark()
	slog.New(s.Handler()).With("k", 1).LogAttrs(context.Background(), slog.LevelWarn, "slog, sync child")
	mark()
	slog.NewLogLogger(a.Handler(), slog.LevelInfo).Print("log package")
	closeLogger(t, a)
	got := sink.lines(t)
	require.Len(t, got, len(lines))
	for i, m := range got {
		src := m["source"].(map[string]any)
		require.Equal(t, float64(lines[i]), src["line"], "%v", m)
		require.Contains(t, src["file"], "logger_test.go")
		require.Contains(t, src["function"], "TestSourceIsTheCallSite")
	}
}

// TestSourceNotCarriedOverByPooledRecords: a pooled record that held a
// call site must not print it for a logger without AddSource.
func TestSourceNotCarriedOverByPooledRecords(t *testing.T) {
	sink := &memSink{}
	with, err := NewSync(Config{Sinks: []Sink{&memSink{}}, AddSource: true})
	require.NoError(t, err)
	without, err := NewSync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	for range 100 {
		with.Info("a")
		without.Info("b")
	}
	closeLogger(t, with)
	closeLogger(t, without)
	require.NotContains(t, sink.String(), `"source"`)
}
