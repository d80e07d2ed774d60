package fapilog

import (
	"math/bits"
	"strings"
)

// This file holds the built-in string scanners, the bytes that trigger
// them, and the set of them a pipeline compiles. Each scanner has the
// shape of maskSpans's next: the first secret span at or after from, or
// -1, -1.

// The built-in scanners, as bits of a scanSet and of secretTrigger.
const (
	scanKV      uint16 = 1 << iota // key=value and key: value with a sensitive key ('=' ':')
	scanURL                        // scheme://user:pass@host ('@')
	scanDSN                        // user:pass@tcp(host)/db, user:pass@/db ('@')
	scanJWT                        // eyJ….….… ('J')
	scanPEM                        // -----BEGIN … PRIVATE KEY----- blocks ('K')
	scanAWS                        // AKIA…, ASIA… access key ids ('A')
	scanBearer                     // "bearer <token>" anywhere ('B' 'b'); BearerTokens only
	scanCard                       // card numbers in text (digits '2' to '6')
	scanTrack                      // magnetic stripe track 1 and 2 data ('^' '=')
	scanEmail                      // e-mail addresses ('@')
	scanPhone                      // phone numbers (digits)
	scanSSN                        // NNN-NN-NNNN ('-')
	scanIBAN                       // IBANs (digits)
	scanIP                         // IPv4 and IPv6 addresses ('.' ':')
	numScanners = iota
)

// scannerTriggers are the bytes of each scanner's trigger set: a string
// holding none of them holds nothing that scanner finds. The credential
// scanners trigger on punctuation that ordinary words do not hold, or on
// a capital letter that every match contains ('J' of "eyJ", 'K' of
// "KEY", 'A' of "AKIA"/"ASIA").
var scannerTriggers = [numScanners]string{
	"=:>", "@", "@", "J", "K", "A", "Bb", "23456", "^=", "@", "0123456789", "-", "0123456789", ".:",
}

// secretTrigger maps each byte to the scanners it triggers: bit i is set
// when the byte is in scannerTriggers[i]. An encoder ORs the entries of a
// string's bytes as it escapes them, and runs only the scanners whose bit
// is in the result (see scanSet.nextSeen): if a string holds no trigger
// byte of a scanner, that scanner finds nothing in it.
var secretTrigger = func() (t [256]uint16) {
	for i, bytes := range scannerTriggers {
		for j := 0; j < len(bytes); j++ {
			t[bytes[j]] |= 1 << i
		}
	}
	return t
}()

// triggersOf returns the OR of secretTrigger over s's bytes. Four ORs
// that do not wait on each other: one chain over every byte holds the
// loop to one byte per OR's latency (this function was 8.6% of a request
// record's encoding that way, 3.3% now: BenchmarkWorkerShapes).
func triggersOf(s string) uint16 {
	var a, b, c, d uint16
	i := 0
	for ; i+4 <= len(s); i += 4 {
		w := s[i : i+4]
		a |= secretTrigger[w[0]]
		b |= secretTrigger[w[1]]
		c |= secretTrigger[w[2]]
		d |= secretTrigger[w[3]]
	}
	for ; i < len(s); i++ {
		a |= secretTrigger[s[i]]
	}
	return a | b | c | d
}

// scanSet is the built-in scanners a pipeline runs on every string, and
// whether integers that look like card numbers are masked.
type scanSet struct {
	kinds    uint16 // scan* bits
	classes  uint8  // word classes of the key=value scanner
	cardInts bool   // CardNumbers on: mask integers that pass cardInt
	steps    []scanStep
	byBit    [numScanners]func(s string, from int) (int, int) // the scanners of kinds, by bit index
}

type scanStep struct {
	kind uint16
	next func(s string, from int) (int, int)
}

// newScanSet returns the scanners of kinds, in the order of their bits.
func newScanSet(kinds uint16, classes uint8, cardInts bool) *scanSet {
	c := &scanSet{kinds: kinds, classes: classes, cardInts: cardInts}
	for i := range numScanners {
		k := uint16(1) << i
		if kinds&k == 0 {
			continue
		}
		next := builtinScanners[i]
		if k == scanKV {
			next = c.nextKV
		}
		c.steps = append(c.steps, scanStep{k, next})
		c.byBit[i] = next
	}
	return c
}

