package fapilog

import (
	"log/slog"
	"slices"
	"unicode/utf8"
)

// Defaults for the redaction guardrails.
const (
	// DefaultRedactMaxDepth is the deepest nesting of groups, objects and
	// arrays that redaction scans when Config.RedactMaxDepth is 0.
	DefaultRedactMaxDepth = 16
	// DefaultRedactMaxKeys is the most keys redaction scans in one record
	// (or one With call) when Config.RedactMaxKeys is 0.
	DefaultRedactMaxKeys = 1000
)

// redaction is a pipeline's redactors, compiled: the names and paths of
// every RedactFields merged into one matcher, and the other redactors
// sorted by what they look at, so that a field is not offered to a
// redactor that only looks at strings, nor a string to one that only
// looks at keys. It is immutable, shared by the worker and With calls.
type redaction struct {
	trig      trigger // the bytes the built-in scanners' secrets need
	cards     bool    // integers that may be card numbers are masked too
	fields    fieldRedactor
	wholePath bool         // fields has dotted paths, or byField is not empty: look past the last key
	byField   []Redactor   // redactors other than RedactFields that look at keys
	byString  []stringStep // what looks at strings, in Config order
	scanOnly  bool         // nothing but the built-in scanners looks at strings,
	scanKinds uint16       // which are these
	mask      string
	maskValue slog.Value
	maskJSON  rawJSON // the mask as a JSON string
	maxDepth  int
	maxKeys   int
}

// newRedaction returns nil if rs is empty: redaction is off.
func newRedaction(rs []Redactor, mask string, maxDepth, maxKeys int) *redaction {
	if len(rs) == 0 {
		return nil
	}
	rd := &redaction{
		mask:      mask,
		maskValue: slog.StringValue(mask),
		maskJSON:  appendString(nil, mask),
		maxDepth:  maxDepth,
		maxKeys:   maxKeys,
	}
	// The built-in scanners of every redactor join one scanSet, run
	// first; the others run after it, in Config order.
	var kinds uint16
	cardInts := false
	for _, r := range rs {
		switch r := r.(type) {
		case *fieldRedactor:
			rd.fields.merge(r)
		case *presetRedactor:
			rd.fields.words |= r.words
			kinds |= r.scan.kinds
			cardInts = cardInts || r.scan.cardInts
		case urlRedactor:
			kinds |= scanURL
		case *patternRedactor:
			for _, p := range r.patterns {
				if p.kind != 0 {
					kinds |= p.kind
					cardInts = cardInts || p.kind == scanCard
				} else {
					rd.byString = append(rd.byString, stringStep{r: &patternRedactor{patterns: []Pattern{p}}})
				}
			}
		default:
			rd.byField = append(rd.byField, r)
			rd.byString = append(rd.byString, stringStep{r: r})
		}
	}
	if kinds != 0 || cardInts {
		set := newScanSet(kinds, rd.fields.words, cardInts)
		rd.byString = append([]stringStep{{r: set, scan: set}}, rd.byString...)
	}
	rd.wholePath = len(rd.fields.paths) > 0 || len(rd.byField) > 0
	if len(rd.byString) == 1 && rd.byString[0].scan != nil {
		rd.scanOnly, rd.scanKinds = true, rd.byString[0].scan.kinds
	}
	rd.trig = newTrigger(rd.byString)
	rd.cards = cardInts
	return rd
}

// fused reports whether the worker's encoder can redact as it encodes:
// every redactor is built in and judges a field by its key alone.
// Otherwise records are walked first (redactState) and encoded after.
func (rd *redaction) fused() bool {
	if rd.wholePath {
		return false
	}
	for _, step := range rd.byString {
		if step.scan == nil {
			return false
		}
	}
	return true
}

// A trigger is the set of bytes that the secrets of a pipeline's
// built-in scanners need, one at least per secret (see scannerTriggers):
// a string holding none of them need not be scanned. The encoder tests
// for them while it escapes the string: eight ASCII bytes at a time as a
// few byte ranges (inWord), or one byte at a time (bytes).
type trigger struct {
	always bool // some scanner needs no particular byte: scan every string
	bytes  [utf8.RuneSelf]bool
	ranges [maxTriggerRanges][2]uint64 // per range: lsb*(127-hi), lsb*(128-lo); unused repeat the first
}

// maxTriggerRanges is the most byte ranges tested a word at a time; more
// make every string a candidate.
const maxTriggerRanges = 3

