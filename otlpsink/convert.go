package otlpsink

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
	"github.com/fapilog/fapilog-go/internal/ship"
)

// An encoder turns a batch of fapilog JSON lines into one OTLP/JSON
// ExportLogsServiceRequest. It keeps its buffers between batches.
type encoder struct {
	head  []byte // `{"resourceLogs":[{"resource":…,"scopeLogs":[{"scope":…,"logRecords":[`
	out   []byte
	attrs []byte
	rd    bytes.Reader
}

const tail = `]}]}]}`

// Severity returns the OpenTelemetry severity number of a slog level: the
// level + 9, within 1..24 (Debug 5, Info 9, Warn 13, Error 17), as the
// OpenTelemetry slog bridge maps it.
func Severity(l slog.Level) int { return min(max(int(l)+9, 1), 24) }

func newEncoder(resource []slog.Attr) *encoder {
	e := &encoder{}
	b := append(e.head, `{"resourceLogs":[{"resource":{"attributes":[`...)
	for i, a := range resource {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendKeyString(b, a.Key, a.Value.String())
	}
	b = append(b, `]},"scopeLogs":[{"scope":{"name":"github.com/fapilog/fapilog-go"},"logRecords":[`...)
	e.head = b
	return e
}

// encode returns the request for b, valid until the next call. now is the
// observed time of every record.
func (e *encoder) encode(b *fapilog.Batch, now time.Time) []byte {
	e.out = append(e.out[:0], e.head...)
	observed := strconv.FormatInt(now.UnixNano(), 10)
	for i := range b.Len() {
		if i > 0 {
			e.out = append(e.out, ',')
		}
		e.out = e.record(e.out, b.Record(i), b.Level(i), b.Time(i), observed)
	}
	e.out = append(e.out, tail...)
	return e.out
}

// record appends the logRecord of one JSON line. A line that does not
// parse as a JSON object (a bug upstream, not expected) becomes the body
// of its record, as a string.
func (e *encoder) record(dst, line []byte, level slog.Level, t time.Time, observed string) []byte {
	dst = append(dst, '{')
	if !t.IsZero() {
		dst = append(dst, `"timeUnixNano":"`...)
		dst = strconv.AppendInt(dst, t.UnixNano(), 10)
		dst = append(dst, `",`...)
	}
	dst = append(dst, `"observedTimeUnixNano":"`...)
	dst = append(dst, observed...)
	dst = append(dst, `","severityNumber":`...)
	dst = strconv.AppendInt(dst, int64(Severity(level)), 10)
	dst = append(dst, `,"severityText":`...)
	dst = ship.AppendString(dst, level.String())
	f, err := e.fields(line)
	if err != nil {
		f = fields{msg: string(bytes.TrimRight(line, "\n"))}
		e.attrs = e.attrs[:0]
	}
	dst = append(dst, `,"body":{"stringValue":`...)
	dst = ship.AppendString(dst, f.msg)
	dst = append(dst, `},"attributes":[`...)
	dst = append(dst, e.attrs...)
	dst = append(dst, ']')
	if f.traceID != "" {
		dst = append(dst, `,"traceId":"`...)
		dst = append(dst, f.traceID...)
		dst = append(dst, '"')
	}
	if f.spanID != "" {
		dst = append(dst, `,"spanId":"`...)
		dst = append(dst, f.spanID...)
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

type fields struct{ msg, traceID, spanID string }

var errNotObject = errors.New("not a JSON object")

// fields reads one JSON line: its msg and trace ids into f, every other
// attribute, typed, into e.attrs. The header keys (time, level, source,
// msg) are read as such only up to "msg", where fapilog's header ends, so
// an attribute that happens to be named "time" stays an attribute.
func (e *encoder) fields(line []byte) (f fields, err error) {
	e.attrs = e.attrs[:0]
	e.rd.Reset(line)
	dec := json.NewDecoder(&e.rd)
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return f, errNotObject
	}
	header := true
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return f, err
		}
		key := tok.(string) // object keys are strings
		if tok, err = dec.Token(); err != nil {
			return f, err
		}
		if header {
			switch key {
			case "time", "level":
				if _, ok := tok.(string); ok {
					continue // taken from the Batch, unparsed
				}
			case "source":
				if tok == json.Delim('{') {
					if err := e.source(dec); err != nil {
						return f, err
					}
					continue
				}
			case "msg":
				if s, ok := tok.(string); ok {
					f.msg, header = s, false
					continue
				}
			}
		}
		if s, ok := tok.(string); ok {
			switch key {
			case "trace_id", "traceId":
				if id, ok := hexID(s, 32); ok && f.traceID == "" {
					f.traceID = id
					continue
				}
			case "span_id", "spanId":
				if id, ok := hexID(s, 16); ok && f.spanID == "" {
					f.spanID = id
					continue
				}
			}
		}
		if e.attrs, err = appendKV(e.attrs, dec, key, tok); err != nil {
			return f, err
		}
	}
	_, err = dec.Token() // '}'
	return f, err
}