// builtinScanners are the scanners by bit; scanKV is per set (it needs
// the word classes).
var builtinScanners = [numScanners]func(s string, from int) (int, int){
	nil, nextURLUserinfo, nextDSNUserinfo, nextJWT, nextPEMKey, nextAWSKeyID, nextBearer,
	nextCard, nextTrack, nextEmail, nextPhone, nextSSN, nextIBAN, nextIP,
}

// MaskString masks what c's scanners find in s. A string without a
// trigger byte costs one pass and no allocation.
func (c *scanSet) MaskString(s, mask string) (string, bool) {
	return c.maskSeen(s, mask, triggersOf(s), nil)
}

// MaskField returns false: scanners look at strings.
func (c *scanSet) MaskField([]string) bool { return false }

// maskSeen is MaskString for a caller that has ORed secretTrigger over
// s's bytes into seen (as it escaped them): only the scanners seen
// triggers run.
func (c *scanSet) maskSeen(s, mask string, seen uint16, vc *verdictCache) (string, bool) {
	if seen&(scanURL|scanDSN) != 0 && strings.IndexByte(s, ':') < 0 {
		// Both need a ':' as well as the '@' that triggered them: an
		// e-mail address alone is no URL or DSN credential.
		seen &^= scanURL | scanDSN
	}
	if seen &= c.kinds; seen == 0 || isTimestamp(s) || !c.anySpan(s, seen, vc) {
		return s, false
	}
	var k scanCursor
	k.init(c, s, seen)
	k.vc = vc
	if seen&(seen-1) == 0 {
		// One scanner: its spans follow one another, none to join.
		k.one = c.byBit[bits.TrailingZeros16(seen)]
		k.oneKV = seen == scanKV
	}
	return maskCursor(s, mask, &k)
}

// anySpan reports whether a scanner of seen finds a span in s. Most
// strings that set off a scanner hold no secret (a user agent's 'A' and
// 'K', an error's ':'): asked once each, without a scanCursor's set-up
// and joining loop, the scanners cost a user agent 24 ns where the
// cursor took 35. Only a string that holds a secret is read again, by
// the cursor.
func (c *scanSet) anySpan(s string, seen uint16, vc *verdictCache) bool {
	for ; seen != 0; seen &= seen - 1 {
		i := bits.TrailingZeros16(seen)
		var a int
		if i == 0 { // scanKV
			a, _ = c.nextKVIn(s, 0, vc)
		} else {
			a, _ = c.byBit[i](s, 0)
		}
		if a >= 0 {
			return true
		}
	}
	return false
}

// isTimestamp reports whether s is a date and time as RFC 3339 and
// time.DateTime write them: "2006-01-02T15:04:05", a space for the 'T'
// allowed, then optionally a fraction of 1 to 9 digits, then optionally
// "Z" or an offset "+07:00". Logs are full of them (struct fields, JSON
// bodies) and the built-in scanners find nothing in them, but their ':'
// and digits set off the key=value scanner (and in PII and PCI, others),
// at several times the cost of writing them.
func isTimestamp(s string) bool {
	const clock = len("2006-01-02T15:04:05")
	if len(s) < clock || len(s) > clock+len(".000000000+00:00") ||
		!datePart(load64(s, 0), 0xffff00ffffffff, '-'<<56|'-'<<32) ||
		!datePart(load64(s, 11), 0xffff00ffff00ffff, ':'<<40|':'<<16) ||
		s[10] != 'T' && s[10] != ' ' || !isDigit(s[8]) || !isDigit(s[9]) {
		return false
	}
	rest := s[clock:]
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		if n == 1 || n > 10 {
			return false
		}
		rest = rest[n:]
	}
	switch len(rest) {
	case 0:
		return true
	case 1:
		return rest[0] == 'Z'
	case 6:
		return (rest[0] == '+' || rest[0] == '-') && isDigit(rest[1]) && isDigit(rest[2]) &&
			rest[3] == ':' && isDigit(rest[4]) && isDigit(rest[5])
	}
	return false
}

