package benchmarks

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Throughput to a real file in a temp dir: fileGoroutines goroutines log
// fileRecords request records in all. One benchmark op is the whole
// scenario, from making the logger (microseconds) to every record in the
// file (no fsync, as no logger here does one per record); records/s is
// lines written per second of timed work.
const (
	fileRecords    = 1_000_000
	fileGoroutines = 8
	rawWrite       = 64 << 10 // the raw limit's write size
)

var fileLoggers = []string{
	"zap", "zap.buffered", "zerolog", "zerolog.diode", "slog", "logrus",
	"fapilog.async", "fapilog.sync",
}

func BenchmarkFileThroughput(b *testing.B) {
	for _, name := range fileLoggers {
		b.Run(name, func(b *testing.B) {
			runFile(b, func(f *os.File) subject {
				s := loggers[name](b, f, request)
				spread(fileGoroutines, fileRecords, s.log)
				s.mustFlush(b, fileRecords)
				s.mustClose(b)
				return s
			})
		})
	}
	// The limit: the same number of lines, of the size fapilog writes (it
	// matches slog's JSONHandler byte for byte), pre-encoded and written
	// by one goroutine in 64 KiB writes.
	b.Run("raw", func(b *testing.B) {
		var line bytes.Buffer
		var a [5]slog.Attr
		slog.New(slog.NewJSONHandler(&line, nil)).LogAttrs(context.Background(), slog.LevelInfo, message(500), slogRequest(&a)...)
		chunk := bytes.Repeat(line.Bytes(), rawWrite/line.Len())
		perChunk := rawWrite / line.Len()
		runFile(b, func(f *os.File) subject {
			for left := fileRecords; left > 0; left -= perChunk {
				n := min(left, perChunk) * line.Len()
				if _, err := f.Write(chunk[:n]); err != nil {
					b.Fatal(err)
				}
			}
			return subject{}
		})
		b.ReportMetric(float64(line.Len()), "B/record")
	})
}

// BenchmarkFileBound is FileThroughput/fapilog.async with no file: the
// same goroutines and records into a writer that only counts lines. It is
// what the async pipeline takes records at when writing costs nothing, so
// a bound on its file row (whose writes take a core's time besides).
func BenchmarkFileBound(b *testing.B) {
	var written, lost int64
	var s subject
	for range b.N {
		w := newDiscard()
		s = loggers["fapilog.async"](b, w, request)
		spread(fileGoroutines, fileRecords, s.log)
		s.mustFlush(b, fileRecords)
		s.mustClose(b)
		written += w.lines()
		lost += s.lost(b, w.lines(), fileRecords)
	}
	b.ReportMetric(float64(written)/b.Elapsed().Seconds(), "records/s")
	s.reportLost(b, lost, int64(b.N)*fileRecords)
}

// runFile times op, which writes fileRecords records to a fresh file,
// checks the file's line count, and reports records/s.
func runFile(b *testing.B, op func(f *os.File) subject) {
	dir := b.TempDir()
	var written, lost int64
	var s subject
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		path := filepath.Join(dir, strconv.Itoa(n)+".log")
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		s = op(f)
		b.StopTimer()
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		lines, err := fileLines(path)
		if err != nil {
			b.Fatal(err)
		}
		written += lines
		lost += s.lost(b, lines, fileRecords)
		if err := os.Remove(path); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(written)/b.Elapsed().Seconds(), "records/s")
	s.reportLost(b, lost, int64(b.N)*fileRecords)
	if s.metrics != nil {
		s.metrics(b)
	}
}
