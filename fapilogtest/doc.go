// Package fapilogtest helps test code that logs through fapilog, and
// sinks written for it.
//
//   - A Recorder is a fapilog.Sink that keeps every record, decoded into
//     an Entry, for a test to inspect.
//   - NewLogger returns a logger for a test: it writes each record through
//     t.Log (shown with go test -v or when the test fails) and closes
//     itself when the test ends.
//   - NewBatch builds a fapilog.Batch from JSON lines, to unit-test a Sink
//     without a logger.
//
// It depends on the standard library and fapilog only.
package fapilogtest
