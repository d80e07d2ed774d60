package fapilog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingWriter discards what it is given and counts the lines, so each
// benchmark can check it wrote what it claims.
type countingWriter struct{ lines, bytes atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.lines.Add(int64(bytes.Count(p, []byte{'\n'})))
	w.bytes.Add(int64(len(p)))
	return len(p), nil
}

var benchTime = time.Date(2026, 11, 26, 12, 0, 0, 123456789, time.UTC)

func attrs5() []slog.Attr {
	return []slog.Attr{
		slog.Int("int", 1), slog.String("string", "four!"), slog.Bool("bool", true),
		slog.Float64("float", 3.14), slog.Time("time", benchTime),
	}
}

func attrs10() []slog.Attr {
	return append(attrs5(),
		slog.Int64("int64", -7), slog.Uint64("uint64", 7), slog.Duration("dur", time.Second),
		slog.String("string2", "a somewhat longer string value"), slog.Int("int2", 42))
}

// benchLogger is an async logger into a counting writer. Block with a
// large queue keeps drops at zero; the benchmark fails if any happen.
func benchLogger(b *testing.B) (*AsyncLogger, *countingWriter) { return benchLoggerQueue(b, 0) }

// benchLoggerQueue is benchLogger with Config.QueueSize n.
func benchLoggerQueue(b *testing.B, n int) (*AsyncLogger, *countingWriter) {
	w := &countingWriter{}
	l, err := NewAsync(Config{Sinks: []Sink{NewWriterSink(w)}, Backpressure: Block, BlockTimeout: -1, QueueSize: n})
	if err != nil {
		b.Fatal(err)
	}
	return l, w
}

// finish closes l and checks that every record the benchmark logged was
// written: nothing dropped, every line counted.
func finish(b *testing.B, l interface {
	Close(context.Context) error
	Stats() Stats
}, w *countingWriter, want int64) {
	b.StopTimer()
	if err := l.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	st := l.Stats()
	if st.Dropped != 0 || st.Failed != 0 {
		b.Fatalf("dropped %d, failed %d", st.Dropped, st.Failed)
	}
	if got := w.lines.Load(); got != want {
		b.Fatalf("wrote %d lines, want %d", got, want)
	}
	b.ReportMetric(float64(st.Batches), "batches")
}

// logChunked calls log b.N times from one goroutine, in chunks that fit
// the queue, and flushes between chunks with the timer stopped. The queue
// never fills, so the figure is the caller's cost: with the queue full the
// caller would wait for the worker, and measure the worker's throughput.
// The worker encodes and writes concurrently, on the other core.
func logChunked(b *testing.B, l *AsyncLogger, log func()) {
	chunk := l.Stats().QueueCap / 2
	b.ReportAllocs()
	b.ResetTimer()
	for n := b.N; n > 0; n -= chunk {
		for range min(n, chunk) {
			log()
		}
		b.StopTimer()
		if err := l.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkAsyncCaller is the cost to the caller of an async log call.
func BenchmarkAsyncCaller(b *testing.B) {
	cases := []struct {
		name  string
		attrs []slog.Attr
		with  bool
	}{
		{"attrs=0", nil, false},
		{"attrs=5", attrs5(), false},
		{"attrs=10", attrs10(), false},
		{"with=10/attrs=0", nil, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			l, w := benchLogger(b)
			lg := l
			if c.with {
				lg = l.With(attrs10()...)
			}
			logChunked(b, l, func() {
				lg.Info("Test logging, but use a somewhat realistic message length.", c.attrs...)
			})
			finish(b, l, w, int64(b.N))
		})
	}
}

// BenchmarkSlogCaller is the cost to the caller of logging through
// log/slog: our async handler, and slog's JSONHandler writing to
// io.Discard for comparison, in the same run. slog.Logger's own work
// (runtime.Callers for the PC, a Record with more than five attrs
// allocating) is in both.
func BenchmarkSlogCaller(b *testing.B) {
	const msg = "Test logging, but use a somewhat realistic message length."
	ctx := context.Background()
	as := attrs10()
	cases := []struct {
		name string
		with bool
		run  func(*slog.Logger)
		logs bool
	}{
		{"attrs=0", false, func(l *slog.Logger) { l.LogAttrs(ctx, slog.LevelInfo, msg) }, true},
		{"attrs=10", false, func(l *slog.Logger) { l.LogAttrs(ctx, slog.LevelInfo, msg, as...) }, true},
		{"with=10/attrs=0", true, func(l *slog.Logger) { l.LogAttrs(ctx, slog.LevelInfo, msg) }, true},
		{"disabled", false, func(l *slog.Logger) { l.LogAttrs(ctx, slog.LevelDebug, msg, as...) }, false},
	}
	child := func(l *slog.Logger, with bool) *slog.Logger {
		if with {
			return l.With(attrsToArgs(attrs10())...)
		}
		return l
	}
	for _, c := range cases {
		b.Run("handler=fapilog/"+c.name, func(b *testing.B) {
			l, w := benchLogger(b)
			sl := child(slog.New(l.Handler()), c.with)
			logChunked(b, l, func() { c.run(sl) })
			want := int64(b.N)
			if !c.logs {
				want = 0
			}
			finish(b, l, w, want)
		})
		b.Run("handler=slog.JSON/"+c.name, func(b *testing.B) {
			sl := child(slog.New(slog.NewJSONHandler(io.Discard, nil)), c.with)
			b.ReportAllocs()
			for b.Loop() {
				c.run(sl)
			}
		})
	}
}

// BenchmarkAsyncEndToEnd includes the worker's encoding and writing: the
// Flush that waits for the last record is inside the timed region.
func BenchmarkAsyncEndToEnd(b *testing.B) {
	l, w := benchLogger(b)
	as := attrs10()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Info("Test logging, but use a somewhat realistic message length.", as...)
		}
	})
	if err := l.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	finish(b, l, w, int64(b.N))
}