// datePart reports whether the eight bytes in x (see load64) are ASCII
// digits where digits has 0xff bytes and equal seps elsewhere. A byte is
// a digit if, XORed with '0', it is at most 9: adding 0x76 then sets its
// high bit only if it is over 9 (and a byte with the high bit set already
// fails; a carry out of a byte comes only from one that fails).
func datePart(x, digits, seps uint64) bool {
	d := (x ^ lsb*'0') & digits
	return x&^digits == seps && ((d+lsb*0x76)|d)&msb&digits == 0
}

// next returns the first span any of c's scanners finds in s at or after
// from, or -1, -1 (the shape of maskSpans's next). Each call reads the
// rest of s again: MaskString reads it once.
func (c *scanSet) next(s string, from int) (int, int) {
	return c.nextSeen(s, from, triggersOf(s[from:]))
}

// nextSeen is next with the triggers seen in s (see maskSeen).
func (c *scanSet) nextSeen(s string, from int, seen uint16) (int, int) {
	var k scanCursor
	k.init(c, s, seen)
	return k.span(from)
}

// scanCursor walks one string with a scanSet, keeping each scanner's
// next span, so that each scanner reads the string about once however
// many secrets it holds.
type scanCursor struct {
	one   func(s string, from int) (int, int) // a single scanner instead of set's
	set   *scanSet
	s     string
	seen  uint16
	vc    *verdictCache                   // for the key=value scanner
	oneKV bool                            // one is the key=value scanner: call it with vc
	known uint16                          // bit i: spans[i] was looked for
	spans [numScanners]struct{ a, b int } // by step: the next span; a == -1: none left
}

func (k *scanCursor) init(c *scanSet, s string, seen uint16) {
	k.set, k.s, k.seen = c, s, seen&c.kinds
}

// span returns the first span at or after from, or -1, -1. Spans that
// overlap are joined, so that no scanner's span is cut short by
// another's. Successive calls must pass the end of the previous span.
func (k *scanCursor) span(from int) (int, int) {
	if k.one != nil {
		if k.oneKV {
			return k.set.nextKVIn(k.s, from, k.vc)
		}
		return k.one(k.s, from)
	}
	if k.seen == 0 {
		return -1, -1
	}
	start, end := -1, -1
	for i, st := range k.set.steps {
		sp := &k.spans[i]
		if k.seen&st.kind == 0 {
			continue
		}
		if k.known&(1<<i) == 0 || sp.a >= 0 && sp.a < from {
			k.known |= 1 << i
			sp.a, sp.b = k.next(st, from)
		}
		if sp.a >= 0 && (start < 0 || sp.a < start) {
			start, end = sp.a, sp.b
		}
	}
	for grown := start >= 0; grown; {
		grown = false
		for i, st := range k.set.steps {
			if k.known&(1<<i) == 0 {
				continue
			}
			// Each span starts at or after the one before and is not
			// empty, so the loop ends.
			for sp := &k.spans[i]; sp.a >= 0 && sp.a < end; sp.a, sp.b = k.next(st, sp.b) {
				if sp.b > end {
					end, grown = sp.b, true
				}
			}
		}
	}
	return start, end
}

// next returns st's next span from from: the key=value scanner's with
// the cursor's verdict cache.
func (k *scanCursor) next(st scanStep, from int) (int, int) {
	if st.kind == scanKV {
		return k.set.nextKVIn(k.s, from, k.vc)
	}
	return st.next(k.s, from)
}

// sensitiveKey is sensitiveKey with c's word classes, through vc.
func (c *scanSet) sensitiveKey(key string, vc *verdictCache) bool {
	e, ok := vc.get(key)
	if ok {
		return e.yes
	}
	return e.set(key, sensitiveKey(key, c.classes))
}

// isKeyByte reports whether c may be in the key of a key=value pair.
func isKeyByte(c byte) bool { return scanBytes[c]&inKey != 0 }

