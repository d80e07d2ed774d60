package fapilog

import (
	"strings"
	"unicode/utf8"
)

// DefaultMask is what a redacted value is replaced with when
// Config.RedactMask is empty.
const DefaultMask = "***"

// A Redactor decides what to mask before a record is encoded. The worker
// walks everything a line will print once — the message, the enrichers'
// attrs, the context's attrs, the With and WithGroup context (when the
// child logger is made), the call's attrs, and the inside of values
// captured by slog.Any (map and struct keys, slice elements) — and asks
// every Redactor about each field and each string.
//
// A Redactor's methods may be called from several goroutines at once (the
// worker, and callers of With), must not keep path or s, and should not
// allocate when nothing matches. A panic is contained: the value being
// looked at is masked and the panic counted in Stats.RedactorErrors.
type Redactor interface {
	// MaskField reports whether the whole value of the field at path is
	// replaced by the mask. path holds the keys from the top of the line
	// down to the field's own key: group names (from WithGroup and
	// slog.Group), then map and struct keys. Slice elements add no key.
	MaskField(path []string) bool
	// MaskString returns s with its secrets replaced by mask, and whether
	// anything changed. It is called for the message and for every string
	// value whose field was not masked whole.
	MaskString(s, mask string) (string, bool)
}

// DefaultRedactors returns the redactors used when Config.Redactors is
// nil: []Redactor{Credentials()}.
func DefaultRedactors() []Redactor {
	return []Redactor{Credentials()}
}

// RedactFields returns a Redactor that masks the whole value of the named
// fields, whatever its kind: a group, map or slice is masked as one.
//
// A bare name ("password") matches that key at any depth. A dotted path
// ("user.card.number") matches from the top of the line, following group
// names and map and struct keys; slice elements add no key, so
// "users.ssn" matches the "ssn" of every map in a slice "users". A "*"
// matches any run of characters inside one key: "*password*" matches
// "user_password", "*.pin" any key "pin" one level down, and "*" alone
// any one key. Matching ignores case: all of ASCII, and Unicode letters
// whose cases have the same length in bytes. Empty paths are ignored.
func RedactFields(paths ...string) Redactor {
	f := &fieldRedactor{}
	for _, p := range paths {
		switch {
		case p == "":
		case strings.Contains(p, "."):
			f.paths = append(f.paths, strings.Split(p, "."))
		case strings.Contains(p, "*"):
			f.globs = append(f.globs, p)
		default:
			f.addName(p)
		}
	}
	return f
}

// fieldRedactor is RedactFields, and the key words of the presets. Bare
// names are hashed on their length and their first and last bytes, case
// folded, into 64 buckets; a bit per bucket rejects most keys with a few
// instructions, and the rest are compared with the names of one bucket.
// No allocation.
type fieldRedactor struct {
	buckets  [64][]string // names that begin and end with ASCII, by nameHash
	nonEmpty uint64       // bit h: buckets[h] is not empty
	unicode  []string     // names that begin or end with a non-ASCII byte
	globs    []string     // bare names with a '*'
	words    uint8        // word classes of sensitiveKey (presets), 0 for none
	paths    [][]string   // dotted paths, split
}

// nameHash is the bucket of a name, or of a key that may equal it: equal
// names ignoring case have the same length (see RedactFields) and, if
// they begin and end with ASCII, the same ends ignoring ASCII case
// (c|0x20 is the same for both cases of a letter).
func nameHash(s string) uint {
	return (uint(len(s))*7 + uint(s[0]|0x20)*3 + uint(s[len(s)-1]|0x20)) & 63
}

func (f *fieldRedactor) addName(name string) {
	if name[0] >= utf8.RuneSelf || name[len(name)-1] >= utf8.RuneSelf {
		f.unicode = append(f.unicode, name)
		return
	}
	h := nameHash(name)
	f.buckets[h] = append(f.buckets[h], name)
	f.nonEmpty |= 1 << h
}

