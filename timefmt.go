package fapilog

import (
	"sync/atomic"
	"time"
)

// Formatting a time as RFC 3339 costs as much as encoding several attrs,
// and a record's own time rarely leaves the current second. So the part
// that only changes once a second, the date and clock up to the seconds
// and the zone suffix, is kept formatted in a cache.
type secondText struct {
	unix int64
	loc  *time.Location
	head []byte // `"2006-01-02T15:04:05`
	zone []byte // `Z"` or `+07:00"`
}

// lastSecond is shared by every worker; a miss replaces it whole.
var lastSecond atomic.Pointer[secondText]

// appendRecordTime appends t as appendTime does, using the cache for the
// seconds and zone. Only records' own times go through it: times in
// attrs are all over the place and would thrash a one-entry cache.
func appendRecordTime(b []byte, t time.Time) []byte {
	c := lastSecond.Load()
	if c == nil || c.unix != t.Unix() || c.loc != t.Location() {
		if y := t.Year(); y < 0 || y > 9999 {
			return appendTime(b, t)
		}
		full := appendTime(nil, t.Truncate(time.Second))
		c = &secondText{unix: t.Unix(), loc: t.Location(), head: full[:20]}
		c.zone = full[20:]
		lastSecond.Store(c)
	}
	b = append(b, c.head...)
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i > 0; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, c.zone...)
}
