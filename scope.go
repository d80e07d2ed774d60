package fapilog

import (
	"log/slog"
	"slices"
	"strings"
)

// scope is the context a logger accumulates with With and WithGroup. It is
// immutable and shared by every record and child made from it; its attrs
// are encoded once, when the child is made, never per record.
//
// The layout follows log/slog's commonHandler: pre holds the encoded attrs,
// with the groups that have attrs already opened (`,"a":1,"g":{"b":2`);
// groups[open:] are named but not yet opened, because a group with nothing
// in it is omitted.
type scope struct {
	pre    []byte
	groups []string
	open   int
	// Set by Named: the full name, its field encoded once
	// (`,"logger":"a.b"`, written right after msg) and its level cache.
	name   string
	logger []byte
	lvl    *nameLevel
}

// rootScope is the scope of a logger with no context.
var rootScope = &scope{}

// withAttrs returns a child scope holding attrs too. Empty attrs are
// dropped; if nothing is left, s itself is returned.
func (s *scope) withAttrs(attrs []slog.Attr) *scope {
	pre := s.openPending(slices.Clip(s.pre))
	n := len(pre)
	if pre, _ = appendAttrs(pre, attrs, s.open == len(s.groups)); len(pre) == n {
		return s
	}
	c := *s
	c.pre, c.open = pre, len(s.groups)
	return &c
}

// withGroup returns a child scope whose later attrs nest in group name.
// An empty name returns s, as log/slog does.
func (s *scope) withGroup(name string) *scope {
	if name == "" {
		return s
	}
	c := *s
	c.groups = append(slices.Clip(s.groups), name)
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

// appendRecordAttrs appends the record's own attrs inside the scope's groups and
// closes every group the line opened. A record with no non-empty attrs
// opens no pending group, so an empty group is omitted.
func (s *scope) appendRecordAttrs(e *encoder, b []byte, attrs []slog.Attr) []byte {
	b = append(b, s.pre...)
	closing := s.open
	if len(attrs) > 0 {
		pos := len(b)
		b = s.openPending(b)
		n := len(b)
		e.base = len(s.groups)
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