// authSchemes are the words an Authorization value may start with; they
// are kept, and the credentials after them masked.
var authSchemes = []string{"bearer", "basic", "digest", "token", "negotiate", "ntlm", "oauth", "bot"}

// nextKV finds the value of the first key=value, key: value, "key":
// "value", key='value' or <key>value</key> pair in s whose key names a
// secret of c's word classes ("API Key: …" reads the words before the key
// too). A quoted value ends at its closing quote (a backslash escapes
// it); an object or array at its matching close; a bare value at a space,
// quote, ',', ';', '&' or closing bracket; a Cookie header's
// "a=1; b=2" pairs at a space after no ';'. An Authorization scheme word is kept.
func (c *scanSet) nextKV(s string, from int) (int, int) { return c.nextKVIn(s, from, nil) }

// nextKVIn is nextKV judging keys through vc.
func (c *scanSet) nextKVIn(s string, from int, vc *verdictCache) (int, int) {
	for i := from; i < len(s); i++ {
		if i = nextKVSep(s, i); i == len(s) {
			break
		}
		sep := s[i]
		if sep == '>' {
			if start, end := c.xmlElement(s, i, vc); end > start {
				return start, end
			}
			continue
		}
		key, ks, ok := keyBefore(s, i)
		if !ok || (sep == ':' && strings.HasPrefix(s[i+1:], "//")) || (sep == '=' && i+1 < len(s) && s[i+1] == '=') {
			continue
		}
		if !c.sensitiveKey(key, vc) {
			if long := wordsBefore(s, ks, key); len(long) == len(key) || !c.sensitiveKey(long, vc) {
				continue
			}
		}
		if sep == ':' && strings.HasSuffix(s[:ks], "//") {
			continue // URL user information: nextURLUserinfo's
		}
		v := i + 1
		for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
			v++
		}
		start, end := valueSpan(s, v, sep == ':' && hasSuffixFold(key, "cookie", "cookies"))
		if end > start {
			return start, end
		}
	}
	return -1, -1
}

// nextKVSep returns the index of the first '=', ':' or '>' in s at or
// after i, or len(s). It reads eight bytes a turn: most of an error
// string's or a sentence's bytes are none of the three (an error of 96
// bytes cost the key=value scanner 193 ns read a byte at a time).
func nextKVSep(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := load64(s, i)
		e, c, g := x^(lsb*'='), x^(lsb*':'), x^(lsb*'>')
		// A byte's high bit is set where it equals one of the three, and
		// maybe in bytes above such a byte (a borrow): the lowest is
		// exact.
		if m := ((e-lsb)&^e | (c-lsb)&^c | (g-lsb)&^g) & msb; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(s) && scanBytes[s[i]]&kvSep == 0; i++ {
	}
	return i
}

// xmlElement returns the text of the element whose start tag ends at
// s[gt] ("<password>hunter2</password>") if its name is sensitive, up to
// the next '<'; else an empty span.
func (c *scanSet) xmlElement(s string, gt int, vc *verdictCache) (int, int) {
	j := gt
	for j > 0 && (isKeyByte(s[j-1]) || s[j-1] == ':') {
		j--
	}
	if j == gt || j == 0 || s[j-1] != '<' || !c.sensitiveKey(s[j:gt], vc) {
		return 0, 0
	}
	end := gt + 1
	for end < len(s) && s[end] != '<' {
		end++
	}
	return gt + 1, end
}

// wordsBefore returns key with the up to two words before it that single
// spaces join to it ("Access Key ID" for "ID"), or key if there are none.
func wordsBefore(s string, ks int, key string) string {
	end, start := ks+len(key), ks
	for range 2 {
		j := start - 1
		if j < 1 || s[j] != ' ' || !isAlnum(s[j-1]) {
			break
		}
		for j > 0 && isAlnum(s[j-1]) {
			j--
		}
		start = j
	}
	return s[start:end]
}

