package fapilog

import (
	"fmt"
	"io"
	"os"
)

// A Format is how a sink's records are written: JSON (the default),
// logfmt or console. Formats are comparable; the worker encodes each
// record once per distinct Format among its sinks.
//
// A Sink picks its format by implementing
//
//	Format() fapilog.Format
//
// A Sink without that method receives JSON.
type Format struct {
	kind   formatKind
	color  bool   // console: write ANSI colors
	layout string // console: the time layout
}

type formatKind uint8

const (
	kindJSON formatKind = iota
	kindLogfmt
	kindConsole
)

// JSON returns the JSON format: one object per line, keys and values as
// slog.JSONHandler writes them. It is the default of every sink.
func JSON() Format { return Format{} }

// Logfmt returns the logfmt format: the key=value line slog.TextHandler
// writes for the same record, with groups as dotted keys.
func Logfmt() Format { return Format{kind: kindLogfmt} }

// DefaultConsoleTimeFormat is the time layout of the console format
// when ConsoleOptions.TimeFormat is empty.
const DefaultConsoleTimeFormat = "15:04:05.000"

// Console returns the console format with opts: for people reading a
// terminal. Having no writer to look at, Console treats ColorAuto as
// ColorNever; NewConsoleSink resolves ColorAuto against its writer.
func Console(opts ConsoleOptions) Format {
	f := Format{kind: kindConsole, color: opts.Color == ColorAlways, layout: opts.TimeFormat}
	if f.layout == "" {
		f.layout = DefaultConsoleTimeFormat
	}
	return f
}

// String returns "json", "logfmt", or "console" followed by the color
// setting and time layout, as in "console(color,15:04:05.000)".
func (f Format) String() string {
	switch f.kind {
	case kindJSON:
		return "json"
	case kindLogfmt:
		return "logfmt"
	case kindConsole:
		c := "nocolor"
		if f.color {
			c = "color"
		}
		return "console(" + c + "," + f.layout + ")"
	}
	return fmt.Sprintf("Format(%d)", f.kind)
}

// ColorMode says whether the console format writes ANSI colors.
type ColorMode int

const (
	// ColorAuto colors the output when it goes to a terminal and the
	// NO_COLOR environment variable is unset or empty. It is the default.
	ColorAuto ColorMode = iota
	// ColorAlways always colors the output.
	ColorAlways
	// ColorNever never colors it: no escape sequence is written.
	ColorNever
)

// ConsoleOptions configures the console format.
type ConsoleOptions struct {
	// Color says when to color the output; the default is ColorAuto.
	Color ColorMode
	// TimeFormat is the layout of the time, in local time; "" means
	// DefaultConsoleTimeFormat, "15:04:05.000".
	TimeFormat string
}

// sinkFormat returns the format s asks for: JSON unless it implements
// Format() Format (and that does not panic).
func sinkFormat(s Sink) (f Format) {
	fs, ok := s.(interface{ Format() Format })
	if !ok {
		return JSON()
	}
	defer func() {
		if recover() != nil {
			f = JSON()
		}
	}()
	return fs.Format()
}

// formatSink is a writer sink that asks for a format.
type formatSink struct {
	writerSink
	f Format
}

// Format returns the sink's format.
func (s formatSink) Format() Format { return s.f }

// NewLogfmtSink returns a Sink that writes logfmt lines (see Logfmt) to
// w, as NewWriterSink writes JSON: one Write per batch, and w is not
// closed.
func NewLogfmtSink(w io.Writer) Sink { return formatSink{writerSink{w}, Logfmt()} }

// NewConsoleSink returns a Sink that writes the console format (see
// Console) to w, as NewWriterSink writes JSON. With ColorAuto it colors
// the output when w is an *os.File on a terminal and NO_COLOR is unset.
func NewConsoleSink(w io.Writer, opts ConsoleOptions) Sink {
	if opts.Color == ColorAuto {
		opts.Color = ColorNever
		if colorTerminal(w) {
			opts.Color = ColorAlways
		}
	}
	return formatSink{writerSink{w}, Console(opts)}
}

// colorTerminal reports whether w is a terminal that colors may be
// written to: an *os.File that is a character device, with NO_COLOR
// unset or empty (https://no-color.org).
func colorTerminal(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	return isTerminal(w)
}

// isTerminal reports whether w is an *os.File on a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