// source turns fapilog's "source":{"function","file","line"} into the
// semantic-convention attributes code.function.name, code.file.path and
// code.line.number.
func (e *encoder) source(dec *json.Decoder) error {
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string)
		if tok, err = dec.Token(); err != nil {
			return err
		}
		switch key {
		case "function":
			key = "code.function.name"
		case "file":
			key = "code.file.path"
		case "line":
			key = "code.line.number"
		default:
			key = "code." + key
		}
		if e.attrs, err = appendKV(e.attrs, dec, key, tok); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// hexID returns s in lower case if it is n hex digits and not all zero
// (an invalid id in OpenTelemetry).
func hexID(s string, n int) (string, bool) {
	if len(s) != n || strings.Trim(s, "0") == "" {
		return "", false
	}
	for i := 0; i < n; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", false
		}
	}
	return strings.ToLower(s), true
}

// appendKV appends one KeyValue, with a comma if dst is not empty.
func appendKV(dst []byte, dec *json.Decoder, key string, tok json.Token) ([]byte, error) {
	if len(dst) > 0 && dst[len(dst)-1] != '[' {
		dst = append(dst, ',')
	}
	dst = append(dst, `{"key":`...)
	dst = ship.AppendString(dst, key)
	dst = append(dst, `,"value":`...)
	dst, err := appendValue(dst, dec, tok)
	return append(dst, '}'), err
}

// appendValue appends the AnyValue of the JSON value that starts with tok:
// integer literals become intValue (a string, per the OTLP JSON mapping),
// other numbers doubleValue, objects kvlistValue, arrays arrayValue, null
// an empty value.
func appendValue(dst []byte, dec *json.Decoder, tok json.Token) ([]byte, error) {
	switch v := tok.(type) {
	case string:
		dst = append(dst, `{"stringValue":`...)
		dst = ship.AppendString(dst, v)
	case json.Number:
		if isInt(v) {
			dst = append(dst, `{"intValue":"`...)
			dst = append(dst, v...)
			dst = append(dst, '"')
		} else {
			dst = append(dst, `{"doubleValue":`...)
			dst = append(dst, v...)
		}
	case bool:
		dst = append(dst, `{"boolValue":`...)
		dst = strconv.AppendBool(dst, v)
	case nil:
		return append(dst, `{}`...), nil
	case json.Delim:
		if v == '{' {
			dst = append(dst, `{"kvlistValue":{"values":[`...)
		} else {
			dst = append(dst, `{"arrayValue":{"values":[`...)
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return dst, err
			}
			if v == '{' {
				key := tok.(string)
				if tok, err = dec.Token(); err != nil {
					return dst, err
				}
				dst, err = appendKV(dst, dec, key, tok)
			} else {
				if dst[len(dst)-1] != '[' {
					dst = append(dst, ',')
				}
				dst, err = appendValue(dst, dec, tok)
			}
			if err != nil {
				return dst, err
			}
		}
		if _, err := dec.Token(); err != nil {
			return dst, err
		}
		dst = append(dst, `]}`...)
	}
	return append(dst, '}'), nil
}

// isInt reports whether a JSON number is an integer literal that fits an
// int64 (a bigger one is sent as a double).
func isInt(n json.Number) bool {
	if strings.ContainsAny(string(n), ".eE") {
		return false
	}
	_, err := strconv.ParseInt(string(n), 10, 64)
	return err == nil
}

// appendKeyString appends a KeyValue with a string value.
func appendKeyString(dst []byte, key, val string) []byte {
	dst = append(dst, `{"key":`...)
	dst = ship.AppendString(dst, key)
	dst = append(dst, `,"value":{"stringValue":`...)
	dst = ship.AppendString(dst, val)
	return append(dst, `}}`...)
}
