package fapilog

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestVerdictCachesMatchJudging: through the worker's verdict caches,
// every key gets the verdict judging it gives, whatever came before it:
// keys in every case, more of them than entries (so they collide and
// evict), keys too long to cache, the same text at other addresses, and
// two redactions taking turns with the same caches.
func TestVerdictCachesMatchJudging(t *testing.T) {
	words := []string{"password", "Token", "user", "id", "api", "key", "count", "name", "SECRET", "x", "é", "session", "email"}
	rng := rand.New(rand.NewPCG(5, 6))
	var keys []string
	for range 2000 {
		var b strings.Builder
		for n := 1 + rng.IntN(4); n > 0; n-- {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteString([]string{"", "_", "-", "."}[rng.IntN(4)])
		}
		keys = append(keys, b.String())
	}
	def := newRedaction(DefaultRedactors(), DefaultMask, DefaultRedactMaxDepth, DefaultRedactMaxKeys)
	pii := newRedaction([]Redactor{RedactFields("user", "*name*"), PII()}, DefaultMask, DefaultRedactMaxDepth, DefaultRedactMaxKeys)
	st := redactState{verdicts: new(verdictCache), kvVerdicts: new(verdictCache)}
	masked := 0
	for round := range 6 {
		rd := def // three rounds, then the redactions take turns
		if round >= 3 && round%2 == 0 {
			rd = pii
		}
		st.begin(rd)
		for _, k := range keys {
			k = strings.Clone(k) // another address, the same text
			want := rd.fields.matchKey(k)
			require.Equal(t, want, st.matchKey(k), "%q", k)
			require.Equal(t, sensitiveKey(k, rd.scans().classes), rd.scans().sensitiveKey(k, st.kvVerdicts), "%q", k)
			if want {
				masked++
			}
		}
	}
	require.NotZero(t, masked)
	require.Less(t, masked, 6*len(keys))
}

// TestShortKeysJudgedByWord: the keys of a captured object that fit in a
// word (1 to 7 bytes) are judged through their packed word, the rest as
// before; either way each key's value is masked exactly when judging the
// key says so. Keys are short pieces of secret names in both cases,
// non-ASCII bytes and escaped quotes (which take the byte-by-byte path),
// more of them than entries; three redactions take turns, one with a
// dotted path (which keeps every key on the path-aware judge).
func TestShortKeysJudgedByWord(t *testing.T) {
	pieces := []string{"p", "in", "to", "ken", "k", "e", "y", "s", "c", "r", "_", "1", "é", "PIN", "A", `\"`, "pwd", "auth"}
	rng := rand.New(rand.NewPCG(7, 8))
	keys := []string{"pin", "PIN", "token", "secret", "pwd", "apikey", "api_key", "auth", "otp", "cvv", "ssn"}
	for range 3000 {
		var b strings.Builder
		for n := 1 + rng.IntN(4); n > 0 && b.Len() < 9; n-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		keys = append(keys, b.String())
	}
	rds := []*redaction{
		newRedaction(DefaultRedactors(), DefaultMask, DefaultRedactMaxDepth, DefaultRedactMaxKeys),
		newRedaction([]Redactor{RedactFields("pin", "*auth*", "k?y"), PII()}, DefaultMask, DefaultRedactMaxDepth, DefaultRedactMaxKeys),
		newRedaction([]Redactor{RedactFields("a.pin", "token")}, DefaultMask, DefaultRedactMaxDepth, DefaultRedactMaxKeys),
	}
	st := redactState{verdicts: new(verdictCache), kvVerdicts: new(verdictCache)}
	short, masked := 0, 0
	for round := range 6 {
		rd := rds[round%len(rds)]
		for from := 0; from < len(keys); from += 100 {
			var raw, want []byte
			for j, k := range keys[from:min(from+100, len(keys))] {
				sep := map[bool]string{true: "{", false: ","}[j == 0]
				member := sep + `"` + k + `":"v"`
				raw = append(raw, member...)
				if rd.fields.matchKey(strings.ReplaceAll(k, `\"`, `"`)) {
					want = append(append(want, sep+`"`+k+`":`...), rd.maskJSON...)
					masked++
				} else {
					want = append(want, member...)
				}
				if end, w := shortKey([]byte(`"`+k+`":"v"}`), 0); w != 0 {
					require.Equal(t, len(k)+2, end, "%q", k)
					short++
				}
			}
			raw, want = append(raw, '}'), append(want, '}')
			st.begin(rd)
			got, _ := st.json(rawJSON(raw), 0)
			require.Equal(t, string(want), string(got))
		}
	}
	require.Greater(t, short, len(keys)) // rounds × keys: most fit a word
	require.NotZero(t, masked)
}
