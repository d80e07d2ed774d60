package fapilog

import (
	"math"
	"math/bits"
	"slices"
)

// Numbers are most of a record's values, so the encoder formats them
// itself: strconv's general routines cost more than the common cases need.

// digitPairs holds "00" to "99", for writing integers two digits at a time.
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// appendInt appends n in decimal, as strconv.AppendInt(b, n, 10) does.
func appendInt(b []byte, n int64) []byte {
	u := uint64(n)
	if n < 0 {
		b = append(b, '-')
		u = -u
	}
	return appendUint(b, u)
}

// appendUint appends n in decimal, as strconv.AppendUint(b, n, 10) does,
// writing the digits in place rather than through a scratch buffer.
func appendUint(b []byte, n uint64) []byte {
	if n < 10 {
		return append(b, byte('0'+n))
	}
	return appendDigits(b, n, decimalLen(n))
}

// appendDigits appends the last d decimal digits of n, zero-padded on
// the left.
func appendDigits(b []byte, n uint64, d int) []byte {
	l := len(b)
	if cap(b)-l < d {
		b = slices.Grow(b, d)
	}
	b = b[:l+d] // not zeroed first: putDigits writes every byte
	putDigits(b[l:], n)
	return b
}

// putDigits writes the last len(dst) decimal digits of n into dst,
// zero-padded on the left, two at a time from the right.
func putDigits(dst []byte, n uint64) {
	i := len(dst)
	for ; i >= 2; i -= 2 {
		q := n / 100
		r := (n - q*100) * 2
		n = q
		dst[i-2], dst[i-1] = digitPairs[r], digitPairs[r+1]
	}
	if i == 1 {
		dst[0] = byte('0' + n%10)
	}
}

// decimalLen returns the number of decimal digits of n.
func decimalLen(n uint64) int {
	// 1233/4096 approximates log10(2); the guess is exact or one too many.
	d := (bits.Len64(n) * 1233) >> 12
	if d < len(pow10u) && n < pow10u[d] {
		return d
	}
	return d + 1
}

// pow10u holds the powers of ten that fit a uint64.
var pow10u = [...]uint64{
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// Most floats that get logged are short decimals (0.875, 12.5, 0.25 s),
// and strconv's shortest formatting spends as long on them as on any
// other float. A short decimal is recognised in a few multiplications,
// and its digits are those of an integer.

// exactPow10 holds the powers of ten that a float64 represents exactly.
var exactPow10 = [...]float64{
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
}

// shortMax bounds the scaled value n = a·10^k: below it, the float
// nearest a·10^k is within a quarter of the integer n, so rounding it
// finds the only candidate with k fractional digits.
const shortMax = 1 << 50

// appendShortFloat appends f as strconv.AppendFloat(b, f, 'f', -1, 64)
// does when f is a short decimal, and reports ok; otherwise (and for
// zero, whose sign strconv keeps) it appends nothing. f must be finite.
//
// For k = 0, 1, 2, … it rounds a = |f|·10^k to an integer n, while
// n < shortMax. The decimal n·10⁻ᵏ reads back as f exactly when the
// division n/10^k, correctly rounded by IEEE 754 with both operands
// exact, gives a: that is how strconv.ParseFloat reads such a decimal
// (Clinger's fast path). The first such k is the fewest fractional
// digits that reads back as f, which is strconv's shortest form; below
// shortMax no second candidate with k digits can read back as f.
func appendShortFloat(b []byte, f float64) ([]byte, bool) {
	a := math.Abs(f)
	if a == 0 {
		return b, false
	}
	for k := range exactPow10 {
		m := a * exactPow10[k]
		if m >= shortMax {
			break
		}
		// Rounded half up by truncation: m+0.5 is exact below shortMax.
		u := uint64(int64(m + 0.5))
		n := float64(u)
		// The first test, cheap, rules out all but the candidate; the
		// division decides.
		if math.Abs(m-n) <= m*0x1p-50 && n/exactPow10[k] == a {
			return appendDecimal(b, f < 0, u, k), true
		}
	}
	return b, false
}

// appendDecimal appends n·10⁻ᵏ in plain notation, negated if neg. n is
// below shortMax, so for k past pow10u the integer part is 0.
func appendDecimal(b []byte, neg bool, n uint64, k int) []byte {
	if neg {
		b = append(b, '-')
	}
	if k == 0 {
		return appendUint(b, n)
	}
	var whole uint64
	if k < len(pow10u) {
		whole, n = n/pow10u[k], n%pow10u[k]
	}
	b = append(appendUint(b, whole), '.')
	return appendDigits(b, n, k) // the fraction, with its leading zeros
}
