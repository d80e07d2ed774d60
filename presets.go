package fapilog

// Credentials returns the Redactor of DefaultRedactors: it masks
//
//   - the whole value of every field whose key names a credential, at any
//     depth (attrs, groups, map and struct keys, JSON tags, HTTP header
//     names): a key is split into words on every character that is not a
//     letter or digit and at camelCase boundaries, and is sensitive if a
//     word or two adjacent words are password, passwd, pwd, pw, pass,
//     passcode, passphrase, secret(s), token, auth, authorization,
//     credential(s), creds, cookie(s), jwt, bearer, signature, sig, otp,
//     csrf, xsrf, api key, access key, private key, secret key, session id,
//     session key, master, encryption, signing, shared, account,
//     subscription, client, ssh or auth key — or a word with no split ends in
//     password, secret, token, apikey, credential(s), sessionid,
//     privatekey, accesskey, secretkey or cookie ("userpassword"). Keys that describe a
//     secret rather than hold it are left alone: a word like count,
//     length, type, name, expires, url, policy or status after the last
//     sensitive word (token_count, auth_type, cookie_name), or has, is,
//     num, max or min first (max_tokens, has_password); tokens (plural),
//     session, key, author and authority are not sensitive words;
//   - inside strings and the message: the value of key=value, key: value,
//     "key": "value" and <key>value</key> pairs whose key (with up to two
//     space-joined words before it: "API Key: …") is sensitive (password=…,
//     "token": "…", Authorization: Bearer …, Password=…; in connection
//     strings), the user information of URLs of any scheme and of MySQL
//     DSNs (user:pass@tcp(host)/db), JWTs, the body of PEM private key
//     blocks, and AWS access key ids;
//   - integers of 13 to 19 digits that start with 2 to 6 and pass the Luhn
//     check: card numbers logged as numbers, as attrs or inside captured
//     slices, maps and structs. About one such integer id
//     in ten passes too; log ids as strings to keep them. (Card numbers
//     inside strings need PCI or CardNumbers: digits are too common in
//     log text to scan every string for them by default.)
//
// The text around a secret is kept.
func Credentials() Redactor {
	return newPreset(wordCredential, scanKV|scanURL|scanDSN|scanJWT|scanPEM|scanAWS, true)
}

// PCI returns a Redactor for payment card data: card numbers in strings
// (13 to 19 digits, Luhn-checked, with or without spaces or dashes) and
// integers of 13 to 19 digits that pass Luhn; the whole value of fields
// named for card numbers, verification codes, PINs and track data (cvv,
// cvc, cvv2, csc, pin, pan, card number, security code, track1, track2,
// track data); such key=value pairs inside strings; and magnetic stripe
// track 1 and 2 data inside strings. It is not on by default.
func PCI() Redactor {
	return newPreset(wordPCI, scanKV|scanCard|scanTrack, true)
}

// PII returns a Redactor for personal data: e-mail addresses, phone
// numbers (10 to 15 digits, with a leading '+' or in three or more
// groups), US social security numbers, IBANs (mod 97 checked), and IPv4
// and IPv6 addresses inside strings; the whole value of fields named ssn,
// email, phone, mobile, iban, ip, passport, dob, birth date, social
// security, tax id, national id, remote addr, client ip or forwarded for;
// and such key=value pairs inside strings. It is not on by default.
func PII() Redactor {
	return newPreset(wordPII, scanKV|scanEmail|scanPhone|scanSSN|scanIBAN|scanIP, false)
}

// presetRedactor is Credentials, PCI or PII: key word classes and
// built-in scanners, which a pipeline compiles with the others (see
// newRedaction).
type presetRedactor struct {
	words uint8
	scan  *scanSet
}

func newPreset(words uint8, kinds uint16, cardInts bool) *presetRedactor {
	return &presetRedactor{words: words, scan: newScanSet(kinds, words, cardInts)}
}

// MaskField reports whether the last key of path names a secret.
func (p *presetRedactor) MaskField(path []string) bool {
	return len(path) > 0 && sensitiveKey(path[len(path)-1], p.words)
}

// MaskString masks what p's scanners find in s.
func (p *presetRedactor) MaskString(s, mask string) (string, bool) {
	return p.scan.MaskString(s, mask)
}
