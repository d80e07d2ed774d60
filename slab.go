package fapilog

import (
	"log/slog"
	"sync/atomic"
)

// An attrSlab hands out attr buffers to ring slots that have none big
// enough, from chunks allocated ahead of the callers by the lock holder.
// A new logger's first lap through its ring would otherwise allocate a
// buffer per slot on the caller's goroutine, where an allocation may
// assist the GC: in BenchmarkFirstLap, after benchmarks that left the GC
// busy, that made a fresh logger's paced calls' p99 5.9–6.2 µs against
// 0.9–1.8 µs once every slot had a buffer. A slot keeps its buffer for
// later laps (see record.done), so the slab retires after the first lap.
type attrSlab struct {
	cur     atomic.Pointer[slabChunk]
	retired bool // the lock holder's: the first lap is over
}

// A slabChunk is a run of attrs handed out from the front.
type slabChunk struct {
	buf  []slog.Attr
	next atomic.Int64 // attrs handed out
}

// slabChunkAttrs is the attrs in a chunk: 96 KiB, some hundreds of
// records' worth.
const slabChunkAttrs = 2048

// take returns an empty buffer with room for n attrs from the current
// chunk, or nil if there is none or it has no room left. Callers of any
// goroutine may take at once: each gets its own range of the chunk.
func (s *attrSlab) take(n int) []slog.Attr {
	c := s.cur.Load()
	if c == nil || n > maxPooledAttrs {
		return nil
	}
	end := c.next.Add(int64(n))
	if end > int64(len(c.buf)) {
		return nil
	}
	return c.buf[end-int64(n) : end-int64(n) : end] // the cap keeps appends out of the next range
}

// copyOf returns attrs copied into a buffer from the slab, or appended to
// own (which has no room for them) if the slab has none. Out of line: it
// runs on a slot's first lap only.
//
//go:noinline
func (s *attrSlab) copyOf(own, attrs []slog.Attr) []slog.Attr {
	if buf := s.take(len(attrs)); buf != nil {
		own = buf
	}
	return append(own[:0], attrs...)
}

// refill gives the slab a new chunk when it has none or has handed out
// half of it, until claimed, the positions claimed so far, reaches size,
// the ring's slots: then every slot has had its lap and the slab retires.
// It is called under the consumer lock, so by one goroutine at a time.
func (s *attrSlab) refill(claimed, size uint64) {
	if s.retired {
		return
	}
	if claimed >= size {
		s.retired = true
		s.cur.Store(nil)
		return
	}
	if c := s.cur.Load(); c != nil && c.next.Load() < slabChunkAttrs/2 {
		return
	}
	buf := make([]slog.Attr, slabChunkAttrs)
	// Fault the chunk's pages in here rather than on a caller's first
	// copy: a large allocation may come from untouched memory.
	for i := 0; i < len(buf); i += 4096 / 48 {
		buf[i] = slog.Attr{}
	}
	s.cur.Store(&slabChunk{buf: buf})
}
