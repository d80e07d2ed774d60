package fapilog_test

import (
	"context"
	"log"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/fapilogtest"
)

// TestSetDefault checks that after SetDefault the log package's lines are
// Info records written before log returns, without the trailing newline,
// with the source of the log call (through log.Printf and a *log.Logger's
// Output alike), and that slog's default logs through the same pipeline.
func TestSetDefault(t *testing.T) {
	fapilogtest.KeepDefaults(t)
	rec := fapilogtest.NewRecorder()
	l, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{rec}, AddSource: true})
	require.NoError(t, err)
	fapilog.SetDefault(l)
	require.Zero(t, log.Flags())

	_, file, line, _ := runtime.Caller(0)
	log.Printf("hello %d", 1) // line+1
	require.Len(t, rec.Entries(), 1, "written before Printf returned")
	log.Print("two lines\nin one\n")
	log.New(log.Writer(), "", 0).Output(1, "own logger")
	slog.Warn("from slog", "k", 1)
	require.NoError(t, l.Flush(context.Background()))

	entries := rec.Entries()
	require.Len(t, entries, 4)
	require.Equal(t, "hello 1", entries[0].Message)
	require.Equal(t, slog.LevelInfo, entries[0].Level)
	const fn = "github.com/fapilog/fapilog-go_test.TestSetDefault"
	require.Equal(t, map[string]any{"function": fn, "file": file, "line": float64(line + 1)}, entries[0].Attrs["source"])
	require.Equal(t, "two lines\nin one", entries[1].Message, "one trailing newline removed")
	require.Equal(t, "own logger", entries[2].Message)
	require.Equal(t, fn, entries[2].Attrs["source"].(map[string]any)["function"])
	require.Equal(t, "from slog", entries[3].Message)
	require.Equal(t, slog.LevelWarn, entries[3].Level)
	require.NoError(t, l.Close(context.Background()))
}

// logsFromSink is a sink whose first write logs through the log package.
type logsFromSink struct {
	*fapilogtest.Recorder
	logged bool
}

func (s *logsFromSink) WriteBatch(b *fapilog.Batch) error {
	if !s.logged {
		s.logged = true
		log.Print("from inside a sink")
	}
	return s.Recorder.WriteBatch(b)
}

// TestSetDefaultLogFromSink checks that a sink logging through the log
// package after SetDefault does not wait for its own write (a deadlock),
// whether the worker or a sync caller runs it: its line is queued and
// written next.
func TestSetDefaultLogFromSink(t *testing.T) {
	fapilogtest.KeepDefaults(t)
	for _, sync := range []bool{false, true} {
		sink := &logsFromSink{Recorder: fapilogtest.NewRecorder()}
		l, err := fapilog.NewAsync(fapilog.Config{Sinks: []fapilog.Sink{sink}})
		require.NoError(t, err)
		fapilog.SetDefault(l)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if sync {
				l.AsSync().Info("sync")
			} else {
				l.Info("async")
			}
			l.Flush(context.Background())
			// The sink's line was queued during that Flush's write.
			l.Flush(context.Background())
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("a sink logging through the log package deadlocked the pipeline")
		}
		entries := sink.Entries()
		require.Len(t, entries, 2)
		require.Equal(t, "from inside a sink", entries[1].Message)
		require.NoError(t, l.Close(context.Background()))
	}
}
