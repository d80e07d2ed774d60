package fapilog

// This file decides whether a key names a secret by the words it is made
// of. A key is split into words on every byte that is not an ASCII letter
// or digit ('_', '-', '.', ' ', …), at camelCase and PascalCase
// boundaries ("dbPassword" → db, password; "APIKey" → api, key) and
// between letters and digits ("cvv2" → cvv, 2). Words compare ignoring
// ASCII case. The verdict depends on the key alone, so a caller may cache
// it per distinct key.

// Word classes: which preset a word belongs to.
const (
	wordCredential uint8 = 1 << iota // Credentials()
	wordPCI                          // PCI()
	wordPII                          // PII()
)

// sensitiveWords are the words, and the two-word pairs written as one word,
// that make a key sensitive. A pair ("api key") also matches when the key
// writes it as one word ("apikey", "APIKEY").
var sensitiveWords = []struct {
	class uint8
	words []string // a word
	pairs []string // two adjacent words, or one word written as one
}{
	{wordCredential, []string{
		"password", "passwords", "passwd", "pwd", "pw", "pass", "passcode", "passphrase",
		"secret", "secrets", "token", "auth", "authorization", "authorisation",
		"credential", "credentials", "creds", "cred", "cookie", "cookies", "jwt", "bearer",
		"signature", "sig", "otp", "totp", "csrf", "xsrf", "privkey",
		"sessid", "jsessionid", "phpsessid",
	}, []string{
		"apikey", "accesskey", "privatekey", "secretkey", "sessionid", "sessionkey",
		"masterkey", "encryptionkey", "signingkey", "sharedkey", "accountkey",
		"subscriptionkey", "clientkey", "sshkey", "authkey",
	}},
	{wordPCI, []string{
		"cvv", "cvc", "cvn", "cav", "csc", "pin", "pan", "cardnumber", "ccnumber", "trackdata",
	}, []string{
		"cardnumber", "cardnum", "cardno", "ccnum", "ccnumber", "creditcard", "securitycode",
		"cardverification", "track1", "track2", "trackdata", "pinblock",
	}},
	{wordPII, []string{
		"ssn", "email", "phone", "mobile", "msisdn", "iban", "ip", "ipv4", "ipv6",
		"passport", "birthdate", "birthday", "dob", "birth",
	}, []string{
		"socialsecurity", "emailaddress", "phonenumber", "ipaddress", "ipaddr", "remoteaddr",
		"clientip", "forwardedfor", "realip", "taxid", "nationalid",
	}},
}

// ordinaryAfter are words that, after the last sensitive word of a key,
// make it name something about the secret rather than the secret:
// token_count, password_length, auth_type, cookie_name, token_expires_at.
var ordinaryAfter = []string{
	"count", "counts", "len", "length", "size", "limit", "limits", "max", "min", "total",
	"type", "types", "kind", "method", "methods", "scheme", "mode", "name", "names",
	"ttl", "expiry", "expires", "expired", "expiration", "exp", "age", "lifetime", "duration",
	"timeout", "url", "uri", "endpoint", "path", "file", "dir", "policy", "required",
	"enabled", "disabled", "present", "set", "valid", "verified", "version", "rotation",
	"rotated", "created", "updated", "changed", "used", "usage", "remaining", "strength",
	"format", "algorithm", "alg", "domain", "provider", "prefix", "status", "error", "errors", "err",
}

// ordinaryBefore are words that, first in a key, make it about the secret:
// has_password, is_auth, num_tokens, max_token.
var ordinaryBefore = []string{"has", "is", "num", "max", "min"}

// credentialStems are words that, ending a lower-case word, make it
// sensitive when nothing splits it: "userpassword", "clientsecret", "setcookie",
// "accesstoken". They apply to Credentials only.
var credentialStems = []string{
	"password", "passwd", "passphrase", "secret", "token", "apikey", "credential",
	"credentials", "sessionid", "privatekey", "accesskey", "secretkey", "cookie",
}

