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