func newTrigger(steps []stringStep) trigger {
	var t trigger
	for _, step := range steps {
		if step.scan == nil {
			t.always = true
			continue
		}
		for i := range numScanners {
			if step.scan.kinds&(1<<i) == 0 {
				continue
			}
			for _, c := range []byte(scannerTriggers[i]) {
				if c >= utf8.RuneSelf || c == 0 {
					t.always = true
					continue
				}
				t.bytes[c] = true
			}
		}
	}
	// Cover the bytes with ranges, merging the closest until few enough
	// are left: a byte between two triggers costs a false alarm, not a
	// miss.
	var rs [][2]byte
	for c := 1; c < utf8.RuneSelf; c++ {
		switch {
		case !t.bytes[c]:
		case len(rs) > 0 && int(rs[len(rs)-1][1]) == c-1:
			rs[len(rs)-1][1] = byte(c)
		default:
			rs = append(rs, [2]byte{byte(c), byte(c)})
		}
	}
	for len(rs) > maxTriggerRanges {
		best := 1
		for i := 2; i < len(rs); i++ {
			if rs[i][0]-rs[i-1][1] < rs[best][0]-rs[best-1][1] {
				best = i
			}
		}
		rs[best-1][1] = rs[best][1]
		rs = append(rs[:best], rs[best+1:]...)
	}
	if len(rs) == 0 {
		t.always = t.always || len(steps) > 0
		return t
	}
	for i := range t.ranges {
		r := rs[min(i, len(rs)-1)]
		t.ranges[i] = [2]uint64{lsb * uint64(127-r[1]), lsb * uint64(128-r[0])}
	}
	for _, r := range rs {
		for c := r[0]; c <= r[1]; c++ {
			t.bytes[c] = true // what inWord finds, bytes finds
		}
	}
	return t
}

// noTrigger holds no byte: its ranges are empty (x+0 &^ x+0 is 0).
var noTrigger trigger

// seenIn returns hit, or whether the ASCII word x holds a byte in one of
// t's ranges.
func (t *trigger) seenIn(hit bool, x uint64) bool {
	return hit || t.inWord(x)
}

// inWord reports whether the ASCII word x (see load64) holds a byte in
// one of t's ranges.
func (t *trigger) inWord(x uint64) bool {
	// For an ASCII byte b and a range [lo, hi]: b+128-lo has its top bit
	// set when b >= lo, and b+127-hi when b > hi; neither sum carries
	// into the next byte. Unrolled: this runs for every word of every
	// string.
	r := &t.ranges
	z := (x+r[0][1])&^(x+r[0][0]) | (x+r[1][1])&^(x+r[1][0]) | (x+r[2][1])&^(x+r[2][0])
	return t.always || z&msb != 0
}

// stringStep is one test of every string: a scanner function, called
// directly (newRedaction no longer makes these), or a Redactor. The step
// of the built-in scanners has r and scan set to the same scanSet, for an
// encoder that tests trigger bytes itself (see scanSet.maskSeen).
type stringStep struct {
	next func(s string, from int) (int, int) // see maskSpans
	scan *scanSet                            // the built-in scanners, or nil
	r    Redactor
}

// redactState walks one record (or one With call's attrs) at a time,
// masking in place what the redactors match, or serves a fused encoder
// (encoder.st) as its record's state. It holds the scratch space of the
// walk, reused from record to record, so that a walk that masks nothing
// allocates nothing. One goroutine uses it at a time.
type redactState struct {
	rd   *redaction
	path []string // keys from the top of the line to the current field

	keys     int  // keys scanned in this record
	limited  bool // something was masked for being beyond a guardrail
	changed  bool // the walk masked something (the fused encoder does not keep it)
	failures int  // redactor panics contained
	failure  any  // the first panic's value

	// Used by the JSON walker (redactjson.go).
	src    []byte // the rawJSON value being walked
	done   int    // src[:done] is already reflected in arena
	dirty  bool   // something in src was replaced
	arena  []byte // redacted copies of the record's rawJSON values
	keybuf []byte // unescaped object keys on the path
	strbuf []byte // the unescaped string value being looked at

	// The worker's: keys judged before, as fields and inside strings.
	verdicts, kvVerdicts *verdictCache
}

// maxArena bounds the scratch a redactState keeps between records, so
// one huge record does not pin memory.
const maxArena = 64 << 10