// credentialPrefixes are words that, starting a word, make it sensitive:
// "passwordhash", "apikeyv2".
var credentialPrefixes = []string{"password", "passwd", "passphrase", "apikey", "credential"}

// Entry flags in wordTable beside the classes.
const (
	entryOrdinaryAfter  = 1 << 5
	entryOrdinaryBefore = 1 << 6
)

// wordEntry is a slot of wordTable.
type wordEntry struct {
	word   string
	hash   uint32
	single uint8 // classes (and entry flags) of the word alone
	pair   uint8 // classes of the word as two adjacent words
}

// wordTable is an open-addressed hash table of every listed word, looked
// up with the FNV-1a hash of the lower-cased word, which the splitter
// computes as it goes. 512 slots for about 150 words: probes are short.
var wordTable [512]wordEntry

const fnvOffset, fnvPrime = 2166136261, 16777619

func init() {
	add := func(w string, single, pair uint8) {
		h := uint32(fnvOffset)
		for i := 0; i < len(w); i++ {
			h = (h ^ uint32(w[i])) * fnvPrime
		}
		wordBloom[h>>26] |= 1 << (h & 63)
		for i := h; ; i++ {
			e := &wordTable[i%uint32(len(wordTable))]
			if e.word == "" || e.word == w {
				e.word, e.hash = w, h
				e.single |= single
				e.pair |= pair
				return
			}
		}
	}
	for _, set := range sensitiveWords {
		for _, w := range set.words {
			add(w, set.class, 0)
		}
		for _, p := range set.pairs {
			add(p, set.class, set.class)
		}
	}
	for _, w := range ordinaryAfter {
		add(w, entryOrdinaryAfter, 0)
	}
	for _, w := range ordinaryBefore {
		add(w, entryOrdinaryBefore, 0)
	}
}

// wordBloom has a bit set for the hash of every word in wordTable: most
// words of ordinary keys miss it, and skip the table.
var wordBloom [64]uint64

// lookupWord returns the entry of the word of hash h spelled by the
// pieces a then b of a key (b may be empty), ignoring ASCII case, or nil.
func lookupWord(h uint32, a, b string) *wordEntry {
	if wordBloom[h>>26]&(1<<(h&63)) == 0 {
		return nil
	}
	n := len(a) + len(b)
	for i := h; ; i++ {
		e := &wordTable[i%uint32(len(wordTable))]
		if e.word == "" {
			return nil
		}
		if e.hash == h && len(e.word) == n && lowerEqual(e.word[:len(a)], a) && lowerEqual(e.word[len(a):], b) {
			return e
		}
	}
}

// lowerEqual reports whether s, lower-cased in ASCII, equals the
// lower-case word w of the same length.
func lowerEqual(w, s string) bool {
	for i := 0; i < len(s); i++ {
		if lowerASCII(s[i]) != w[i] {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Byte kinds for splitting keys into words.
const (
	kindSep = iota
	kindLower
	kindUpper
	kindDigit
)

// lowerByte is lowerASCII as a table.
var lowerByte = func() (t [256]uint8) {
	for c := range t {
		t[c] = lowerASCII(byte(c))
	}
	return t
}()

// keyByteKind classifies each byte: bytes of non-ASCII characters count
// as lower-case letters, so they stay inside words.
var keyByteKind = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case 'a' <= c && c <= 'z', c >= 0x80:
			t[c] = kindLower
		case 'A' <= c && c <= 'Z':
			t[c] = kindUpper
		case '0' <= c && c <= '9':
			t[c] = kindDigit
		}
	}
	return t
}()

