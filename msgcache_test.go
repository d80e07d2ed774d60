package fapilog

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMsgCacheMatchesEncoding encodes messages through the message cache
// (literals again and again, more of them than the cache holds, secrets
// among them, copies at new addresses, one too long to cache) and checks
// every line, in every format, against the same stages without the cache.
func TestMsgCacheMatchesEncoding(t *testing.T) {
	msgs := []string{
		"user logged in", "password=hunter2 at login", "card 4111 1111 1111 1111 declined",
		"tab\there \"quoted\" \u2028", "", strings.Repeat("long ", msgEncMax/4),
	}
	for i := range 3 * msgCacheSize {
		msgs = append(msgs, fmt.Sprintf("event %d happened", i))
	}
	for _, cfg := range []Config{
		{},
		{Sinks: []Sink{NewWriterSink(io.Discard), NewLogfmtSink(io.Discard)}},
		{Redactors: []Redactor{}},
		{Redactors: allRedactors()},
	} {
		cached, plain := stagesWithout(t, cfg, func(e *encoder) { e.msgs = nil })
		lines := func(p *stages, msg string) []string {
			r := &record{level: slog.LevelInfo, msg: msg, scope: rootScope}
			p.begin(r)
			defer p.end()
			var out []string
			for f := range p.fmts { // in order, as the worker encodes
				out = append(out, string(p.encode(f, nil, r)))
			}
			return append(out, r.msg) // the message as written: a truncated line uses it
		}
		for round := range 3 {
			for i, msg := range msgs {
				if (i+round)%5 == 0 {
					msg = strings.Clone(msg) // the same text at a new address
				}
				want := lines(plain, msg)
				for again := range 3 { // seen (or a hit), cached (or a hit), a hit
					got := lines(cached, msg)
					require.Equal(t, want, got, "round %d, message %d, again %d", round, i, again)
					if cfg.Redactors == nil || len(cfg.Redactors) > 0 {
						require.NotContains(t, strings.Join(got, ""), "hunter2")
					}
				}
			}
		}
	}
}

// TestMsgCacheMissesDoNotAllocate: messages that keep missing (more of
// them than the cache holds, cycled) reuse their entries' buffers.
func TestMsgCacheMissesDoNotAllocate(t *testing.T) {
	p := testStages(t, Config{})
	msgs := make([]string, 4*msgCacheSize)
	for i := range msgs {
		msgs[i] = fmt.Sprintf("request %d served", i)
	}
	var buf []byte
	i := 0
	encode := func() {
		r := record{level: slog.LevelInfo, msg: msgs[i%len(msgs)], scope: rootScope}
		i++
		p.begin(&r)
		buf = p.encode(0, buf[:0], &r)
		p.end()
	}
	for range 2 * len(msgs) {
		encode()
	}
	require.Zero(t, testing.AllocsPerRun(len(msgs), encode))
}

// TestMsgCacheKeepsNoLongMessage: a message too long to cache is not
// noted either, so the cache keeps no large string alive.
func TestMsgCacheKeepsNoLongMessage(t *testing.T) {
	p := testStages(t, Config{})
	long := strings.Repeat("x", msgEncMax)
	for range 3 {
		r := record{level: slog.LevelInfo, msg: long, scope: rootScope}
		p.begin(&r)
		p.encode(0, nil, &r)
		p.end()
	}
	for i := range p.fmts[0].msgs.tab {
		require.Empty(t, p.fmts[0].msgs.tab[i].msg, "entry %d", i)
	}
}

// stagesWithout returns two stages of cfg: one as built, and one whose
// encoders drop has taken a cache from, the reference the first must
// match.
func stagesWithout(t *testing.T, cfg Config, drop func(*encoder)) (cached, plain *stages) {
	t.Helper()
	cached, plain = testStages(t, cfg), testStages(t, cfg)
	for _, fm := range plain.fmts {
		drop(&fm.enc)
	}
	return cached, plain
}
