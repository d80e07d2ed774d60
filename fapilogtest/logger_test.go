package fapilogtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fapilog "github.com/fapilog/fapilog-go"
)

// fakeTB records what NewLogger does to its testing.TB. Fatalf panics
// with fatal, as the real one stops the goroutine.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	logs     []string
	errs     []string
	cleanups []func()
}

type fatal string

func (f *fakeTB) Helper() {}

func (f *fakeTB) Log(args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprint(args...))
}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Fatalf(format string, args ...any) { panic(fatal(fmt.Sprintf(format, args...))) }

func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

// end runs the cleanups, last first, as testing does.
func (f *fakeTB) end() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
}

func (f *fakeTB) lines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.logs...)
}

func TestNewLoggerWritesThroughTLog(t *testing.T) {
	tb := &fakeTB{TB: t}
	logger := NewLogger(tb)
	logger.Debug("debug shows by default", slog.Int("n", 1))
	logger.AsAsync().Info("async too")
	require.NoError(t, logger.Flush(context.Background()))

	lines := tb.lines()
	require.Len(t, lines, 2)
	assert.Regexp(t, `^\{"time":"[^"]+","level":"DEBUG","msg":"debug shows by default","n":1\}$`, lines[0])
	assert.Contains(t, lines[1], `"msg":"async too"`)

	require.Len(t, tb.cleanups, 1)
	tb.end()
	assert.Empty(t, tb.errs)
	logger.Info("after the test")
	assert.Len(t, tb.lines(), 2, "the cleanup closed the logger")
	assert.Equal(t, uint64(1), logger.Stats().Dropped)
}

func TestNewLoggerOptions(t *testing.T) {
	tb := &fakeTB{TB: t}
	rec := NewRecorder()
	logger := NewLogger(tb, Level(slog.LevelWarn), Sinks(rec))
	defer tb.end()
	logger.Info("below the level")
	logger.Warn("kept", slog.String("password", "hunter2"))
	assert.Equal(t, []string{"kept"}, messages(rec.Entries()))
	assert.Equal(t, "***", rec.Entries()[0].Attrs["password"], "fapilog's default redaction applies")
	require.Len(t, tb.lines(), 1)
	assert.Contains(t, tb.lines()[0], `"msg":"kept"`)
}

// closeFails is a sink whose Close fails.
type closeFails struct{ Recorder }

func (*closeFails) Close() error { return errors.New("disk gone") }

func TestNewLoggerFailsTheTestWhenCloseFails(t *testing.T) {
	tb := &fakeTB{TB: t}
	logger := NewLogger(tb, Sinks(&closeFails{}))
	logger.Info("x")
	tb.end()
	require.Len(t, tb.errs, 1)
	assert.Contains(t, tb.errs[0], "disk gone")
}

// writeFails is a sink whose writes fail.
type writeFails struct{ Recorder }

func (*writeFails) WriteBatch(*fapilog.Batch) error { return errors.New("no room") }

func TestNewLoggerShowsDiagnostics(t *testing.T) {
	tb := &fakeTB{TB: t}
	logger := NewLogger(tb, Sinks(&writeFails{}))
	logger.Info("x")
	tb.end()
	var diag []string
	for _, l := range tb.lines() {
		if strings.HasPrefix(l, "fapilog diagnostics: ") {
			diag = append(diag, l)
		}
	}
	require.NotEmpty(t, diag, "lines: %q", tb.lines())
	assert.Contains(t, diag[0], "no room")
	assert.Empty(t, tb.errs, "a failed write is counted, not a Close error")
	assert.Equal(t, uint64(1), logger.Stats().Failed)
}

func TestNewLoggerFatalOnBadConfig(t *testing.T) {
	tb := &fakeTB{TB: t}
	defer func() {
		f, ok := recover().(fatal)
		require.True(t, ok, "NewLogger should call Fatalf")
		assert.Contains(t, string(f), "Config.Sinks")
	}()
	NewLogger(tb, Sinks(nil))
	t.Error("NewLogger returned")
}

// TestNewLoggerDropsWritesAfterTheEnd: a sink that outlives Close must not
// call t.Log once the test has ended, which would panic.
func TestNewLoggerDropsWritesAfterTheEnd(t *testing.T) {
	tb := &fakeTB{TB: t}
	out := &tbOut{t: tb}
	out.log("", []byte("before\n"))
	out.ended.Store(true)
	out.log("", []byte("after\n"))
	assert.Equal(t, []string{"before"}, tb.lines())
}

// TestNewLoggerWithRealT exercises the real testing.T: the lines show with
// go test -v.
func TestNewLoggerWithRealT(t *testing.T) {
	rec := NewRecorder()
	logger := NewLogger(t, Sinks(rec))
	logger.With(slog.String("user", "ann")).Info("hello from a test")
	require.Len(t, rec.Entries(), 1)
	assert.Equal(t, "ann", rec.Entries()[0].Attrs["user"])
}

// bothFail is a sink whose writes and Close fail.
type bothFail struct{ writeFails }

func (*bothFail) Close() error { return errors.New("disk gone") }

func TestNewLoggerFailsOnCloseErrorNotOnLoss(t *testing.T) {
	tb := &fakeTB{TB: t}
	logger := NewLogger(tb, Sinks(&bothFail{}))
	logger.Info("x")
	tb.end()
	require.Len(t, tb.errs, 1)
	assert.Contains(t, tb.errs[0], "disk gone")
	assert.NotContains(t, tb.errs[0], "records lost", "the loss is in Stats and the diagnostics")
	assert.Equal(t, uint64(1), logger.Stats().Failed)
}
