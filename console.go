package fapilog

import (
	"log/slog"
	"strings"
	"unicode/utf8"
)

// The console format is for people reading a terminal:
//
//	15:04:05.000 INFO  order placed service=checkout order_id=1042
//	15:04:05.001 ERROR payment failed attempt=2
//	    stack=
//	        goroutine 1 [running]:
//	        main.main()
//
// The time is local, in ConsoleOptions.TimeFormat; the level's name is
// padded to five columns; then come the source (with Config.AddSource),
// the message and the attrs as logfmt writes them. A value of several
// lines in the record's attrs is written under the line, indented, with
// its key (one in With context stays inline, quoted). Control characters
// are escaped, so the output never holds an escape sequence it did not
// write itself, and none at all without color.

// ANSI SGR sequences of the console format.
const (
	ansiReset = "\x1b[0m"
	ansiFaint = "\x1b[2m"
)

// levelColor returns the color of a level's name.
func levelColor(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "\x1b[36m" // cyan
	case l < slog.LevelWarn:
		return "\x1b[32m" // green
	case l < slog.LevelError:
		return "\x1b[33m" // yellow
	case l < slog.LevelError+4:
		return "\x1b[31m" // red
	}
	return "\x1b[1;31m" // bold red: FATAL and above
}

// levelWidth is the width a level's name is padded to.
const levelWidth = 5

// appendConsoleLevel appends the level's name padded to levelWidth,
// colored, and a space.
func appendConsoleLevel(b []byte, l slog.Level, name string, color bool) []byte {
	if color {
		b = append(b, levelColor(l)...)
	}
	b = appendConsoleText(b, name)
	for n := utf8.RuneCountInString(name); n < levelWidth; n++ {
		b = append(b, ' ')
	}
	if color {
		b = append(b, ansiReset...)
	}
	return append(b, ' ')
}

// appendConsoleText appends s with control characters and invalid UTF-8
// escaped as Go does (\x1b, \n…), so that nothing in s can move the
// cursor or change colors.
func appendConsoleText(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= ' ' && c != 0x7f && c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if c >= utf8.RuneSelf && r != utf8.RuneError && !isC1(r) {
			i += size
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, '\t')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			if c < utf8.RuneSelf || r == utf8.RuneError {
				b = append(b, '\\', 'x', hex[c>>4], hex[c&0xF])
				size = 1
			} else {
				b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xF])
			}
		}
		i += size
		start = i
	}
	return append(b, s[start:]...)
}

// isC1 reports whether r is a C1 control character (U+0080–U+009F),
// which some terminals obey like an escape sequence.
func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

// appendIndented appends each line of s, indented under the key just
// appended to b: a newline, then each line of s after eight spaces,
// ending in '\n'.
func appendIndented(b []byte, s string) []byte {
	return appendLines(append(b, '\n'), s, "        ")
}

// appendLines appends each line of s after indent, each ending in '\n'.
// A final newline in s makes no empty line.
func appendLines(b []byte, s, indent string) []byte {
	s = strings.TrimSuffix(s, "\n")
	for {
		line, rest, more := strings.Cut(s, "\n")
		b = append(b, indent...)
		b = appendConsoleText(b, line)
		b = append(b, '\n')
		if !more {
			return b
		}
		s = rest
	}
}

// consoleMsg appends the message of a console line: its first line, with
// the others indented under the line. It returns the message written,
// masked when fused.
func (e *encoder) consoleMsg(b []byte, msg string) ([]byte, string) {
	msg = e.redacted(msg)
	first, rest, more := strings.Cut(msg, "\n")
	if !more || e.tail == nil {
		return appendConsoleText(b, msg), msg
	}
	e.tail = appendLines(e.tail, rest, "    ")
	return appendConsoleText(b, first), msg
}
