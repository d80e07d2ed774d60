package benchmarks

import "testing"

// Ten primitive attrs: the record of the root module's BenchmarkTenAttrs
// (tenMsg; 3 strings, 3 ints, 2 floats, a bool, a duration), one
// sub-benchmark per row and logger, output discarded (and its lines
// counted), fapilog with fapilogConfig's defaults (default redaction on):
//
//   - caller/…: the cost to one calling goroutine. The peers do the whole
//     work in the call; fapilog's async face is timed in bursts of
//     tenBurst, with the Flush between bursts untimed.
//   - e2e/…: one goroutine, every record encoded and written; the async
//     face's final Flush is timed.
//   - parallel/…: e2e from b.RunParallel's goroutines.
//   - sync/…: fapilog's SyncLogger from one goroutine, against zap and
//     zerolog, which write synchronously anyway.
//   - funcvalue/e2e/… and funcvalue/parallel/…: e2e and parallel with the
//     call made through a func value, so that the fields escape to the
//     heap on every call (the tenVia shape: what escapes for each logger
//     is said there).
var (
	tenLoggers     = []string{"zap", "zerolog", "slog", "fapilog.async", "fapilog.slog"}
	tenSyncLoggers = []string{"zap", "zerolog", "fapilog.sync"}
)

// tenBurst is the caller row's burst, as in the root module: it fits any
// queue, so the figure is the caller's cost, not the worker's throughput.
const tenBurst = 512

func BenchmarkTenAttrs(b *testing.B) {
	for _, name := range tenLoggers {
		b.Run("caller/"+name, func(b *testing.B) { runCaller(b, loggers[name], ten, tenBurst) })
	}
	for _, row := range []struct {
		name     string
		k        shape
		parallel bool
		loggers  []string
	}{
		{"e2e", ten, false, tenLoggers},
		{"parallel", ten, true, tenLoggers},
		{"sync", ten, false, tenSyncLoggers},
		{"funcvalue/e2e", tenVia, false, tenLoggers},
		{"funcvalue/parallel", tenVia, true, tenLoggers},
	} {
		for _, name := range row.loggers {
			b.Run(row.name+"/"+name, func(b *testing.B) { runE2E(b, loggers[name], row.k, row.parallel) })
		}
	}
}
