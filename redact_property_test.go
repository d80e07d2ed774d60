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

// allRedactors is DefaultRedactors plus every built-in pattern.
func allRedactors() []Redactor {
	return append(DefaultRedactors(), RedactPatterns(CardNumbers(), EmailAddresses(), JWTs(), BearerTokens(), AWSAccessKeyIDs(), SSNs()))
}

// secretNames are the field names DefaultRedactors masks.
var secretNames = []string{"password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "authorization",
	"cookie", "set-cookie", "private_key", "client_secret", "access_token", "refresh_token", "session_id"}

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
	switch g.r.IntN(7) {
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
		return g.shaped()
	}
	s := fmt.Sprintf("keep%dz", g.next())
	if !under && d <= g.maxDepth {
		g.keep = append(g.keep, s)
	}
	return s
}

// key returns a key and whether it is a secret one.
func (g *secretGen) key() (string, bool) {
	if g.r.IntN(5) == 0 {
		return g.foldCase(secretNames[g.r.IntN(len(secretNames))]), true
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
// any case and secret-shaped strings at random depths, some beyond
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
// under a secret key (in any case, at any depth) or shaped like a URL
// credential or card number never shows, that the line is valid JSON,
// and that a record with nothing to mask is encoded exactly as without
// redaction.
func FuzzRedact(f *testing.F) {
	f.Add("k", "v", "plain", []byte(`{"a":[1,{"b":"c"}]}`), uint8(3), uint16(0))
	f.Add("", "\x00", "a\"b\\c\n", []byte(`"s"`), uint8(20), uint16(0xffff))
	f.Add("user", "card", "bob@example.com", []byte(`[{"password":"x"},"https://u:p@h"]`), uint8(16), uint16(5))
	f.Add("\u00e9", "\xff", "https://", []byte(`{"k\u0041":"\ud83d\ude00"}`), uint8(1), uint16(1))
	const marker, pwMarker = "Zq9SECRETxK", "Zq9PASSxK"
	const card = "4111 1111 1111 1111"
	f.Fuzz(func(t *testing.T, k1, k2, s string, raw []byte, depth uint8, fold uint16) {
		for _, in := range []string{k1, k2, s, string(raw)} {
			if strings.Contains(in, "Zq9") || strings.Contains(in, "4111") {
				t.Skip("the input holds a marker")
			}
		}
		rd := newRedaction(allRedactors(), DefaultMask, DefaultRedactMaxDepth, DefaultRedactMaxKeys)
		name := []byte(secretNames[int(fold)%len(secretNames)])
		for i := range name {
			if fold&(1<<(i%16)) != 0 && 'a' <= name[i] && name[i] <= 'z' {
				name[i] -= 'a' - 'A'
			}
		}
		var rawValue any = s
		if json.Valid(raw) {
			rawValue = json.RawMessage(raw)
		}
		// The leaf holds the secrets and the arbitrary input.
		var v any = map[string]any{
			string(name): marker,
			k1:           s,
			k2:           rawValue,
			"note":       s + " x https://user:" + pwMarker + "@host/ " + s,
			"card":       s + " x " + card + " x " + s,
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
		for _, secret := range []string{marker, pwMarker, card, strings.ReplaceAll(card, " ", "")} {
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
