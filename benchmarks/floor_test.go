package benchmarks

import (
	"log/slog"
	"testing"
	"time"
)

// BenchmarkAddingFieldsFloor is the least that a logger keeping fapilog's
// guarantee (a record's values are fixed when the call returns) must do on
// the calling goroutine for zap's "10 fields" record through slog's API,
// from b.RunParallel's goroutines as AddingFields/e2e/… runs: call the
// LogValuers (user code: each user's LogValue allocates its group, the
// list's allocates its ten members) and copy the three slices, whose
// elements the caller may change after the call, into buffers reused from
// call to call. Nothing is encoded or written, and nothing else a capture
// does is done (the error, the ring slot), so it is below what any such
// logger pays. Beside AddingFields/e2e/zerolog in one run it bounds what
// that goal can reach.
func BenchmarkAddingFieldsFloor(b *testing.B) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var (
			ints  []int
			strs  []string
			times []time.Time
		)
		for pb.Next() {
			var a [10]slog.Attr
			for i, at := range slogFields10(&a) {
				a[i].Value = resolveDeep(at.Value)
			}
			ints = append(ints[:0], tenInts...)
			strs = append(strs[:0], tenStrings...)
			times = append(times[:0], tenTimes...)
		}
	})
}

// resolveDeep resolves v's LogValuers, those of its group members
// included, as slog.Value.Resolve does one level at a time.
func resolveDeep(v slog.Value) slog.Value {
	v = v.Resolve()
	if v.Kind() == slog.KindGroup {
		g := v.Group() // the LogValuer's own slice, fresh from its call
		for i := range g {
			g[i].Value = resolveDeep(g[i].Value)
		}
	}
	return v
}
