package fapilog

import (
	"log/slog"
	"slices"
)

// With Config.UniqueKeys, a line never holds two members of one object
// with the same key: the later one wins. The worker encodes each record
// as usual while uniqueKeys notes every key written, object by object;
// a bit per key hash makes the note cheap and the exact comparison rare.
// Only a record in which a key repeats is encoded again, from its attrs
// rid of the earlier duplicates (uniqueAttrs). With context is deduplicated
// once, when the child logger is made, and its keys are noted per record
// from the scope.
//
// The built-in fields win over attrs: an attr at the top level named like
// a built-in field that the line holds (time, level, msg, source, as
// renamed) is left out. In text, objects are the dotted groups: "g.a"
// written by group g and by a top-level attr named "g.a" are two keys.
type uniqueKeys struct {
	keys  []string  // the keys of the open objects, innermost last
	cur   uniqObj   // the innermost open object
	outer []uniqObj // the objects around it
	dup   bool      // a key repeats in some object
}

type uniqObj struct {
	start int    // keys[start:] are the object's
	mask  uint64 // a bit per key hash
}

// reset starts a line with the keys of from, a template.
func (u *uniqueKeys) reset(from *uniqueKeys) {
	clear(u.keys)
	u.keys = append(u.keys[:0], from.keys...)
	u.outer = u.outer[:0]
	u.cur, u.dup = from.cur, from.dup
}

// heads returns the templates of reset for the lines of a pipeline: the
// keys of its built-in fields and static attrs, for each combination of
// a record with or without a time (bit 0) and a source (bit 1).
func heads(n *names, static []slog.Attr) (t [4]uniqueKeys) {
	for i := range t {
		u := &t[i]
		if i&1 != 0 {
			u.add(n.time)
		}
		u.add(n.level)
		if i&2 != 0 {
			u.add(n.source)
		}
		u.add(n.msg)
		for _, a := range static {
			u.add(a.Key)
		}
	}
	return t
}

// head returns r's template among heads'.
func head(t *[4]uniqueKeys, r *record) *uniqueKeys {
	i := 0
	if !r.time.IsZero() {
		i |= 1
	}
	if r.pc != 0 {
		i |= 2
	}
	return &t[i]
}

// keyBit hashes key to one bit of 64.
func keyBit(key string) uint64 {
	h := uint(len(key))
	if len(key) > 0 {
		h += uint(key[0])*7 + uint(key[len(key)-1])*13
	}
	return 1 << (h & 63)
}

// add notes key in the innermost open object. The encoder has it inline.
func (u *uniqueKeys) add(key string) {
	bit := keyBit(key)
	if u.cur.mask&bit != 0 {
		u.collide(key)
	}
	u.cur.mask |= bit
	u.keys = append(u.keys, key)
}

// collide looks for key among the keys of the innermost object, one of
// which has its hash bit.
func (u *uniqueKeys) collide(key string) {
	if slices.Contains(u.keys[u.cur.start:], key) {
		u.dup = true
	}
}

// push opens an object inside the innermost one.
func (u *uniqueKeys) push() {
	u.outer = append(u.outer, u.cur)
	u.cur = uniqObj{start: len(u.keys)}
}

// pop closes the innermost object, forgetting its keys.
func (u *uniqueKeys) pop() {
	clear(u.keys[u.cur.start:])
	u.keys = u.keys[:u.cur.start]
	u.cur = u.outer[len(u.outer)-1]
	u.outer = u.outer[:len(u.outer)-1]
}

// addScope notes the keys of s's levels and groups, leaving the object
// of the record's own attrs open.
func (u *uniqueKeys) addScope(s *scope) {
	for d := range len(s.groups) + 1 {
		if d < len(s.keys) {
			for _, k := range s.keys[d] {
				u.add(k)
			}
		}
		if d < len(s.groups) {
			u.add(s.groups[d])
			u.push()
		}
	}
}