// BenchmarkSync is a SyncLogger with one caller, and with exactly 8
// concurrent callers (b.N calls split between them) sharing batch writes.
func BenchmarkSync(b *testing.B) {
	for _, par := range []int{1, 8} {
		b.Run(fmt.Sprintf("goroutines=%d", par), func(b *testing.B) {
			w := &countingWriter{}
			l, err := NewSync(Config{Sinks: []Sink{NewWriterSink(w)}})
			if err != nil {
				b.Fatal(err)
			}
			as := attrs10()
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			for i := range par {
				wg.Go(func() {
					for range share(b.N, par, i) {
						l.Info("Test logging, but use a somewhat realistic message length.", as...)
					}
				})
			}
			wg.Wait()
			finish(b, l, w, int64(b.N))
		})
	}
}

// BenchmarkEncodeRecord is the worker's encoding of one record alone.
func BenchmarkEncodeRecord(b *testing.B) {
	r := &record{time: benchTime, level: slog.LevelInfo, msg: "Test logging, but use a somewhat realistic message length.", scope: rootScope.withAttrs(attrs5())}
	r.addAttrs(attrs10())
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = r.appendJSON(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

// benchStages returns the worker's per-record stages for cfg, and a record
// of 10 attrs in a scope of 5, to measure them without the queue.
func benchStages(b *testing.B, cfg Config) (*stages, *record) {
	p := testStages(b, cfg)
	r := &record{time: benchTime, level: slog.LevelInfo, msg: "Test logging, but use a somewhat realistic message length.", scope: p.withAttrs(rootScope, attrs5())}
	return p, r
}

// benchRecordStages times enriching, redacting and encoding r, as the
// worker does for each record. The attrs are restored before each run,
// since redaction masks them in place.
func benchRecordStages(b *testing.B, p *stages, r *record, attrs []slog.Attr) {
	r.addAttrs(attrs)
	orig := slices.Clone(r.attrs)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		copy(r.attrs, orig)
		buf = p.appendRecord(buf[:0], r)
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkRedact is the worker's cost of a 10-attr record (in a With
// scope of 5) with redaction off, with DefaultRedactors when nothing
// matches and when two fields match (a secret key and a URL with
// credentials), and with every built-in pattern added.
func BenchmarkRedact(b *testing.B) {
	all := append(DefaultRedactors(), RedactPatterns(CardNumbers(), EmailAddresses(), JWTs(), BearerTokens(), AWSAccessKeyIDs(), SSNs()))
	match := append(attrs10()[:8], slog.String("password", "hunter2"), slog.String("dsn", "postgres://app:hunter2@db:5432/orders"))
	cases := []struct {
		name      string
		redactors []Redactor
		attrs     []slog.Attr
	}{
		{"off", []Redactor{}, attrs10()},
		{"default/nomatch", nil, attrs10()},
		{"default/match", nil, match},
		{"patterns/nomatch", all, attrs10()},
		{"patterns/match", all, append(attrs10()[:9], slog.String("note", "card 4111 1111 1111 1111 from bob@example.com"))},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			p, r := benchStages(b, Config{Redactors: c.redactors})
			benchRecordStages(b, p, r, c.attrs)
		})
	}
}

// BenchmarkRedactAny is the worker's cost of redacting a map captured by
// slog.Any: the JSON walk, with nothing to mask and with one key to mask.
func BenchmarkRedactAny(b *testing.B) {
	type user struct {
		ID    int
		Name  string
		Email string
		Roles []string
		Prefs map[string]string
	}
	u := user{ID: 42, Name: "Ann", Email: "ann at example", Roles: []string{"admin", "dev"}, Prefs: map[string]string{"theme": "dark", "lang": "en"}}
	for _, c := range []struct {
		name  string
		value any
	}{
		{"nomatch", u},
		{"match", map[string]any{"user": u, "token": "abc"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			p, r := benchStages(b, Config{})
			benchRecordStages(b, p, r, []slog.Attr{slog.Any("v", c.value)})
		})
	}
}

// BenchmarkWith is a request's child logger: With two ids, then one call
// of three attrs on it, the caller's cost (the worker writes meanwhile).
func BenchmarkWith(b *testing.B) {
	l, w := benchLogger(b)
	b.ReportAllocs()
	for n := b.N; n > 0; n -= tenBurst {
		for range min(n, tenBurst) {
			c := l.With(slog.String("request_id", "abc-123"), slog.String("user", "ann"))
			c.Info("handled", slog.Int("status", 200), slog.Int("bytes", 5120), slog.String("path", "/api/v1/orders"))
		}
		b.StopTimer()
		if err := l.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	finish(b, l, w, int64(b.N))
}

// BenchmarkEnrichStatic is the worker's cost of a 10-attr record with
// ServiceInfo, HostInfo and RuntimeInfo (8 fields, encoded once), against
// none.
func BenchmarkEnrichStatic(b *testing.B) {
	for _, c := range []struct {
		name      string
		enrichers []Enricher
	}{
		{"none", nil},
		{"service+host+runtime", []Enricher{ServiceInfo("checkout", "prod", "1.4.2"), HostInfo(), RuntimeInfo()}},
	} {
		b.Run(c.name, func(b *testing.B) {
			p, r := benchStages(b, Config{Enrichers: c.enrichers})
			benchRecordStages(b, p, r, attrs10())
		})
	}
}

// signalSink tells a channel each time a batch is written.
type signalSink struct {
	writerSink
	written chan int
}

func (s signalSink) WriteBatch(b *Batch) error {
	s.written <- b.Len()
	return nil
}

// BenchmarkIdleLatency is the time from an async call into an idle logger
// (worker parked) to its record being in the sink, with no Flush: the
// worker wakes on the enqueue, it does not wait to fill a batch.
func BenchmarkIdleLatency(b *testing.B) {
	sink := signalSink{written: make(chan int, 1)}
	l, err := NewAsync(Config{Sinks: []Sink{sink}})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		l.Info("ping")
		n += <-sink.written
		for !l.w.q.sleeping.Load() { // let the worker park again (timed too: an upper bound)
			runtime.Gosched()
		}
	}
	b.StopTimer()
	if err := l.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	if st := l.Stats(); n != b.N || st.Written != uint64(n) {
		b.Fatalf("wrote %d, want %d (%+v)", n, b.N, st)
	}
}

// The ring against a buffered channel.

const (
	// benchCap is the capacity of both the ring and the channel.
	benchCap = 1024
	// benchBatch is the most items the ring consumer takes per drain.
	benchBatch = 256
	// workIters makes work take about 130 ns (see BenchmarkWork), a
	// stand-in for the cost of building a small record.
	workIters = 78
)

// benchProducers are the producer counts each benchmark runs with.
var benchProducers = []int{1, 4, 8}

// work stands in for per-item producer work; its result feeds the queued
// item so the compiler cannot drop it.
func work(iters int, x uint64) uint64 {
	for range iters {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// share returns how many of n items producer i of p sends.
func share(n, p, i int) int {
	if i < n%p {
		return n/p + 1
	}
	return n / p
}

// benchQueue sends b.N items from producers goroutines, each doing iters
// of work per item, through send to consume, which runs on its own
// goroutine and returns how many items it received once it has want.
func benchQueue(b *testing.B, producers, iters int, send func(uint64), consume func(want int) int) {
	received := make(chan int)
	b.ReportAllocs()
	b.ResetTimer()
	go func() { received <- consume(b.N) }()
	var wg sync.WaitGroup
	for i := range producers {
		wg.Go(func() {
			x := uint64(i + 1)
			for range share(b.N, producers, i) {
				x = work(iters, x)
				send(x)
			}
		})
	}
	wg.Wait()
	n := <-received
	b.StopTimer()
	if n != b.N {
		b.Fatalf("received %d items, want %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// benchRing runs benchQueue through a ring whose consumer drains in
// batches and parks when the ring is empty.
func benchRing(b *testing.B, producers, iters int) {
	r := newRing[uint64](benchCap)
	send := func(x uint64) {
		if _, err := r.enqueue(x, time.Time{}); err != nil {
			panic(err) // the consumer would wait forever
		}
	}
	benchQueue(b, producers, iters, send, func(want int) int {
		n := 0
		batch := make([]uint64, 0, benchBatch)
		for n < want {
			batch = r.drain(batch[:0], benchBatch)
			n += len(batch)
			if len(batch) == 0 {
				r.wait(nil)
			}
		}
		return n
	})
}

// benchChan runs benchQueue through a buffered channel of the same
// capacity, whose consumer receives one item at a time.
func benchChan(b *testing.B, producers, iters int) {
	ch := make(chan uint64, benchCap)
	benchQueue(b, producers, iters, func(x uint64) { ch <- x }, func(want int) int {
		for range want {
			<-ch
		}
		return want
	})
}

// runProducers runs bench once per producer count as a sub-benchmark.
func runProducers(b *testing.B, bench func(*testing.B, int, int), iters int) {
	for _, p := range benchProducers {
		b.Run(fmt.Sprintf("producers=%d", p), func(b *testing.B) {
			bench(b, p, iters)
		})
	}
}

// BenchmarkRing measures the ring's per-item cost with idle producers.
func BenchmarkRing(b *testing.B) { runProducers(b, benchRing, 0) }

// BenchmarkChan is BenchmarkRing for a buffered channel.
func BenchmarkChan(b *testing.B) { runProducers(b, benchChan, 0) }

// BenchmarkRingWork is BenchmarkRing with about 130 ns of producer work per
// item, closer to a logger, where batching and fewer wake-ups pay off.
func BenchmarkRingWork(b *testing.B) { runProducers(b, benchRing, workIters) }

// BenchmarkChanWork is BenchmarkRingWork for a buffered channel.
func BenchmarkChanWork(b *testing.B) { runProducers(b, benchChan, workIters) }

// BenchmarkWork measures the simulated producer work alone, to check that
// workIters is near 130 ns on the machine at hand.
func BenchmarkWork(b *testing.B) {
	x := uint64(1)
	for b.Loop() {
		x = work(workIters, x)
	}
	if x == 0 {
		b.Log(x) // keep x live
	}
}

// The "ten primitive attrs" record of the hot-path goals: 3 strings, 3
// ints, 2 floats, a bool and a duration, logged with a direct call, as
// applications do, so that the attrs stay on the caller's stack.
const tenMsg = "Test logging, but use a somewhat realistic message length."

// tenAttrs fills a with the record's attrs, built per call as at a call
// site; an array on the caller's stack keeps them there.
func tenAttrs(a *[10]slog.Attr) []slog.Attr {
	*a = [10]slog.Attr{
		slog.String("method", "GET"), slog.String("path", "/api/v1/orders/1042"), slog.String("user", "ann"),
		slog.Int("status", 200), slog.Int("bytes", 5120), slog.Int("items", 3),
		slog.Float64("ratio", 0.875), slog.Float64("cost", 12.5),
		slog.Bool("cached", true), slog.Duration("took", 1500*time.Microsecond),
	}
	return a[:]
}

func logTen(l *AsyncLogger) {
	var a [10]slog.Attr
	l.Info(tenMsg, tenAttrs(&a)...)
}

func logTenSync(l *SyncLogger) {
	var a [10]slog.Attr
	l.Info(tenMsg, tenAttrs(&a)...)
}

// logTenVia logs the same record through a func value: the compiler
// cannot see where the attrs go, so they escape to the heap on every call
// and the GC runs throughout, as when a logger hides behind an interface
// or a callback.
func logTenVia(info func(string, ...slog.Attr)) {
	var a [10]slog.Attr
	info(tenMsg, tenAttrs(&a)...)
}

// benchE2E logs b.N records with log on l, from one goroutine or from
// RunParallel's, and times them until l has written them all.
func benchE2E(b *testing.B, l *AsyncLogger, w *countingWriter, parallel bool, log func(*AsyncLogger)) {
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				log(l)
			}
		})
	} else {
		for range b.N {
			log(l)
		}
	}
	if err := l.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	finish(b, l, w, int64(b.N))
}

// BenchmarkTenAttrsQueueSize is TenAttrs/funcvalue/e2e (the GC busy) with
// queues of three sizes: every GC cycle marks the slots' attr buffers, so
// a smaller queue makes this row cheaper (and absorbs shorter bursts).
func BenchmarkTenAttrsQueueSize(b *testing.B) {
	for _, n := range []int{1024, 4096, DefaultQueueSize} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			l, w := benchLoggerQueue(b, n)
			benchE2E(b, l, w, false, func(l *AsyncLogger) { logTenVia(l.Info) })
		})
	}
}

