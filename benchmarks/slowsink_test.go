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
		b.Run(name, func(b *testing.B) {
			const logged = slowGoroutines * slowPerG
			var lat []time.Duration
			var lost int64
			var s subject
			for range b.N {
				sink := &slowSink{}
				s = loggers[name](b, sink, request)
				lat = append(lat, paced(s.log)...)
				s.mustFlush(b, logged)
				s.mustClose(b)
				lost += s.lost(b, sink.lines(), logged)
			}
			b.StopTimer()
			slices.Sort(lat)
			for _, p := range []struct {
				q    float64
				unit string
			}{{0.5, "p50-ns"}, {0.99, "p99-ns"}, {0.999, "p99.9-ns"}} {
				b.ReportMetric(float64(percentile(lat, p.q)), p.unit)
			}
			s.reportLost(b, lost, int64(b.N)*logged)
			if s.metrics != nil {
				s.metrics(b)
			}
		})
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
