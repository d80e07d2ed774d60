package fapilog

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// collidingKeys returns n strings of distinct text whose addresses hash
// to one slot of a cache of 1<<bits entries (keyCache, msgCache), and
// that slot.
func collidingKeys(t *testing.T, n, bits int) ([]string, uint64) {
	buf := make([]byte, 1<<20)
	bySlot := map[uint64][]string{}
	for off := 0; off+8 <= len(buf); off += 8 {
		copy(buf[off:], fmt.Sprintf("%08x", off)) // distinct text
		key := unsafe.String(&buf[off], 8)
		slot := addrHash(key) >> (64 - bits)
		if bySlot[slot] = append(bySlot[slot], key); len(bySlot[slot]) == n {
			return bySlot[slot], slot
		}
	}
	t.Fatal("no slot took enough keys")
	return nil, 0
}

// TestKeyCacheKeepsCollidingKeys: two hot keys whose addresses hash to
// the same slot both stay cached (one in the slot's buddy), so taking
// turns they are encoded once, not once a turn; a third evicts the
// older, and every lookup still returns its own key's entry.
func TestKeyCacheKeepsCollidingKeys(t *testing.T) {
	keys, slot := collidingKeys(t, 3, keyCacheBits)
	var c keyCache
	a, b := keys[0], keys[1]
	c.lookup(a)
	c.lookup(b)
	before := c.tab
	for range 10 {
		ea, eb := c.lookup(a), c.lookup(b)
		require.True(t, sameString(ea.key, a))
		require.True(t, sameString(eb.key, b))
		require.NotSame(t, ea, eb)
	}
	require.Equal(t, before, c.tab, "no entry was filled again")
	require.True(t, sameString(c.tab[slot].key, b), "the newcomer holds the slot")
	require.True(t, sameString(c.tab[slot^1].key, a), "the one before it moved to the buddy")

	for _, k := range keys {
		e := c.lookup(k)
		require.True(t, sameString(e.key, k))
		require.Equal(t, string(appendString(nil, k))+":", string(e.enc[:e.n]))
	}
}

// TestCachedKeyPathMatchesEncoding encodes records of scalar attrs (secrets,
// card-like numbers, escapes and line breaks among them; floats of every
// magnitude) again and again, so that their keys are cached and take the
// short path in attrs, and checks every line, in every format, with and
// without a group and a With scope, against the same stages with no key
// cache (every key the general way).
func TestCachedKeyPathMatchesEncoding(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 0, 0, 120000000, time.UTC)
	attrs := []slog.Attr{
		slog.String("method", "GET"), slog.String("note", "line one\nline two"),
		slog.String("token", "Bearer abcdefghijklmnopqrstuvwxyz0123456789"),
		slog.String("q", `say "hi"`), slog.String("k v", "spaced key"), slog.String("", "empty key"),
		slog.Int("status", 200), slog.Int("card", 4111111111111111), slog.Int64("neg", math.MinInt64),
		slog.Uint64("big", math.MaxUint64), slog.Uint64("cardu", 4111111111111111),
		slog.Float64("ratio", 0.875), slog.Float64("tiny", 1e-5), slog.Float64("small", 0.0001),
		slog.Float64("large", 1234567.5), slog.Float64("nan", math.NaN()), slog.Float64("inf", math.Inf(-1)),
		slog.Float64("third", 1.0/3), slog.Float64("zero", math.Copysign(0, -1)),
		slog.Bool("cached", true), slog.Duration("took", 1500*time.Microsecond), slog.Duration("long", 90*time.Minute),
		slog.Time("at", at), slog.String("password", "hunter2"),
	}
	formats := []Config{
		{},
		{Sinks: []Sink{NewLogfmtSink(io.Discard)}},
		{Sinks: []Sink{NewConsoleSink(io.Discard, ConsoleOptions{Color: ColorNever})}},
		{Sinks: []Sink{NewConsoleSink(io.Discard, ConsoleOptions{Color: ColorAlways})}},
	}
	for fi, fc := range formats {
		for _, reds := range [][]Redactor{nil, {}, allRedactors()} {
			cfg := fc
			cfg.Redactors = reds
			cached, plain := stagesWithout(t, cfg, func(e *encoder) { e.keys = nil })
			for _, mk := range []func(p *stages) *scope{
				func(*stages) *scope { return rootScope },
				func(*stages) *scope { return rootScope.withGroup("req") },
				func(*stages) *scope { return rootScope.withGroup("a b") }, // a quoted prefix in text
				func(p *stages) *scope { return p.withAttrs(rootScope, attrs[:3]).withGroup("g") },
			} {
				lines := func(p *stages) string {
					r := &record{time: at, level: slog.LevelInfo, msg: "m", scope: mk(p), attrs: attrs}
					p.begin(r)
					defer p.end()
					return string(p.encode(0, nil, r))
				}
				want := lines(plain)
				if reds == nil || len(reds) > 0 {
					require.NotContains(t, want, "hunter2")
					require.NotContains(t, want, "4111111111111111")
				}
				for again := range 3 { // the keys are seen, then cached, then hit
					require.Equal(t, want, lines(cached), "format %d, again %d", fi, again)
				}
				if strings.HasPrefix(want, "{") {
					continue
				}
				for _, v := range []string{"0.875", "1e-05", "1.2345675e+06", "1.5ms", "1h30m0s", "-0 "} {
					require.Contains(t, want, v)
				}
			}
		}
	}
}
