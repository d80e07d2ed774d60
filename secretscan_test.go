package fapilog

import (
	"log/slog"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// allScans is every built-in scanner, the key=value one for every word
// class.
func allScans() *scanSet {
	return newScanSet(1<<numScanners-1, wordCredential|wordPCI|wordPII, true)
}

// checkScanners checks, for every built-in scanner on s, the contract
// the encoder relies on: a span is found only if s holds one of the
// scanner's trigger bytes, spans are not empty, start at or after from
// and do not overlap; and nextSeen with s's triggers finds what next
// does.
func checkScanners(t testing.TB, s string) {
	set := allScans()
	seen := triggersOf(s)
	for _, st := range set.steps {
		for from := 0; from <= len(s); {
			a, b := st.next(s, from)
			if a < 0 {
				break
			}
			if a < from || b <= a || b > len(s) {
				t.Fatalf("scanner %d on %q from %d: span %d, %d", bits.TrailingZeros16(st.kind), s, from, a, b)
			}
			if seen&st.kind == 0 {
				t.Fatalf("scanner %d found %q in %q, which holds none of its trigger bytes %q",
					bits.TrailingZeros16(st.kind), s[a:b], s, scannerTriggers[bits.TrailingZeros16(st.kind)])
			}
			from = b
		}
	}
	// MaskString's shortcuts (one scanner called directly, timestamps
	// skipped, each scanner asked once before a cursor is built) mask
	// what the whole cursor does, for the set and for each scanner alone.
	for i := range numScanners {
		one := newScanSet(1<<i, wordCredential|wordPCI|wordPII, true)
		for _, c := range []*scanSet{set, one} {
			var k scanCursor
			k.init(c, s, seen)
			want, wantOK := maskCursor(s, "***", &k)
			got, ok := c.MaskString(s, "***")
			if got != want || ok != wantOK {
				t.Fatalf("kinds %b on %q: MaskString %q, %v; the whole cursor %q, %v", c.kinds, s, got, ok, want, wantOK)
			}
		}
	}
	for from := 0; from <= len(s); {
		a, b := set.next(s, from)
		a2, b2 := set.nextSeen(s, from, seen)
		if a != a2 || b != b2 {
			t.Fatalf("next and nextSeen differ on %q from %d", s, from)
		}
		if a < 0 {
			break
		}
		if a < from || b <= a {
			t.Fatalf("set on %q from %d: span %d, %d", s, from, a, b)
		}
		from = b
	}
	// The key=value scanner's word-at-a-time search stops where a byte
	// loop does.
	for i := 0; i <= len(s); i++ {
		want := i + strings.IndexAny(s[i:], "=:>")
		if want < i {
			want = len(s)
		}
		if got := nextKVSep(s, i); got != want {
			t.Fatalf("nextKVSep(%q, %d) = %d, want %d", s, i, got, want)
		}
	}
}

func TestScannerTriggerContract(t *testing.T) {
	for _, s := range scannerCorpus {
		checkScanners(t, s)
	}
	// A string with no trigger byte at all costs nothing but the pass.
	credentials := Credentials().(*presetRedactor).scan.kinds
	require.Zero(t, triggersOf("Test logging, but use a somewhat realistic message length.")&credentials)
	require.Equal(t, scanKV, triggersOf("key=value")&(scanKV|scanURL))
}

// triggersOf sees every byte of a string of any length, whatever its
// place among the four ORs.
func TestTriggersOf(t *testing.T) {
	for n := range 24 {
		for at := range n {
			for c := range 256 {
				s := []byte(strings.Repeat(" ", n))
				s[at] = byte(c)
				require.Equal(t, secretTrigger[c], triggersOf(string(s)), "%q", s)
			}
		}
	}
}

// FuzzScanners checks the scanners' contract on arbitrary strings.
func FuzzScanners(f *testing.F) {
	for _, s := range scannerCorpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkScanners(t, s) })
}

// scannerCorpus holds strings each scanner matches, and near misses.
var scannerCorpus = []string{
	"", "=", ":", "@", "a=b", "password=", "password=x", `"token": "a\"b"`, "token: {\"a\": [1, {\"b\": 2}]}",
	"Authorization: Bearer x", "authorization: basic", "Cookie: a=1; b=2 c", "https://u:p@h/x", "u:p@tcp(h)/d",
	"u:p@/d", ":p@tcp(h)", "eyJa.eyJb.c", "-----BEGIN EC PRIVATE KEY-----\nabc\n-----END EC PRIVATE KEY-----",
	"-----BEGIN PRIVATE KEY-----", "AKIAIOSFODNN7EXAMPLE", "bearer t", "4111 1111 1111 1111",
	"%B4111111111111111^DOE/JOHN^2512101?", ";4111111111111111=2512101?", "a@b.io", "+1 555 123 4567",
	"(555) 123-4567", "555.123.4567", "078-05-1120", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
	"10.0.0.1", "2001:db8::8a2e:370:7334", "fe80::1", "::1", "12:30:45", "pass=word=x", "x==y", "a:b:c:d",
	"2026-01-01T12:00:00Z", "2026-11-27 21:43:36.123456789+05:30", "2026-01-01T12:00:00token=x",
	"2026-01-01T12:00:00.Z", "1234-56-78T90:12:34-00:00", "2026-01-01T12:00:00+0530", "Jane Doe", "J",
	"dial tcp 10.0.0.1:5432: connect: connection refused", "a\x80=\xff:\x00>b", "0123456789abcdef=",
}

