package fapilog

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// A Pattern finds secrets inside string values, for RedactPatterns. The
// built-in patterns are hand-written scanners that reject a string
// without a candidate in one cheap pass; NewPattern makes one from a
// regular expression.
type Pattern struct {
	next func(s string, from int) (int, int) // built-in: first span at or after from, or -1, -1
	kind uint16                              // built-in: its scan* bit
	re   *regexp.Regexp
	sub  int // index of the "secret" subexpression of re, or 0 for the whole match
}

// NewPattern returns a Pattern that masks every match of re, or only the
// part matched by a subexpression named "secret" if re has one
// (`(?i)password=(?P<secret>\S+)` keeps "password="). Empty matches are
// ignored. Go regular expressions are RE2: matching takes time linear in
// the input, so no pattern can make the worker backtrack catastrophically.
func NewPattern(re *regexp.Regexp) Pattern {
	return Pattern{re: re, sub: max(re.SubexpIndex("secret"), 0)}
}

// mask returns s with p's matches replaced by mask.
func (p Pattern) mask(s, mask string) (string, bool) {
	if p.next != nil {
		return maskSpans(s, mask, p.next)
	}
	if p.re == nil || !p.re.MatchString(s) { // MatchString does not allocate
		return s, false
	}
	locs := p.re.FindAllStringSubmatchIndex(s, -1)
	k := 0
	return maskSpans(s, mask, func(_ string, from int) (int, int) {
		for ; k < len(locs); k++ {
			start, end := locs[k][2*p.sub], locs[k][2*p.sub+1]
			if start >= from && end > start {
				k++
				return start, end
			}
		}
		return -1, -1
	})
}

// RedactPatterns returns a Redactor that masks the parts of string values
// that match any of patterns. The built-in patterns are CardNumbers,
// EmailAddresses, JWTs, BearerTokens, AWSAccessKeyIDs and SSNs; NewPattern
// adds your own.
func RedactPatterns(patterns ...Pattern) Redactor {
	return &patternRedactor{patterns: append([]Pattern(nil), patterns...)}
}

type patternRedactor struct{ patterns []Pattern }

// MaskField returns false: patterns look at values.
func (*patternRedactor) MaskField([]string) bool { return false }

// MaskString masks every match of every pattern in s.
func (r *patternRedactor) MaskString(s, mask string) (string, bool) {
	changed := false
	for _, p := range r.patterns {
		var ok bool
		if s, ok = p.mask(s, mask); ok {
			changed = true
		}
	}
	return s, changed
}

// CardNumbers returns a Pattern for payment card numbers: 13 to 19 digits
// starting with 2 to 6 (the major networks), in groups separated by single
// spaces or dashes or none, that pass the Luhn check. A digit run longer
// than 19 digits with no separator is not a card number.
func CardNumbers() Pattern { return Pattern{next: nextCard, kind: scanCard} }

// EmailAddresses returns a Pattern for e-mail addresses: a local part of
// letters, digits and ._%+-, an '@', and a domain with a dot and a
// top-level domain of two or more ASCII letters.
func EmailAddresses() Pattern { return Pattern{next: nextEmail, kind: scanEmail} }

// JWTs returns a Pattern for JSON Web Tokens: three base64url segments
// joined by dots, the first starting with "eyJ" (the encoding of `{"`).
// The last segment, the signature, may be empty.
func JWTs() Pattern { return Pattern{next: nextJWT, kind: scanJWT} }

// BearerTokens returns a Pattern for the credential after "Bearer " (in
// any case) as in an Authorization header: "Bearer abc.def" becomes
// "Bearer ***".
func BearerTokens() Pattern { return Pattern{next: nextBearer, kind: scanBearer} }

// AWSAccessKeyIDs returns a Pattern for AWS access key ids: "AKIA"
// (long-term) or "ASIA" (temporary) and 16 upper-case letters or digits,
// not inside a longer word.
func AWSAccessKeyIDs() Pattern { return Pattern{next: nextAWSKeyID, kind: scanAWS} }

// SSNs returns a Pattern for US social security numbers written
// NNN-NN-NNNN, not inside a longer run of digits.
func SSNs() Pattern { return Pattern{next: nextSSN, kind: scanSSN} }

