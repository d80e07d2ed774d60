package fapilog

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// textGen builds random attrs of the kinds whose text form the logfmt
// encoder writes exactly as slog.TextHandler does, once captured (see
// the exceptions in logfmt.go).
type textGen struct{ oracleGen }

func (g textGen) value(depth int) slog.Value {
	k := g.r.IntN(15)
	if depth >= 3 && k < 2 {
		k = 2 + g.r.IntN(13)
	}
	switch k {
	case 0:
		// A group whose attrs all turn out empty leaves its prefix on
		// the keys after it in slog (its JSON twin is in TestOracle):
		// give every group with attrs one that writes.
		var attrs []slog.Attr
		for i := range g.r.IntN(4) {
			if i == 0 {
				attrs = append(attrs, slog.String("w", g.str()))
			}
			attrs = append(attrs, g.attr(depth+1))
		}
		return slog.GroupValue(attrs...)
	case 1:
		return slog.AnyValue(valuer{g.value(depth + 1)})
	case 2, 3:
		return slog.StringValue(g.str())
	case 4:
		return slog.Int64Value(int64(g.r.Uint64()))
	case 5:
		return slog.Uint64Value(g.r.Uint64())
	case 6:
		return slog.Float64Value(g.float())
	case 7:
		return slog.BoolValue(g.r.IntN(2) == 0)
	case 8:
		return slog.DurationValue(time.Duration(g.r.Int64N(1<<50) - 1<<49))
	case 9:
		zone := time.FixedZone("", (g.r.IntN(49)-24)*1800)
		return slog.TimeValue(time.Unix(g.r.Int64N(200_000_000_000), g.r.Int64N(1e9)).In(zone))
	case 10:
		return slog.AnyValue(nil)
	case 11:
		return slog.AnyValue(errors.New(strings.ToValidUTF8(g.str(), "?")))
	case 12:
		return slog.AnyValue(slog.Level(g.r.IntN(30) - 10))
	default:
		return slog.AnyValue(selfValuer{})
	}
}

func (g textGen) attr(depth int) slog.Attr {
	if g.r.IntN(12) == 0 {
		return slog.Attr{}
	}
	return slog.Attr{Key: g.key(), Value: g.value(depth)}
}

// slogText returns what slog.TextHandler writes for r through h's
// WithAttrs/WithGroup chain.
func slogText(t *testing.T, r slog.Record, chain func(slog.Handler) slog.Handler, addSource bool) string {
	var buf bytes.Buffer
	h := chain(slog.NewTextHandler(&buf, &slog.HandlerOptions{AddSource: addSource, Level: slog.Level(-100)}))
	require.NoError(t, h.Handle(context.Background(), r))
	return buf.String()
}

// oursText returns what a logfmt sink gets for r through the same chain.
func oursText(t *testing.T, r slog.Record, chain func(slog.Handler) slog.Handler, addSource bool) string {
	var buf bytes.Buffer
	l, err := NewSync(Config{Sinks: []Sink{NewLogfmtSink(&buf)}, Redactors: []Redactor{}, AddSource: addSource, Level: slog.Level(-100)})
	require.NoError(t, err)
	require.NoError(t, chain(l.Handler()).Handle(context.Background(), r))
	require.NoError(t, l.Close(context.Background()))
	return buf.String()
}

