package fapilog

import (
	"log/slog"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBuiltinPatterns(t *testing.T) {
	cases := []struct {
		name    string
		pattern Pattern
		in      map[string]string // input: want ("" means unchanged)
	}{
		{"cards", CardNumbers(), map[string]string{
			"4111111111111111":                           "***",
			"card 4111 1111 1111 1111 exp 12/29":         "card *** exp 12/29",
			"4111-1111-1111-1111":                        "***",
			"amex 3782 822463 10005.":                    "amex ***.",
			"mc 5555555555554444, visa 4012888888881881": "mc ***, visa ***",
			"x4111111111111111y":                         "x***y",
			"1234 4111 1111 1111 1111":                   "1234 ***",
			"4111 1111 1111 1111 2024":                   "*** 2024",
			"4111111111111112":                           "", // fails Luhn
			"41111111111111111111":                       "", // 20 digits in one run
			"ts 1732645200000 ms":                        "", // starts with 1
			"order 12345, qty 3":                         "",
			"4111  1111 1111 1111":                       "", // double space breaks the chain
			"":                                           "",
		}},
		{"emails", EmailAddresses(), map[string]string{
			"mail bob@example.com.":              "mail ***.",
			"A.B+tag@sub.example.co.uk, c@d.io":  "***, ***",
			"<ann_1%x@mail-server.org>":          "<***>",
			"no tld: a@localhost":                "",
			"numeric tld: a@b.c1":                "",
			"@example.com alone":                 "",
			"at sign @ only":                     "",
			"user@ and @host.com":                "",
			"short tld a@b.c":                    "",
			"https://u:p@host.com is a url, too": "https://u:*** is a url, too",
			"two@@example.com":                   "",
			"x@example.com-":                     "***-",
			"trailing dot x@example.com... ok":   "trailing dot ***... ok",
			"unicode ünï@example.com local part": "unicode *** local part",
		}},
		{"jwts", JWTs(), map[string]string{
			"jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end": "jwt *** end",
			"unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.":             "unsigned ***",
			"eyJ alone":                 "",
			"eyJhbGciOiJIUzI1NiJ9 only": "",
			"eyJhbGciOiJIUzI1NiJ9..sig": "",
			"header.payload.sig no eyJ": "",
			"eyJa.eyJb.c and eyJd.e.f":  "*** and ***",
		}},
		{"bearer", BearerTokens(), map[string]string{
			"Authorization: Bearer abc.DEF-123_x~+/=": "Authorization: Bearer ***",
			"bearer\ttok and BEARER  t2":              "bearer\t*** and BEARER  ***",
			"bEaReR xyz":                              "bEaReR ***",
			"Bearer":                                  "",
			"Bearer ":                                 "",
			"Bearerabc":                               "",
			"the bearer of bad news":                  "the bearer *** bad news",
			"no b here":                               "",
			"bbbbbb bearer":                           "",
		}},
		{"aws", AWSAccessKeyIDs(), map[string]string{
			"key AKIAIOSFODNN7EXAMPLE here":  "key *** here",
			"ASIAY34FZKBOKMUTVV7A":           "***",
			"(AKIAIOSFODNN7EXAMPLE)":         "(***)",
			"AKIAIOSFODNN7EXAMPL":            "", // too short
			"AKIAIOSFODNN7EXAMPLEX":          "", // too long
			"xAKIAIOSFODNN7EXAMPLE":          "", // inside a word
			"AKIAiosfodnn7example":           "", // lower case
			"ASIA and AKIA":                  "",
			"AKIA AKIAIOSFODNN7EXAMPLE ASIA": "AKIA *** ASIA",
		}},
		{"ssn", SSNs(), map[string]string{
			"ssn 123-45-6789.":        "ssn ***.",
			"078-05-1120,219-09-9999": "***,***",
			"1123-45-6789":            "",
			"123-45-67890":            "",
			"123-456-789":             "",
			"12-345-6789":             "",
			"2024-01-15":              "",
			"a-b-c 123-45-678":        "",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := RedactPatterns(c.pattern)
			for in, want := range c.in {
				if want == "" {
					want = in
				}
				got, changed := r.MaskString(in, "***")
				require.Equal(t, want, got, "%q", in)
				require.Equal(t, want != in, changed, "%q", in)
			}
		})
	}
}

func TestNewPattern(t *testing.T) {
	r := RedactPatterns(
		NewPattern(regexp.MustCompile(`(?i)password=(?P<secret>[^&\s]+)`)),
		NewPattern(regexp.MustCompile(`IBAN [A-Z]{2}\d{2}[A-Z0-9]{10,30}`)),
		NewPattern(regexp.MustCompile(`\b`)), // matches only empty strings: ignored
	)
	got, changed := r.MaskString("login?user=ann&PASSWORD=hunter2&next=/ IBAN DE89370400440532013000", "***")
	require.True(t, changed)
	require.Equal(t, "login?user=ann&PASSWORD=***&next=/ ***", got)
	got, changed = r.MaskString("nothing here", "***")
	require.False(t, changed)
	require.Equal(t, "nothing here", got)
}

func TestRedactPatternsInRecords(t *testing.T) {
	cfg := Config{Redactors: append(DefaultRedactors(), RedactPatterns(CardNumbers(), EmailAddresses(), JWTs(), BearerTokens(), AWSAccessKeyIDs(), SSNs()))}
	type payment struct {
		Card  string
		Email string
		Notes []string
	}
	got := loggedOne(t, cfg,
		slog.Any("p", payment{Card: "4111 1111 1111 1111", Email: "ann@example.com", Notes: []string{"ssn 123-45-6789", "ok"}}),
		slog.String("hdr", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"),
		slog.Group("aws", slog.String("id", "AKIAIOSFODNN7EXAMPLE")),
	)
	require.Equal(t, obj{
		"p":   obj{"Card": "***", "Email": "***", "Notes": []any{"ssn ***", "ok"}},
		"hdr": "Bearer ***",
		"aws": obj{"id": "***"},
	}, got)
}

func TestIndexFold(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{
		{"", -1}, {"bearer", 0}, {"xBEARER", 1}, {"bbbBearer", 3}, {"Bbearer", 1}, {"bearbearer", 4}, {"BEARE", -1}, {"b", -1},
	} {
		require.Equal(t, c.want, indexFold(c.s, "bearer"), c.s)
	}
}
