package benchmarks

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fapilog/fapilog-go"
	"github.com/rs/zerolog"
	"github.com/rs/zerolog/diode"
	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// A subject is one logger under test, set up to log one shape of record
// to one writer.
type subject struct {
	// log logs record i. It is safe for concurrent use.
	log func(i int)
	// flush returns once the logged records (logged of them in all) are
	// written. nil: each record is written before log returns.
	flush func(logged int64) error
	// close releases the logger, writing what it still holds; it fails if
	// the logger reports a record lost. nil: nothing to release.
	close func() error
	// metrics, if set, reports the logger's own figures after close.
	metrics func(b *testing.B)
	// lossy marks a logger that drops records by design (zerolog's diode):
	// its loss is reported as a metric instead of failing the benchmark.
	lossy bool
}

// A maker sets up one logger, in its idiomatic and fastest documented
// form, to log shape k to w.
type maker func(b *testing.B, w io.Writer, k shape) subject

// loggers are the subjects by name. A scenario lists the names it runs.
// A new subject is one entry here made of the log functions below, and
// its name added to the scenarios' lists (and cmd/chart's rows).
var loggers = map[string]maker{
	// zap's production JSON encoder on an unbuffered WriteSyncer: one Write
	// per record, no sampling, no caller.
	"zap": func(b *testing.B, w io.Writer, k shape) subject {
		return subject{log: zapLog(newZap(zapcore.AddSync(w)), k)}
	},
	// The same behind zap's BufferedWriteSyncer (256 kB, flushed every 30s
	// and by Sync and Stop).
	"zap.buffered": func(b *testing.B, w io.Writer, k shape) subject {
		ws := &zapcore.BufferedWriteSyncer{WS: zapcore.AddSync(w)}
		return subject{
			log:   zapLog(newZap(ws), k),
			flush: func(int64) error { return ws.Sync() },
			close: ws.Stop,
		}
	},
	"zerolog": func(b *testing.B, w io.Writer, k shape) subject {
		return subject{log: zerologLog(zerolog.New(w).With().Timestamp().Logger(), k)}
	},
	"zerolog.diode": zerologDiode,
	"slog": func(b *testing.B, w io.Writer, k shape) subject {
		return subject{log: slogLog(slog.New(slog.NewJSONHandler(w, nil)), k)}
	},
	"logrus": func(b *testing.B, w io.Writer, k shape) subject {
		l := logrus.New()
		l.SetOutput(w)
		l.SetFormatter(&logrus.JSONFormatter{})
		return subject{log: logrusLog(l, k)}
	},
	"fapilog.async": func(b *testing.B, w io.Writer, k shape) subject {
		l, err := fapilog.NewAsync(fapilogConfig(w))
		if err != nil {
			b.Fatal(err)
		}
		return fapilogSubject(l, fapilogAsyncLog(l, k))
	},
	// The async face behind log/slog: slog.New of its Handler, called as
	// slog's own (slogLog), as code written against log/slog does.
	"fapilog.slog": func(b *testing.B, w io.Writer, k shape) subject {
		l, err := fapilog.NewAsync(fapilogConfig(w))
		if err != nil {
			b.Fatal(err)
		}
		return fapilogSubject(l, slogLog(slog.New(l.Handler()), k))
	},
	"fapilog.sync": func(b *testing.B, w io.Writer, k shape) subject {
		l, err := fapilog.NewSync(fapilogConfig(w))
		if err != nil {
			b.Fatal(err)
		}
		return fapilogSubject(l, fapilogSyncLog(b, l, k))
	},
}

// The tenVia shape calls each logger through a func value, as code does
// that holds a logger behind a callback or an interface. The compiler
// cannot see the callee, so what the call passes escapes to the heap on
// every call and the GC runs throughout:
//
//   - fapilog and slog: the [10]slog.Attr array behind the variadic slice
//     (400 bytes), which a direct call keeps on the caller's stack;
//   - zap: the [10]zap.Field array (640 bytes), as at a direct call, where
//     zap hands it to its Core interface;
//   - zerolog: the tenFields struct (112 bytes), passed as a
//     zerolog.LogObjectMarshaler and embedded in the event; a direct call
//     appends the same fields with no allocation.

// opaque returns f, so that a call through the result is an indirect call
// the compiler can neither inline nor devirtualize.
//
//go:noinline
func opaque[F any](f F) F { return f }

func newZap(ws zapcore.WriteSyncer) *zap.Logger {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	return zap.New(zapcore.NewCore(enc, ws, zapcore.InfoLevel))
}

