package benchmarks

import (
	"math"
	"slices"
	"sync"
	"testing"
	"time"
)

// A slow sink: every Write takes slowWrite (1 ms), one at a time.
// slowGoroutines callers each log slowPerG request records at a fixed pace
// of one per slowPace, and the latency of every call is recorded. One
// benchmark op is the whole scenario (ns/op is its wall time, drain
// included); the percentiles are over the calls of all ops. The 2000
// records of an op are twice what zerolog's diode (1000 slots) can hold,
// so that its drops show.
const (
	slowGoroutines = 4
	slowPerG       = 500
	slowPace       = 50 * time.Microsecond
)

var slowLoggers = []string{
	"zap", "zap.buffered", "zerolog", "zerolog.diode", "fapilog.async", "fapilog.sync",
}

func BenchmarkSlowSink(b *testing.B) {
	for _, name := range slowLoggers {
		b.Run(name, func(b *testing.B) { runSlow(b, name, 0) })
	}
}

// BenchmarkFirstLap is SlowSink's fapilog.async row twice: "fresh", as
// there, and "warm", where each op first logs firstLap records and waits
// for them, so that every slot of the ring (16384) has held a record
// before the paced calls. The difference is a new logger's first lap: a
// call into a slot never used allocates the slot's attr buffer.
func BenchmarkFirstLap(b *testing.B) {
	for _, warm := range []int{0, firstLap} {
		b.Run(map[bool]string{false: "fresh", true: "warm"}[warm > 0], func(b *testing.B) {
			runSlow(b, "fapilog.async", warm)
		})
	}
}

// firstLap is more records than the default ring has slots.
const firstLap = 20000

// runSlow is one row of BenchmarkSlowSink for logger name, after warm
// records logged at once and waited for (untimed for the percentiles).
func runSlow(b *testing.B, name string, warm int) {
	const logged = slowGoroutines * slowPerG
	var lat []time.Duration
	var lost int64
	var s subject
	for range b.N {
		sink := &slowSink{}
		s = loggers[name](b, sink, request)
		if warm > 0 {
			for i := range warm {
				s.log(i)
			}
			s.mustFlush(b, int64(warm))
		}
		lat = append(lat, paced(s.log)...)
		s.mustFlush(b, int64(warm+logged))
		s.mustClose(b)
		lost += s.lost(b, sink.lines(), int64(warm+logged))
	}
	b.StopTimer()
	slices.Sort(lat)
	for _, p := range []struct {
		q    float64
		unit string
	}{{0.5, "p50-ns"}, {0.99, "p99-ns"}, {0.999, "p99.9-ns"}} {
		b.ReportMetric(float64(percentile(lat, p.q)), p.unit)
	}
	s.reportLost(b, lost, int64(b.N)*int64(warm+logged))
	if s.metrics != nil {
		s.metrics(b)
	}
}

// paced runs the callers and returns the latency of every call. Each
// caller's k-th call is due k*slowPace after its start; a caller that is
// late does not sleep, so a slow call is followed by a burst.
func paced(logf func(int)) []time.Duration {
	lat := make([]time.Duration, slowGoroutines*slowPerG)
	var wg sync.WaitGroup
	for g := range slowGoroutines {
		mine := lat[g*slowPerG : (g+1)*slowPerG]
		wg.Go(func() {
			start := time.Now()
			for k := range mine {
				if d := time.Until(start.Add(time.Duration(k) * slowPace)); d > 0 {
					time.Sleep(d)
				}
				t := time.Now()
				logf(g*slowPerG + k)
				mine[k] = time.Since(t)
			}
		})
	}
	wg.Wait()
	return lat
}

// percentile returns the nearest-rank q-quantile of sorted.
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}