// sensitiveKey reports whether key names a secret of the given word
// classes: one of its words, or two adjacent words, is listed (or, for
// credentials, a word ends in a credential stem), and no ordinary word
// follows the last such word nor begins the key. It does not allocate.
func sensitiveKey(key string, classes uint8) bool {
	if classes == 0 || !twoLetters(key) {
		return false
	}
	var (
		hit       bool   // a sensitive word was seen and no ordinary word after it
		prevStart = -1   // the previous word, for pairs
		prevEnd   int    //
		prevHash  uint32 // FNV state after the previous word
		words     int
		before    bool // the first word is in ordinaryBefore
	)
	for i := 0; i < len(key); {
		// Find the word starting at the next letter or digit.
		for i < len(key) && keyByteKind[key[i]] == kindSep {
			i++
		}
		if i >= len(key) {
			break
		}
		start := i
		h := (fnvOffset ^ uint32(lowerByte[key[i]])) * fnvPrime
		for prev := keyByteKind[key[i]]; ; prev = keyByteKind[key[i]] {
			if i++; i >= len(key) {
				break
			}
			k := keyByteKind[key[i]]
			if k == kindSep || (k != prev || k == kindUpper) && wordBoundary(key, i, prev, k) {
				break
			}
			h = (h ^ uint32(lowerByte[key[i]])) * fnvPrime
		}
		word := key[start:i]
		words++
		var cls uint8
		if e := lookupWord(h, word, ""); e != nil {
			cls = e.single
		}
		if cls&entryOrdinaryBefore != 0 && words == 1 {
			before = true
		}
		if cls&entryOrdinaryAfter != 0 {
			hit = false
		}
		if cls&classes == 0 && classes&wordCredential != 0 && len(word) > 5 && credentialWord(word) {
			cls |= wordCredential
		}
		if prevStart >= 0 && cls&classes == 0 {
			// The pair of the previous word and this one.
			ph := prevHash
			for j := start; j < i; j++ {
				ph = (ph ^ uint32(lowerByte[key[j]])) * fnvPrime
			}
			if e := lookupWord(ph, key[prevStart:prevEnd], word); e != nil {
				cls |= e.pair
			}
		}
		if cls&classes != 0 {
			hit = true
		}
		prevStart, prevEnd, prevHash = start, i, h
	}
	return hit && !before
}

// twoLetters reports whether key holds two ASCII letters: every word and
// pair of sensitiveWords does (TestSensitiveWordsHaveLetters), so a key
// without them, such as the "2026-01-01T12" that the key=value scanner
// finds before a time's first ':', is ordinary without being split.
func twoLetters(key string) bool {
	n := 0
	for i := 0; i < len(key); i++ {
		if k := keyByteKind[key[i]]; k == kindLower || k == kindUpper {
			if n++; n == 2 {
				return true
			}
		}
	}
	return false
}

// wordBoundary reports whether a new word starts at key[i], of kind k,
// after a byte of kind prev, inside a run of letters and digits.
func wordBoundary(key string, i int, prev, k uint8) bool {
	switch {
	case (prev == kindDigit) != (k == kindDigit):
		return true
	case k != kindUpper:
		return false
	case prev == kindLower:
		return true // dbPassword
	default: // APIKey: the K starts a word, as it is followed by lower case
		return i+1 < len(key) && keyByteKind[key[i+1]] == kindLower
	}
}

// stemsByLast holds credentialStems by their last byte, and
// prefixesByFirst credentialPrefixes by their first: a word is compared
// with the few stems that end (or begin) as it does.
var stemsByLast, prefixesByFirst = func() (last, first [256][]string) {
	for _, s := range credentialStems {
		last[s[len(s)-1]] = append(last[s[len(s)-1]], s)
	}
	for _, s := range credentialPrefixes {
		first[s[0]] = append(first[s[0]], s)
	}
	return
}()

// credentialWord reports whether word, which no separator or case change
// splits, begins or ends with a credential stem.
func credentialWord(word string) bool {
	for _, stem := range stemsByLast[lowerASCII(word[len(word)-1])] {
		if len(word) > len(stem) && lowerEqual(stem, word[len(word)-len(stem):]) {
			return true
		}
	}
	for _, stem := range prefixesByFirst[lowerASCII(word[0])] {
		if len(word) > len(stem) && lowerEqual(stem, word[:len(stem)]) {
			return true
		}
	}
	return false
}