// tenBurst is the burst of the caller-cost row: a burst fits any queue,
// and the Flush after it is untimed.
const tenBurst = 512

// BenchmarkTenAttrs is one row per hot-path goal, all with the default
// config (default redaction on) into a discarding sink:
//
//   - caller: the async caller's cost, bursts of 512 with the Flush between
//     bursts untimed;
//   - e2e: one goroutine, every record encoded and written, the final
//     Flush timed;
//   - parallel: e2e from b.RunParallel callers;
//   - sync: the SyncLogger, one goroutine;
//   - funcvalue/e2e and funcvalue/parallel: e2e through a func value (the
//     attrs escape: GC busy);
//   - slog.JSONHandler: slog's own handler writing to io.Discard, for scale.
func BenchmarkTenAttrs(b *testing.B) {
	b.Run("caller", func(b *testing.B) {
		l, w := benchLogger(b)
		b.ReportAllocs()
		b.ResetTimer()
		for n := b.N; n > 0; n -= tenBurst {
			for range min(n, tenBurst) {
				logTen(l)
			}
			b.StopTimer()
			if err := l.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		finish(b, l, w, int64(b.N))
	})
	e2e := func(b *testing.B, parallel bool, log func(*AsyncLogger)) {
		l, w := benchLogger(b)
		benchE2E(b, l, w, parallel, log)
	}
	via := func(l *AsyncLogger) { logTenVia(l.Info) }
	b.Run("e2e", func(b *testing.B) { e2e(b, false, logTen) })
	b.Run("parallel", func(b *testing.B) { e2e(b, true, logTen) })
	b.Run("sync", func(b *testing.B) {
		w := &countingWriter{}
		l, err := NewSync(Config{Sinks: []Sink{NewWriterSink(w)}})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			logTenSync(l)
		}
		finish(b, l, w, int64(b.N))
	})
	b.Run("funcvalue/e2e", func(b *testing.B) { e2e(b, false, via) })
	b.Run("funcvalue/parallel", func(b *testing.B) { e2e(b, true, via) })
	b.Run("slog.JSONHandler", func(b *testing.B) {
		l := slog.New(slog.NewJSONHandler(io.Discard, nil))
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			var a [10]slog.Attr
			l.LogAttrs(ctx, slog.LevelInfo, tenMsg, tenAttrs(&a)...)
		}
	})
}