// indexFrom returns the index in s of the first c in s[from:], or -1.
func indexFrom(s string, from int, c byte) int {
	if i := strings.IndexByte(s[from:], c); i >= 0 {
		return from + i
	}
	return -1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'z') }

// isBase64URL reports whether c is in the base64url alphabet.
func isBase64URL(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

// digitsAt returns the number of consecutive digits at s[i:].
func digitsAt(s string, i int) int {
	n := 0
	for i+n < len(s) && isDigit(s[i+n]) {
		n++
	}
	return n
}

// nextCard scans digit groups: runs of digits joined by single spaces or
// dashes. Within each such chain it tries every sequence of whole groups,
// longest first from each starting group, for 13 to 19 digits passing
// Luhn.
func nextCard(s string, from int) (int, int) {
	const minDigits, maxDigits = 13, 19
	for i := from; i < len(s); i++ {
		if i = indexDigit(s, i); i < 0 {
			return -1, -1
		}
		if i > 0 && isDigit(s[i-1]) {
			continue
		}
		// s[i] starts a group. Try chains of groups beginning here.
		total, end, best := 0, i, -1
		for j := i; ; {
			n := digitsAt(s, j)
			if total+n > maxDigits {
				break
			}
			total += n
			end = j + n
			if total >= minDigits && s[i] >= '2' && s[i] <= '6' && luhn(s[i:end]) {
				best = end
			}
			if end+1 < len(s) && (s[end] == ' ' || s[end] == '-') && isDigit(s[end+1]) {
				j = end + 1
				continue
			}
			break
		}
		if best > 0 {
			return i, best
		}
		i += digitsAt(s, i) - 1 // the next group start is past this group
	}
	return -1, -1
}

// indexDigit returns the index of the first digit in s[i:], or -1. It
// skips eight bytes at a time while they hold no digit: most strings
// logged have few.
func indexDigit(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		// A byte is a digit if, XORed with '0', it is below 10: the
		// "has a byte less than n" test of serialize.go's wordIsSafe.
		x := load64(s, i) ^ (lsb * '0')
		if (x-lsb*10)&^x&msb != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if isDigit(s[i]) {
			return i
		}
	}
	return -1
}

