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
	callerLoggers = []string{"zap", "zerolog", "slog", "fapilog.async", "fapilog.slog"}
	e2eLoggers    = []string{"zap", "zerolog", "slog", "logrus", "fapilog.async", "fapilog.slog"}
)

// callerChunk is well under the async queue's 16384 records.
const callerChunk = 4096

// BenchmarkAddingFields: a message and 10 fields.
func BenchmarkAddingFields(b *testing.B) { benchCalls(b, fields10) }

// BenchmarkChildLogger: a request's child logger (With a request id and a
// user), made anew for each record, and the request record on it.
func BenchmarkChildLogger(b *testing.B) { benchCalls(b, child) }

// BenchmarkAccumulatedContext: a message from a logger with 10 fields of
// context.
func BenchmarkAccumulatedContext(b *testing.B) { benchCalls(b, context10) }

// BenchmarkWithoutFields: a static message.
func BenchmarkWithoutFields(b *testing.B) { benchCalls(b, static) }

func benchCalls(b *testing.B, k shape) {
	for _, name := range callerLoggers {
		b.Run("caller/"+name, func(b *testing.B) { runCaller(b, loggers[name], k, callerChunk) })
	}
	for _, name := range e2eLoggers {
		b.Run("e2e/"+name, func(b *testing.B) { runE2E(b, loggers[name], k, true) })
	}
}

// runCaller times b.N calls from one goroutine. For a logger that can be
// flushed, it waits for the writes every chunk records, untimed.
func runCaller(b *testing.B, mk maker, k shape, chunk int) {
	w := newDiscard()
	s := mk(b, w, k)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		s.log(i)
		if s.flush != nil && (i+1)%chunk == 0 {
			b.StopTimer()
			s.mustFlush(b, int64(i+1))
			b.StartTimer()
		}
	}
	b.StopTimer()
	finishDiscard(b, s, w)
}

// runE2E times b.N records logged and written, the final flush included:
// from b.RunParallel's goroutines if parallel, else from one.
func runE2E(b *testing.B, mk maker, k shape, parallel bool) {
	w := newDiscard()
	s := mk(b, w, k)
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				s.log(i)
			}
		})
	} else {
		for i := range b.N {
			s.log(i)
		}
	}
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
