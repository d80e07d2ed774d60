package fapilogtest

import (
	"log"
	"log/slog"
	"testing"
)

// KeepDefaults puts back, when t ends, slog's default logger and the log
// package's output and flags, which slog.SetDefault and fapilog.SetDefault
// change: for tests of code that sets them.
func KeepDefaults(t testing.TB) {
	l, w, flags := slog.Default(), log.Writer(), log.Flags()
	t.Cleanup(func() {
		slog.SetDefault(l)
		log.SetOutput(w)
		log.SetFlags(flags)
	})
}
