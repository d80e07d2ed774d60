package fapilogtest

import fapilog "github.com/fapilog/fapilog-go"

// NewBatch returns a Batch holding records, in order, for a test to hand
// to a Sink's WriteBatch. Each record is one JSON line; a missing final
// '\n' is added. A record's level and time are read from its "level" and
// "time" keys (slog's level names and FATAL, RFC 3339 times) when it is a valid
// JSON object; otherwise, or without those keys, they are slog.LevelInfo
// and the zero time. The records need not be valid JSON: a test may feed
// a sink anything.
func NewBatch(records ...[]byte) *fapilog.Batch {
	b := new(fapilog.Batch)
	for _, rec := range records {
		e, _ := decode(rec)
		if len(rec) == 0 || rec[len(rec)-1] != '\n' {
			rec = append(rec[:len(rec):len(rec)], '\n')
		}
		b.Append(e.Time, e.Level, rec)
	}
	return b
}
