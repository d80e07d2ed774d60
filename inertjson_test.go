package fapilog

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// wordRedactor masks a word wherever a string holds it: a Redactor of
// the user's, so redaction is not fused (records are walked first).
type wordRedactor string

func (w wordRedactor) MaskField([]string) bool { return false }

func (w wordRedactor) MaskString(s, mask string) (string, bool) {
	if !strings.Contains(s, string(w)) {
		return s, false
	}
	return strings.ReplaceAll(s, string(w), mask), true
}

// randomSlice returns a slice of numbers, bools, strings or times, inert
// or not (nil, NaN, a year past 9999, a zone a day or more off, a card
// number as an integer or a float), with the elements redaction looks at:
// card numbers, secrets, escapes and timestamps in strings.
func randomSlice(rng *rand.Rand) any {
	n := rng.IntN(6)
	if rng.IntN(12) == 0 {
		n = 0
	}
	ints := []int64{0, 7, -42, 4111111111111111, 5500005555555559, 1234567890123, -4111111111111111,
		math.MaxInt64, math.MinInt64, 1775000000000000000, 4222222222222, 6221260000000000001} // the last two: 13 and 19 digits, Luhn-valid
	floats := []float64{0.5, -1.25, 4111111111111111, 5500005555555559, 1e21, 1e-7, 123456789012345, 0, 4222222222222}
	strs := []string{"a", "password=hunter2", "Bearer abcdefghijklmnopqrstuvwxyz0123", "jane@example.com",
		"4111 1111 1111 1111", "<b>&amp;", "q\"b\\s", "é", "\x00ctl", "2026-01-01T12:00:00Z", "token: abc",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "hunter2", "https://u:pw@example.com/x"}
	zones := []*time.Location{time.UTC, time.FixedZone("", 5*3600+45*60), time.FixedZone("", -14*3600), time.FixedZone("", 100*3600)}
	switch rng.IntN(7) {
	case 0:
		s := make([]int, n)
		for i := range s {
			s[i] = int(ints[rng.IntN(len(ints))])
		}
		return s
	case 1:
		s := make([]int64, n)
		for i := range s {
			s[i] = ints[rng.IntN(len(ints))]
		}
		return s
	case 2:
		s := make([]float64, n)
		for i := range s {
			s[i] = floats[rng.IntN(len(floats))]
		}
		if n > 0 && rng.IntN(10) == 0 {
			s[0] = math.NaN()
		}
		return s
	case 3:
		s := make([]bool, n)
		for i := range s {
			s[i] = rng.IntN(2) == 0
		}
		return s
	case 4:
		if rng.IntN(10) == 0 {
			return []string(nil)
		}
		s := make([]string, n)
		for i := range s {
			s[i] = strs[rng.IntN(len(strs))]
		}
		return s
	default:
		s := make([]time.Time, n)
		for i := range s {
			s[i] = time.Unix(rng.Int64N(1<<34)-1<<33, rng.Int64N(1e9)).In(zones[rng.IntN(len(zones))])
		}
		if n > 0 && rng.IntN(10) == 0 {
			s[0] = time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		return s
	}
}

// TestInertSlicesEncodeAsWalked holds each slice, captured as inertJSON
// where it is inert, to the line the same JSON makes walked as any
// captured value: byte for byte, in every format, with default, broad,
// user-defined (not fused) and path-aware redaction, none, and a depth
// limit the slice is past.
func TestInertSlicesEncodeAsWalked(t *testing.T) {
	configs := map[string]func(w, w2 io.Writer) Config{
		"default": func(w, _ io.Writer) Config { return Config{Sinks: []Sink{NewWriterSink(w)}} },
		"off":     func(w, _ io.Writer) Config { return Config{Sinks: []Sink{NewWriterSink(w)}, Redactors: []Redactor{}} },
		"broad": func(w, _ io.Writer) Config {
			return Config{Sinks: []Sink{NewWriterSink(w)}, Redactors: []Redactor{Credentials(), PII(), PCI()}}
		},
		"user redactor": func(w, _ io.Writer) Config {
			return Config{Sinks: []Sink{NewWriterSink(w)}, Redactors: []Redactor{PCI(), wordRedactor("hunter2")}}
		},
		"path": func(w, _ io.Writer) Config {
			return Config{Sinks: []Sink{NewWriterSink(w)}, Redactors: []Redactor{Credentials(), RedactFields("g.k")}}
		},
		"depth":  func(w, _ io.Writer) Config { return Config{Sinks: []Sink{NewWriterSink(w)}, RedactMaxDepth: 2} },
		"logfmt": func(w, _ io.Writer) Config { return Config{Sinks: []Sink{NewLogfmtSink(w)}} },
		"console": func(w, _ io.Writer) Config {
			return Config{Sinks: []Sink{NewConsoleSink(w, ConsoleOptions{Color: ColorNever})}}
		},
		"two formats": func(w, w2 io.Writer) Config {
			return Config{Sinks: []Sink{NewWriterSink(w), NewLogfmtSink(w2)}, Redactors: []Redactor{PCI(), wordRedactor("hunter2")}}
		},
		"logfmt, off": func(w, _ io.Writer) Config { return Config{Sinks: []Sink{NewLogfmtSink(w)}, Redactors: []Redactor{}} },
	}
	rng := rand.New(rand.NewPCG(9, 10))
	inert := 0
	for _, name := range slices.Sorted(maps.Keys(configs)) { // one order, so a failure repeats
		cfg := configs[name]
		var out, out2 syncBuffer
		l, err := NewSync(cfg(&out, &out2))
		require.NoError(t, err)
		h := l.Handler()
		for range 300 {
			s := randomSlice(rng)
			if _, ok := (*arena)(nil).inert(s); ok {
				inert++
			}
			raw := rawJSON(appendAny(nil, s))
			for _, v := range []slog.Value{slog.AnyValue(s), slog.AnyValue(raw)} {
				r := slog.NewRecord(time.Time{}, slog.LevelInfo, "m", 0)
				r.AddAttrs(slog.Attr{Key: "k", Value: v}, slog.Group("g", slog.Attr{Key: "k", Value: v}),
					slog.Group("g2", slog.Group("h", slog.Attr{Key: "k", Value: v})))
				require.NoError(t, h.Handle(context.Background(), r))
			}
		}
		closeLogger(t, l)
		for _, o := range []*syncBuffer{&out, &out2} {
			lines := strings.Split(strings.TrimSuffix(o.String(), "\n"), "\n")
			if o == &out2 && len(lines) == 1 && lines[0] == "" {
				continue // one sink
			}
			require.Len(t, lines, 600, name)
			for i := 0; i < len(lines); i += 2 {
				require.Equal(t, lines[i+1], lines[i], "%s: the capture, then the same JSON walked", name)
			}
		}
	}
	require.Greater(t, inert, 1000)
}

// TestInertSlicesAreSnapshots changes slices after the call that logged
// them, while the record waits in the queue: the line has the values of
// the call.
func TestInertSlicesAreSnapshots(t *testing.T) {
	sink := hungSink()
	l, err := NewAsync(Config{Sinks: []Sink{sink}})
	require.NoError(t, err)
	l.Info("first")
	<-sink.entered // the worker is busy: the next record waits in the queue

	ints, strs := []int{1, 2}, []string{"a", "b"}
	times := []time.Time{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	l.Info("m", slog.Any("ints", ints), slog.Any("strs", strs), slog.Any("times", times), slog.Any("empty", []bool{}))
	ints[0], strs[1], times[0] = 9, "z", times[0].Add(time.Hour)
	close(sink.gate)
	closeLogger(t, l)

	lines := sink.lines(t)
	require.Len(t, lines, 2)
	require.Equal(t, []any{float64(1), float64(2)}, lines[1]["ints"])
	require.Equal(t, []any{"a", "b"}, lines[1]["strs"])
	require.Equal(t, []any{"2026-01-02T03:04:05Z"}, lines[1]["times"])
	require.Equal(t, []any{}, lines[1]["empty"])
}

// TestInertSlicesAllocNothing: a call logging slices allocates nothing
// once the pooled capture has grown, in JSON and logfmt. (With the sync
// face: an async call made while the queue holds the captures of earlier
// calls may find the pool empty.)
func TestInertSlicesAllocNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race")
	}
	ints, strs := []int{1, 2, 3}, []string{"a", "b"}
	times := []time.Time{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	floats := []float64{0.5, 4111111111111111}
	for _, sink := range []Sink{NewWriterSink(discard{}), NewLogfmtSink(discard{})} {
		l, err := NewSync(Config{Sinks: []Sink{sink}, Redactors: []Redactor{Credentials(), PCI()}})
		require.NoError(t, err)
		// Boxed once: slog.Any of a slice allocates, at the call site.
		attrs := []slog.Attr{slog.Any("ints", ints), slog.Any("strs", strs), slog.Any("times", times), slog.Any("floats", floats)}
		requireNoAllocs(t, l, map[string]func(){
			"slices": func() { l.Info("m", attrs...) },
		})
		closeLogger(t, l)
	}
}

// TestInertRefusesNonTimestamps: a time that appendTime does not write as
// a timestamp (an offset of 100 hours) makes the slice not inert, so that
// the walk reads it as it would any string.
func TestInertRefusesNonTimestamps(t *testing.T) {
	ok := []time.Time{time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("", -14*3600))}
	_, inert := (*arena)(nil).inert(ok)
	require.True(t, inert)
	odd := append(ok, time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", 100*3600)))
	_, inert = (*arena)(nil).inert(odd)
	require.False(t, inert)
}
