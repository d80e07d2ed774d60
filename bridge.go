package fapilog

import (
	"context"
	"log"
	"log/slog"
	"reflect"
	"runtime"
	"strings"
)

// A Face is either face of a pipeline, *AsyncLogger or *SyncLogger.
// No other type implements it.
type Face interface {
	Handler() slog.Handler
	base() *core
}

func (c *core) base() *core { return c }

// SetDefault makes l the default slog logger (slog.Info and the rest log
// through l's face) and routes the standard log package into the same
// pipeline through its synchronous face: each line of log.Print, Printf
// and the others becomes a record at slog.LevelInfo, its message without
// the trailing newline, with a "source" pointing at the log call when
// Config.AddSource is set. It sets log's flags to 0: the record has its
// own time and source.
//
// Because those lines are written before log's Write returns, the line of
// log.Fatal is in every sink before the process exits, and that of
// log.Panic before the panic starts, whichever face l is. (slog.SetDefault
// alone would route them through l's face: with an AsyncLogger, log.Fatal
// exits before its line is written.) Lines are dropped like Info records
// if the logger's level is above Info.
func SetDefault(l Face) {
	c := l.base()
	slog.SetDefault(slog.New(c.Handler()))
	log.SetOutput(&logWriter{c: c.asSync(true)})
	log.SetFlags(0)
}

// A logWriter is the log package's output after SetDefault.
type logWriter struct{ c core }

// Write logs p, one line of the log package, and returns once it is
// written. It always succeeds: failures are counted in Stats.
func (lw *logWriter) Write(p []byte) (int, error) {
	lw.c.w.logLine(lw.c.scope, p)
	return len(p), nil
}

// logLine logs line, of the log package, at Info: synchronously, unless
// the pipeline's own work (a sink, an enricher) logged it, which waiting
// would deadlock.
func (w *worker) logLine(sc *scope, line []byte) {
	if !w.enabledIn(sc, slog.LevelInfo) {
		return
	}
	var pc uintptr
	if w.set.addSource {
		pc = logCallerPC()
	}
	msg := strings.TrimSuffix(string(line), "\n") // log reuses line once Write returns
	w.emit(context.Background(), sc, !inPipeline(), now(), slog.LevelInfo, msg, pc, nil, nil)
}

// pipelineFuncs are the functions under which the pipeline's own work
// runs: encoding (with enrichers and redactors) and writing a batch, and
// every Sink call.
var pipelineFuncs = [...]string{funcName((*worker).processBatch), funcName(callSink)}

func funcName(f any) string {
	return runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
}

// inPipeline reports whether the caller runs under one of pipelineFuncs.
func inPipeline() bool {
	var pcs [128]uintptr
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs[:])])
	for {
		f, more := frames.Next()
		for _, name := range pipelineFuncs {
			if f.Function == name {
				return true
			}
		}
		if !more {
			return false
		}
	}
}

// logCallerPC returns the PC of the call into the log package that led to
// Write: the first frame, past Write and logLine, outside package log. The number of
// log's frames depends on the function called (Printf, Fatal, a
// *log.Logger's Output with its own depth), so it is counted, not fixed.
func logCallerPC() uintptr {
	var pcs [32]uintptr
	// Skip runtime.Callers, logCallerPC, worker.logLine and Write.
	const skip = 4
	n := runtime.Callers(skip, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	depth := 0
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "log.") {
			break
		}
		depth++
		if !more {
			return 0
		}
	}
	// Callers counts inlined frames as CallersFrames does, so the same
	// depth finds the same frame's PC.
	var pc [1]uintptr
	runtime.Callers(skip+depth, pc[:])
	return pc[0]
}
