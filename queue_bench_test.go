package fapilog

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

const (
	// benchCap is the capacity of both the ring and the channel.
	benchCap = 1024
	// benchBatch is the most items the ring consumer takes per drain.
	benchBatch = 256
	// workIters makes work take about 130 ns (see BenchmarkWork), a
	// stand-in for the cost of building a small record.
	workIters = 78
)

// benchProducers are the producer counts each benchmark runs with.
var benchProducers = []int{1, 4, 8}

// work stands in for per-item producer work; its result feeds the queued
// item so the compiler cannot drop it.
func work(iters int, x uint64) uint64 {
	for range iters {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// share returns how many of n items producer i of p sends.
func share(n, p, i int) int {
	if i < n%p {
		return n/p + 1
	}
	return n / p
}

// benchQueue sends b.N items from producers goroutines, each doing iters
// of work per item, through send to consume, which runs on its own
// goroutine and returns how many items it received once it has want.
func benchQueue(b *testing.B, producers, iters int, send func(uint64), consume func(want int) int) {
	received := make(chan int)
	b.ReportAllocs()
	b.ResetTimer()
	go func() { received <- consume(b.N) }()
	var wg sync.WaitGroup
	for i := range producers {
		wg.Go(func() {
			x := uint64(i + 1)
			for range share(b.N, producers, i) {
				x = work(iters, x)
				send(x)
			}
		})
	}
	wg.Wait()
	n := <-received
	b.StopTimer()
	if n != b.N {
		b.Fatalf("received %d items, want %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// benchRing runs benchQueue through a ring whose consumer drains in
// batches and parks when the ring is empty.
func benchRing(b *testing.B, producers, iters int) {
	r := newRing[uint64](benchCap)
	send := func(x uint64) {
		if _, err := r.enqueue(x, time.Time{}); err != nil {
			panic(err) // the consumer would wait forever
		}
	}
	benchQueue(b, producers, iters, send, func(want int) int {
		n := 0
		batch := make([]uint64, 0, benchBatch)
		for n < want {
			batch = r.drain(batch[:0], benchBatch)
			n += len(batch)
			if len(batch) == 0 {
				r.wait(nil)
			}
		}
		return n
	})
}

// benchChan runs benchQueue through a buffered channel of the same
// capacity, whose consumer receives one item at a time.
func benchChan(b *testing.B, producers, iters int) {
	ch := make(chan uint64, benchCap)
	benchQueue(b, producers, iters, func(x uint64) { ch <- x }, func(want int) int {
		for range want {
			<-ch
		}
		return want
	})
}

// runProducers runs bench once per producer count as a sub-benchmark.
func runProducers(b *testing.B, bench func(*testing.B, int, int), iters int) {
	for _, p := range benchProducers {
		b.Run(fmt.Sprintf("producers=%d", p), func(b *testing.B) {
			bench(b, p, iters)
		})
	}
}

// BenchmarkRing measures the ring's per-item cost with idle producers.
func BenchmarkRing(b *testing.B) { runProducers(b, benchRing, 0) }

// BenchmarkChan is BenchmarkRing for a buffered channel.
func BenchmarkChan(b *testing.B) { runProducers(b, benchChan, 0) }

// BenchmarkRingWork is BenchmarkRing with about 130 ns of producer work per
// item, closer to a logger, where batching and fewer wake-ups pay off.
func BenchmarkRingWork(b *testing.B) { runProducers(b, benchRing, workIters) }

// BenchmarkChanWork is BenchmarkRingWork for a buffered channel.
func BenchmarkChanWork(b *testing.B) { runProducers(b, benchChan, workIters) }

// BenchmarkWork measures the simulated producer work alone, to check that
// workIters is near 130 ns on the machine at hand.
func BenchmarkWork(b *testing.B) {
	x := uint64(1)
	for b.Loop() {
		x = work(workIters, x)
	}
	if x == 0 {
		b.Log(x) // keep x live
	}
}
