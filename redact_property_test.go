package fapilog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// allRedactors is every preset plus every built-in pattern.
func allRedactors() []Redactor {
	return []Redactor{Credentials(), PCI(), PII(), RedactURLCredentials(),
		RedactPatterns(CardNumbers(), EmailAddresses(), JWTs(), BearerTokens(), AWSAccessKeyIDs(), SSNs())}
}

// secretKeyWords are keys Credentials masks, as words; keyStyle writes
// them in every casing and separator style.
var secretKeyWords = [][]string{
	{"password"}, {"passwd"}, {"pwd"}, {"secret"}, {"token"}, {"api", "key"}, {"authorization"}, {"auth"},
	{"cookie"}, {"set", "cookie"}, {"private", "key"}, {"client", "secret"}, {"access", "token"},
	{"refresh", "token"}, {"session", "id"}, {"user", "password"}, {"db", "password"}, {"passphrase"},
	{"x", "api", "key"}, {"aws", "secret", "access", "key"}, {"jwt"}, {"id", "token"}, {"credentials"},
	{"github", "token"}, {"signing", "key"}, {"x", "auth", "token"}, {"webhook", "secret"},
}

// numKeyStyles is the number of styles keyStyle knows.
const numKeyStyles = 12

// keyStyle writes words in one of numKeyStyles casing and separator
// styles: snake, SCREAMING_SNAKE, camel, Pascal, kebab, Train-Case,
// dotted, spaced, flat lower, FLAT UPPER, Title Spaced and Dotted.Pascal.
func keyStyle(words []string, style int) string {
	title := func(w string) string { return strings.ToUpper(w[:1]) + w[1:] }
	var parts []string
	sep := ""
	for i, w := range words {
		switch style {
		case 0, 4, 6, 7, 8:
		case 1, 9:
			w = strings.ToUpper(w)
		case 2:
			if i > 0 {
				w = title(w)
			}
		default:
			w = title(w)
		}
		parts = append(parts, w)
	}
	switch style {
	case 0, 1:
		sep = "_"
	case 4, 5:
		sep = "-"
	case 6, 11:
		sep = "."
	case 7, 10:
		sep = " "
	}
	return strings.Join(parts, sep)
}

// secretGen makes random nested values holding secrets — values under
// secret keys and secret-shaped strings — and plain values, and
// remembers which strings must not appear in the output and which must.
type secretGen struct {
	r        *rand.Rand
	n        int
	maxDepth int
	secrets  []string // must never appear
	keep     []string // must appear: plain, not under a secret key, not beyond maxDepth
}

func (g *secretGen) next() int { g.n++; return g.n }

// foldCase returns s with the case of each letter flipped at random.
func (g *secretGen) foldCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' && g.r.IntN(2) == 0 {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func (g *secretGen) randFrom(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

const b64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// card returns a random card number passing Luhn, formatted at random.
func (g *secretGen) card() (formatted, digits string) {
	n := 13 + g.r.IntN(7)
	d := []byte{byte('2' + g.r.IntN(5))}
	for len(d) < n-1 {
		d = append(d, byte('0'+g.r.IntN(10)))
	}
	for c := byte('0'); c <= '9'; c++ {
		if luhn(string(append(d, c))) {
			d = append(d, c)
			break
		}
	}
	digits = string(d)
	sep := []string{"", " ", "-"}[g.r.IntN(3)]
	var parts []string
	for i := 0; i < len(digits); i += 4 {
		parts = append(parts, digits[i:min(i+4, len(digits))])
	}
	return strings.Join(parts, sep), digits
}

