package fapilog

import (
	"time"
)

// Stats is a snapshot of a logger's counters. Every record that passed the
// level check is Submitted and, once the logger is closed, exactly one of
// Written, Dropped, Failed, Sampled or Deduped:
// Submitted == Written + Dropped + Failed + Sampled + Deduped.
// With several sinks a record has one outcome here, the worst any sink
// it was routed to gave it (Dropped, then Failed, then Written); Sinks
// tells each sink's own.
type Stats struct {
	// Submitted counts records that passed the level check.
	Submitted uint64
	// Written counts records that every sink they were routed to (by the
	// sinks' levels) accepted, including records no sink's level took.
	Written uint64
	// Dropped counts records that some sink never got: the queue was full
	// or closed, a sink's buffer was full, or Close gave up on them when
	// its context ended.
	Dropped uint64
	// Rejected counts the Dropped records that never reached a sink: the
	// queue was full or closed, or they were shed.
	Rejected uint64
	// Shed counts records dropped early because the queue was fuller than
	// Config.ShedAt and their level below Config.ShedBelow. They are
	// counted in Rejected and Dropped too.
	Shed uint64
	// Failed counts records, not Dropped, in batches that some sink
	// failed or panicked on. The fallback took them (Fallback) or failed
	// too (FallbackFailed).
	Failed uint64
	// Sampled counts records Config.Sampling dropped on the caller.
	Sampled uint64
	// Deduped counts records Config.DedupeWindow suppressed as repeats.
	Deduped uint64
	// Fallback counts records Config.Fallback wrote for a failing sink,
	// once per sink that failed on them; FallbackFailed those it failed
	// on. Neither is part of the sum above.
	Fallback, FallbackFailed uint64
	// Summaries counts the records the pipeline wrote of its own: drop
	// and sampling summaries (one per sink they went to) and the
	// summaries of repeated records (once each). They are not part of
	// the sum above, nor of any sink's Routed.
	Summaries uint64
	// Sinks holds each sink's own counters, in the order of Config.Sinks.
	Sinks []SinkStats
	// Truncated counts records that encoded larger than
	// Config.MaxRecordBytes and were replaced by a short record saying so.
	// It is not part of the sum above: such a record is still Written (or
	// Failed) like any other.
	Truncated uint64
	// Batches counts the worker's batches, each handed to every sink. A
	// sink that falls behind writes the batches that piled up in its
	// buffer together, up to Config.BatchSize records a write: its
	// SinkStats.WriteLatency.Count counts its writes.
	Batches uint64
	// QueueLen is the number of records queued now, QueueCap the queue's
	// capacity and QueueHighWater the most seen queued at once.
	QueueLen, QueueCap, QueueHighWater int
	// EnricherErrors counts enricher panics (the record was written
	// without that enricher's attrs) and static enrichers that could not
	// compute a field.
	EnricherErrors uint64
	// RedactorErrors counts redactor panics; the value being looked at
	// was masked.
	RedactorErrors uint64
	// RedactionLimited counts records, and With calls, in which values
	// were masked whole without being scanned: nested deeper than
	// Config.RedactMaxDepth, past Config.RedactMaxKeys, or not readable
	// as JSON.
	RedactionLimited uint64
}

// SinkStats are one sink's counters. Every record Routed to the sink is,
// once the logger is closed, exactly one of Written, Failed or Dropped:
// Routed == Written + Failed + Dropped.
type SinkStats struct {
	// Name is SinkOptions.Name, the sink's String(), or its type and
	// position in Config.Sinks.
	Name string
	// Routed counts records handed to the sink's buffer: the records
	// that reached the worker and passed the sink's level.
	Routed uint64
	// Written counts records the sink accepted.
	Written uint64
	// Failed counts records in batches the sink failed or panicked on.
	Failed uint64
	// Dropped counts records the sink never got: its buffer was full, or
	// Close gave up on them when its context ended.
	Dropped uint64
	// Fallback counts the Failed records that Config.Fallback wrote.
	Fallback uint64
	// BufferLen is the number of records waiting for the sink now,
	// BufferCap the most that may wait and BufferHighWater the most that
	// have waited at once.
	BufferLen, BufferCap, BufferHighWater int
	// WriteLatency is how long the sink's WriteBatch calls took.
	WriteLatency Latency
	// LastError is the text of the sink's last error, and LastErrorTime
	// when it happened; empty and zero if it has not failed.
	LastError     string
	LastErrorTime time.Time
}

func (w *worker) stats() Stats {
	// shed before rejected, the reverse of emit's order, so that Shed <=
	// Rejected in every snapshot.
	shed := w.shed.Load()
	rejected := w.rejected.Load()
	var sinks []SinkStats
	for _, ln := range w.lanes {
		sinks = append(sinks, ln.stats())
	}
	return Stats{
		Sinks:          sinks,
		Submitted:      w.q.claimed() + w.unqueued.Load() + rejected + w.ctl.sampled.Load(),
		Written:        w.written.Load(),
		Dropped:        rejected + w.abandoned.Load() + w.sinkDropped.Load(),
		Rejected:       rejected,
		Shed:           shed,
		Failed:         w.failed.Load(),
		Fallback:       w.fellBack.Load(),
		Summaries:      w.summaries.Load(),
		FallbackFailed: w.fallbackErr.Load(),
		Truncated:      w.truncated.Load(),
		Batches:        w.batches.Load(),
		QueueLen:       w.q.len(),
		QueueCap:       w.q.cap(),
		QueueHighWater: w.q.highWater(),

		EnricherErrors:   w.stages.enricherErrors.Load(),
		RedactorErrors:   w.stages.redactorErrors.Load(),
		RedactionLimited: w.stages.redactionLimited.Load(),

		Sampled: w.ctl.sampled.Load(),
		Deduped: w.ctl.deduped.Load(),
	}
}

// LatencyBounds are the upper bounds of Latency's buckets: 100µs, 1ms,
// 10ms, 100ms, 1s and 10s; a last bucket counts what is slower.
var LatencyBounds = [...]time.Duration{100 * time.Microsecond, time.Millisecond, 10 * time.Millisecond,
	100 * time.Millisecond, time.Second, 10 * time.Second}

// Latency is a histogram of durations with fixed buckets: Buckets[i]
// counts those no longer than LatencyBounds[i] (and longer than the bound
// before it), the last bucket those longer than every bound.
type Latency struct {
	Count   uint64
	Sum     time.Duration
	Max     time.Duration
	Buckets [len(LatencyBounds) + 1]uint64
}

// latency records durations into a Latency. It is not safe for
// concurrent use: a lane keeps its own under its mutex, which the write
// that measured takes anyway (atomic counters cost a locked instruction
// each, per write).
type latency struct{ l Latency }

func (l *latency) observe(d time.Duration) {
	i := 0
	for i < len(LatencyBounds) && d > LatencyBounds[i] {
		i++
	}
	l.l.Buckets[i]++
	l.l.Sum += d
	l.l.Max = max(l.l.Max, d)
	l.l.Count++
}

func (l *latency) load() Latency { return l.l }
