package fapilog

import (
	"bytes"
	"hash/maphash"
	"log/slog"
	"time"
	"unicode/utf8"
)

// dedupeEntries bounds the records a dedupe window tracks at once. When
// more distinct records arrive within a window, the oldest window is closed
// early (its summary, if it had repeats, is reported as usual).
const dedupeEntries = 1024

// maxDedupeMsg bounds the message a dedupe entry keeps for its summary.
const maxDedupeMsg = 256

// RepeatedMsg is the message of the record that summarizes the repeats a
// dedupe window suppressed (see Config.DedupeWindow).
const RepeatedMsg = "fapilog: repeated"

// dedupe suppresses records whose encoded line, time left out, matches
// one written less than window ago. It runs on the worker, under its
// lock, so it needs no synchronization.
//
// Entries are kept in the order their windows opened, which is also the
// order they close in (all windows are as long), in a ring of
// dedupeEntries; index finds an entry by hash. Memory is bounded by
// dedupeEntries entries of about 100 bytes plus a message of at most
// maxDedupeMsg bytes each (under 400 KiB), plus the summaries not yet
// taken. Two different lines with the same 64-bit hash would be taken for
// repeats; with maphash that takes about 2^32 distinct lines in one window.
type dedupe struct {
	window  time.Duration
	seed    maphash.Seed
	index   map[uint64]int
	ring    []dedupeEntry
	head, n int
	now     time.Time // the latest record time seen: the table's clock
	pending []summary // closed windows with repeats, not yet taken
}

type dedupeEntry struct {
	hash        uint64
	level       slog.Level
	msg         string
	start       time.Time // when the first record was written
	count       int       // repeats suppressed
	first, last time.Time // times of the first and last repeat
}

// A summary is a record the pipeline writes of its own: a level, a
// message and attrs.
type summary struct {
	level slog.Level
	msg   string
	attrs []slog.Attr
}

func newDedupe(window time.Duration) *dedupe {
	return &dedupe{
		window: window,
		seed:   maphash.MakeSeed(),
		index:  make(map[uint64]int),
		ring:   make([]dedupeEntry, dedupeEntries),
	}
}

// suppress reports whether the record encoded as line (msg being its
// message, t its time) repeats one written within the window, and counts
// it if so; otherwise it opens a window for line. Windows closed by t are
// moved to the pending summaries first.
func (d *dedupe) suppress(line []byte, level slog.Level, msg string, t time.Time) bool {
	if t.After(d.now) {
		d.now = t
	}
	d.expire(d.now)
	h := maphash.Bytes(d.seed, withoutTime(line))
	if i, ok := d.index[h]; ok {
		e := &d.ring[i]
		if e.count == 0 {
			e.first = t
		}
		e.count++
		e.last = t
		return true
	}
	if d.n == len(d.ring) {
		d.closeOldest()
	}
	i := (d.head + d.n) % len(d.ring)
	d.ring[i] = dedupeEntry{hash: h, level: level, msg: clipMsg(msg), start: d.now}
	d.index[h] = i
	d.n++
	return false
}

// withoutTime returns line without its leading "time" field.
func withoutTime(line []byte) []byte {
	const key = `{"time":`
	if !bytes.HasPrefix(line, []byte(key)) {
		return line
	}
	// The encoded time is a quoted string without commas.
	if i := bytes.IndexByte(line[len(key):], ','); i >= 0 {
		return line[len(key)+i:]
	}
	return line
}

// clipMsg returns msg cut to at most maxDedupeMsg bytes at a rune start.
func clipMsg(msg string) string {
	if len(msg) <= maxDedupeMsg {
		return msg
	}
	n := maxDedupeMsg
	for n > 0 && !utf8.RuneStart(msg[n]) {
		n--
	}
	return msg[:n]
}

// expire closes every window that ended by now.
func (d *dedupe) expire(now time.Time) {
	for d.n > 0 && !now.Before(d.ring[d.head].start.Add(d.window)) {
		d.closeOldest()
	}
}

// closeOldest closes the oldest window, keeping its summary if it had
// repeats.
func (d *dedupe) closeOldest() {
	e := &d.ring[d.head]
	if e.count > 0 {
		d.pending = append(d.pending, summary{
			level: e.level,
			msg:   RepeatedMsg,
			attrs: []slog.Attr{
				slog.String("repeated_msg", e.msg),
				slog.Int("count", e.count),
				slog.Time("first", e.first),
				slog.Time("last", e.last),
			},
		})
	}
	delete(d.index, e.hash)
	*e = dedupeEntry{}
	d.head = (d.head + 1) % len(d.ring)
	d.n--
}

// summaries closes the windows that ended by now (all of them if all is
// set, as at Close) and returns the summaries of those that suppressed
// repeats, oldest first, in a slice the caller keeps.
func (d *dedupe) summaries(now time.Time, all bool) []summary {
	if all {
		for d.n > 0 {
			d.closeOldest()
		}
	} else {
		d.expire(now)
	}
	s := d.pending
	d.pending = nil
	return s
}

// next returns when the oldest open window closes; ok is false if none is
// open. A caller that wants summaries on time (no records arriving to
// close windows) calls summaries then.
func (d *dedupe) next() (t time.Time, ok bool) {
	if d.n == 0 {
		return time.Time{}, false
	}
	return d.ring[d.head].start.Add(d.window), true
}