// BenchmarkTenAttrsWorker is the worker's cost of one "ten primitive
// attrs" record (enrich, redact, encode), with the default config, with
// redaction off, with UniqueKeys, in logfmt and console (no color)
// instead of JSON, and in JSON and logfmt both (two sinks): the part of
// the end-to-end figure that one core does for all callers. In
// "fresh-msgs" every record's message is another string (4096 of
// them in turn, each as long as tenMsg), so the message cache always
// misses, as for messages made anew for every call. Every record has
// its own time, as records do (a fixed time's fraction, formatted the
// same way every time, read ~17 ns cheaper).
func BenchmarkTenAttrsWorker(b *testing.B) {
	fresh := make([]string, 4096)
	times := make([]time.Time, 4096)
	for i := range fresh {
		fresh[i] = fmt.Sprintf("%s%5d", tenMsg[:len(tenMsg)-5], i)
		times[i] = benchTime.Add(time.Duration(i) * 1371)
	}
	for _, c := range []struct {
		name string
		cfg  Config
		msgs []string
	}{
		{"default", Config{}, nil},
		{"fresh-msgs", Config{}, fresh},
		{"redaction=off", Config{Redactors: []Redactor{}}, nil},
		{"uniquekeys", Config{UniqueKeys: true}, nil},
		{"logfmt", Config{Sinks: []Sink{NewLogfmtSink(io.Discard)}}, nil},
		{"console", Config{Sinks: []Sink{NewConsoleSink(io.Discard, ConsoleOptions{Color: ColorNever})}}, nil},
		{"json+logfmt", Config{Sinks: []Sink{NewWriterSink(io.Discard), NewLogfmtSink(io.Discard)}}, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			p := testStages(b, c.cfg)
			r := &record{time: benchTime, level: slog.LevelInfo, msg: tenMsg, scope: rootScope}
			r.attrs = tenAttrs(new([10]slog.Attr))
			bufs := make([][]byte, len(p.fmts))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r.time = times[i%len(times)]
				if c.msgs != nil {
					r.msg = c.msgs[i%len(c.msgs)]
				}
				i++
				p.begin(r)
				for f := range bufs {
					bufs[f] = p.encode(f, bufs[f][:0], r)
				}
				p.end()
			}
			b.SetBytes(int64(len(bufs[0])))
		})
	}
}

