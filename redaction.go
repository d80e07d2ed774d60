package fapilog

import (
	"log/slog"
	"slices"
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
	return rd
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
