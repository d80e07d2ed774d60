package benchmarks

import (
	"bytes"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// A discard writer throws its input away and counts the lines, so that a
// benchmark can check it wrote every record it claims.
//
// The count is sharded through a sync.Pool (per P, in practice) so that
// parallel callers do not fight over one counter's cache line: a shared
// atomic would add a cache-line transfer per record to every logger that
// writes record by record, but not to one that writes batches.
type discard struct {
	pool   sync.Pool
	mu     sync.Mutex
	shards []*lineShard // every shard the pool ever made
}

// lineShard is one counter, padded to its own cache lines.
type lineShard struct {
	n atomic.Int64
	_ [120]byte
}

func newDiscard() *discard {
	d := &discard{}
	d.pool.New = func() any {
		s := new(lineShard)
		d.mu.Lock()
		d.shards = append(d.shards, s)
		d.mu.Unlock()
		return s
	}
	return d
}

func (d *discard) Write(p []byte) (int, error) {
	s := d.pool.Get().(*lineShard)
	s.n.Add(int64(bytes.Count(p, newline)))
	d.pool.Put(s)
	return len(p), nil
}

// lines returns the number of lines written so far.
func (d *discard) lines() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	var n int64
	for _, s := range d.shards {
		n += s.n.Load()
	}
	return n
}

var newline = []byte{'\n'}

// A lineCounter passes writes on to w and counts the lines. It is for a
// writer with one caller at a time (a diode's reader), where an atomic
// counter costs nothing much.
type lineCounter struct {
	w io.Writer
	n atomic.Int64
}

func (c *lineCounter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(bytes.Count(p[:n], newline)))
	return n, err
}

func (c *lineCounter) lines() int64 { return c.n.Load() }

// slowWrite is how long each Write to a slowSink takes.
const slowWrite = time.Millisecond

// A slowSink is a device that takes slowWrite per Write, one Write at a
// time, whatever the size: a disk or a network peer under load. It counts
// the lines it was given.
type slowSink struct {
	mu sync.Mutex
	n  int64
}

func (s *slowSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	time.Sleep(slowWrite)
	s.n += int64(bytes.Count(p, newline))
	return len(p), nil
}

func (s *slowSink) lines() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// fileLines counts the lines in the file at path.
func fileLines(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		k, err := f.Read(buf)
		n += int64(bytes.Count(buf[:k], newline))
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