// begin readies st for a new record.
func (st *redactState) begin(rd *redaction) {
	st.rd = rd
	st.verdicts.serve(rd)
	st.kvVerdicts.serve(rd)
	st.keys, st.limited, st.changed, st.failures, st.failure = 0, false, false, 0, nil
	if cap(st.arena) > maxArena {
		st.arena = nil
	}
	st.arena = st.arena[:0]
}

// matchKey is rd.fields.matchKey, through st's verdict cache if it has
// one.
func (st *redactState) matchKey(key string) bool {
	e, ok := st.verdicts.get(key)
	if ok {
		return e.yes
	}
	return e.set(key, st.rd.fields.matchKey(key))
}

// fail records a contained panic.
func (st *redactState) fail(p any) {
	if st.failures == 0 {
		st.failure = p
	}
	st.failures++
}

// attrs masks, in place, what the redactors match in attrs, which print
// inside groups. The slice itself must belong to the caller; the groups
// and values it holds are never changed, only replaced.
func (st *redactState) attrs(attrs []slog.Attr, groups []string) {
	if len(attrs) == 0 {
		return
	}
	st.path = append(st.path[:0], groups...)
	for i := 0; i < len(attrs); {
		i = st.attrsFrom(attrs, i, len(groups))
	}
	clear(st.path) // do not keep the record's keys alive
}

// attrsFrom masks attrs[i:] and returns len(attrs). If a redactor
// panics, the attr it was in is masked whole (failing closed) and the
// index after it returned, for attrs to go on from.
func (st *redactState) attrsFrom(attrs []slog.Attr, i, depth int) (next int) {
	defer func() {
		if p := recover(); p != nil {
			st.path = st.path[:depth]
			st.fail(p)
			attrs[next].Value = st.rd.maskValue
			next++
		}
	}()
	for next = i; next < len(attrs); next++ {
		a := &attrs[next]
		if v, ok := st.attr(a.Key, a.Value, depth); ok {
			a.Value = v
		}
	}
	return next
}

// message returns msg with its secrets masked; if a redactor panics, the
// whole message is masked.
func (st *redactState) message(msg string) (out string) {
	defer func() {
		if p := recover(); p != nil {
			st.fail(p)
			out = st.rd.mask
		}
	}()
	out, _ = st.maskString(msg)
	return out
}

// attr returns the value to print for the attr key=v, found depth
// containers deep, and whether it differs from v. It runs for every
// attr of every record: scalars take a short path.
func (st *redactState) attr(key string, v slog.Value, depth int) (slog.Value, bool) {
	kind := v.Kind()
	resolved := kind == slog.KindLogValuer
	if resolved {
		v = v.Resolve()
		kind = v.Kind()
	}
	switch {
	case kind == slog.KindGroup && (key == "" || len(v.Group()) == 0):
		// Inlined in the enclosing level, or printing nothing: no key.
		if len(v.Group()) == 0 {
			return v, resolved
		}
		if depth >= st.rd.maxDepth {
			return st.limit(), true
		}
		if g, ok := st.group(v.Group(), depth+1); ok {
			return slog.GroupValue(g...), true
		}
		return v, resolved
	case key == "" && kind == slog.KindAny && v.Any() == nil:
		return v, resolved // an empty attr
	}
	st.keys++
	if st.keys > st.rd.maxKeys {
		return st.limit(), true
	}
	rd := st.rd
	if kind != slog.KindGroup && kind != slog.KindAny {
		// A scalar: the path is needed only to match it.
		if rd.fields.mayMatch(key) || rd.wholePath {
			st.path = append(st.path, key)
			masked := st.maskField(key)
			st.path = st.path[:len(st.path)-1]
			if masked {
				return rd.maskValue, true
			}
		}
		if rd.cards && (kind == slog.KindInt64 || kind == slog.KindUint64) && rd.maskNumber(v, kind) {
			st.changed = true
			return rd.maskValue, true
		}
		if kind == slog.KindString {
			if s, ok := st.maskString(v.String()); ok {
				return slog.StringValue(s), true
			}
		}
		return v, resolved
	}
	st.path = append(st.path, key)
	nv, changed := v, resolved
	if st.maskField(key) {
		nv, changed = rd.maskValue, true
	} else if cv, ok := st.container(v, kind, depth); ok {
		nv, changed = cv, true
	}
	st.path = st.path[:len(st.path)-1]
	return nv, changed
}

