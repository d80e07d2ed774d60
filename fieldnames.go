package fapilog

import (
	"fmt"
	"log/slog"
	"strings"
)

// FieldNames renames the built-in fields of every line and chooses how
// the time and the level are written. It applies to every format (the
// console format shows no keys for time, level and message, but uses the
// level names). The zero FieldNames, like a nil Config.Fields, keeps
// slog's names: "time", "level", "msg", "source", RFC 3339 times with
// nanoseconds and slog.Level's names.
type FieldNames struct {
	// Time, Level, Message and Source are the keys of the built-in fields;
	// "" keeps "time", "level", "msg" and "source".
	Time, Level, Message, Source string
	// TimeEncoding is how the record's time is written; the default is
	// TimeRFC3339Nano.
	TimeEncoding TimeEncoding
	// LevelName returns the name written for a level; nil means
	// slog.Level.String ("INFO", "WARN", "ERROR+2"…), and FATAL for
	// LevelFatal. It is called once
	// per level when the logger is made for DEBUG, INFO, WARN, ERROR and
	// ERROR+4, and per record for other levels.
	LevelName func(slog.Level) string
}

// TimeEncoding is how a record's time is written.
type TimeEncoding int

const (
	// TimeRFC3339Nano writes RFC 3339 with as many fraction digits as
	// needed, up to nanoseconds ("2026-01-02T15:04:05.123456789Z"), as
	// slog.JSONHandler does. It is the default.
	TimeRFC3339Nano TimeEncoding = iota
	// TimeRFC3339Millis writes RFC 3339 with exactly three fraction
	// digits ("2026-01-02T15:04:05.123Z"), as slog.TextHandler does.
	TimeRFC3339Millis
	// TimeUnix writes whole seconds since the Unix epoch as a number.
	TimeUnix
	// TimeUnixMilli writes milliseconds since the Unix epoch as a number.
	TimeUnixMilli
	// TimeUnixNano writes nanoseconds since the Unix epoch as a number.
	TimeUnixNano
)

// String returns the constant's name without its "Time" prefix.
func (e TimeEncoding) String() string {
	switch e {
	case TimeRFC3339Nano:
		return "RFC3339Nano"
	case TimeRFC3339Millis:
		return "RFC3339Millis"
	case TimeUnix:
		return "Unix"
	case TimeUnixMilli:
		return "UnixMilli"
	case TimeUnixNano:
		return "UnixNano"
	}
	return fmt.Sprintf("TimeEncoding(%d)", int(e))
}

// GoogleCloudLogging returns the field names Google Cloud Logging reads
// from a JSON line: "time", "severity" with its names (DEBUG, INFO,
// WARNING, ERROR, CRITICAL for levels at or above slog.LevelError+4) and
// "message". The source keeps its key.
func GoogleCloudLogging() *FieldNames {
	return &FieldNames{Time: "time", Level: "severity", Message: "message", LevelName: gcpLevel}
}

// gcpLevel maps a slog level to a Cloud Logging severity.
func gcpLevel(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARNING"
	case l < slog.LevelError+4:
		return "ERROR"
	}
	return "CRITICAL"
}

// ElasticECS returns the field names of the Elastic Common Schema:
// "@timestamp" (RFC 3339 with milliseconds), "log.level" with lower-case
// names ("info", "error+2") and "message". The source keeps its key and
// shape, and "ecs.version" is not added: add it with an enricher if you
// need it.
func ElasticECS() *FieldNames {
	return &FieldNames{Time: "@timestamp", Level: "log.level", Message: "message",
		TimeEncoding: TimeRFC3339Millis, LevelName: ecsLevel}
}

func ecsLevel(l slog.Level) string { return strings.ToLower(levelString(l)) }

// names is a validated FieldNames with its defaults filled in.
type names struct {
	time, level, msg, source string
	timeEnc                  TimeEncoding
	levelName                func(slog.Level) string
}

// defaultNames are slog's.
var defaultNames = names{time: slog.TimeKey, level: slog.LevelKey, msg: slog.MessageKey, source: slog.SourceKey}

// resolve returns fn's names, checking them.
func (fn *FieldNames) resolve() (names, error) {
	n := defaultNames
	if fn == nil {
		return n, nil
	}
	for _, f := range []struct {
		dst *string
		src string
	}{{&n.time, fn.Time}, {&n.level, fn.Level}, {&n.msg, fn.Message}, {&n.source, fn.Source}} {
		if f.src != "" {
			*f.dst = f.src
		}
	}
	keys := []string{n.time, n.level, n.msg, n.source}
	for i, k := range keys {
		for _, o := range keys[i+1:] {
			if k == o {
				return n, configError("Fields", "the key %q is used twice", k)
			}
		}
	}
	if fn.TimeEncoding < TimeRFC3339Nano || fn.TimeEncoding > TimeUnixNano {
		return n, configError("Fields", "unknown TimeEncoding %d", int(fn.TimeEncoding))
	}
	n.timeEnc, n.levelName = fn.TimeEncoding, fn.LevelName
	return n, nil
}

// name returns level's name.
func (n *names) name(level slog.Level) (s string) {
	if n.levelName == nil {
		return levelString(level)
	}
	defer func() {
		if recover() != nil {
			s = levelString(level) // a LevelName that panics does not lose the record
		}
	}()
	return n.levelName(level)
}
