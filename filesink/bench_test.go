package filesink

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
)

// BenchmarkFileSink writes batches of 256 records of 200 bytes through the
// sink, rotating every 16 MiB and keeping one backup (so the disk holds at
// most 32 MiB), and reports records written per second.
func BenchmarkFileSink(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts Options
	}{
		{"rotate", Options{MaxSize: 16 << 20, MaxBackups: 1}},
		{"rotate+gzip", Options{MaxSize: 16 << 20, MaxBackups: 1, Compress: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s, err := New(filepath.Join(b.TempDir(), "bench.log"), bc.opts)
			if err != nil {
				b.Fatal(err)
			}
			var batch fapilog.Batch
			line := []byte(strings.Repeat("x", 199) + "\n")
			now := time.Now()
			for range 256 {
				batch.Append(now, 0, line)
			}
			b.SetBytes(int64(len(batch.Bytes())))
			b.ReportAllocs()
			for b.Loop() {
				if err := s.WriteBatch(&batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*batch.Len())/b.Elapsed().Seconds(), "records/s")
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}