// shaped returns a plain-looking sentence holding one secret-shaped
// value, and records the secret.
func (g *secretGen) shaped() string {
	n := g.next()
	var s, secret string
	switch g.r.IntN(14) {
	case 7:
		secret = fmt.Sprintf("kv%dq", n) + g.randFrom(b64URL, 6)
		k := g.secretKey()
		if strings.Contains(k, " ") {
			k = keyStyle([]string{"password"}, g.r.IntN(numKeyStyles))
			if strings.Contains(k, " ") {
				k = "password"
			}
		}
		s = []string{k + "=" + secret, k + ": " + secret, `{"` + k + `": "` + secret + `", "n": 1}`,
			k + "='" + secret + "'", "?" + k + "=" + secret + "&next=/"}[g.r.IntN(5)]
	case 8:
		secret = fmt.Sprintf("au%dq", n) + g.randFrom(b64URL, 10)
		s = []string{"Authorization: Bearer ", "authorization: Basic ", "Proxy-Authorization: Bearer "}[g.r.IntN(3)] + secret
	case 9:
		secret = fmt.Sprintf("my%dq", n)
		s = "dsn app:" + secret + "@tcp(db:3306)/shop?parseTime=true"
		g.secrets = append(g.secrets, "app:"+secret)
	case 10:
		secret = fmt.Sprintf("pg%dq", n)
		s = []string{"host=db port=5432 user=app password=" + secret + " dbname=shop",
			"Server=tcp:db,1433;User ID=app;Password=" + secret + ";Encrypt=true"}[g.r.IntN(2)]
	case 11:
		secret = "MII" + g.randFrom(b64URL, 20) + fmt.Sprintf("p%dq", n)
		s = "key -----BEGIN RSA PRIVATE KEY-----\n" + secret + "\n-----END RSA PRIVATE KEY----- loaded"
	case 12:
		var digits string
		_, digits = g.card()
		if len(digits) == 16 {
			s = ";" + digits + "=2512101000000?"
			secret = digits + "=2512"
		} else {
			s = "pan " + digits
			secret = digits
		}
	case 13:
		secret = fmt.Sprintf("+1 555 %03d %04d", g.r.IntN(1000), g.next()%10000)
		s = "call " + secret
	case 0:
		secret = fmt.Sprintf("pw%dq", n)
		s = fmt.Sprintf("dsn %s://app:%s@db.internal:5432/x", []string{"postgres", "redis", "amqp", "https"}[g.r.IntN(4)], secret)
	case 1:
		var digits string
		secret, digits = g.card()
		g.secrets = append(g.secrets, digits)
		s = "card " + secret + " ok"
	case 2:
		secret = fmt.Sprintf("u%dx@example.com", n)
		s = "mail " + secret + " now"
	case 3:
		secret = "eyJ" + g.randFrom(b64URL, 10) + ".eyJ" + g.randFrom(b64URL, 12) + "." + g.randFrom(b64URL, 16)
		s = "jwt " + secret
	case 4:
		secret = fmt.Sprintf("tok%dq", n) + g.randFrom(b64URL, 8)
		s = g.foldCase("bearer") + " " + secret
	case 5:
		secret = "AKIA" + g.randFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
		s = "key " + secret + "."
	default:
		secret = fmt.Sprintf("%03d-%02d-%04d", g.r.IntN(1000), g.r.IntN(100), g.r.IntN(10000))
		s = "ssn " + secret
	}
	g.secrets = append(g.secrets, secret)
	return s
}

// leaf returns a string at depth d (inside d containers): plain, or
// secret-shaped.
func (g *secretGen) leaf(d int, under bool) string {
	if g.r.IntN(3) == 0 {
		// The text around a secret is kept.
		before, after := fmt.Sprintf("pre%dz", g.next()), fmt.Sprintf("post%dz", g.next())
		if !under && d <= g.maxDepth {
			g.keep = append(g.keep, before, after)
		}
		return before + " " + g.shaped() + " " + after
	}
	s := fmt.Sprintf("keep%dz", g.next())
	if !under && d <= g.maxDepth {
		g.keep = append(g.keep, s)
	}
	return s
}

