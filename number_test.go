package fapilog

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// refFloat is what appendFloat must write: encoding/json's form for a
// finite float (which slog's JSONHandler writes too), and the strings
// it documents for NaN and the infinities.
func refFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return `"NaN"`
	case math.IsInf(f, 1):
		return `"+Inf"`
	case math.IsInf(f, -1):
		return `"-Inf"`
	}
	b, err := json.Marshal(f)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func checkFloat(t testing.TB, f float64) {
	t.Helper()
	if got, want := string(appendFloat(nil, f)), refFloat(f); got != want {
		t.Fatalf("appendFloat(%b) = %s, want %s", math.Float64bits(f), got, want)
	}
}

// TestShortFloatMatchesStrconv compares the short-decimal path with
// strconv on short decimals, their neighbours one ulp away, random bits
// and the edges of the path's range.
func TestShortFloatMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 2_000_000
	if testing.Short() {
		n = 200_000
	}
	short := 0
	for range n {
		// A decimal of up to 17 digits with up to 22 fractional ones.
		k := rng.IntN(23)
		m := rng.Uint64N(uint64(math.Pow10(1 + rng.IntN(17))))
		f, err := strconv.ParseFloat(strconv.FormatUint(m, 10)+"e-"+strconv.Itoa(k), 64)
		if err != nil {
			t.Fatal(err)
		}
		if rng.IntN(2) == 0 {
			f = -f
		}
		for _, x := range []float64{f, math.Nextafter(f, math.Inf(1)), math.Nextafter(f, math.Inf(-1)),
			math.Float64frombits(rng.Uint64())} {
			checkFloat(t, x)
			if a := math.Abs(x); a >= 1e-6 && a < 1e21 {
				if _, ok := appendShortFloat(nil, x); ok {
					short++
				}
			}
		}
	}
	for _, f := range []float64{1e-6, 1e-7, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 0.875, 12.5, 100, 1e15, shortMax,
		shortMax - 1, shortMax + 1, shortMax - 0.5, 1<<53 - 1, 1 << 53, 9.999999999999999, 1e21 - 1, 1e21, 0,
		math.Copysign(0, -1), math.NaN(), math.Inf(1),
		123456789.123456789, 0.000001234, 5e-324, math.MaxFloat64, math.SmallestNonzeroFloat64} {
		checkFloat(t, f)
		checkFloat(t, -f)
	}
	// The path must be taken, not just be harmless.
	if short < n/2 {
		t.Errorf("short path taken %d times in %d short decimals", short, n)
	}
	for _, f := range []float64{0.875, 12.5, 0.001, 1500, -3.25, 1e-6} {
		if _, ok := appendShortFloat(nil, f); !ok {
			t.Errorf("%v: short path not taken", f)
		}
	}
}

// TestAppendIntMatchesStrconv: every digit count, both signs, the
// edges of int64 and uint64, and random values.
func TestAppendIntMatchesStrconv(t *testing.T) {
	ints := []int64{0, 1, 9, 10, 99, 100, 101, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	uints := []uint64{0, 9, 10, math.MaxUint64, math.MaxUint64 - 1, 1 << 63}
	for p := uint64(1); p <= 1e19; p *= 10 {
		uints = append(uints, p-1, p, p+1)
		ints = append(ints, int64(p-1), -int64(p-1), int64(p%(1<<63)), -int64(p%(1<<63)))
		if p > math.MaxUint64/10 {
			break
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100_000 {
		uints = append(uints, rng.Uint64()>>rng.IntN(64))
		ints = append(ints, int64(rng.Uint64())>>rng.IntN(64))
	}
	prefix := []byte("x")
	for _, n := range uints {
		if got, want := string(appendUint(prefix, n)), "x"+strconv.FormatUint(n, 10); got != want {
			t.Fatalf("appendUint(%d) = %s", n, got)
		}
	}
	for _, n := range ints {
		if got, want := string(appendInt(prefix, n)), "x"+strconv.FormatInt(n, 10); got != want {
			t.Fatalf("appendInt(%d) = %s", n, got)
		}
	}
}

func FuzzAppendFloat(f *testing.F) {
	for _, x := range []float64{0.875, 12.5, 1.0 / 3, 1e-6, shortMax} {
		f.Add(math.Float64bits(x))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		checkFloat(t, math.Float64frombits(bits))
		checkTextFloat(t, math.Float64frombits(bits))
	})
}

// checkTextFloat wants appendTextFloat to write what slog.TextHandler
// does: strconv's shortest 'g'.
func checkTextFloat(t testing.TB, f float64) {
	t.Helper()
	if got, want := string(appendTextFloat(nil, f)), strconv.FormatFloat(f, 'g', -1, 64); got != want {
		t.Fatalf("appendTextFloat(%b) = %s, want %s", math.Float64bits(f), got, want)
	}
}

// TestTextFloatMatchesStrconv: short decimals around both ends of the
// plain-notation range ([1e-4, 1e6)), their neighbours, and random bits.
func TestTextFloatMatchesStrconv(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, f := range []float64{1e-4, 1e6, 999999, 999999.5, 0.0001, 0.00009, 100000, 1234567, 0.875, 12.5, 0,
		math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), 5e-324, math.MaxFloat64} {
		for _, x := range []float64{f, -f, math.Nextafter(f, 0), math.Nextafter(f, math.Inf(1))} {
			checkTextFloat(t, x)
		}
	}
	for range 200_000 {
		// Up to 10 digits times 10^-12 to 10^4: both ends of the plain
		// range and past them.
		m := rng.Uint64N(uint64(math.Pow10(1 + rng.IntN(10))))
		f, err := strconv.ParseFloat(strconv.FormatUint(m, 10)+"e"+strconv.Itoa(rng.IntN(17)-12), 64)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []float64{f, -f, math.Nextafter(f, math.Inf(1)), math.Float64frombits(rng.Uint64())} {
			checkTextFloat(t, x)
		}
	}
}
