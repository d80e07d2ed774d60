package fapilog

import "log/slog"

// LevelFatal is the level of Fatal and FatalContext, above slog.LevelError.
// Records at it are written with the level name "FATAL".
const LevelFatal = slog.Level(12)

// A threshold is a configured slog.Leveler read on the caller's path. A
// fixed slog.Level is kept as a value, so comparing with it costs no
// interface call; anything else (a *slog.LevelVar) is asked each time.
type threshold struct {
	fixed   slog.Level
	dynamic slog.Leveler // nil: fixed
}

// newThreshold returns the threshold of l, or of def if l is nil.
func newThreshold(l slog.Leveler, def slog.Level) threshold {
	switch l := l.(type) {
	case nil:
		return threshold{fixed: def}
	case slog.Level:
		return threshold{fixed: l}
	default:
		return threshold{dynamic: l}
	}
}

// level returns the threshold's level now.
func (t *threshold) level() slog.Level {
	if t.dynamic != nil {
		return t.dynamic.Level()
	}
	return t.fixed
}