// luhn checks the Luhn checksum of the digits in s, skipping separators.
func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		if !isDigit(s[i]) {
			continue
		}
		d := int(s[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// isEmailLocal reports whether c may be in the local part of an address.
// Bytes of non-ASCII letters count (RFC 6531), so that a local part
// holding one is masked whole.
func isEmailLocal(c byte) bool {
	return isAlnum(c) || c >= utf8.RuneSelf || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomain(c byte) bool { return isAlnum(c) || c >= utf8.RuneSelf || c == '.' || c == '-' }

func nextEmail(s string, from int) (int, int) {
	lo := from
	return nextAround(s, from, '@', func(at int) (int, int) {
		start := at
		for start > 0 && isEmailLocal(s[start-1]) {
			start--
		}
		end := at + 1
		for end < len(s) && isDomain(s[end]) {
			end++
		}
		for end > at+1 && (s[end-1] == '.' || s[end-1] == '-') {
			end-- // a sentence's full stop is not part of the domain
		}
		if start == at {
			return -1, -1
		}
		dot := strings.LastIndexByte(s[at+1:end], '.')
		if dot <= 0 {
			return -1, -1
		}
		if tld := s[at+1+dot+1 : end]; len(tld) < 2 || !allLetters(tld) {
			return -1, -1
		}
		return max(start, lo), end
	})
}

// nextAround returns the first span that span finds around an
// occurrence of c in s at or after from, or -1, -1: the loop of the
// scanners that look for a secret around one byte ('@').
func nextAround(s string, from int, c byte, span func(at int) (int, int)) (int, int) {
	for from < len(s) {
		at := indexFrom(s, from, c)
		if at < 0 {
			return -1, -1
		}
		from = at + 1
		if start, end := span(at); start >= 0 {
			return start, end
		}
	}
	return -1, -1
}

func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// base64URLRun returns the end of the base64url run starting at s[i:].
func base64URLRun(s string, i int) int {
	for i < len(s) && isBase64URL(s[i]) {
		i++
	}
	return i
}

func nextJWT(s string, from int) (int, int) {
	for from+2 < len(s) {
		// Look for the 'J' of "eyJ": 'e' is too common a letter to look
		// for first.
		j := indexFrom(s, from+2, 'J')
		if j < 0 {
			return -1, -1
		}
		start := j - 2
		from = start + 1
		if s[start] != 'e' || s[start+1] != 'y' {
			continue
		}
		end := base64URLRun(s, start)
		if end >= len(s) || s[end] != '.' {
			from = end // any "eyJ" later in this run ends here too
			continue
		}
		payload := end + 1
		end = base64URLRun(s, payload)
		if end == payload || end >= len(s) || s[end] != '.' {
			from = payload
			continue
		}
		return start, base64URLRun(s, end+1)
	}
	return -1, -1
}

// isB64Token reports whether c may be in an RFC 6750 bearer token.
func isB64Token(c byte) bool {
	return isBase64URL(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '='
}

func nextBearer(s string, from int) (int, int) {
	const word = "bearer"
	for from < len(s) {
		i := indexFold(s[from:], word)
		if i < 0 {
			return -1, -1
		}
		start := from + i + len(word)
		from = start
		for start < len(s) && (s[start] == ' ' || s[start] == '\t') {
			start++
		}
		if start == from {
			continue // "bearer" not followed by a space
		}
		end := start
		for end < len(s) && isB64Token(s[end]) {
			end++
		}
		if end > start {
			return start, end
		}
	}
	return -1, -1
}

// indexFold returns the index of the first instance of word in s, ignoring
// ASCII case, or -1. word must be lower-case ASCII letters. It looks for
// the first letter in both cases with strings.IndexByte, which is fast on
// long strings.
func indexFold(s, word string) int {
	lo, up := word[0], word[0]-('a'-'A')
	nextLo, nextUp := -2, -2 // -2: not looked for yet
	for i := 0; i+len(word) <= len(s); {
		if nextLo != -1 && nextLo < i {
			if nextLo = strings.IndexByte(s[i:], lo); nextLo >= 0 {
				nextLo += i
			}
		}
		if nextUp != -1 && nextUp < i {
			if nextUp = strings.IndexByte(s[i:], up); nextUp >= 0 {
				nextUp += i
			}
		}
		j := nextLo
		if j < 0 || (nextUp >= 0 && nextUp < j) {
			j = nextUp
		}
		if j < 0 || j+len(word) > len(s) {
			return -1
		}
		if strings.EqualFold(s[j:j+len(word)], word) {
			return j
		}
		i = j + 1
	}
	return -1
}

func nextAWSKeyID(s string, from int) (int, int) {
	const idLen = 20
	for from < len(s) {
		start := indexFrom(s, from, 'A')
		if start < 0 {
			return -1, -1
		}
		from = start + 1
		end := start + idLen
		if end > len(s) || (s[start+1] != 'K' && s[start+1] != 'S') || s[start+2:start+4] != "IA" ||
			(start > 0 && isAlnum(s[start-1])) || (end < len(s) && isAlnum(s[end])) {
			continue
		}
		ok := true
		for k := start + 4; k < end; k++ {
			if c := s[k]; !isDigit(c) && (c < 'A' || c > 'Z') {
				ok = false
				break
			}
		}
		if ok {
			return start, end
		}
	}
	return -1, -1
}

func nextSSN(s string, from int) (int, int) {
	for from < len(s) {
		dash := indexFrom(s, from, '-')
		if dash < 0 {
			return -1, -1
		}
		from = dash + 1
		start, end := dash-3, dash+8
		if start < 0 || end > len(s) || s[dash+3] != '-' {
			continue
		}
		if digitsAt(s, start) != 3 || digitsAt(s, dash+1) != 2 || digitsAt(s, dash+4) != 4 {
			continue
		}
		if (start > 0 && isDigit(s[start-1])) || (end < len(s) && isDigit(s[end])) {
			continue
		}
		return start, end
	}
	return -1, -1
}
