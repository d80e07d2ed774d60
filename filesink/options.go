package filesink

import (
	"fmt"
	"os"
	"time"

	fapilog "github.com/fapilog/fapilog-go"
)

// Options configure a Sink. The zero value appends to one file that never
// rotates.
type Options struct {
	// MaxSize is the most bytes a file holds before it is rotated; 0 means
	// no size limit. A file grows past MaxSize only when a single record is
	// larger than MaxSize: that record gets a file of its own.
	MaxSize int64
	// RotateEvery rotates the file on a schedule of local wall-clock time:
	// 24h at local midnight, 1h on the hour, and any shorter period at its
	// multiples since local midnight (15m at :00, :15, :30 and :45; 7h at
	// 00:00, 07:00, 14:00, 21:00, then midnight again). A period over 24h is
	// rounded up to whole days and rotates at local midnight. 0 means never;
	// otherwise it must be at least a second. The schedule is checked when
	// a batch is written, and an empty file is not rotated. A file that
	// already exists when the Sink opens it is scheduled from its
	// modification time, so yesterday's file is rotated by today's first
	// write.
	RotateEvery time.Duration
	// MaxBackups is the most rotated files kept; 0 keeps them all.
	MaxBackups int
	// MaxAge removes rotated files whose name says they were rotated longer
	// ago than MaxAge; 0 keeps them all.
	MaxAge time.Duration
	// Compress gzips rotated files, on a goroutine of the Sink's own, off
	// the write path.
	Compress bool
	// Mode is the permission of files the Sink creates; 0 means 0600. A file
	// that already exists keeps its own. Directories the Sink creates get
	// Mode plus search (x) permission wherever Mode grants read: 0700 for
	// 0600, 0750 for 0640, 0755 for 0644. The process umask applies to both.
	Mode os.FileMode
	// Format is the format of the lines written; the zero Format is JSON.
	// For example fapilog.Logfmt().
	Format fapilog.Format
}

// validate checks o and fills in its defaults.
func (o Options) validate() (Options, error) {
	switch {
	case o.MaxSize < 0:
		return o, optionError("MaxSize", "negative (%d)", o.MaxSize)
	case o.RotateEvery < 0:
		return o, optionError("RotateEvery", "negative (%v)", o.RotateEvery)
	case o.RotateEvery > 0 && o.RotateEvery < time.Second:
		return o, optionError("RotateEvery", "%v is under a second", o.RotateEvery)
	case o.MaxBackups < 0:
		return o, optionError("MaxBackups", "negative (%d)", o.MaxBackups)
	case o.MaxAge < 0:
		return o, optionError("MaxAge", "negative (%v)", o.MaxAge)
	case o.Mode&^os.ModePerm != 0:
		return o, optionError("Mode", "%v has bits other than permissions", o.Mode)
	}
	if o.Mode == 0 {
		o.Mode = 0o600
	}
	return o, nil
}

func optionError(field, format string, args ...any) error {
	return fmt.Errorf("filesink: Options.%s: %s", field, fmt.Sprintf(format, args...))
}

// dirMode is the permission of directories made for files of mode m.
func dirMode(m os.FileMode) os.FileMode { return m | (m&0o444)>>2 }
