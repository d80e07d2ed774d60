package fapilog

import (
	"io"
	"log/slog"
	"time"
)

// A Sink receives encoded records from the worker. Its methods are never
// called concurrently: the worker holds one lock around them (the caller
// of a SyncLogger may run them under that lock on its own goroutine).
// An error or a panic from a Sink is contained: the batch is counted as
// Failed and reported to Config.Diagnostics, and logging goes on. A Sink
// must not log through a SyncLogger of its own pipeline: that call would
// wait for the write that makes it.
type Sink interface {
	// WriteBatch writes every record in b. b and its bytes are valid only
	// during the call.
	WriteBatch(b *Batch) error
	// Flush writes out anything the sink buffers. The worker calls it from
	// Flush and Close and whenever the queue goes idle.
	Flush() error
	// Close flushes and releases the sink. It is called once, by Close.
	Close() error
}

// A Batch is a run of encoded records, each a JSON object ending in '\n',
// stored in one contiguous buffer.
type Batch struct {
	buf    []byte
	ends   []int // ends[i] is the offset just past record i
	levels []slog.Level
	times  []int64 // Unix nanoseconds; 0 for a record without a time
}

// Bytes returns every record in the batch, in order.
func (b *Batch) Bytes() []byte { return b.buf }

// Len returns the number of records in the batch.
func (b *Batch) Len() int { return len(b.ends) }

// Record returns the encoded bytes of record i, including its '\n'.
func (b *Batch) Record(i int) []byte {
	start := 0
	if i > 0 {
		start = b.ends[i-1]
	}
	return b.buf[start:b.ends[i]]
}

// Level returns the level of record i.
func (b *Batch) Level(i int) slog.Level { return b.levels[i] }

// Time returns the time of record i, or the zero time if it has none
// (a slog.Record with a zero Time).
func (b *Batch) Time(i int) time.Time {
	if b.times[i] == 0 {
		return time.Time{}
	}
	return time.Unix(0, b.times[i])
}

// Append adds a record to b: its encoded bytes (which should end in
// '\n'), level and time. It is for building batches of your own, to test
// a Sink or to hand a Sink records it did not get from a logger; never
// append to a batch a logger handed to WriteBatch.
func (b *Batch) Append(t time.Time, level slog.Level, record []byte) {
	b.buf = append(b.buf, record...)
	b.commit(t, level)
}

// Reset empties b, keeping its memory for reuse.
func (b *Batch) Reset() {
	b.buf = b.buf[:0]
	b.ends = b.ends[:0]
	b.levels = b.levels[:0]
	b.times = b.times[:0]
}

// appendBatch appends o's records to b.
func (b *Batch) appendBatch(o *Batch) {
	off := len(b.buf)
	b.buf = append(b.buf, o.buf...)
	for _, e := range o.ends {
		b.ends = append(b.ends, off+e)
	}
	b.levels = append(b.levels, o.levels...)
	b.times = append(b.times, o.times...)
}

// end returns the offset just past the last committed record.
func (b *Batch) end() int {
	if len(b.ends) == 0 {
		return 0
	}
	return b.ends[len(b.ends)-1]
}

// commit ends the record just appended to b.buf.
func (b *Batch) commit(t time.Time, level slog.Level) {
	var ns int64
	if !t.IsZero() {
		ns = t.UnixNano()
	}
	b.ends = append(b.ends, len(b.buf))
	b.levels = append(b.levels, level)
	b.times = append(b.times, ns)
}

// writerSink writes each batch with one call to w.Write.
type writerSink struct{ w io.Writer }

// NewWriterSink returns a Sink that writes each batch to w with one Write
// call. Flush calls w's Flush method if it has one (as *bufio.Writer does).
// Close flushes but does not close w: the writer belongs to the caller.
func NewWriterSink(w io.Writer) Sink { return writerSink{w} }

func (s writerSink) WriteBatch(b *Batch) error {
	n, err := s.w.Write(b.Bytes())
	if err == nil && n < len(b.Bytes()) {
		err = io.ErrShortWrite
	}
	return err
}

func (s writerSink) Flush() error {
	if f, ok := s.w.(interface{ Flush() error }); ok {
		return f.Flush()
	}
	return nil
}

func (s writerSink) Close() error { return s.Flush() }
