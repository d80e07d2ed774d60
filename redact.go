package fapilog

import "log/slog"

// A Redactor masks secrets before a record is encoded. Redactors run on
// the worker, after enrichment, over everything the record will print.
type Redactor interface {
	// Redact returns the attribute to print in place of a, found under the
	// group path groups, and whether it differs from a.
	Redact(groups []string, a slog.Attr) (slog.Attr, bool)
}
