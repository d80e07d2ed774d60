package fapilog

import "math"

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
// does when f is a short decimal, and reports ok; otherwise it appends
// nothing. f must be finite and non-zero.
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
	for k := range exactPow10 {
		m := a * exactPow10[k]
		if m >= shortMax {
			break
		}
		n := math.Round(m)
		// The first test, cheap, rules out all but the candidate; the
		// division decides.
		if math.Abs(m-n) <= m*0x1p-50 && n/exactPow10[k] == a {
			return appendDecimal(b, f < 0, uint64(n), k), true
		}
	}
	return b, false
}

// appendDecimal appends n·10⁻ᵏ in plain notation, negated if neg.
func appendDecimal(b []byte, neg bool, n uint64, k int) []byte {
	var buf [40]byte // sign, 16 digits, point, up to 22 fractional digits
	i := len(buf)
	for range k {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	if k > 0 {
		i--
		buf[i] = '.'
	}
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return append(b, buf[i:]...)
}
