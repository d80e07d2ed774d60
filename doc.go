// Package fapilog is structured logging that never slows the caller down,
// never leaks a secret and never loses a record without counting it.
//
// It speaks log/slog's vocabulary ([slog.Attr], [slog.Level],
// [slog.Leveler]) and needs nothing outside the standard library:
//
//	logger, err := fapilog.NewAsync(fapilog.Config{}) // JSON lines to stdout, Info and up
//	if err != nil {
//		return err
//	}
//	defer logger.Close(context.Background()) // writes what is queued, then closes the sinks
//	logger.Info("order placed", slog.Int("order_id", 1042))
//
// # Two faces, one pipeline
//
// [NewAsync] returns an [AsyncLogger]: a call captures its record into a
// lock-free ring and returns; it never waits on a sink. [NewSync] returns
// a [SyncLogger]: a call returns once its record, and every record queued
// before it, has been handed to every sink. [AsyncLogger.AsSync] and
// [SyncLogger.AsAsync] switch between the two over the same pipeline (one
// worker, the same sinks, the same counters), so a service can queue its
// chatter and wait for its audit lines. Both faces have Debug, Info, Warn,
// Error, Fatal, their Context variants, Log, With, WithGroup, Flush, Close,
// Stats, and Handler: a [slog.Handler] onto the pipeline, for
// slog.SetDefault and for code that logs through log/slog. [SetDefault]
// also routes the standard log package into the pipeline.
//
// # Stages
//
// On the caller's goroutine, a record that passes the level check is
// captured: its attrs are copied, LogValuers resolved, maps, slices and
// structs encoded, and the attrs its context carries ([ContextWithAttrs],
// Config.ContextExtractors) added, so that nothing the caller owns is read
// after the call returns. Then it goes into the ring, or, when the ring is
// full, is dropped and counted or waits for room (see [Backpressure]).
//
// One worker drains the ring in batches of up to Config.BatchSize records
// and, for each record:
//
//  1. enriches it: every [Enricher] adds its fields;
//  2. redacts it: every [Redactor] masks secrets in field values, strings
//     and the captured JSON of slog.Any values;
//  3. encodes it as one line: time, level, source, msg, the enrichers'
//     attrs, the context's attrs, the With attrs, then the call's attrs;
//
// and hands the whole [Batch] to every [Sink] in one WriteBatch call.
//
// # Guarantees
//
// Each promise is proven by tests that CI runs under -race, named here:
//
//   - An AsyncLogger call never waits on a sink. It waits for room in a
//     full ring only under [Block] or for a record at or above
//     Config.ProtectedLevel, and then at most Config.BlockTimeout
//     (TestAsyncNeverBlocksOnHungSink, TestSyncCallReturnsWhenContextEnds).
//   - Every record that passes the level check is counted once and for
//     all: once the logger is closed, Submitted == Written + Dropped +
//     Failed + Sampled + Deduped in [Stats], exactly (TestAccounting,
//     TestBlockLosesNothing).
//   - Close writes everything queued, then flushes and closes each sink
//     once: a program that logs, closes and exits has every record in its
//     output (TestExitAfterCloseKeepsEveryRecord). If Close's context ends
//     first, what was not delivered is counted as dropped
//     (TestCloseCountsWhatHungSinkDidNotTake). Close's error is not nil
//     if any record was lost: it holds a [*LossError] with the counts.
//   - Last words are not lost: Fatal, and after [SetDefault] log.Fatal,
//     log.Panic and slog.Error + Flush + os.Exit, write their record and
//     every record before it before the process ends (TestLastWords).
//   - Under overload, records below Config.ShedBelow are shed once the
//     ring is fuller than Config.ShedAt, so warnings and errors keep room
//     (TestShedKeepsWarnings).
//   - Values are captured at call time; changing them afterwards neither
//     races nor changes the output (TestValuesCapturedAtCallTime).
//   - Bad input is contained and every line is valid JSON: panicking
//     String or MarshalJSON methods, NaN, invalid UTF-8, oversized records
//     (TestHostileValues, TestMaxRecordBytes, FuzzJSONEncoder).
//   - A sink, enricher or redactor that fails or panics never reaches the
//     caller nor stops the pipeline; it is counted and reported to
//     Config.Diagnostics (TestWorkerFailingSinkContained,
//     TestSinkRecoversUnderAsyncLoad).
//   - Secrets are masked by default, at any depth, and the redaction
//     guardrails fail closed (TestRedactProperty, FuzzRedact).
//   - A closed logger leaves no goroutine behind (goleak checks every test
//     binary).
//
// # Extending it
//
//   - A [Sink] receives batches of encoded records; [NewWriterSink] makes
//     one of any io.Writer. Its methods are never called concurrently.
//     Formats are chosen per sink; JSON lines, in log/slog's JSON form,
//     are the default.
//   - An [Enricher] adds fields to every record. The built-ins
//     ([ServiceInfo], [HostInfo], [RuntimeInfo], [KubernetesInfo],
//     [StaticAttrs]) are computed and encoded once; one of your own runs
//     for each record on the worker.
//   - A [Redactor] says which fields to mask whole and masks substrings of
//     strings. [DefaultRedactors] masks secret field names and URL
//     credentials; [RedactFields], [RedactPatterns] (with [Pattern] values such
//     as [CardNumbers]) and [RedactURLCredentials] build others.
//
// The package fapilogtest helps test code that logs (a Recorder sink, a
// logger writing through t.Log) and sinks of your own (NewBatch).
//
// # Examples
//
// Runnable examples: NewAsync, NewSync, AsyncLogger.AsSync,
// AsyncLogger.Handler (slog and the log package), ContextWithAttrs,
// Config, Sink (a sink of your own), Stats, AsyncLogger.Close,
// StaticAttrs, DefaultRedactors and RedactFields. The commands
// examples/quickstart (both faces and the counters) and examples/http (a
// net/http service whose middleware puts request and trace ids into the
// context and logs every request) run with go run.
package fapilog