// timestampByLayout is isTimestamp read off its doc, byte by byte.
func timestampByLayout(s string) bool {
	const layout = "0000-00-00T00:00:00"
	if len(s) < len(layout) {
		return false
	}
	for i := range len(layout) {
		c, want := s[i], layout[i]
		if want == '0' && !isDigit(c) || want == 'T' && c != 'T' && c != ' ' || want != '0' && want != 'T' && c != want {
			return false
		}
	}
	rest := s[len(layout):]
	if frac := strings.TrimLeft(strings.TrimPrefix(rest, "."), "0123456789"); strings.HasPrefix(rest, ".") {
		if n := len(rest) - len(frac) - 1; n < 1 || n > 9 {
			return false
		}
		rest = frac
	}
	if rest == "" || rest == "Z" {
		return true
	}
	return len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && isDigit(rest[1]) && isDigit(rest[2]) &&
		rest[3] == ':' && isDigit(rest[4]) && isDigit(rest[5])
}

// TestTimestampsHoldNoSecret checks what lets MaskString skip
// timestamps: no built-in scanner finds anything in one, whatever its
// zone, fraction or year; and isTimestamp takes those and nothing else.
func TestTimestampsHoldNoSecret(t *testing.T) {
	set := allScans()
	rng := rand.New(rand.NewPCG(1, 2))
	layouts := []string{time.RFC3339, time.RFC3339Nano, time.DateTime, "2006-01-02T15:04:05.000Z07:00",
		"2006-01-02 15:04:05.999999Z07:00", "2006-01-02T15:04:05"}
	for i := range 100_000 {
		zone := time.FixedZone("", (rng.IntN(29)-14)*3600+rng.IntN(4)*15*60)
		tm := time.Unix(rng.Int64N(400*365*86400)-200*365*86400, rng.Int64N(1e9)).In(zone)
		s := tm.Format(layouts[rng.IntN(len(layouts))])
		require.True(t, isTimestamp(s), s)
		if i < 300 {
			// Every one-byte change is judged as the plain reading does.
			b := []byte(s)
			for j := range b {
				was := b[j]
				for c := range 256 {
					b[j] = byte(c)
					if got, want := isTimestamp(string(b)), timestampByLayout(string(b)); got != want {
						t.Fatalf("isTimestamp(%q) = %v, want %v", b, got, want)
					}
				}
				b[j] = was
			}
		}
		var k scanCursor
		k.init(set, s, triggersOf(s))
		if a, b := k.span(0); a >= 0 {
			t.Fatalf("the scanners find %q in %q", s[a:b], s)
		}
	}
	for _, s := range []string{
		"", "2026-01-01", "2026-01-01T12:00", "2026-01-01T12:00:00Zx", "2026-01-01T12:00:00.Z",
		"2026-01-01T12:00:00.1234567890Z", "2026-01-01T12:00:00+0530", "2026-01-01T12:00:00+05:3x",
		"2026-01-01t12:00:00Z", "2026/01/01T12:00:00Z", "x2026-01-01T12:00:00Z", "2026-01-01T12:00:00 Z",
		"2026-01-01T12:00:00Z password=hunter2", "2026-01-01T12:0a:00Z", "２026-01-01T12:00:00Z", "2026-01-01T12:00:00X",
	} {
		require.False(t, isTimestamp(s), s)
	}
}