// secretKey returns a key Credentials masks, in a random style.
func (g *secretGen) secretKey() string {
	return keyStyle(secretKeyWords[g.r.IntN(len(secretKeyWords))], g.r.IntN(numKeyStyles))
}

// key returns a key and whether it is a secret one.
func (g *secretGen) key() (string, bool) {
	if g.r.IntN(5) == 0 {
		return g.secretKey(), true
	}
	return fmt.Sprintf("k%d", g.next()), false
}

// underSecret returns a value for a secret key: its whole content is a
// secret.
func (g *secretGen) underSecret(d int) any {
	tok := fmt.Sprintf("sk%dq", g.next())
	g.secrets = append(g.secrets, tok)
	if g.r.IntN(3) == 0 {
		return map[string]any{"inner": tok, "more": g.goValue(d+1, 2, true)}
	}
	return tok
}

// goValue returns a value for slog.Any at depth d: maps, slices and
// structs, down to budget more levels.
func (g *secretGen) goValue(d, budget int, under bool) any {
	diving := budget >= 10 // a chain of one child per level, deep and narrow
	if budget <= 0 || (!diving && g.r.IntN(4) == 0) {
		return g.leaf(d, under)
	}
	width := 1
	if !diving {
		width += g.r.IntN(3)
	}
	switch g.r.IntN(3) {
	case 0:
		m := map[string]any{}
		for range width {
			k, secret := g.key()
			if secret {
				m[k] = g.underSecret(d + 1)
			} else {
				m[k] = g.goValue(d+1, budget-1, under)
			}
		}
		return m
	case 1:
		var s []any
		for range width {
			s = append(s, g.goValue(d+1, budget-1, under))
		}
		return s
	default:
		tok := fmt.Sprintf("sk%dq", g.next())
		g.secrets = append(g.secrets, tok)
		return propStruct{Name: g.leaf(d+1, under), Token: tok, Inner: g.goValue(d+1, budget-1, under)}
	}
}

type propStruct struct {
	Name  string
	Token string `json:"token"`
	Inner any    `json:"inner"`
}

// attrs returns 1 to 3 attrs at depth d.
func (g *secretGen) attrs(d, budget int) []slog.Attr {
	var out []slog.Attr
	for range 1 + g.r.IntN(3) {
		out = append(out, g.attr(d, budget))
	}
	return out
}

func (g *secretGen) attr(d, budget int) slog.Attr {
	k, secret := g.key()
	if secret {
		return slog.Any(k, g.underSecret(d))
	}
	if budget <= 0 {
		return slog.String(k, g.leaf(d, false))
	}
	switch g.r.IntN(4) {
	case 0:
		return slog.String(k, g.leaf(d, false))
	case 1:
		return slog.Int(k, g.r.IntN(100))
	case 2:
		return slog.Group(k, anyAttrsOf(g.attrs(d+1, budget-1))...)
	default:
		return slog.Any(k, g.goValue(d, budget, false))
	}
}

func anyAttrsOf(attrs []slog.Attr) []any {
	out := make([]any, len(attrs))
	for i, a := range attrs {
		out[i] = a
	}
	return out
}

// checkLine fails unless line is valid JSON holding no secret and every
// kept string.
func (g *secretGen) checkLine(t *testing.T, line string) {
	t.Helper()
	require.True(t, json.Valid([]byte(line)), "invalid JSON: %s", line)
	for _, s := range g.secrets {
		require.NotContains(t, line, s, "secret leaked")
	}
	for _, s := range g.keep {
		require.Contains(t, line, s, "plain value lost")
	}
}