func zapLog(l *zap.Logger, k shape) func(int) {
	switch k {
	case fields10:
		return func(i int) { l.Info(message(i), zapFields10()...) }
	case context10:
		l = l.With(zapFields10()...)
		fallthrough
	case static:
		return func(i int) { l.Info(message(i)) }
	case request:
		return func(i int) { zapRequest(l, message(i)) }
	case child:
		return func(i int) {
			zapRequest(l.With(zap.String("request_id", requestID(i)), zap.String("user", "ann")), message(i))
		}
	case ten:
		return func(int) { l.Info(tenMsg, zapTen()...) }
	case tenVia:
		info := opaque(l.Info)
		return func(int) { info(tenMsg, zapTen()...) }
	}
	panic(fmt.Sprint("unknown shape ", k))
}

func zerologLog(l zerolog.Logger, k shape) func(int) {
	switch k {
	case fields10:
		return func(i int) { zerologFields10(l.Info()).Msg(message(i)) }
	case context10:
		l = l.With().EmbedObject(zerologContext10{}).Logger()
		fallthrough
	case static:
		return func(i int) { l.Info().Msg(message(i)) }
	case request:
		return func(i int) { zerologRequest(l.Info()).Msg(message(i)) }
	case child:
		return func(i int) {
			c := l.With().Str("request_id", requestID(i)).Str("user", "ann").Logger()
			zerologRequest(c.Info()).Msg(message(i))
		}
	case ten:
		return func(int) { zerologTen(l.Info()).Msg(tenMsg) }
	case tenVia:
		info := opaque(func(msg string, f zerolog.LogObjectMarshaler) { l.Info().EmbedObject(f).Msg(msg) })
		return func(int) { info(tenMsg, newTenFields()) }
	}
	panic(fmt.Sprint("unknown shape ", k))
}

// zerologDiode is zerolog behind its diode writer, set up as zerolog's
// README shows (1000 slots, polled every 10 ms). The diode drops the
// oldest records when its reader falls behind; what it drops is reported.
func zerologDiode(b *testing.B, w io.Writer, k shape) subject {
	cw := &lineCounter{w: w}
	var missed atomic.Int64
	dw := diode.NewWriter(cw, 1000, 10*time.Millisecond, func(n int) { missed.Add(int64(n)) })
	// The diode prints "Diode set collision" to the standard logger for
	// each collision; keep that out of the benchmark output.
	prev := log.Writer()
	log.SetOutput(io.Discard)
	return subject{
		log: zerologLog(zerolog.New(dw).With().Timestamp().Logger(), k),
		// A diode cannot be flushed, and its Close drops what is still
		// queued: wait until every record is written or reported missed,
		// or the writer stops making progress.
		flush: func(logged int64) error {
			last, since := int64(-1), time.Now()
			for cw.lines()+missed.Load() < logged {
				if n := cw.lines(); n != last {
					last, since = n, time.Now()
				} else if time.Since(since) > 200*time.Millisecond {
					break
				}
				time.Sleep(time.Millisecond)
			}
			return nil
		},
		close: func() error {
			defer log.SetOutput(prev)
			return dw.Close()
		},
		lossy: true,
	}
}

func slogLog(l *slog.Logger, k shape) func(int) {
	ctx := context.Background()
	switch k {
	case fields10:
		return func(i int) {
			var a [10]slog.Attr
			l.LogAttrs(ctx, slog.LevelInfo, message(i), slogFields10(&a)...)
		}
	case context10:
		var a [10]slog.Attr
		l = slog.New(l.Handler().WithAttrs(slogFields10(&a)))
		fallthrough
	case static:
		return func(i int) { l.LogAttrs(ctx, slog.LevelInfo, message(i)) }
	case request:
		return func(i int) {
			var a [5]slog.Attr
			l.LogAttrs(ctx, slog.LevelInfo, message(i), slogRequest(&a)...)
		}
	case child:
		return func(i int) {
			var a [5]slog.Attr
			c := l.With(slog.String("request_id", requestID(i)), slog.String("user", "ann"))
			c.LogAttrs(ctx, slog.LevelInfo, message(i), slogRequest(&a)...)
		}
	case ten:
		return func(int) {
			var a [10]slog.Attr
			l.LogAttrs(ctx, slog.LevelInfo, tenMsg, slogTen(&a)...)
		}
	case tenVia:
		info := opaque(func(msg string, as ...slog.Attr) { l.LogAttrs(ctx, slog.LevelInfo, msg, as...) })
		return func(int) {
			var a [10]slog.Attr
			info(tenMsg, slogTen(&a)...)
		}
	}
	panic(fmt.Sprint("unknown shape ", k))
}

func logrusLog(l *logrus.Logger, k shape) func(int) {
	switch k {
	case fields10:
		return func(i int) { l.WithFields(logrusFields10()).Info(message(i)) }
	case context10:
		e := l.WithFields(logrusFields10())
		return func(i int) { e.Info(message(i)) }
	case static:
		return func(i int) { l.Info(message(i)) }
	case request:
		return func(i int) { l.WithFields(logrusRequest()).Info(message(i)) }
	case child:
		return func(i int) {
			c := l.WithFields(logrus.Fields{"request_id": requestID(i), "user": "ann"})
			c.WithFields(logrusRequest()).Info(message(i))
		}
	}
	panic(fmt.Sprint("unknown shape ", k))
}