// keyBefore returns the key that ends just before s[sep] (after optional
// spaces, and inside optional quotes), its index, and whether there is
// one.
func keyBefore(s string, sep int) (string, int, bool) {
	j := sep
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') && sep-j < 8 {
		j--
	}
	end := j
	if j > 0 && (s[j-1] == '"' || s[j-1] == '\'') {
		q := s[j-1]
		end = j - 1
		j = end
		for j > 0 && isKeyByte(s[j-1]) {
			j--
		}
		if j == 0 || s[j-1] != q {
			return "", 0, false
		}
	} else {
		for j > 0 && isKeyByte(s[j-1]) {
			j--
		}
	}
	return s[j:end], j, j < end
}

// valueSpan returns the span of the value starting at s[v]: inside its
// quotes, a whole object or array, a cookie header's pairs, or a bare
// word; an Authorization scheme word before a credential is skipped.
func valueSpan(s string, v int, cookies bool) (int, int) {
	if v >= len(s) {
		return v, v
	}
	switch c := s[v]; c {
	case '"', '\'', '`':
		for j := v + 1; j < len(s); j++ {
			if s[j] == '\\' {
				j++
			} else if s[j] == c {
				return v + 1, j
			}
		}
		return v + 1, len(s) // unterminated: all of it
	case '{', '[':
		return v, matchingClose(s, v)
	}
	if cookies {
		// name=value pairs joined by "; ", to a space after no ';'.
		end := v
		for end < len(s) && s[end] != '\n' && s[end] != '\r' && s[end] != '"' && !(s[end] == ' ' && s[end-1] != ';') {
			end++
		}
		return v, end
	}
	v = skipAuthScheme(s, v)
	end := v
	for end < len(s) && !endsBareValue(s[end]) {
		end++
	}
	return v, end
}

// skipAuthScheme returns the index after an Authorization scheme word and
// its spaces at s[v:], if a credential follows them; else v.
func skipAuthScheme(s string, v int) int {
	w := v
	for w < len(s) && ('a' <= s[w]|0x20 && s[w]|0x20 <= 'z') {
		w++
	}
	if w == v || w >= len(s) || s[w] != ' ' {
		return v
	}
	for _, scheme := range authSchemes {
		if w-v == len(scheme) && lowerEqual(scheme, s[v:w]) {
			for w < len(s) && s[w] == ' ' {
				w++
			}
			if w < len(s) && !endsBareValue(s[w]) {
				return w
			}
			return v
		}
	}
	return v
}

// endsBareValue reports whether c ends the bare value of a key=value pair.
func endsBareValue(c byte) bool { return scanBytes[c]&stopBare != 0 }

// matchingClose returns the index after the bracket that closes the one
// at s[v], skipping quoted strings, or len(s) if it is not closed.
func matchingClose(s string, v int) int {
	depth := 0
	for j := v; j < len(s); j++ {
		switch s[j] {
		case '"':
			for j++; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return j + 1
			}
		}
	}
	return len(s)
}

// hasSuffixFold reports whether s ends in one of the lower-case suffixes,
// ignoring ASCII case.
func hasSuffixFold(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if len(s) >= len(x) && lowerEqual(x, s[len(s)-len(x):]) {
			return true
		}
	}
	return false
}

// nextDSNUserinfo finds the user:password of a Go MySQL DSN,
// "user:pass@tcp(host:3306)/db" or "user:pass@/db": a word holding a ':'
// just before an '@' that a protocol and '(' or a '/' follows. URLs
// ("scheme://…") are left to nextURLUserinfo.
func nextDSNUserinfo(s string, from int) (int, int) {
	lo := from
	return nextAround(s, from, '@', func(at int) (int, int) {
		p := at + 1
		for p < len(s) && isAlnum(s[p]) {
			p++
		}
		if p >= len(s) || !(s[p] == '(' && p > at+1 || s[p] == '/' && p == at+1) {
			return -1, -1
		}
		start := at
		for start > 0 && !endsUserinfo(s[start-1]) {
			start--
		}
		user := s[start:at]
		if c := strings.IndexByte(user, ':'); c <= 0 || c == len(user)-1 || strings.Contains(user, "//") {
			return -1, -1
		}
		if start = max(start, lo); start < at {
			return start, at
		}
		return -1, -1
	})
}