// TestRedactProperty: random nested records — groups, With context,
// context attrs, enrichment, maps, slices and structs, secret keys in
// every casing and separator style and secret-shaped strings (secrets
// inside text, kept around them) at random depths, some beyond
// RedactMaxDepth — never show a secret, and keep every plain value that
// is within the limits.
func TestRedactProperty(t *testing.T) {
	iterations := 400
	if testing.Short() {
		iterations = 100
	}
	limited := 0
	for seed := range iterations {
		g := &secretGen{r: rand.New(rand.NewPCG(uint64(seed), 7)), maxDepth: DefaultRedactMaxDepth}
		set, err := Config{Redactors: allRedactors()}.settings()
		require.NoError(t, err)
		dyn := g.attrs(0, 2)
		set.enrichers = []Enricher{StaticAttrs(g.attrs(0, 2)...), enricherFunc(func(dst []slog.Attr) []slog.Attr { return append(dst, dyn...) })}
		p := newStages(set, newDiagnostics(&syncBuffer{}))

		// A scope of groups and With attrs; dive deep now and then.
		sc, depth := rootScope, 0
		for range g.r.IntN(3) {
			if g.r.IntN(2) == 0 {
				sc = sc.withGroup(fmt.Sprintf("s%d", g.next()))
				depth++
			} else {
				sc = p.withAttrs(sc, g.attrs(depth, 3))
			}
		}
		budget := 3
		if g.r.IntN(4) == 0 {
			budget = 14 + g.r.IntN(8) // past the default MaxDepth of 16
		}
		r := &record{level: slog.LevelInfo, msg: "msg " + g.shaped(), scope: sc}
		r.ctx = capturedAttrs(g.attrs(0, 2))
		r.addAttrs(g.attrs(depth, budget))
		r.addAttrs([]slog.Attr{slog.Any("dive", g.goValue(depth, budget, false))})
		g.checkLine(t, string(p.appendRecord(nil, r)))
		limited += int(p.redactionLimited.Load())
	}
	require.NotZero(t, limited, "some records went past RedactMaxDepth")
}