// fapilogConfig is the Config of both faces: one writer sink, and Block
// with no time limit, so that no record is dropped.
func fapilogConfig(w io.Writer) fapilog.Config {
	return fapilog.Config{
		Sinks:        []fapilog.Sink{fapilog.NewWriterSink(w)},
		Backpressure: fapilog.Block,
		BlockTimeout: -1,
	}
}

// fapilogAsyncLog logs with the async face. The calls are made on the
// concrete type, so that the attrs stay on the caller's stack.
func fapilogAsyncLog(l *fapilog.AsyncLogger, k shape) func(int) {
	switch k {
	case fields10:
		return func(i int) {
			var a [10]slog.Attr
			l.Info(message(i), slogFields10(&a)...)
		}
	case context10:
		var a [10]slog.Attr
		l = l.With(slogFields10(&a)...)
		fallthrough
	case static:
		return func(i int) { l.Info(message(i)) }
	case request:
		return func(i int) {
			var a [5]slog.Attr
			l.Info(message(i), slogRequest(&a)...)
		}
	case child:
		return func(i int) {
			var a [5]slog.Attr
			c := l.With(slog.String("request_id", requestID(i)), slog.String("user", "ann"))
			c.Info(message(i), slogRequest(&a)...)
		}
	case ten:
		return func(int) {
			var a [10]slog.Attr
			l.Info(tenMsg, slogTen(&a)...)
		}
	case tenVia:
		info := opaque(l.Info)
		return func(int) {
			var a [10]slog.Attr
			info(tenMsg, slogTen(&a)...)
		}
	}
	panic(fmt.Sprint("unknown shape ", k))
}

// fapilogSyncLog logs with the sync face, on the concrete type as
// fapilogAsyncLog does; it has the shapes of the sync scenarios only.
func fapilogSyncLog(b *testing.B, l *fapilog.SyncLogger, k shape) func(int) {
	switch k {
	case request:
		return func(i int) {
			var a [5]slog.Attr
			l.Info(message(i), slogRequest(&a)...)
		}
	case ten:
		return func(int) {
			var a [10]slog.Attr
			l.Info(tenMsg, slogTen(&a)...)
		}
	}
	b.Fatalf("fapilog.sync does not log shape %d", k)
	return nil
}

// fapilogLogger is what the two faces share.
type fapilogLogger interface {
	Flush(context.Context) error
	Close(context.Context) error
	Stats() fapilog.Stats
}

// fapilogSubject is a fapilog face: Flush waits for the writes, Close
// fails on any dropped or failed record (Close's own *fapilog.LossError
// says so; the Stats check is the same promise read the other way), and
// the dropped count (zero, or the benchmark has failed) and the records
// per sink write are reported.
func fapilogSubject(l fapilogLogger, logf func(int)) subject {
	ctx := context.Background()
	return subject{
		log:   logf,
		flush: func(int64) error { return l.Flush(ctx) },
		close: func() error {
			if err := l.Close(ctx); err != nil {
				return err
			}
			if st := l.Stats(); st.Dropped != 0 || st.Failed != 0 || st.Written != st.Submitted {
				return fmt.Errorf("fapilog: %+v", st)
			}
			return nil
		},
		metrics: func(b *testing.B) {
			st := l.Stats()
			b.ReportMetric(float64(st.Dropped), "dropped")
			if writes := st.Sinks[0].WriteLatency.Count; writes > 0 {
				b.ReportMetric(float64(st.Sinks[0].Written)/float64(writes), "records/write")
			}
		},
	}
}

func (s subject) mustFlush(b *testing.B, logged int64) {
	if s.flush == nil {
		return
	}
	if err := s.flush(logged); err != nil {
		b.Fatal(err)
	}
}

func (s subject) mustClose(b *testing.B) {
	if s.close == nil {
		return
	}
	if err := s.close(); err != nil {
		b.Fatal(err)
	}
}

// lost checks that the output holds the records logged and returns how
// many are missing; a missing record fails the benchmark unless the
// logger is lossy by design.
func (s subject) lost(b *testing.B, lines, logged int64) int64 {
	if lines == logged || (s.lossy && lines < logged) {
		return logged - lines
	}
	b.Fatalf("wrote %d lines for %d records", lines, logged)
	return 0
}

// reportLost reports the share of records lost, for a lossy logger.
func (s subject) reportLost(b *testing.B, lost, logged int64) {
	if s.lossy {
		b.ReportMetric(100*float64(lost)/float64(logged), "dropped-%")
	}
}

// spread calls logf(i) for every i in [0, total) from n goroutines, each
// taking a contiguous share, and returns when all are done.
func spread(n, total int, logf func(int)) {
	var wg sync.WaitGroup
	for g := range n {
		lo, hi := total*g/n, total*(g+1)/n
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				logf(i)
			}
		})
	}
	wg.Wait()
}