// limit returns the mask for a value beyond a guardrail.
func (st *redactState) limit() slog.Value {
	st.limited = true
	st.changed = true
	return st.rd.maskValue
}

// container returns the value to print for v, a group or a value
// captured by slog.Any, found at st.path, and whether it differs from v.
func (st *redactState) container(v slog.Value, kind slog.Kind, depth int) (slog.Value, bool) {
	if kind == slog.KindGroup {
		if depth >= st.rd.maxDepth {
			return st.limit(), true
		}
		if g, ok := st.group(v.Group(), depth+1); ok {
			return slog.GroupValue(g...), true
		}
		return v, false
	}
	switch x := v.Any().(type) {
	case nil, slog.Level, *slog.Source:
		// Made by slog itself: nothing secret inside.
	case *rawJSON:
		if out, ok := st.json(*x, depth); ok {
			return slog.AnyValue(out), true
		}
	case rawJSON:
		if out, ok := st.json(x, depth); ok {
			return slog.AnyValue(out), true
		}
	case *inertJSON: // walked: redaction is not fused here, so keys' paths or a Redactor of the user's may find something
		if out, ok := st.json(x.raw, depth); ok {
			return slog.AnyValue(out), true
		}
	default:
		// Not captured by the caller (a dynamic enricher's value):
		// encode it now, so its inside can be seen.
		raw := rawJSON(appendValue(nil, v))
		if out, ok := st.json(raw, depth); ok {
			raw = out
		}
		return slog.AnyValue(raw), true
	}
	return v, false
}

// group returns attrs with what the redactors match masked, and whether
// anything was. attrs is never changed: a change is made to a copy.
func (st *redactState) group(attrs []slog.Attr, depth int) ([]slog.Attr, bool) {
	var out []slog.Attr
	for i := range attrs {
		v, ok := st.attr(attrs[i].Key, attrs[i].Value, depth)
		if !ok {
			continue
		}
		if out == nil {
			out = slices.Clone(attrs)
		}
		out[i].Value = v
	}
	return out, out != nil
}

// maskKey reports whether the redactors mask a field with this key
// wherever it is. (Dotted paths and other field redactors look at the
// whole path: see maskField.)
func (rd *redaction) maskKey(key string) bool { return rd.fields.matchKey(key) }

// maskNumber reports whether v, an integer, is masked (see maskInt).
func (rd *redaction) maskNumber(v slog.Value, kind slog.Kind) bool {
	if kind == slog.KindInt64 {
		return rd.maskInt(v.Int64())
	}
	return rd.maskUint(v.Uint64())
}

// maskField reports whether the field key, at the end of st.path, is
// masked whole.
func (st *redactState) maskField(key string) bool {
	rd := st.rd
	if st.matchKey(key) {
		st.changed = true
		return true
	}
	if !rd.wholePath {
		return false
	}
	for _, p := range rd.fields.paths {
		if pathMatches(p, st.path) {
			st.changed = true
			return true
		}
	}
	for _, r := range rd.byField {
		if r.MaskField(st.path) {
			st.changed = true
			return true
		}
	}
	return false
}

// maskString returns s with what the redactors find in it masked.
func (st *redactState) maskString(s string) (string, bool) {
	var seen uint16
	if len(st.rd.byString) > 0 && st.rd.byString[0].scan != nil {
		seen = triggersOf(s)
	}
	return st.maskStringSeen(s, seen)
}

// looksAt reports whether a string whose bytes set seen (see
// maskStringSeen) may hold something to mask: false when nothing but
// the built-in scanners reads strings and none of their triggers is in
// it, which is most strings.
func (rd *redaction) looksAt(seen uint16) bool { return !rd.scanOnly || seen&rd.scanKinds != 0 }

// maskStringSeen is maskString for a caller that has ORed secretTrigger
// over s's bytes into seen, as it read them.
func (st *redactState) maskStringSeen(s string, seen uint16) (string, bool) {
	changed := false
	for i := range st.rd.byString {
		step := &st.rd.byString[i]
		var ok bool
		switch {
		case step.scan != nil:
			// First, if there: s is as seen.
			s, ok = step.scan.maskSeen(s, st.rd.mask, seen, st.kvVerdicts)
		case step.next != nil:
			s, ok = maskSpans(s, st.rd.mask, step.next)
		default:
			s, ok = step.r.MaskString(s, st.rd.mask)
		}
		changed = changed || ok
	}
	st.changed = st.changed || changed
	return s, changed
}
