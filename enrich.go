package fapilog

import "log/slog"

// An Enricher adds attributes to records. Enrichers run on the worker,
// before redaction, so what they add is redacted too.
type Enricher interface {
	// Enrich appends its attributes to dst and returns the result.
	Enrich(dst []slog.Attr) []slog.Attr
}
