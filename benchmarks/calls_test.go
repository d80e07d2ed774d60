package benchmarks

import "testing"

// Zap's three scenarios, output discarded (and its lines counted). Each
// runs two ways:
//
//   - caller/…: the cost to one calling goroutine, b.N calls in a row.
//     For the peers that is the whole work of the call. For fapilog's async
//     face it is the capture and enqueue only: the worker encodes and
//     writes on another core, and every callerChunk records the benchmark
//     waits, untimed, for it to catch up, so that the queue never fills
//     and the figure is not the worker's throughput in disguise.
//   - e2e/…: b.RunParallel, every record encoded and written; for the
//     async face the final Flush is inside the timed region.
var (
	callerLoggers = []string{"zap", "zerolog", "slog", "fapilog.async"}
	e2eLoggers    = []string{"zap", "zerolog", "slog", "logrus", "fapilog.async"}
)

// callerChunk is well under the async queue's 16384 records.
const callerChunk = 4096

// BenchmarkAddingFields: a message and 10 fields.
func BenchmarkAddingFields(b *testing.B) { benchCalls(b, fields10) }

// BenchmarkAccumulatedContext: a message from a logger with 10 fields of
// context.
func BenchmarkAccumulatedContext(b *testing.B) { benchCalls(b, context10) }

// BenchmarkWithoutFields: a static message.
func BenchmarkWithoutFields(b *testing.B) { benchCalls(b, static) }

func benchCalls(b *testing.B, k shape) {
	for _, name := range callerLoggers {
		b.Run("caller/"+name, func(b *testing.B) { runCaller(b, loggers[name], k) })
	}
	for _, name := range e2eLoggers {
		b.Run("e2e/"+name, func(b *testing.B) { runE2E(b, loggers[name], k) })
	}
}

func runCaller(b *testing.B, mk maker, k shape) {
	w := newDiscard()
	s := mk(b, w, k)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.log(i)
		if s.flush != nil && (i+1)%callerChunk == 0 {
			b.StopTimer()
			s.mustFlush(b, int64(i+1))
			b.StartTimer()
		}
	}
	b.StopTimer()
	finishDiscard(b, s, w)
}

func runE2E(b *testing.B, mk maker, k shape) {
	w := newDiscard()
	s := mk(b, w, k)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			s.log(i)
		}
	})
	s.mustFlush(b, int64(b.N))
	b.StopTimer()
	finishDiscard(b, s, w)
}

// finishDiscard closes s and checks that w got b.N lines.
func finishDiscard(b *testing.B, s subject, w *discard) {
	s.mustFlush(b, int64(b.N))
	s.mustClose(b)
	s.reportLost(b, s.lost(b, w.lines(), int64(b.N)), int64(b.N))
	if s.metrics != nil {
		s.metrics(b)
	}
}