// FuzzRedact checks, on arbitrary keys, strings and JSON, that a secret
// under a secret key (in any casing and separator style, at any depth),
// inside a string after a secret key (key=value, key: value, JSON,
// Authorization header, connection strings) or shaped like a URL
// credential or card number never shows, that the line is valid JSON, and
// that a record with nothing to mask is encoded exactly as without
// redaction.
func FuzzRedact(f *testing.F) {
	f.Add("k", "v", "plain", []byte(`{"a":[1,{"b":"c"}]}`), uint8(3), uint16(0))
	f.Add("", "\x00", "a\"b\\c\n", []byte(`"s"`), uint8(20), uint16(0xffff))
	f.Add("user", "card", "bob@example.com", []byte(`[{"password":"x"},"https://u:p@h"]`), uint8(16), uint16(5))
	f.Add("\u00e9", "\xff", "https://", []byte(`{"k\u0041":"\ud83d\ude00"}`), uint8(1), uint16(1))
	f.Add("token=", "'", "password=\"", []byte(`"Authorization: "`), uint8(2), uint16(77))
	f.Add("t", "u", "v", []byte(`["a\\", "b\"c", "x@y:z", "\\\"", "2026-01-01T12:00:00Z", "a long string: \"quoted\" and \\ token=x"]`), uint8(0), uint16(0))
	const marker, pwMarker = "Zq9SECRETxK", "Zq9PASSxK"
	const card = "4111 1111 1111 1111"
	inString := []string{"Zq9KVxK", "Zq9AUTHxK", "Zq9DSNxK", "Zq9ADOxK", "Zq9JSONxK"}
	f.Fuzz(func(t *testing.T, k1, k2, s string, raw []byte, depth uint8, fold uint16) {
		for _, in := range []string{k1, k2, s, string(raw)} {
			if strings.Contains(in, "Zq9") || strings.Contains(in, "4111") {
				t.Skip("the input holds a marker")
			}
		}
		rd := newRedaction(allRedactors(), DefaultMask, DefaultRedactMaxDepth, DefaultRedactMaxKeys)
		name := keyStyle(secretKeyWords[int(fold)%len(secretKeyWords)], int(fold>>8)%numKeyStyles)
		kv := keyStyle([]string{"db", "password"}, int(fold>>4)%numKeyStyles)
		if strings.Contains(kv, " ") {
			kv = "DB_PASSWORD"
		}
		secretsIn := " " + kv + "=" + inString[0] + " Authorization: Bearer " + inString[1] +
			" app:" + inString[2] + "@tcp(db:3306)/x Server=db;Password=" + inString[3] + "; {\"token\": \"" + inString[4] + "\"} "
		var rawValue any = s
		if json.Valid(raw) {
			rawValue = json.RawMessage(raw)
		}
		// The leaf holds the secrets and the arbitrary input.
		var v any = map[string]any{
			name:   marker,
			k1:     s,
			k2:     rawValue,
			"note": s + " x https://user:" + pwMarker + "@host/ " + s,
			"text": s + secretsIn + s,
			"card": s + " x " + card + " x " + s,
		}
		// Nest it in maps and slices, then in groups.
		levels := int(depth % 24)
		for d := range levels / 2 {
			if d%2 == 0 {
				v = map[string]any{k1: v}
			} else {
				v = []any{s, v}
			}
		}
		a := slog.Any(k2, v)
		for range levels - levels/2 {
			a = slog.Group(k1, a, slog.String(k2, s))
		}
		var st redactState
		st.begin(rd)
		attrs := capturedAttrs([]slog.Attr{a, slog.String(k2, s)})
		st.attrs(attrs, nil)
		line, _ := appendAttrs([]byte{'{'}, attrs, false)
		line = append(line, '}')
		if !json.Valid(line) {
			t.Fatalf("invalid JSON: %s", line)
		}
		for _, secret := range append([]string{marker, pwMarker, card, strings.ReplaceAll(card, " ", "")}, inString...) {
			if strings.Contains(string(line), secret) {
				t.Fatalf("%q leaked: %s", secret, line)
			}
		}

		// Nothing to mask: the output is unchanged.
		plain := capturedAttrs([]slog.Attr{slog.String(k1, s), slog.Any(k2, rawValue)})
		want, _ := appendAttrs(nil, plain, false)
		st.begin(rd)
		st.attrs(plain, nil)
		got, _ := appendAttrs(nil, plain, false)
		if !st.changed && string(got) != string(want) {
			t.Fatalf("nothing masked, yet the output changed:\n got %s\nwant %s", got, want)
		}
		if !json.Valid(append(append([]byte{'{'}, got...), '}')) {
			t.Fatalf("invalid JSON: %s", got)
		}

		// Reading a string and its triggers in one pass finds the end
		// scanString finds, and the triggers of what it read.
		for i := range raw {
			if raw[i] != '"' {
				continue
			}
			end, esc := scanString(raw, i)
			for _, scan := range []func([]byte, int) (int, bool, uint16){scanStringSeen, scanStringLong} {
				end2, esc2, seen := scan(raw, i)
				if end != end2 || esc != esc2 {
					t.Fatalf("%q at %d: scanString %d, %v; a scan with triggers %d, %v", raw, i, end, esc, end2, esc2)
				}
				if end >= 0 && !esc && seen != triggersOf(string(raw[i+1:end-1])) {
					t.Fatalf("%q at %d: triggers %b, want %b", raw, i, seen, triggersOf(string(raw[i+1:end-1])))
				}
			}
		}

		// The walker's unescaping agrees with encoding/json.
		var str string
		if lit := bytes.TrimSpace(raw); json.Unmarshal(lit, &str) == nil && utf8.Valid(lit) && lit[0] == '"' {
			un, ok := appendUnescaped(nil, lit[1:len(lit)-1])
			if !ok || string(un) != str {
				t.Fatalf("appendUnescaped(%q) = %q, %v; encoding/json: %q", raw, un, ok, str)
			}
		}
	})
}