// merge adds g's names and paths to f.
func (f *fieldRedactor) merge(g *fieldRedactor) {
	for _, names := range g.buckets {
		for _, n := range names {
			f.addName(n)
		}
	}
	for _, n := range g.unicode {
		f.addName(n)
	}
	f.globs = append(f.globs, g.globs...)
	f.words |= g.words
	f.paths = append(f.paths, g.paths...)
}

// MaskField reports whether path ends in one of f's names or is one of its
// paths.
func (f *fieldRedactor) MaskField(path []string) bool {
	if len(path) == 0 {
		return false
	}
	if f.matchKey(path[len(path)-1]) {
		return true
	}
	for _, p := range f.paths {
		if pathMatches(p, path) {
			return true
		}
	}
	return false
}

// matchKey reports whether the field key is masked whole, whatever its
// path: it is one of f's bare names, matches one of its globs, or names a
// secret of its word classes. It depends on key alone, so a caller may
// cache it per distinct key; dotted paths are matched apart (see
// MaskField).
func (f *fieldRedactor) matchKey(key string) bool {
	return f.mayMatch(key) && f.matchName(key)
}

// mayMatch reports whether key may be one of f's bare names, globs or
// words: the cheap test the walker inlines for every key.
func (f *fieldRedactor) mayMatch(key string) bool {
	return len(key) > 0 && (f.nonEmpty>>nameHash(key)&1 != 0 || len(f.unicode) > 0 || f.words != 0 || len(f.globs) > 0)
}

// matchName reports whether key is one of f's bare names or globs, or
// names a secret of f's word classes, ignoring case. The caller has
// checked mayMatch.
func (f *fieldRedactor) matchName(key string) bool {
	if sensitiveKey(key, f.words) {
		return true
	}
	for _, g := range f.globs {
		if globMatch(g, key) {
			return true
		}
	}
	for _, n := range f.buckets[nameHash(key)] {
		if len(n) == len(key) && equalFold(n, key) {
			return true
		}
	}
	for _, n := range f.unicode {
		if len(n) == len(key) && strings.EqualFold(n, key) {
			return true
		}
	}
	return false
}

// equalFold is strings.EqualFold for strings of equal length, faster on
// ASCII.
func equalFold(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x|y >= utf8.RuneSelf {
			return strings.EqualFold(a, b)
		}
		if l := x | 0x20; l != y|0x20 || l < 'a' || l > 'z' {
			return false
		}
	}
	return true
}

func pathMatches(pattern, path []string) bool {
	if len(pattern) != len(path) {
		return false
	}
	for i, seg := range pattern {
		if !globMatch(seg, path[i]) {
			return false
		}
	}
	return true
}

// globMatch reports whether key matches pattern, in which each '*' stands
// for any run of characters, ignoring case as RedactFields says.
func globMatch(pattern, key string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return len(pattern) == len(key) && equalFold(pattern, key)
	}
	// The part before the first '*' is a prefix, the part after the last
	// a suffix; the parts between are found left to right.
	last := strings.LastIndexByte(pattern, '*')
	head, tail := pattern[:star], pattern[last+1:]
	if len(head)+len(tail) > len(key) || !equalFold(head, key[:len(head)]) || !equalFold(tail, key[len(key)-len(tail):]) {
		return false
	}
	key = key[len(head) : len(key)-len(tail)]
	for mid := pattern[star+1 : last+1]; mid != ""; {
		j := strings.IndexByte(mid, '*')
		part := mid[:j]
		mid = mid[j+1:]
		i := indexFoldAny(key, part)
		if i < 0 {
			return false
		}
		key = key[i+len(part):]
	}
	return true
}

// indexFoldAny returns the index of the first instance of part in s,
// ignoring case as equalFold does, or -1.
func indexFoldAny(s, part string) int {
	for i := 0; i+len(part) <= len(s); i++ {
		if equalFold(part, s[i:i+len(part)]) {
			return i
		}
	}
	return -1
}

// MaskString returns s unchanged: fields are masked whole or not at all.
func (f *fieldRedactor) MaskString(s, _ string) (string, bool) { return s, false }

