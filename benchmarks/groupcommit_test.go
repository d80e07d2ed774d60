package benchmarks

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Synchronous logging to a real file: each call returns once its record is
// in the file (the page cache: no logger here fsyncs per record). zap and
// zerolog write each record with its own write(2); fapilog's SyncLogger
// lets concurrent callers share one write. b.N records in all, split over
// the goroutines.
var groupLoggers = []string{"zap", "zerolog", "fapilog.sync"}

func BenchmarkSyncGroupCommit(b *testing.B) {
	for _, g := range []int{1, 8} {
		for _, name := range groupLoggers {
			b.Run("goroutines="+strconv.Itoa(g)+"/"+name, func(b *testing.B) {
				path := filepath.Join(b.TempDir(), "log")
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				s := loggers[name](b, f, request)
				b.ResetTimer()
				spread(g, b.N, s.log)
				b.StopTimer()
				s.mustClose(b)
				lines, err := fileLines(path)
				if err != nil {
					b.Fatal(err)
				}
				s.lost(b, lines, int64(b.N))
				if s.metrics != nil {
					s.metrics(b)
				}
			})
		}
	}
}
