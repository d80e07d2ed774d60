package fapilog

import (
	"log/slog"
	"slices"
	"strings"
)

// scope is the context a logger accumulates with With and WithGroup. It is
// immutable and shared by every record and child made from it; its attrs
// are encoded once per format of the pipeline, when the child is made,
// never per record.
//
// The JSON layout follows log/slog's commonHandler: pre holds the encoded
// attrs, with the groups that have attrs already opened
// (`,"a":1,"g":{"b":2`); groups[open:] are named but not yet opened,
// because a group with nothing in it is omitted. In text, groups are a
// prefix of keys ("g.b=2"), so nothing is opened.
type scope struct {
	pre    [][]byte  // per format of the pipeline, in its order
	pre1   [1][]byte // pre's array for a pipeline of one format: no second allocation
	groups []string
	open   int
	prefix string // text: the groups' path, "g.h."
	pquote bool   // prefix needs quoting
	// With Config.UniqueKeys: the attrs of each level (levels[i] is
	// inside groups[:i]), with no key twice in a level, and their keys.
	levels [][]slog.Attr
	keys   [][]string
	// Set by Named: the full name, its field encoded once
	// (`,"logger":"a.b"`, written right after msg) and its level cache.
	name   string
	logger []byte
	lvl    *nameLevel
}

// rootScope is the scope of a logger with no context.
var rootScope = &scope{}

// jsonOnly is the formats of a pipeline writing JSON alone.
var jsonOnly = []Format{JSON()}

// withAttrs returns a child scope holding attrs too, encoded as JSON.
func (s *scope) withAttrs(attrs []slog.Attr) *scope {
	return s.withAttrsIn(jsonOnly, nil, nil, attrs)
}

// withAttrsIn returns a child scope holding attrs too, encoded in each of
// formats. Empty attrs are dropped; if nothing is left, s itself is
// returned. With uniq, the child's levels hold no key twice: a later
// attr replaces an earlier one. With st, attrs are redacted as they are
// encoded (fused, as the worker's records are), and st holds what the
// first format's encoding ran into; uniq must be nil.
func (s *scope) withAttrsIn(formats []Format, uniq *uniqueKeys, st *redactState, attrs []slog.Attr) *scope {
	if uniq != nil {
		return s.withUniqueAttrs(formats, attrs)
	}
	c := new(scope)
	*c = *s
	c.pre, c.open = c.pre1[:0], len(s.groups)
	hint := attrsSizeHint(attrs)
	wrote := false
	for i, f := range formats {
		var pre []byte
		if i < len(s.pre) {
			pre = s.pre[i]
		}
		// A new array, grown once: the parent's is shared with its other
		// children.
		pre = slices.Grow(slices.Clip(pre), hint+len(s.groups)*8)
		if f.kind == kindJSON {
			pre = s.openPending(pre)
		}
		n := len(pre)
		e := s.encoder(f)
		if st != nil {
			// A later format finds what the first did (fused redactors are
			// built in: no panics to count, only the limits' flag), so st
			// serves it too, its key count restarted.
			e.red, e.st, e.base = st.rd, st, len(s.groups)
			st.keys = 0
		}
		pre, _ = e.appendAttrs(pre, attrs, s.open == len(s.groups))
		wrote = len(pre) > n
		c.pre = append(c.pre, pre)
	}
	if !wrote {
		return s
	}
	return c
}

// attrsSizeHint guesses the encoded size of attrs, so that a With's
// buffer is allocated once: keys and string values as they are, 24 bytes
// for any other value (a group or a struct may need more: then it grows).
func attrsSizeHint(attrs []slog.Attr) int {
	n := 0
	for _, a := range attrs {
		n += len(a.Key) + 8
		if a.Value.Kind() == slog.KindString {
			n += len(a.Value.String())
		} else {
			n += 24
		}
	}
	return n
}

// encoder returns an encoder of attrs inside s's groups in format f.
func (s *scope) encoder(f Format) encoder {
	e := encoder{text: f.kind != kindJSON, console: f.kind == kindConsole, color: f.color, pquote: s.pquote}
	e.slow = e.text
	if e.text {
		e.prefix = []byte(s.prefix)
	}
	return e
}

// withGroup returns a child scope whose later attrs nest in group name.
// An empty name returns s, as log/slog does.
func (s *scope) withGroup(name string) *scope {
	if name == "" {
		return s
	}
	c := *s
	c.groups = append(slices.Clip(s.groups), name)
	c.prefix = s.prefix + name + "."
	c.pquote = s.pquote || needsQuoting(name)
	return &c
}

// named returns a child scope of the logger name, joined to s's name with
// a '.'. Its logger field replaces s's. An empty name returns s.
func (s *scope) named(name string) *scope {
	if name == "" {
		return s
	}
	if s.name != "" {
		name = s.name + "." + name
	}
	c := *s
	c.name = name
	c.logger = appendString([]byte(`,"logger":`), name)
	c.lvl = &nameLevel{name: strings.ToLower(name)}
	return &c
}

// openPending appends the opening of every named but unopened group. Only
// the outermost needs a comma: it always follows a field at its level.
func (s *scope) openPending(b []byte) []byte {
	for i, g := range s.groups[s.open:] {
		if i == 0 {
			b = append(b, ',')
		}
		b = appendString(b, g)
		b = append(b, ':', '{')
	}
	return b
}

// appendRecordAttrs appends the record's own attrs inside the scope's
// groups and, in JSON, closes every group the line opened. A record with
// no non-empty attrs opens no pending group, so an empty group is
// omitted.
func (s *scope) appendRecordAttrs(e *encoder, b []byte, attrs []slog.Attr) []byte {
	if e.fi < len(s.pre) {
		b = append(b, s.pre[e.fi]...)
	}
	e.base = len(s.groups)
	if e.uniq != nil {
		e.uniq.addScope(s)
	}
	if e.text {
		if len(attrs) > 0 {
			e.prefix = append(e.prefix[:0], s.prefix...)
			e.pquote = s.pquote
			b, _ = e.attrs(b, attrs, true, 0)
			e.prefix, e.pquote = e.prefix[:0], false
		}
		return b
	}
	closing := s.open
	if len(attrs) > 0 {
		pos := len(b)
		if s.open < len(s.groups) {
			b = s.openPending(b)
		}
		n := len(b)
		if b, _ = e.appendAttrs(b, attrs, s.open == len(s.groups)); len(b) > n {
			closing = len(s.groups)
		} else {
			b = b[:pos]
		}
	}
	for range closing {
		b = append(b, '}')
	}
	return b
}