// RedactURLCredentials returns a Redactor that masks the user information
// of URLs inside string values, whatever the scheme:
// "postgres://app:hunter2@db:5432/x" becomes "postgres://***@db:5432/x".
// A URL is a scheme (a letter, then letters, digits, '+', '-' or '.')
// followed by "://"; its user information is everything up to the last
// '@' before the first '/', '?', '#', whitespace or quote.
func RedactURLCredentials() Redactor { return urlRedactor{} }

type urlRedactor struct{}

// MaskField returns false: URL credentials are found by value.
func (urlRedactor) MaskField([]string) bool { return false }

// MaskString masks the user information of every URL in s.
func (urlRedactor) MaskString(s, mask string) (string, bool) {
	return maskSpans(s, mask, nextURLUserinfo)
}

// nextURLUserinfo returns the span of the first URL user information in s
// at or after from, or -1, -1.
func nextURLUserinfo(s string, from int) (int, int) {
	for from < len(s) {
		i := indexFrom(s, from, ':') // a byte search is the fastest there is
		if i < 0 {
			return -1, -1
		}
		if !strings.HasPrefix(s[i:], "://") {
			from = i + 1
			continue
		}
		start := i + 3
		end := start
		for end < len(s) && !endsAuthority(s[end]) {
			end++
		}
		from = end
		if !hasScheme(s[:i]) {
			continue
		}
		if at := strings.LastIndexByte(s[start:end], '@'); at > 0 {
			return start, start + at
		}
	}
	return -1, -1
}

// hasScheme reports whether s ends in a URL scheme.
func hasScheme(s string) bool {
	letter := false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		switch {
		case 'a' <= c|0x20 && c|0x20 <= 'z':
			letter = true
		case '0' <= c && c <= '9', c == '+', c == '-', c == '.':
		default:
			return letter
		}
	}
	return letter
}

// Flags of scanBytes: the bytes that end a value of some kind, and the
// bytes of a key=value pair's key and separator.
const (
	stopAuthority = 1 << iota // a URL's authority
	stopBare                  // the bare value of a key=value pair
	stopUserinfo              // the user:password before a MySQL DSN's '@'
	inKey                     // may be in the key of a key=value pair
	kvSep                     // '=', ':' and '>' (an XML start tag's end)
)

// scanBytes classifies bytes for the scanners, which read them one at a
// time: one load and test per byte.
var scanBytes = func() (t [256]uint8) {
	for c := range 256 {
		if isAlnum(byte(c)) || c == '_' || c == '-' || c == '.' {
			t[c] |= inKey
		}
	}
	for _, c := range []byte("=:>") {
		t[c] |= kvSep
	}
	for _, c := range []byte("/?# \t\n\r\f\v\"'`<>\\") {
		t[c] |= stopAuthority | stopUserinfo
	}
	for _, c := range []byte(" \t\n\r\"'`,;&)]}<>") {
		t[c] |= stopBare
	}
	for _, c := range []byte("=(,;@") {
		t[c] |= stopUserinfo
	}
	return t
}()

// endsAuthority reports whether c cannot be in a URL's authority.
func endsAuthority(c byte) bool { return scanBytes[c]&stopAuthority != 0 }

// maskSpans returns s with each span that next finds replaced by mask.
// next returns the first span at or after from, or -1, -1; spans must not
// be empty. When next finds nothing, s is returned without allocating.
func maskSpans(s, mask string, next func(s string, from int) (int, int)) (string, bool) {
	k := scanCursor{one: next, s: s}
	return maskCursor(s, mask, &k)
}

// maskCursor returns s with each span k finds replaced by mask, and
// whether there was any. k is a concrete type so that it stays on the
// caller's stack: passed as a func or an interface, it would escape and
// allocate even when nothing matches.
func maskCursor(s, mask string, k *scanCursor) (string, bool) {
	start, end := k.span(0)
	if start < 0 {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for start >= 0 {
		b.WriteString(s[last:start])
		b.WriteString(mask)
		last = end
		start, end = k.span(end)
	}
	b.WriteString(s[last:])
	return b.String(), true
}