func TestKVScanner(t *testing.T) {
	r := Credentials()
	for in, want := range map[string]string{
		"password=hunter2":                         "password=***",
		"PASSWORD=hunter2 USER=ann":                "PASSWORD=*** USER=ann",
		`{"password":"a\"b","n":1}`:                `{"password":"***","n":1}`,
		`{'secret': 'x y'}`:                        `{'secret': '***'}`,
		"token: [1, 2, 3] ok":                      "token: *** ok",
		"token=":                                   "",
		"token= ":                                  "",
		"token==x":                                 "", // a comparison
		"if token == nil":                          "",
		"https://token:x@h":                        "https://***@h",
		"authorization: Bearer":                    "authorization: ***",
		"Authorization: NTLM TlRMTVNTUAAB":         "Authorization: NTLM ***",
		"authorization=abc":                        "authorization=***",
		"Set-Cookie: id=a3f; Path=/; HttpOnly x":   "Set-Cookie: *** x",
		"token_count=5 max_tokens=9 tokens=3":      "",
		"author=ann authority=ca session=3":        "",
		"api_key='unterminated":                    "api_key='***",
		"a-b.password=x":                           "a-b.password=***",
		"secret:x,secret:y":                        "secret:***,secret:***",
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/": "AWS4-HMAC-SHA256 Credential=***",
		// Words before the key, XML elements.
		"API Key: abc123 ok":                  "API Key: *** ok",
		"Secret Access Key = wJalr/K7MDENG x": "Secret Access Key = *** x",
		"Session ID: 42f1":                    "Session ID: ***",
		"Client Id: web, Cache Key: u:1":      "",
		"the key: value":                      "",
		"<user>ann</user><password>pw1</password><soap:Token>t2</soap:Token>": "<user>ann</user><password>***</password><soap:Token>***</soap:Token>",
		"a -> b => c <password/> <token></token>":                             "",
	} {
		if want == "" {
			want = in
		}
		got, changed := r.MaskString(in, "***")
		require.Equal(t, want, got, "%q", in)
		require.Equal(t, want != in, changed, "%q", in)
	}
}

func TestPresetScanners(t *testing.T) {
	cases := []struct {
		name string
		r    Redactor
		in   map[string]string // input: want ("" means unchanged)
	}{
		{"PCI", PCI(), map[string]string{
			"card 4111 1111 1111 1111 exp 12/29":                        "card *** exp 12/29",
			"track %B4111111111111111^DOE/JOHN^25121010000000000000? x": "track *** x",
			"t2 ;4111111111111111=25121010000000000? x":                 "t2 *** x",
			"4111111111111111=2512":                                     "***",
			"cvv=123 cvc: 456 CVV2=789":                                 "cvv=*** cvc: *** CVV2=***",
			"pin=1234 spin=5":                                           "pin=*** spin=5",
			"%B1234^x^y":                                                "",
			"4111111111111112=2512":                                     "",
		}},
		{"PII", PII(), map[string]string{
			"mail ann@example.com now":                          "mail *** now",
			"call +1 (555) 123-4567 or 555-123-4567.":           "call *** or ***.",
			"uk +44 20 7946 0958, fr +33 1 23 45 67 89":         "uk ***, fr ***",
			"us 555.123.4567":                                   "us ***",
			"ssn 078-05-1120":                                   "ssn ***",
			"iban DE89 3704 0044 0532 0130 00 EUR":              "iban *** EUR",
			"GB82WEST12345698765432":                            "***",
			"from 192.168.1.20:443 and 2001:db8::8a2e:370:7334": "from ***:443 and ***",
			"fe80::1%eth0":                                      "***%eth0",
			"email=ann@x.org phone: 5551234567":                 "email=*** phone: ***",
			// Left alone.
			"order 1234567890 at 12:30:45 on 2024-01-15 1234": "",
			"version 1.2.3.4.5 and 999.1.1.1":                 "",
			"id 5551234567 and ts 1732645200000":              "",
			"DE89 3704 0044 0532 0130 01":                     "", // bad check digits
			"Foo::Bar and a::b":                               "",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for in, want := range c.in {
				if want == "" {
					want = in
				}
				got, changed := c.r.MaskString(in, "***")
				require.Equal(t, want, got, "%q", in)
				require.Equal(t, want != in, changed, "%q", in)
				checkScanners(t, in)
			}
		})
	}
}