// endsUserinfo reports whether c ends, going back from its '@', the
// user:password of a MySQL DSN.
func endsUserinfo(c byte) bool { return scanBytes[c]&stopUserinfo != 0 }

// nextPEMKey finds the body of a PEM private key block: after the
// "-----BEGIN … PRIVATE KEY-----" line, up to "-----END" (or the end of
// s, if it was cut), without the spaces around it. Public keys and
// certificates are not secret and are left alone.
func nextPEMKey(s string, from int) (int, int) {
	const marker = "PRIVATE KEY"
	for from < len(s) {
		i := strings.Index(s[from:], marker)
		if i < 0 {
			return -1, -1
		}
		i += from
		from = i + len(marker)
		if !strings.Contains(s[max(0, i-40):i], "-----BEGIN ") {
			continue
		}
		h := strings.Index(s[from:min(len(s), from+40)], "-----")
		if h < 0 || strings.ContainsAny(s[from:from+h], "\n\r") {
			continue
		}
		start := from + h + len("-----")
		end := len(s)
		if e := strings.Index(s[start:], "-----END"); e >= 0 {
			end = start + e
		}
		for start < end && isSpace(s[start]) {
			start++
		}
		for end > start && isSpace(s[end-1]) {
			end--
		}
		if end > start {
			return start, end
		}
	}
	return -1, -1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// cardInt reports whether n, logged as an integer, may be a payment card
// number: 13 to 19 digits, starting with 2 to 6, passing Luhn. Length and
// first digit are tested first (most large integers, ids and Unix times
// in ns among them, fail there); Luhn takes two digits at a time.
func cardInt(n uint64) bool {
	d := decimalLen(n)
	if d < 13 || d > 19 {
		return false
	}
	if first := n / pow10u[d-1]; first < 2 || first > 6 {
		return false
	}
	sum := uint64(0)
	for ; n >= 10; n /= 100 {
		sum += uint64(luhnPairs[n%100])
	}
	return (sum+n)%10 == 0 // n: a leading digit left, not doubled
}

// luhnPairs[p] is what the two digits of p add to a Luhn sum when the
// units digit is not doubled and the tens digit is.
var luhnPairs = func() (t [100]uint8) {
	for p := range t {
		d := 2 * (p / 10)
		if d > 9 {
			d -= 9
		}
		t[p] = uint8(p%10 + d)
	}
	return t
}()

// nextTrack finds magnetic stripe data: track 1
// ("%B4111111111111111^DOE/JOHN^2512101…?") and track 2
// (";4111111111111111=25121010…?"), with a PAN that passes Luhn. The
// whole track is masked.
func nextTrack(s string, from int) (int, int) {
	for i := from; i < len(s); i++ {
		c := s[i]
		if c != '^' && c != '=' {
			continue
		}
		p := i
		for p > 0 && isDigit(s[p-1]) {
			p--
		}
		if n := i - p; n < 13 || n > 19 || !luhn(s[p:i]) {
			continue
		}
		start, end := p, i+1
		if c == '^' {
			if p == 0 || s[p-1] != 'B' {
				continue
			}
			start = p - 1
			name := strings.IndexByte(s[end:min(len(s), end+80)], '^') // track 1 is 79 characters at most
			if name < 0 {
				continue
			}
			end += name + 1
			for end < len(s) && !isSpace(s[end]) && s[end] != '?' && s[end] != '"' {
				end++
			}
		} else {
			if digitsAt(s, end) < 4 {
				continue
			}
			end += digitsAt(s, end)
		}
		if start > 0 && (s[start-1] == '%' || s[start-1] == ';') {
			start--
		}
		if end < len(s) && s[end] == '?' {
			end++
		}
		if start >= from {
			return start, end
		}
	}
	return -1, -1
}

// nextPhone finds phone numbers: 10 to 15 digits in groups joined by
// single spaces, dashes or dots, the first group perhaps in parentheses,
// starting with '+' or written in at least three groups. A run of digits
// alone is an id, not a phone number; an ISO date is not either.
func nextPhone(s string, from int) (int, int) {
	for i := from; i < len(s); i++ {
		j := indexDigit(s, i)
		if j < 0 {
			return -1, -1
		}
		start := j
		if start > i && s[start-1] == '(' {
			start--
		}
		if start > i && s[start-1] == '+' {
			start--
		}
		i = j
		if start > 0 && (isAlnum(s[start-1]) || strings.IndexByte(".-/:+_", s[start-1]) >= 0) {
			i += digitsAt(s, j) - 1 // inside a word or a longer number
			continue
		}
		end, digits, groups, first, second, dots, seps := phoneRun(s, start)
		if end <= start {
			continue
		}
		if end < len(s) && (isAlnum(s[end]) || s[end] == '@') {
			i = end
			continue
		}
		ok := digits >= 10 && digits <= 15 && (s[start] == '+' || groups >= 3) &&
			!(first == 4 && second == 2) && (dots == 0 || dots == seps && digits == 10 && groups == 3)
		if ok {
			return start, end
		}
		i = max(i, end-1)
	}
	return -1, -1
}

// phoneRun reads the run of digit groups at s[i:] for nextPhone.
func phoneRun(s string, i int) (end, digits, groups, first, second, dots, seps int) {
	j := i
	if s[j] == '+' {
		j++
	}
	for j < len(s) {
		open := s[j] == '('
		if open {
			j++
		}
		n := digitsAt(s, j)
		if n == 0 {
			break
		}
		j += n
		if open {
			if j >= len(s) || s[j] != ')' {
				break
			}
			j++
		}
		digits += n
		groups++
		if groups == 1 {
			first = n
		} else if groups == 2 {
			second = n
		}
		end = j
		if j+1 < len(s) && (s[j] == ' ' || s[j] == '-' || s[j] == '.') && (isDigit(s[j+1]) || s[j+1] == '(') {
			if s[j] == '.' {
				dots++
			}
			seps++
			j++
			continue
		}
		if j < len(s) && (isDigit(s[j]) || s[j] == '(') {
			continue // "(555)123" or ") 123" handled by the next group
		}
		if j+1 < len(s) && s[j-1] == ')' && s[j] == ' ' && isDigit(s[j+1]) {
			seps++
			j++
			continue
		}
		break
	}
	return
}

// nextIBAN finds IBANs: a country code, two check digits and 11 to 30
// letters or digits, upper case, perhaps in groups of four joined by
// spaces, passing the ISO 7064 mod 97 check.
func nextIBAN(s string, from int) (int, int) {
	for i := from; i+1 < len(s); i++ {
		if i = indexDigit(s, i); i < 0 {
			return -1, -1
		}
		if i < 2 || i+1 >= len(s) || !isDigit(s[i+1]) || !isUpper(s[i-1]) || !isUpper(s[i-2]) {
			continue
		}
		start := i - 2
		if start > 0 && isAlnum(s[start-1]) || start < from {
			continue
		}
		// Read groups; on a failed check, drop the last group and retry.
		end, lastGroup := i+2, -1
		for j := end; j < len(s) && j < start+42; { // 34 characters and spaces at most
			if s[j] == ' ' && j+1 < len(s) && isIBANChar(s[j+1]) {
				lastGroup = j
				j++
				continue
			}
			if !isIBANChar(s[j]) {
				break
			}
			j++
			end = j
		}
		for end > i+2 {
			if end < len(s) && isAlnum(s[end]) {
				break
			}
			if l := ibanLen(s[start:end]); l >= 15 && l <= 34 && ibanValid(s[start:end]) {
				return start, end
			}
			if lastGroup <= i+2 {
				break
			}
			end, lastGroup = lastGroup, strings.LastIndexByte(s[start:lastGroup], ' ')
			if lastGroup >= 0 {
				lastGroup += start
			}
		}
	}
	return -1, -1
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }

func isIBANChar(c byte) bool { return isDigit(c) || isUpper(c) }

// ibanLen is the number of characters of iban, without spaces.
func ibanLen(iban string) int { return len(iban) - strings.Count(iban, " ") }

// ibanValid checks the mod 97 check of iban (spaces skipped): the first
// four characters moved to the end, letters read as 10 to 35, the number
// must be 1 mod 97.
func ibanValid(iban string) bool {
	rem := 0
	for _, part := range [2]string{iban[4:], iban[:4]} {
		for i := 0; i < len(part); i++ {
			switch c := part[i]; {
			case isDigit(c):
				rem = (rem*10 + int(c-'0')) % 97
			case isUpper(c):
				rem = (rem*100 + int(c-'A') + 10) % 97
			}
		}
	}
	return rem == 1
}

// nextIP finds IPv4 addresses (four decimal octets up to 255) and IPv6
// addresses (eight hex groups, or fewer with "::"), not inside a longer
// run of digits, dots or words.
func nextIP(s string, from int) (int, int) {
	// Every address has a '.' or ':' at most four bytes after its start:
	// look back from each.
	for i := from; i < len(s); i++ {
		if c := s[i]; c != '.' && c != ':' {
			continue
		}
		start := i
		for start > from && i-start < 4 && isHex(s[start-1]) {
			start--
		}
		if start == i && !strings.HasPrefix(s[i:], "::") {
			continue
		}
		if start > 0 && (isAlnum(s[start-1]) || s[start-1] == '.' || s[start-1] == ':') {
			continue
		}
		if end := ipv4At(s, start); end > 0 {
			return start, end
		}
		if end := ipv6At(s, start); end > 0 {
			return start, end
		}
	}
	return -1, -1
}

func isHex(c byte) bool { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'f') }