// BenchmarkTenAttrsSyncFloor is the least a sync "ten primitive attrs"
// call can cost with this encoder, one goroutine: read the clock, copy
// the attrs, enrich, redact and encode (default config), write the line
// to a counting writer — no queue, lock, batch or accounting. Against
// TenAttrs/sync it shows what the pipeline's machinery costs.
func BenchmarkTenAttrsSyncFloor(b *testing.B) {
	p := testStages(b, Config{})
	r := &record{level: slog.LevelInfo, msg: tenMsg, scope: rootScope}
	w := &countingWriter{}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var a [10]slog.Attr
		buf = syncFloorCall(p, r, buf, w, tenAttrs(&a)...)
	}
}

// syncFloorCall is one call of BenchmarkTenAttrsSyncFloor; not inlined, as
// a logger's call is not.
//
//go:noinline
func syncFloorCall(p *stages, r *record, buf []byte, w io.Writer, attrs ...slog.Attr) []byte {
	r.time = now()
	r.own = append(r.own[:0], attrs...)
	r.attrs = r.own
	p.begin(r)
	buf = p.encode(0, buf[:0], r)
	p.end()
	w.Write(buf)
	return buf
}

// slowSink takes delay per batch and counts the records it is given.
type slowSink struct {
	countingWriter
	delay time.Duration
}

