package fapilogtest

import (
	"bytes"
	"slices"
	"sync"

	fapilog "github.com/fapilog/fapilog-go"
)

// A Recorder is a fapilog.Sink that keeps every record it is given,
// decoded, in order. Its methods are safe for concurrent use, so a test
// may read it while a logger writes to it. The zero Recorder is empty
// and ready to use.
type Recorder struct {
	mu      sync.Mutex
	entries []Entry
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// WriteBatch decodes and keeps every record in b. A record that is not
// one JSON object is kept too, under MalformedKey; WriteBatch never fails.
func (r *Recorder) WriteBatch(b *fapilog.Batch) error {
	entries := make([]Entry, b.Len())
	for i := range entries {
		line := b.Record(i)
		e, err := decode(line)
		if err != nil {
			e = Entry{Attrs: map[string]any{MalformedKey: string(bytes.TrimSuffix(line, []byte("\n")))}}
		}
		e.Time, e.Level = b.Time(i), b.Level(i)
		entries[i] = e
	}
	r.mu.Lock()
	r.entries = append(r.entries, entries...)
	r.mu.Unlock()
	return nil
}

// Flush does nothing: a Recorder keeps records as they come.
func (r *Recorder) Flush() error { return nil }

// Close does nothing; the entries stay readable.
func (r *Recorder) Close() error { return nil }

// String names the sink in fapilog's stats and diagnostics.
func (r *Recorder) String() string { return "fapilogtest.Recorder" }

// Entries returns every record kept so far, in the order written. The
// slice is the caller's; the Attrs maps are shared with the Recorder, so
// read them, do not change them.
func (r *Recorder) Entries() []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.entries)
}

// Filter returns the records kept so far whose Message is msg, in order.
func (r *Recorder) Filter(msg string) []Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Entry
	for _, e := range r.entries {
		if e.Message == msg {
			out = append(out, e)
		}
	}
	return out
}

// Reset forgets every record kept so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	clear(r.entries) // let the old maps go
	r.entries = r.entries[:0]
}
