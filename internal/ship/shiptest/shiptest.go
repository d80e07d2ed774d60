// Package shiptest has test helpers for the shipping sinks: a fake clock
// whose sleeps return at once, and batches built from plain records.
package shiptest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/internal/ship"
)

// A Clock is a fake clock: Sleep advances it at once and records the wait.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

// NewClock returns a Clock at a fixed instant.
func NewClock() *Clock { return ClockAt(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) }

// ClockAt returns a Clock at t.
func ClockAt(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the fake time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleep advances the clock by d, unless ctx is done.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

// Sleeps returns the waits so far.
func (c *Clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// Config returns sender hooks using c and a jitter that always draws the
// largest wait, so delays are predictable.
func (c *Clock) Config() ship.Config {
	return ship.Config{Now: c.Now, Sleep: c.Sleep, Rand: func(n int64) int64 { return n - 1 }}
}

// Batch returns a batch of n records `{"time":…,"level":"INFO","msg":"m<i>","seq":<i>}`
// numbered from first.
func Batch(first, n int) *fapilog.Batch {
	b := &fapilog.Batch{}
	t := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	for i := first; i < first+n; i++ {
		b.Append(t, slog.LevelInfo, fmt.Appendf(nil, `{"time":%q,"level":"INFO","msg":"m%d","seq":%d}`+"\n", t.Format(time.RFC3339Nano), i, i))
	}
	return b
}

// Realistic returns a batch of n records shaped like an application's:
// a sentence of a message and ten fields of mixed types, about 330 bytes
// each.
func Realistic(n int) *fapilog.Batch {
	b := &fapilog.Batch{}
	t := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	for i := range n {
		b.Append(t, slog.LevelInfo, fmt.Appendf(nil, `{"time":%q,"level":"INFO","msg":"Test logging, but use a somewhat realistic message length. (#%d)",`+
			`"int":%d,"ints":[0,1,2,3,4],"string":"four!","strings":["a","b"],"time2":%q,"user":{"name":"Jane Doe","email":"jane@example.com","created_at":%q},`+
			`"ratio":0.75,"ok":true,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","error":"fail"}`+"\n",
			t.Format(time.RFC3339Nano), i, i, t.Format(time.RFC3339Nano), t.Format(time.RFC3339Nano)))
	}
	return b
}

// ReportRecords reports records/s for a benchmark that wrote n records
// per iteration.
func ReportRecords(b *testing.B, total int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(total)/s, "records/s")
	}
}

// BenchWrite writes batch to sink b.N times (b.Loop) and reports bytes/s
// and records/s; the sink is closed at the end.
func BenchWrite(b *testing.B, sink fapilog.Sink, batch *fapilog.Batch) {
	defer sink.Close()
	b.SetBytes(int64(len(batch.Bytes())))
	for b.Loop() {
		if err := sink.WriteBatch(batch); err != nil {
			b.Fatal(err)
		}
	}
	ReportRecords(b, b.N*batch.Len())
}

// BenchPlainAndGzip runs BenchWrite with 256 realistic records on a sink
// made by newSink, once without gzip and once with it.
func BenchPlainAndGzip(b *testing.B, newSink func(gzip bool) (fapilog.Sink, error)) {
	for _, gz := range []bool{false, true} {
		name := "plain"
		if gz {
			name = "gzip"
		}
		b.Run(name, func(b *testing.B) {
			s, err := newSink(gz)
			if err != nil {
				b.Fatal(err)
			}
			BenchWrite(b, s, Realistic(256))
		})
	}
}