func TestCardInt(t *testing.T) {
	for n, want := range map[uint64]bool{
		4111111111111111: true, 5555555555554444: true, 378282246310005: true, 4222222222222: true,
		6011111111111117: true, 4111111111111112: false, 1111111111111117: false, // starts with 1
		411111111111: false, // 12 digits
		0:            false, 42: false, 1732645200000: false,
		18446744073709551615: false, // 20 digits
	} {
		require.Equal(t, want, cardInt(n), "%d", n)
	}
	// Against the string form's Luhn: on random integers of every length,
	// every other one made to pass Luhn, and on ten integers either side
	// of each first digit's edge at every length (one of each ten passes).
	r := rand.New(rand.NewPCG(1, 2))
	var ns []uint64
	for i := range 200_000 {
		n := r.Uint64() >> r.UintN(64)
		if i%2 == 0 {
			n = n/10*10 + uint64(luhnCheckDigit(n/10))
		}
		ns = append(ns, n)
	}
	for _, p := range pow10u {
		for k := uint64(1); k <= 9 && k <= math.MaxUint64/p; k++ {
			for j := range uint64(10) {
				ns = append(ns, k*p+j, k*p-1-j)
			}
		}
	}
	for _, n := range ns {
		s := strconv.FormatUint(n, 10)
		want := len(s) >= 13 && len(s) <= 19 && s[0] >= '2' && s[0] <= '6' && luhn(s)
		require.Equal(t, want, cardInt(n), "%d", n)
	}
	pci := newRedaction([]Redactor{Credentials(), PCI()}, DefaultMask, 16, 1000)
	require.True(t, pci.maskInt(4111111111111111))
	require.False(t, pci.maskInt(-4111111111111111))
	require.True(t, pci.maskUint(5555555555554444))
	cards := newRedaction([]Redactor{RedactPatterns(CardNumbers())}, DefaultMask, 16, 1000)
	require.True(t, cards.maskInt(4111111111111111))
	def := newRedaction(DefaultRedactors(), DefaultMask, 16, 1000)
	require.True(t, def.maskInt(4111111111111111), "card integers are masked by default")
	urls := newRedaction([]Redactor{RedactURLCredentials()}, DefaultMask, 16, 1000)
	require.False(t, urls.maskInt(4111111111111111), "but not by a pipeline without Credentials")
}

func TestPresetKeys(t *testing.T) {
	cfg := Config{Redactors: []Redactor{Credentials(), PCI(), PII()}}
	got := loggedOne(t, cfg,
		slog.String("cvv", "123"), slog.Int("CVV2", 456), slog.String("card_number", "x"), slog.String("track2", "y"),
		slog.String("ssn", "z"), slog.String("phoneNumber", "p"), slog.String("client_ip", "10.0.0.1"),
		slog.String("card_brand", "visa"), slog.String("email_verified", "yes"), slog.Int("token_count", 3),
	)
	require.Equal(t, obj{
		"cvv": "***", "CVV2": "***", "card_number": "***", "track2": "***", "ssn": "***", "phoneNumber": "***",
		"client_ip": "***", "card_brand": "visa", "email_verified": "yes", "token_count": 3.0,
	}, got)
	// Alone, each preset masks its own keys only.
	require.True(t, PCI().MaskField([]string{"g", "cvc"}))
	require.False(t, PCI().MaskField([]string{"password"}))
	require.False(t, Credentials().MaskField([]string{"ssn"}))
	require.True(t, PII().MaskField([]string{"X-Forwarded-For"}))
	require.False(t, PII().MaskField(nil))
}

func TestRedactFieldsGlobs(t *testing.T) {
	r := RedactFields("*password*", "user.*_token", "x*y*z", "*.pin", "Ünï*")
	for path, want := range map[string]bool{
		"user_password": true, "PASSWORD": true, "my.passwordHint": true, // at any depth
		"passwor": false, "x": false,
		"user.refresh_token": true, "user.token": false, "a.user.refresh_token": false,
		"xyz": true, "xAyBz": true, "xzy": false, "x-y": false,
		"a.pin": true, "pin": false, "a.b.pin": false,
		"ÜNÏcode": true, "unicode": false,
	} {
		require.Equal(t, want, r.MaskField(strings.Split(path, ".")), path)
	}
	require.True(t, globMatch("*", ""))
	require.True(t, globMatch("a**b", "ab"))
	require.False(t, globMatch("a*a", "a"))
}

func TestRedactZeroAllocsAllPresets(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	p := testStages(t, Config{Redactors: allRedactors()})
	r := &record{level: slog.LevelInfo, msg: "order 1042 placed by ann at example.com: ok=true", scope: rootScope.withGroup("g")}
	r.addAttrs([]slog.Attr{
		slog.String("s", "text with digits 12345, 12:30:45, v1.2.3 and a-dash, eyJ but no key=value"), slog.Int("i", 1),
		slog.String("userId", "u-42"), slog.String("token_count", "7"), slog.Int64("big", 1732645200000),
		slog.Group("g", slog.String("k", "v"), slog.Any("m", map[string]any{"a": []any{"x\ty", 2, map[string]string{"k\"": "v"}}})),
	})
	var buf []byte
	allocs := testing.AllocsPerRun(100, func() { buf = p.appendRecord(buf[:0], r) })
	require.Zero(t, allocs)
	require.NotContains(t, string(buf), "***")
}

// luhnCheckDigit returns the digit that, appended to n, makes it pass
// Luhn.
func luhnCheckDigit(n uint64) int {
	for d := range 10 {
		if luhn(strconv.FormatUint(n, 10) + strconv.Itoa(d)) {
			return d
		}
	}
	panic("no check digit")
}
