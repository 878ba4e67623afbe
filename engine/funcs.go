package engine

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Per-element semantics shared by the vectorized kernels and the scalar
// evaluator, so batch and single-user evaluation agree by construction.

const dayMicros = 86400e6

// floorDiv divides rounding toward negative infinity.
func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// ceilDiv divides rounding toward positive infinity (b > 0), for every a
// including math.MinInt64.
func ceilDiv(a, b int64) int64 {
	q := floorDiv(a, b)
	if a%b != 0 {
		q++
	}
	return q
}

func daysSince(now, t int64) int64 { return floorDiv(now-t, dayMicros) }

func utcTime(us int64) time.Time { return time.UnixMicro(us).UTC() }

func yearOf(us int64) int64  { return int64(utcTime(us).Year()) }
func monthOf(us int64) int64 { return int64(utcTime(us).Month()) }

// isoDOW is the ISO day of week: 1 = Monday … 7 = Sunday.
func isoDOW(us int64) int64 {
	d := floorDiv(us, dayMicros) // 1970-01-01 was a Thursday (4)
	return (d+3)%7 + 1 + 7*boolI64((d+3)%7 < 0)
}

func boolI64(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// roundHalfAway rounds to d decimal places, halves away from zero.
func roundFloat(x float64, d int64) float64 {
	if d == 0 {
		return math.Round(x)
	}
	if d > 308 || d < -308 || math.IsInf(x, 0) || math.IsNaN(x) {
		if d > 0 {
			return x
		}
		return 0 * x
	}
	p := math.Pow(10, float64(d))
	r := math.Round(x*p) / p
	if math.IsInf(r, 0) || math.IsNaN(r) {
		return x
	}
	return r
}

// roundInt rounds an integer to d decimal places (d < 0 rounds to tens,
// hundreds, …); ok is false on overflow.
func roundInt(x, d int64) (int64, bool) {
	if d >= 0 {
		return x, true
	}
	if d < -18 {
		return 0, true
	}
	p := int64(math.Pow10(int(-d)))
	q, r := x/p, x%p
	if 2*abs64(r) >= p {
		if x < 0 {
			q--
		} else {
			q++
		}
	}
	v := q * p
	if v/p != q {
		return 0, false
	}
	return v, true
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func runeLen(b []byte) int64 { return int64(utf8.RuneCount(b)) }

// lowerBytes appends s lower-cased to dst; ASCII input does not allocate.
func lowerBytes(dst, s []byte) []byte {
	if !isASCII(s) {
		return append(dst, strings.ToLower(string(s))...)
	}
	for _, c := range s {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// upperBytes appends s upper-cased to dst; ASCII input does not allocate.
func upperBytes(dst, s []byte) []byte {
	if !isASCII(s) {
		return append(dst, strings.ToUpper(string(s))...)
	}
	for _, c := range s {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func isASCII(s []byte) bool {
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// addOverflows reports whether a+b overflows int64, likewise sub and mul.
func addOverflows(a, b, s int64) bool { return (a^s)&(b^s) < 0 }
func subOverflows(a, b, s int64) bool { return (a^b)&(a^s) < 0 }
func mulOverflows(a, b, p int64) bool {
	if a == 0 || b == 0 {
		return false
	}
	return p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64)
}