func (s *slowSink) WriteBatch(b *Batch) error {
	time.Sleep(s.delay)
	_, err := s.Write(b.Bytes())
	return err
}
func (s *slowSink) Flush() error { return nil }
func (s *slowSink) Close() error { return nil }

// BenchmarkSinkIsolation is the throughput of a fast sink alone, and
// beside a sink that takes 5 ms per write (and drops what its buffer
// cannot hold, as SinkDropNewest asks): records/s through the fast sink,
// from RunParallel callers under Block, so that the queue drops nothing.
// Isolation holds when the two figures are within 10% of each other and
// the fast sink got every record.
func BenchmarkSinkIsolation(b *testing.B) {
	for _, slow := range []bool{false, true} {
		name := "fast"
		if slow {
			name = "fast+slow5ms"
		}
		b.Run(name, func(b *testing.B) {
			fast := &countingWriter{}
			sinks := []Sink{NewWriterSink(fast)}
			if slow {
				sinks = append(sinks, WithOptions(&slowSink{delay: 5 * time.Millisecond}, SinkOptions{Backpressure: SinkDropNewest}))
			}
			l, err := NewAsync(Config{Sinks: sinks, Backpressure: Block, BlockTimeout: -1, DropSummaryEvery: -1})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					logTen(l)
				}
			})
			// Until the fast sink has every record: a Flush would wait for
			// the slow one too.
			for fast.lines.Load() < int64(b.N) {
				time.Sleep(20 * time.Microsecond)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fast-records/s")
			if err := l.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			st := l.Stats()
			if st.Sinks[0].Written != uint64(b.N) || st.Sinks[0].Dropped != 0 || fast.lines.Load() != int64(b.N) {
				b.Fatalf("the fast sink wrote %d of %d records: %+v", st.Sinks[0].Written, b.N, st.Sinks[0])
			}
			if slow {
				b.ReportMetric(float64(st.Sinks[1].Dropped), "slow-dropped")
			}
			if err := l.Close(context.Background()); err != nil && !errors.As(err, new(*LossError)) {
				b.Fatal(err)
			}
		})
	}
}

