package fapilogtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
)

// An Entry is one record, decoded.
type Entry struct {
	// Time and Level are the record's, as the Batch reports them.
	Time  time.Time
	Level slog.Level
	// Message is the record's msg.
	Message string
	// Attrs holds every other key of the line (source, enrichers',
	// context, With and call attrs) as encoding/json decodes it into an
	// any: groups and objects as map[string]any, arrays as []any, numbers
	// as float64 (integers beyond 2^53 lose precision), times and
	// durations as the strings and numbers they were encoded as. When a
	// key repeats, the last value wins. Attrs is never nil.
	Attrs map[string]any
}

// MalformedKey is the key of Attrs under which a Recorder keeps a line
// that is not one JSON object: the line, as a string without its '\n'.
// Such an Entry has an empty Message. Nothing a logger writes lands here;
// a test can look for it to catch a broken sink or encoder.
const MalformedKey = "!MALFORMED"

// decode splits one JSON line into the head fields and the attrs. The
// first "time", "level" and "msg" keys holding strings are the head (a
// logger writes them first; an attr of the same name after them stays in
// Attrs). A line without time or level gets the zero time or
// slog.LevelInfo. On error the Entry is zero.
func decode(line []byte) (Entry, error) {
	e, err := decodeObject(line)
	if err != nil {
		return Entry{}, err
	}
	return e, nil
}

func decodeObject(line []byte) (e Entry, err error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return e, errors.New("not a JSON object")
	}
	e.Attrs = map[string]any{}
	var hasTime, hasLevel, hasMsg bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return e, err
		}
		key := tok.(string) // inside an object, Token returns keys as strings
		var v any
		if err := dec.Decode(&v); err != nil {
			return e, err
		}
		switch s, isString := v.(string); {
		case key == "time" && !hasTime && isString:
			if e.Time, err = time.Parse(time.RFC3339Nano, s); err != nil {
				return e, fmt.Errorf("time: %w", err)
			}
			hasTime = true
		case key == "level" && !hasLevel && isString:
			if e.Level, err = parseLevel(s); err != nil {
				return e, fmt.Errorf("level: %w", err)
			}
			hasLevel = true
		case key == "msg" && !hasMsg && isString:
			e.Message, hasMsg = s, true
		default:
			e.Attrs[key] = v
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return e, err
	}
	if dec.More() {
		return e, errors.New("more than one JSON value")
	}
	return e, nil
}

// parseLevel reads a level name as fapilog writes it: slog's names, and
// FATAL for fapilog.LevelFatal.
func parseLevel(s string) (slog.Level, error) {
	if s == "FATAL" {
		return fapilog.LevelFatal, nil
	}
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}
