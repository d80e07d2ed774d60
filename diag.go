package fapilog

import (
	"io"
	"strconv"
	"sync"
	"time"
)

// Diagnostics are rate limited per component with a token bucket, so a
// sink failing on every batch cannot flood the diagnostics writer.
const (
	diagBurst    = 10
	diagInterval = time.Second // one token regained per interval
)

// diagnostics writes the logger's own problems as JSON lines.
type diagnostics struct {
	w       io.Writer
	mu      sync.Mutex
	buckets map[string]*diagBucket
	now     func() time.Time
}

type diagBucket struct {
	tokens     int
	last       time.Time
	suppressed int
}

func newDiagnostics(w io.Writer) *diagnostics {
	return &diagnostics{w: w, buckets: map[string]*diagBucket{}, now: time.Now}
}

// report writes one line about component unless its bucket is empty, in
// which case it counts the line as suppressed and says so in the next one.
func (d *diagnostics) report(component, msg string, err error) {
	d.mu.Lock()
	defer func() {
		recover() // a panicking diagnostics writer has nowhere left to report to
		d.mu.Unlock()
	}()
	now := d.now()
	bk := d.buckets[component]
	if bk == nil {
		bk = &diagBucket{tokens: diagBurst, last: now}
		d.buckets[component] = bk
	}
	if gained := int(now.Sub(bk.last) / diagInterval); gained > 0 {
		bk.tokens = min(diagBurst, bk.tokens+gained)
		bk.last = bk.last.Add(time.Duration(gained) * diagInterval)
	}
	if bk.tokens == 0 {
		bk.suppressed++
		return
	}
	bk.tokens--
	b := append([]byte(`{"time":`), appendTime(nil, now)...)
	b = append(b, `,"level":"WARN","msg":`...)
	b = appendString(b, "fapilog: "+msg)
	b = append(b, `,"component":`...)
	b = appendString(b, component)
	if err != nil {
		b = append(b, `,"error":`...)
		b = appendString(b, errorString(err))
	}
	if bk.suppressed > 0 {
		b = append(b, `,"suppressed":`...)
		b = strconv.AppendInt(b, int64(bk.suppressed), 10)
		bk.suppressed = 0
	}
	b = append(b, "}\n"...)
	d.w.Write(b)
}

// errorString is err.Error() with a panic contained.
func errorString(err error) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = "!PANIC in Error()"
		}
	}()
	return err.Error()
}
