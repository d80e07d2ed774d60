package fapilog

import (
	"strconv"
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
	return appendTimeAs(b, t, TimeRFC3339Nano, true)
}

// appendTimeAs appends a record's time t encoded as enc, an RFC 3339
// string quoted (JSON) or not (text).
func appendTimeAs(b []byte, t time.Time, enc TimeEncoding, quote bool) []byte {
	switch enc {
	case TimeUnix:
		return strconv.AppendInt(b, t.Unix(), 10)
	case TimeUnixMilli:
		return strconv.AppendInt(b, t.UnixMilli(), 10)
	case TimeUnixNano:
		return strconv.AppendInt(b, t.UnixNano(), 10)
	}
	c := lastSecond.Load()
	if c == nil || c.unix != t.Unix() || c.loc != t.Location() {
		if y := t.Year(); y < 0 || y > 9999 {
			return appendTimeSlow(b, t, enc, quote)
		}
		full := appendTime(nil, t.Truncate(time.Second))
		c = &secondText{unix: t.Unix(), loc: t.Location(), head: full[:20]}
		c.zone = full[20:]
		lastSecond.Store(c)
	}
	head, zone := c.head, c.zone
	if !quote {
		head, zone = head[1:], zone[:len(zone)-1]
	}
	b = append(b, head...)
	if ns := t.Nanosecond(); ns != 0 || enc == TimeRFC3339Millis {
		b = appendFraction(b, ns, enc == TimeRFC3339Millis)
	}
	return append(b, zone...)
}

// appendFraction appends '.' and the digits of ns nanoseconds: three of
// them with millis, else up to nine without trailing zeros.
func appendFraction(b []byte, ns int, millis bool) []byte {
	var frac [10]byte
	frac[0] = '.'
	n := 10
	u := uint64(ns) // unsigned: division by a constant is a multiply
	if millis {
		u /= 1e6
		n = 4
	}
	putDigits(frac[1:n], u)
	for !millis && frac[n-1] == '0' {
		n--
	}
	return append(b, frac[:n]...)
}

// appendTimeSlow is appendTimeAs for years the cache does not hold.
func appendTimeSlow(b []byte, t time.Time, enc TimeEncoding, quote bool) []byte {
	if quote {
		b = append(b, '"')
	}
	if enc == TimeRFC3339Millis {
		b = appendRFC3339Millis(b, t)
	} else {
		b = t.AppendFormat(b, time.RFC3339Nano)
	}
	if quote {
		b = append(b, '"')
	}
	return b
}