// uniqueAttrs returns attrs as a line holds them: LogValuers resolved, empty
// attrs and empty groups dropped, groups with an empty key inlined, and
// of each key only the last member, with groups deduplicated inside.
// depth is the number of groups attrs are nested in.
func uniqueAttrs(attrs []slog.Attr, depth int) []slog.Attr {
	flat := flatten(nil, attrs, depth)
	out := flat[:0]
	for i, a := range flat {
		if !slices.ContainsFunc(flat[i+1:], func(b slog.Attr) bool { return b.Key == a.Key }) {
			out = append(out, a)
		}
	}
	return out
}

// flatten appends attrs to dst as uniqueAttrs returns them, before duplicates
// are dropped.
func flatten(dst, attrs []slog.Attr, depth int) []slog.Attr {
	for _, a := range attrs {
		a.Value = a.Value.Resolve()
		switch {
		case a.Key == "" && a.Value.Kind() == slog.KindAny && a.Value.Any() == nil:
			continue // empty
		case a.Value.Kind() != slog.KindGroup || depth >= maxGroupDepth:
		case a.Key == "":
			dst = flatten(dst, a.Value.Group(), depth+1)
			continue
		default:
			g := uniqueAttrs(a.Value.Group(), depth+1)
			if len(g) == 0 {
				continue
			}
			a.Value = slog.GroupValue(g...)
		}
		if src, ok := a.Value.Any().(*slog.Source); ok && a.Value.Kind() == slog.KindAny && (src == nil || *src == slog.Source{}) {
			continue
		}
		dst = append(dst, a)
	}
	return dst
}

// dropBuiltins returns attrs without those whose key is one of the
// built-in fields r's line holds.
func dropBuiltins(attrs []slog.Attr, r *record, n *names) []slog.Attr {
	return slices.DeleteFunc(attrs, func(a slog.Attr) bool {
		return a.Key == n.level || a.Key == n.msg ||
			(a.Key == n.time && !r.time.IsZero()) || (a.Key == n.source && r.pc != 0)
	})
}

// keysOf returns the keys of deduplicated attrs.
func keysOf(attrs []slog.Attr) []string {
	keys := make([]string, len(attrs))
	for i, a := range attrs {
		keys[i] = a.Key
	}
	return keys
}

// withUniqueAttrs is withAttrsIn with Config.UniqueKeys: the child's
// level gets attrs, deduplicated with what it held, and every format's
// encoding is made anew from the levels.
func (s *scope) withUniqueAttrs(formats []Format, attrs []slog.Attr) *scope {
	d := len(s.groups)
	// The levels are kept, to be encoded again: capture them, as records
	// are (stages.withAttrs has, when redaction is on; again is harmless).
	add := uniqueAttrs(capturedAttrs(attrs), d)
	if len(add) == 0 {
		return s
	}
	levels := make([][]slog.Attr, d+1)
	copy(levels, s.levels)
	levels[d] = uniqueAttrs(append(slices.Clone(levels[d]), add...), d)
	c := rootScope
	for i, level := range levels {
		if len(level) > 0 {
			c = c.withAttrsIn(formats, nil, nil, level)
		}
		if i < d {
			c = c.withGroup(s.groups[i])
		}
	}
	out := *c
	out.name, out.logger, out.lvl = s.name, s.logger, s.lvl
	out.levels = levels
	out.keys = make([][]string, len(levels))
	for i, level := range levels {
		out.keys[i] = keysOf(level)
	}
	return &out
}

// nested appends to dst the scope's levels with attrs in the innermost:
// the record's members inside the scope's groups, as attrs.
func (s *scope) nested(dst, attrs []slog.Attr) []slog.Attr {
	inner := attrs
	for d := len(s.groups); d >= 0; d-- {
		var level []slog.Attr
		if d < len(s.levels) {
			level = s.levels[d]
		}
		members := append(slices.Clip(level), inner...)
		if d == 0 {
			return append(dst, members...)
		}
		inner = []slog.Attr{{Key: s.groups[d-1], Value: slog.GroupValue(members...)}}
	}
	return dst
}
