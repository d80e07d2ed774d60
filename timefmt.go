package fapilog

import (
	"slices"
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

// appendTime appends t as a quoted RFC 3339 string with nanoseconds, the
// form slog's JSONHandler and time.Time.MarshalJSON use, byte for byte
// what t.AppendFormat(b, time.RFC3339Nano) writes: it works out the date
// and clock itself, at a fraction of AppendFormat's cost.
//
// Years outside [0,9999] are not valid RFC 3339; encoding/json refuses
// them and slog writes invalid JSON. We write the same layout with the
// extended year ("10000-01-01T00:00:00Z", "-0001-…"), as AppendFormat
// does, which keeps the line valid and loses nothing. The layout yields
// only digits and "-:.TZ+", so no escaping is needed.
func appendTime(b []byte, t time.Time) []byte {
	if out, ok := appendTimestamp(b, t); ok {
		return out
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendTimestamp appends t as appendTime does, and reports true, when
// t's year is 0 to 9999 and its zone's offset under 100 hours: then what
// it writes is a timestamp (isTimestamp). Else it appends nothing.
func appendTimestamp(b []byte, t time.Time) ([]byte, bool) {
	sec, offset := wallClock(t)
	if sec < minRFC3339 || sec > maxRFC3339 || offset <= -100*3600 || offset >= 100*3600 {
		return b, false
	}
	days, clock := sec/secondsPerDay, sec%secondsPerDay
	if clock < 0 {
		days, clock = days-1, clock+secondsPerDay
	}
	year, month, day := civilDate(days)
	var buf [len(`"2006-01-02T15:04:05`)]byte
	buf[0], buf[5], buf[8], buf[11], buf[14], buf[17] = '"', '-', '-', 'T', ':', ':'
	put2(buf[1:3], year/100)
	put2(buf[3:5], year%100)
	put2(buf[6:8], month)
	put2(buf[9:11], day)
	put2(buf[12:14], clock/3600)
	put2(buf[15:17], clock/60%60)
	put2(buf[18:20], clock%60)
	b = append(b, buf[:]...)
	if ns := t.Nanosecond(); ns != 0 {
		b = appendFraction(b, ns, false)
	}
	return append(appendOffset(b, offset), '"'), true
}

// The wall clocks RFC 3339 can write: 0000-01-01T00:00:00 to
// 9999-12-31T23:59:59, in seconds since 1970-01-01T00:00:00.
const (
	minRFC3339    = -62167219200
	maxRFC3339    = 253402300799
	secondsPerDay = 86400
)

// wallClock returns the seconds since 1970 that t's wall clock in its
// location reads, and the location's offset from UTC at t.
func wallClock(t time.Time) (int64, int) {
	if t.Location() == time.UTC {
		return t.Unix(), 0
	}
	_, offset := t.Zone()
	return t.Unix() + int64(offset), offset
}

// inRFC3339 reports whether t's year in its location is 0 to 9999.
func inRFC3339(t time.Time) bool {
	sec, _ := wallClock(t)
	return minRFC3339 <= sec && sec <= maxRFC3339
}

// civilDate returns the date of the day days after 1970-01-01 in the
// proleptic Gregorian calendar (days >= -719528, year 0 on), counting in
// 400-year eras that begin on March 1st so that the leap day ends a year.
func civilDate(days int64) (year, month, day int64) {
	z := days + 719468 // days since 0000-03-01
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097                                  // day of era, 0 to 146096
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of era, 0 to 399
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year from March 1st
	mp := (5*doy + 2) / 153                                // month from March, 0 to 11
	day = doy - (153*mp+2)/5 + 1
	month = mp + 3
	if month > 12 {
		month -= 12
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// appendOffset appends a zone offset as RFC 3339 writes it: "Z" for 0,
// else "+07:00" or "-03:30" (seconds dropped, as AppendFormat does); the
// hours must be fewer than 100.
func appendOffset(b []byte, offset int) []byte {
	if offset == 0 {
		return append(b, 'Z')
	}
	zone := offset / 60
	sign := byte('+')
	if zone < 0 {
		sign, zone = '-', -zone
	}
	var buf [6]byte
	buf[0], buf[3] = sign, ':'
	put2(buf[1:3], int64(zone/60))
	put2(buf[4:6], int64(zone%60))
	return append(b, buf[:]...)
}

// put2 writes n, 0 to 99, as two digits.
func put2(dst []byte, n int64) {
	dst[0], dst[1] = digitPairs[2*n], digitPairs[2*n+1]
}

// appendFraction appends '.' and the digits of ns nanoseconds: three of
// them with millis, else up to nine without trailing zeros.
func appendFraction(b []byte, ns int, millis bool) []byte {
	n := 10
	u := uint64(ns) // unsigned: division by a constant is a multiply
	if millis {
		u /= 1e6
		n = 4
	}
	// Written in place: digits put into a stack array and then appended
	// cost a store-forwarding stall.
	l := len(b)
	b = slices.Grow(b, n)[:l+n]
	b[l] = '.'
	putDigits(b[l+1:], u)
	for !millis && b[len(b)-1] == '0' {
		b = b[:len(b)-1]
	}
	return b
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