// ipv4At returns the end of the IPv4 address at s[i:], or 0.
func ipv4At(s string, i int) int {
	j := i
	for octet := range 4 {
		n := digitsAt(s, j)
		if n == 0 || n > 3 || (n == 3 && s[j:j+3] > "255") {
			return 0
		}
		j += n
		if octet < 3 {
			if j >= len(s) || s[j] != '.' {
				return 0
			}
			j++
		}
	}
	if j < len(s) && (isAlnum(s[j]) || (s[j] == '.' && j+1 < len(s) && isDigit(s[j+1]))) {
		return 0
	}
	return j
}

// ipv6At returns the end of the IPv6 address at s[i:], or 0.
func ipv6At(s string, i int) int {
	j, groups, double, digit := i, 0, false, false
	for j < len(s) {
		if strings.HasPrefix(s[j:], "::") {
			if double {
				return 0
			}
			double = true
			j += 2
			continue
		}
		n := 0
		for j+n < len(s) && isHex(s[j+n]) && n < 5 {
			if isDigit(s[j+n]) {
				digit = true
			}
			n++
		}
		if n == 0 || n > 4 || groups == 8 {
			break
		}
		j += n
		groups++
		if j < len(s) && s[j] == ':' && j+1 < len(s) && isHex(s[j+1]) {
			j++
			continue
		}
		if j+1 < len(s) && s[j] == ':' && s[j+1] == ':' {
			continue
		}
		break
	}
	if !digit || groups > 8 || (groups < 8 && !(double && groups >= 2)) {
		return 0
	}
	if j < len(s) && (isAlnum(s[j]) || s[j] == ':') {
		return 0
	}
	return j
}

// scans returns rd's built-in scanners, or nil if it has none.
func (rd *redaction) scans() *scanSet {
	if len(rd.byString) > 0 {
		return rd.byString[0].scan
	}
	return nil
}

// maskInt reports whether the integer n is masked: CardNumbers (or PCI)
// is on and n may be a card number (see cardInt). Negative numbers are
// not card numbers.
func (rd *redaction) maskInt(n int64) bool {
	return n > 0 && rd.maskUint(uint64(n))
}

// maskUint is maskInt for unsigned integers.
func (rd *redaction) maskUint(n uint64) bool {
	set := rd.scans()
	return set != nil && set.cardInts && cardInt(n)
}
