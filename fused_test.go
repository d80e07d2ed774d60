package fapilog

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// walkingStages returns p's twin that walks each record with redactState
// before encoding it, as a pipeline with a Redactor of its own does.
func walkingStages(t *testing.T, cfg Config) (fused, walking *stages) {
	t.Helper()
	fused = testStages(t, cfg)
	require.NotNil(t, fused.fmts[0].enc.red, "these redactors are fused")
	walking = testStages(t, cfg)
	walking.walk = true
	for _, fm := range walking.fmts {
		fm.enc.red, fm.keys.red = nil, nil
	}
	return fused, walking
}

// TestFusedRedactionMatchesWalk checks that redacting while encoding
// masks exactly what walking the record first does, byte for byte, in
// JSON alone and in every format, on random records and With scopes full
// of secrets at every depth (past the guardrails too), with small
// guardrails so that they are hit often, and that what the guardrails
// masked is counted once per record or With.
func TestFusedRedactionMatchesWalk(t *testing.T) {
	every, _ := allFormats()
	for i, cfg := range []Config{
		{},
		{Redactors: allRedactors()},
		{RedactMaxDepth: 3, RedactMaxKeys: 12, RedactMask: "<hidden>"},
		{Sinks: every},
		{Redactors: allRedactors(), Sinks: every},
		{RedactMaxDepth: 3, RedactMaxKeys: 12, RedactMask: "<hidden>", Sinks: every},
	} {
		fused, walking := walkingStages(t, cfg)
		require.Len(t, fused.fmts, max(1, len(cfg.Sinks)), "config %d", i)
		for seed := range uint64(200) {
			g := &secretGen{r: rand.New(rand.NewPCG(seed, 7)), maxDepth: DefaultRedactMaxDepth}
			// A scope of groups and With attrs, built in each pipeline:
			// With redacts as the pipeline's records are.
			type step struct {
				group string
				attrs []slog.Attr
			}
			var steps []step
			depth := 0
			for range g.r.IntN(4) {
				if g.r.IntN(2) == 0 {
					steps = append(steps, step{group: fmt.Sprintf("s%d", g.next())})
					depth++
				} else {
					steps = append(steps, step{attrs: g.attrs(depth, 1+g.r.IntN(3))})
				}
			}
			scope := func(p *stages) *scope {
				sc := rootScope
				for _, s := range steps {
					if s.attrs != nil {
						sc = p.withAttrs(sc, s.attrs)
					} else {
						sc = sc.withGroup(s.group)
					}
				}
				return sc
			}
			attrs := g.attrs(depth, 3+g.r.IntN(4))
			attrs = append(attrs, slog.Any("dive", g.goValue(depth, 3, false)))
			ctx := capturedAttrs(g.attrs(0, 2))
			msg := "msg " + g.shaped()
			line := func(p *stages) string {
				r := &record{level: slog.LevelInfo, msg: msg, scope: scope(p), ctx: ctx}
				r.addAttrs(attrs)
				p.begin(r)
				defer p.end()
				var b []byte
				for fi := range p.fmts {
					b = p.encode(formatIndex(fi), b, r)
				}
				return string(b)
			}
			want := line(walking)
			require.Equal(t, want, line(fused), "config %d, seed %d", i, seed)
			require.Equal(t, walking.redactionLimited.Load(), fused.redactionLimited.Load(), "config %d, seed %d", i, seed)
		}
	}
}

// TestTriggerFindsEveryByte checks the word-at-a-time test for the
// default scanners' trigger bytes, at every position of a word, against
// the byte-at-a-time one, and that bytes outside the ranges it tests do
// not trigger.
func TestTriggerFindsEveryByte(t *testing.T) {
	rd := newRedaction(DefaultRedactors(), DefaultMask, DefaultRedactMaxDepth, DefaultRedactMaxKeys)
	tr := rd.trig
	require.False(t, tr.always)
	for c := byte(1); c < 128; c++ {
		for i := range 8 {
			b := []byte("abcdefgh")
			b[i] = c
			if wordIsSafe(load64(string(b), 0)) {
				require.Equal(t, tr.bytes[c], tr.inWord(load64(string(b), 0)), "%q at %d", c, i)
			}
		}
	}
	for _, c := range []byte(scannerTriggers[0] + scannerTriggers[1] + scannerTriggers[3]) {
		require.True(t, tr.bytes[c], "%q", c)
	}
	require.False(t, tr.inWord(load64("abcdefgh", 0)))
	require.False(t, tr.inWord(load64(";<BCDIL[", 0)), "neighbours of trigger bytes")
	_, hit := appendStringScan(nil, "a long string with no trigger in it at all", &tr)
	require.False(t, hit)
	for _, s := range []string{"x@y", "a long string with an = sign", "é:ü", "\n\"J"} {
		_, hit := appendStringScan(nil, s, &tr)
		require.True(t, hit, s)
	}
	// Every length, a trigger byte at every position: the short strings'
	// padding and the long ones' overlapping last word miss none, and
	// add no false alarm.
	all := newRedaction([]Redactor{Credentials(), PCI(), PII()}, DefaultMask, DefaultRedactMaxDepth, DefaultRedactMaxKeys)
	for _, tr := range []trigger{tr, all.trig} {
		require.False(t, tr.always)
		require.False(t, tr.inWord(lsb*' '), "the padding is no trigger")
		plain := "abcdefghijklmnopqrstuvwxabcdefghijklmnopq" // past two turns of two words
		for n := range len(plain) {
			_, hit := appendStringScan(nil, plain[:n], &tr)
			require.False(t, hit, "%q", plain[:n])
			for i := range n {
				s := plain[:i] + "@" + plain[i+1:n]
				out, hit := appendStringScan(nil, s, &tr)
				require.True(t, hit, "%q", s)
				require.Equal(t, strconv.Quote(s), string(out))
				// An escape at i: the words after it are still tested.
				s = plain[:i] + `"` + plain[i+1:n]
				out, hit = appendStringScan(nil, s, &tr)
				require.False(t, hit, "%q", s)
				require.Equal(t, strconv.Quote(s), string(out))
				if i+1 < n {
					s = s[:n-1] + "@"
					_, hit = appendStringScan(nil, s, &tr)
					require.True(t, hit, "%q", s)
				}
			}
		}
	}
	custom := newRedaction(append(DefaultRedactors(), RedactPatterns(NewPattern(regexp.MustCompile("x")))), DefaultMask, 1, 1)
	require.True(t, custom.trig.always, "a step that is not a built-in scanner")
	require.False(t, custom.fused())
}

// TestMaskSpansDoesNotAllocate checks that a scanner that finds nothing
// costs no allocation, through maskSpans (one scanner) and through a
// scan set, whose cursor both stay on the stack.
func TestMaskSpansDoesNotAllocate(t *testing.T) {
	s := "a plain log line, nothing to hide in it: just words and a ratio=0.5"
	require.Zero(t, testing.AllocsPerRun(100, func() { maskSpans(s, "***", nextURLUserinfo) }))
	set := newScanSet(scanKV|scanURL|scanDSN|scanJWT|scanPEM|scanAWS, wordCredential, false)
	require.Zero(t, testing.AllocsPerRun(100, func() { set.maskSeen(s, "***", triggersOf(s), nil) }))
	out, ok := maskSpans("db postgres://app:pw@db/x up", "***", nextURLUserinfo)
	require.True(t, ok)
	require.Equal(t, "db postgres://***@db/x up", out)
}