// TestLogfmtMatchesTextHandler runs slog.TextHandler and a logfmt sink
// over the same records (zero time, so that slog leaves it out too),
// through the same With and WithGroup chains, and wants the same bytes.
func TestLogfmtMatchesTextHandler(t *testing.T) {
	g := textGen{oracleGen{rand.New(rand.NewPCG(3, 5))}}
	n := 2000
	if testing.Short() {
		n = 300
	}
	for i := range n {
		level := slog.Level(g.r.IntN(24) - 8)
		if level == LevelFatal {
			level++ // ours is FATAL, slog's ERROR+4
		}
		r := slog.NewRecord(time.Time{}, level, g.str(), 0)
		if i%5 == 0 {
			r.Add([]any{"odd", 1, "badkey"}...) // !BADKEY
		}
		for range g.r.IntN(6) {
			r.AddAttrs(g.attr(0))
		}
		var steps []func(slog.Handler) slog.Handler
		for range g.r.IntN(4) {
			if g.r.IntN(2) == 0 {
				name := g.key()
				if name == "" {
					name = "e" // slog.Logger.WithGroup("") is a no-op, slog's handlers' not
				}
				steps = append(steps, func(h slog.Handler) slog.Handler { return h.WithGroup(name) })
			} else {
				attrs := []slog.Attr{g.attr(0), g.attr(0)}
				steps = append(steps, func(h slog.Handler) slog.Handler { return h.WithAttrs(attrs) })
			}
		}
		chain := func(h slog.Handler) slog.Handler {
			for _, s := range steps {
				h = s(h)
			}
			return h
		}
		addSource := i%7 == 0
		if addSource {
			r.PC = callerPC()
		}
		require.Equal(t, slogText(t, r, chain, addSource), oursText(t, r, chain, addSource), "record %d", i)
	}
}

// TestLogfmtKnownDifferences pins what logfmt writes where it cannot
// match slog.TextHandler: values captured as JSON.
func TestLogfmtKnownDifferences(t *testing.T) {
	r := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
	r.AddAttrs(slog.Any("m", map[string]int{"a": 1}), slog.Any("s", []string{"x", "y"}),
		slog.Any("st", struct{ A int }{1}), slog.Any("b", []byte("hi")))
	id := func(h slog.Handler) slog.Handler { return h }
	require.Equal(t, "level=INFO msg=m m=map[a:1] s=\"[x y]\" st={A:1} b=\"hi\"\n", slogText(t, r, id, false))
	require.Equal(t, `level=INFO msg=m m="{\"a\":1}" s="[\"x\",\"y\"]" st="{\"A\":1}" b="aGk="`+"\n", oursText(t, r, id, false))
}

func TestAppendDurationMatchesString(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ds := []time.Duration{0, 1, -1, 999, 1000, 1500, time.Millisecond, time.Second, -time.Second, 90 * time.Minute,
		1<<63 - 1, -1 << 63, 1500 * time.Microsecond}
	for range 2000 {
		ds = append(ds, time.Duration(rng.Int64N(1<<uint(rng.IntN(62)+1)))*time.Duration(1-2*rng.IntN(2)))
	}
	for _, d := range ds {
		require.Equal(t, d.String(), string(appendDuration(nil, d)), "%d", int64(d))
	}
}

func TestNeedsQuotingMatchesSlog(t *testing.T) {
	// slog's rule, through its handler: a value is quoted iff it needs it.
	g := oracleGen{rand.New(rand.NewPCG(9, 9))}
	for range 3000 {
		s := g.str()
		var buf bytes.Buffer
		r := slog.NewRecord(time.Time{}, slog.LevelInfo, "", 0)
		r.AddAttrs(slog.String("k", s))
		require.NoError(t, slog.NewTextHandler(&buf, nil).Handle(context.Background(), r))
		want := strings.TrimSuffix(strings.TrimPrefix(buf.String(), `level=INFO msg="" k=`), "\n")
		require.Equal(t, want, string(appendTextString(nil, s)), "%q", s)
	}
}

func TestNewLogfmtSinkFormat(t *testing.T) {
	require.Equal(t, Logfmt(), sinkFormat(NewLogfmtSink(&bytes.Buffer{})))
	require.Equal(t, JSON(), sinkFormat(NewWriterSink(&bytes.Buffer{})))
	require.Equal(t, "logfmt", Logfmt().String())
	require.Equal(t, "json", JSON().String())
	require.Equal(t, "console(color,15:04)", Console(ConsoleOptions{Color: ColorAlways, TimeFormat: "15:04"}).String())
}

func TestAppendQuotedMatchesStrconv(t *testing.T) {
	g := oracleGen{rand.New(rand.NewPCG(4, 4))}
	for range 5000 {
		s := g.str() + strings.Repeat("x\x7f", g.r.IntN(2)) + g.str()
		require.Equal(t, strconv.Quote(s), string(appendQuoted(nil, s)), "%q", s)
	}
}