// benchUser is zap's benchmark user object, a LogValuer here.
type benchUser struct {
	Name, Email string
	CreatedAt   time.Time
}

func (u *benchUser) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", u.Name), slog.String("email", u.Email), slog.Int64("createdAt", u.CreatedAt.UnixNano()))
}

// benchUsers is zap's list of users, a LogValuer of a group keyed by
// index, as in the benchmarks module.
type benchUsers []*benchUser

func (us benchUsers) LogValue() slog.Value {
	as := make([]slog.Attr, len(us))
	for i, u := range us {
		as[i] = slog.Any(strconv.Itoa(i), u)
	}
	return slog.GroupValue(as...)
}

// benchOrder is a struct as applications log them with slog.Any.
type benchOrder struct {
	ID       string `json:"id"`
	Customer struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"customer"`
	Items     []benchItem `json:"items"`
	Total     float64     `json:"total"`
	CreatedAt time.Time   `json:"created_at"`
	Status    string      `json:"status"`
}

type benchItem struct {
	SKU   string  `json:"sku"`
	Qty   int     `json:"qty"`
	Price float64 `json:"price"`
}

// workerShapes are records of other shapes than the ten primitive attrs,
// for BenchmarkWorkerShapes: what redaction costs when values are not
// plain. Their attrs are captured, as a call captures them.
func workerShapes() map[string]*record {
	at := time.Date(2026, 11, 27, 21, 43, 36, 123456789, time.UTC)
	u := &benchUser{"Jane Doe", "jane@example.com", time.Date(1980, 1, 1, 12, 0, 0, 0, time.UTC)}
	var times []time.Time
	for i := range 10 {
		times = append(times, at.Add(time.Duration(i)*time.Minute))
	}
	var o benchOrder
	o.ID, o.Total, o.CreatedAt, o.Status = "ord_1042", 45.24, at, "paid"
	o.Customer.Name, o.Customer.Email = "Jane Doe", "jane@example.com"
	o.Items = []benchItem{{"A-1", 2, 9.5}, {"B-2", 1, 19.99}, {"C-3", 5, 1.25}}
	shapes := map[string][]slog.Attr{
		// A request log: an id, a user agent, an error, a group, a time.
		"request": {slog.String("request_id", "7f3c2a1e-9b4d-4e8a-b2c1-0d5e6f7a8b9c"), slog.String("method", "POST"),
			slog.String("path", "/v1/orders"), slog.Int("status", 201), slog.Duration("latency", 12*time.Millisecond),
			slog.String("user_agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"),
			slog.Any("error", errors.New("dial tcp 10.0.0.1:5432: connect: connection refused")),
			slog.Group("client", slog.String("ip", "10.1.2.3"), slog.Int("port", 51234)), slog.Time("started", at),
			slog.String("user", "jane@example.com")},
		// A struct, encoded to JSON at capture and walked for redaction.
		"struct": {slog.Any("order", o), slog.String("request_id", "7f3c2a1e-9b4d-4e8a-b2c1-0d5e6f7a8b9c")},
		// zap's "10 fields" but for its list of ten users: slices of ints,
		// strings and times, two LogValuer users, an error.
		"zap10": {slog.Int("int", 1), slog.Any("ints", []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), slog.String("string", "a"),
			slog.Any("strings", []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}), slog.Time("time", at),
			slog.Any("times", times), slog.Any("user1", u), slog.Any("user2", u), slog.Any("error", errors.New("fail"))},
	}
	// zap's "10 fields" whole: with its list of ten users, each a group.
	us := benchUsers{u, u, u, u, u, u, u, u, u, u}
	shapes["zap10full"] = append(slices.Clone(shapes["zap10"]), slog.Any("users", us))
	records := map[string]*record{}
	for name, attrs := range shapes {
		records[name] = &record{time: benchTime, level: slog.LevelInfo, msg: "request completed", scope: rootScope,
			attrs: capturedAttrs(attrs)}
	}
	return records
}

// BenchmarkWorkerShapes is the worker's encoding of records of other
// shapes (see workerShapes) alone, with default redaction and without:
// the difference is what redaction costs them.
func BenchmarkWorkerShapes(b *testing.B) {
	records := workerShapes()
	for _, shape := range []string{"request", "struct", "zap10", "zap10full"} {
		for _, c := range []struct {
			name string
			cfg  Config
		}{{"default", Config{}}, {"redaction=off", Config{Redactors: []Redactor{}}}} {
			b.Run(shape+"/"+c.name, func(b *testing.B) {
				p := testStages(b, c.cfg)
				r := records[shape]
				var buf []byte
				b.ReportAllocs()
				for b.Loop() {
					p.begin(r)
					buf = p.encode(0, buf[:0], r)
					p.end()
				}
				b.SetBytes(int64(len(buf)))
			})
		}
	}
}

// BenchmarkWorkerMessages is the worker's encoding of message-only
// records whose messages take turns, n distinct ones of zap's benchmark
// length: the message cache's hits (n small) and misses (n beyond what
// its table holds).
func BenchmarkWorkerMessages(b *testing.B) {
	for _, n := range []int{1, 256, 1000, 4 * msgCacheSize} {
		msgs := make([]string, n)
		for i := range msgs {
			msgs[i] = fmt.Sprintf("Test logging, but use a somewhat realistic message length. (#%v)", i)
		}
		b.Run(fmt.Sprint("n=", n), func(b *testing.B) {
			p := testStages(b, Config{})
			r := &record{time: benchTime, level: slog.LevelInfo, scope: rootScope}
			var buf []byte
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				r.msg = msgs[i%n]
				i++
				p.begin(r)
				buf = p.encode(0, buf[:0], r)
				p.end()
			}
		})
	}
}

// BenchmarkCapture is the caller's side of zap's "10 fields" call, its
// ten users included: building the attrs (as the call site does; the
// LogValuers run in capture) and capturing them, as a call whose values
// are not all plain does before it queues the record. Beside
// BenchmarkWorkerShapes/zap10full, it shows how the work of such a record
// is split between the caller and the worker.
func BenchmarkCapture(b *testing.B) {
	w, err := newWorker(Config{Sinks: []Sink{NewWriterSink(discard{})}})
	if err != nil {
		b.Fatal(err)
	}
	defer w.close(context.Background())
	at := time.Date(2026, 11, 27, 21, 43, 36, 123456789, time.UTC)
	u := &benchUser{"Jane Doe", "jane@example.com", time.Date(1980, 1, 1, 12, 0, 0, 0, time.UTC)}
	var times []time.Time
	for i := range 10 {
		times = append(times, at.Add(time.Duration(i)*time.Minute))
	}
	us := benchUsers{u, u, u, u, u, u, u, u, u, u}
	ints := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	strs := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	fail := errors.New("fail")
	b.ReportAllocs()
	for b.Loop() {
		a := [10]slog.Attr{slog.Int("int", 1), slog.Any("ints", ints), slog.String("string", "a"),
			slog.Any("strings", strs), slog.Time("time", at), slog.Any("times", times), slog.Any("user1", u),
			slog.Any("user2", u), slog.Any("users", us), slog.Any("error", fail)}
		w.capture(context.Background(), nil, nil, a[:]).free()
	}
}
