// Package benchmarks measures fapilog-go side by side with zap, zerolog,
// logrus and log/slog's JSONHandler, in one run on one machine. It is a
// module of its own so that the main module keeps no dependencies.
//
// The scenarios, each in a _test.go file of its own:
//
//   - calls_test.go: zap's three ("a message and 10 fields", "a message
//     with 10 fields of accumulated context", "a static message") and a
//     request's child logger, with the output discarded, as the cost to
//     one calling goroutine ("caller") and as every record encoded and
//     written by parallel callers ("e2e").
//   - tenattrs_test.go: the hot path's record, a message and ten
//     primitive attrs, with zerolog, zap, slog and fapilog: caller cost,
//     end to end from one goroutine and from RunParallel, the sync face,
//     and end to end through a func value (the fields escape to the heap).
//   - file_test.go: 8 goroutines writing 1M records to a real file, and the
//     raw limit of writing pre-encoded lines of the same size.
//   - slowsink_test.go: a sink whose every Write takes 1 ms, callers logging
//     at a fixed pace; per-call latency percentiles.
//   - groupcommit_test.go: synchronous logging to a real file from 1 and 8
//     goroutines.
//
// fapilog runs as its faces called directly (fapilog.async, fapilog.sync)
// and, in the call and ten-attr scenarios, as the async face behind
// log/slog (fapilog.slog: slog.New of its Handler).
//
// Run them all with ./run.sh; cmd/chart draws the chart and table in the
// README from a saved run.
package benchmarks
