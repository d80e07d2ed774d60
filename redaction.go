package fapilog

import (
	"log/slog"
	"slices"
	"strconv"
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
	trig      trigger // the bytes byString's secrets need
	cards     bool    // integers that are card numbers are masked too
	fields    fieldRedactor
	wholePath bool         // fields has dotted paths, or byField is not empty: look past the last key
	byField   []Redactor   // redactors other than RedactFields that look at keys
	byString  []stringStep // what looks at strings, in Config order
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
	for _, r := range rs {
		switch r := r.(type) {
		case *fieldRedactor:
			rd.fields.merge(r)
		case urlRedactor:
			rd.byString = append(rd.byString, stringStep{next: nextURLUserinfo, trig: "@"})
		case *patternRedactor:
			for _, p := range r.patterns {
				if p.next != nil {
					rd.byString = append(rd.byString, stringStep{next: p.next})
				} else {
					rd.byString = append(rd.byString, stringStep{r: &patternRedactor{patterns: []Pattern{p}}})
				}
			}
		default:
			rd.byField = append(rd.byField, r)
			rd.byString = append(rd.byString, stringStep{r: r})
		}
	}
	rd.wholePath = len(rd.fields.paths) > 0 || len(rd.byField) > 0
	rd.trig = newTrigger(rd.byString)
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
		if step.next == nil {
			return false
		}
	}
	return true
}

// stringStep is one test of every string: a built-in scanner, called
// directly, or a Redactor.
type stringStep struct {
	next func(s string, from int) (int, int) // see maskSpans
	r    Redactor
	// trig holds bytes one of which every span next finds contains;
	// empty means any string may hold one.
	trig string
}

// A trigger is the set of bytes that the secrets of a pipeline's string
// scanners need, one at least per secret: a string holding none of them
// need not be scanned. The encoder tests for them while it escapes the
// string, eight bytes at a time (inWord) or one (bytes).
type trigger struct {
	always bool // some scanner needs no particular byte: scan every string
	bytes  [utf8.RuneSelf]bool
	words  [maxTriggerBytes]uint64 // each byte repeated 8 times; unused ones repeat the first
}

// maxTriggerBytes is the most distinct bytes tested a word at a time;
// scanners needing more make every string a candidate.
const maxTriggerBytes = 4

func newTrigger(steps []stringStep) trigger {
	var t trigger
	var set []byte
	for _, step := range steps {
		if step.trig == "" {
			t.always = true
		}
		for i := 0; i < len(step.trig); i++ {
			if c := step.trig[i]; !t.bytes[c] {
				t.bytes[c] = true
				set = append(set, c)
			}
		}
	}
	if len(set) > maxTriggerBytes || (len(set) == 0 && len(steps) > 0) {
		t.always = true
	}
	for i := range t.words {
		if len(set) > 0 {
			t.words[i] = lsb * uint64(set[min(i, len(set)-1)])
		}
	}
	return t
}

// inWord reports whether the ASCII word x (see load64) holds a trigger
// byte.
func (t *trigger) inWord(x uint64) bool {
	if t.always {
		return true
	}
	// A byte of x equals c when the same byte of x^(lsb*c) is zero; the
	// zero-byte test is wordIsSafe's.
	y0, y1, y2, y3 := x^t.words[0], x^t.words[1], x^t.words[2], x^t.words[3]
	z := ((y0 - lsb) &^ y0) | ((y1 - lsb) &^ y1) | ((y2 - lsb) &^ y2) | ((y3 - lsb) &^ y3)
	return z&msb != 0
}

// cardNumber reports whether v, an integer, has the digits of a card
// number (see CardNumbers).
func (rd *redaction) cardNumber(v slog.Value) bool {
	var n uint64
	if v.Kind() == slog.KindInt64 {
		i := v.Int64()
		if i < 0 {
			return false
		}
		n = uint64(i)
	} else {
		n = v.Uint64()
	}
	if n < 1e12 || n >= 1e19 {
		return false
	}
	var buf [20]byte
	d := strconv.AppendUint(buf[:0], n, 10)
	return d[0] >= '2' && d[0] <= '6' && luhn(bytesString(d))
}

// redactState walks one record (or one With call's attrs) at a time,
// masking in place what the redactors match. It holds the scratch space
// of the walk, reused from record to record, so that a walk that masks
// nothing allocates nothing. One goroutine uses it at a time.
type redactState struct {
	rd   *redaction
	path []string // keys from the top of the line to the current field

	keys     int  // keys scanned in this record
	limited  bool // something was masked for being beyond a guardrail
	changed  bool // something was masked
	failures int  // redactor panics contained
	failure  any  // the first panic's value

	// Used by the JSON walker (redactjson.go).
	src    []byte // the rawJSON value being walked
	done   int    // src[:done] is already reflected in arena
	dirty  bool   // something in src was replaced
	arena  []byte // redacted copies of the record's rawJSON values
	keybuf []byte // unescaped object keys on the path
	strbuf []byte // the unescaped string value being looked at
}

// maxArena bounds the scratch a redactState keeps between records, so
// one huge record does not pin memory.
const maxArena = 64 << 10

// begin readies st for a new record.
func (st *redactState) begin(rd *redaction) {
	st.rd = rd
	st.keys, st.limited, st.changed, st.failures, st.failure = 0, false, false, 0, nil
	if cap(st.arena) > maxArena {
		st.arena = nil
	}
	st.arena = st.arena[:0]
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
func (rd *redaction) maskKey(key string) bool {
	return rd.fields.mayMatch(key) && rd.fields.matchName(key)
}

// maskField reports whether the field key, at the end of st.path, is
// masked whole.
func (st *redactState) maskField(key string) bool {
	rd := st.rd
	if rd.fields.mayMatch(key) && rd.fields.matchName(key) {
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
	changed := false
	for i := range st.rd.byString {
		step := &st.rd.byString[i]
		var ok bool
		if step.next != nil {
			s, ok = maskSpans(s, st.rd.mask, step.next)
		} else {
			s, ok = step.r.MaskString(s, st.rd.mask)
		}
		changed = changed || ok
	}
	st.changed = st.changed || changed
	return s, changed
}
