package kernels

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Per-element semantics, shared by the vector kernels and the row
// evaluator so that batch and single-user evaluation agree by
// construction.

// DayMicros is one day in microseconds.
const DayMicros int64 = 86_400_000_000

// FloorDiv divides rounding toward negative infinity (b != 0).
func FloorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// CeilDiv divides rounding toward positive infinity (b > 0), for every a
// including math.MinInt64.
func CeilDiv(a, b int64) int64 {
	q := FloorDiv(a, b)
	if a%b != 0 {
		q++
	}
	return q
}

// DaysSince is whole days from t to now, rounded down; ok is false when
// now - t overflows int64 (t within about 292,000 years of the int64 edge).
func DaysSince(now, t int64) (int64, bool) {
	d := now - t
	if SubOverflows(now, t, d) {
		return 0, false
	}
	return FloorDiv(d, DayMicros), true
}

// CivilFromDays converts days since 1970-01-01 to a proleptic Gregorian
// year, month (1–12) and day (1–31), for every int64 day count that a
// microsecond timestamp can produce (Howard Hinnant's algorithm).
func CivilFromDays(z int64) (year, month, day int64) {
	z += 719468
	era := FloorDiv(z, 146097)
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	year = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100) // [0, 365]
	mp := (5*doy + 2) / 153                  // [0, 11]
	day = doy - (153*mp+2)/5 + 1
	month = mp + 3
	if mp >= 10 {
		month = mp - 9
	}
	if month <= 2 {
		year++
	}
	return year, month, day
}

// DaysFromCivil is CivilFromDays' inverse: the days since 1970-01-01 of a
// year, month and day.
func DaysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := FloorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// Year is the UTC calendar year of a time in microseconds.
func Year(us int64) int64 { y, _, _ := CivilFromDays(FloorDiv(us, DayMicros)); return y }

// Month is the UTC calendar month (1–12) of a time in microseconds.
func Month(us int64) int64 { _, m, _ := CivilFromDays(FloorDiv(us, DayMicros)); return m }

// ISODOW is the ISO day of week of a time in microseconds: 1 = Monday …
// 7 = Sunday (1970-01-01 was a Thursday).
func ISODOW(us int64) int64 { return DayOfWeek(FloorDiv(us, DayMicros)) }

// DayOfWeek is ISODOW for a day count.
func DayOfWeek(days int64) int64 {
	r := (days + 3) % 7
	if r < 0 {
		r += 7
	}
	return r + 1
}

// RoundFloat rounds to d decimal places, halves away from zero.
func RoundFloat(x float64, d int64) float64 {
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

// RoundInt rounds an integer to d decimal places (d < 0 rounds to tens,
// hundreds, …); ok is false on overflow.
func RoundInt(x, d int64) (int64, bool) {
	if d >= 0 {
		return x, true
	}
	if d < -18 {
		return 0, true
	}
	p := int64(math.Pow10(int(-d)))
	q, r := x/p, x%p
	if 2*Abs64(r) >= p {
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

// Abs64 is |x| (math.MinInt64 stays itself: callers check).
func Abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// AddOverflows reports whether a+b overflowed to s; likewise Sub and Mul.
func AddOverflows(a, b, s int64) bool { return (a^s)&(b^s) < 0 }

// SubOverflows reports whether a-b overflowed to s.
func SubOverflows(a, b, s int64) bool { return (a^b)&(a^s) < 0 }

// MulOverflows reports whether a*b overflowed to p.
func MulOverflows(a, b, p int64) bool {
	if a == 0 || b == 0 {
		return false
	}
	return p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64)
}

// IntResult is the outcome of integer arithmetic on one element.
type IntResult uint8

// Integer arithmetic outcomes.
const (
	IntOK       IntResult = iota
	IntNull               // modulo by zero
	IntOverflow           // beyond int64: an evaluation error
)

// IntArith computes x op y for integers, times and durations (op is not
// Div: division is always floating-point).
func IntArith(op ArithOp, x, y int64) (int64, IntResult) {
	switch op {
	case Add:
		r := x + y
		if AddOverflows(x, y, r) {
			return 0, IntOverflow
		}
		return r, IntOK
	case Sub:
		r := x - y
		if SubOverflows(x, y, r) {
			return 0, IntOverflow
		}
		return r, IntOK
	case Mul:
		r := x * y
		if MulOverflows(x, y, r) {
			return 0, IntOverflow
		}
		return r, IntOK
	case Mod:
		switch {
		case y == 0:
			return 0, IntNull
		case y == -1 && x == math.MinInt64: // DuckDB divides first: -2⁶³ / -1 overflows
			return 0, IntOverflow
		case y == -1:
			return 0, IntOK
		}
		return x % y, IntOK
	}
	return 0, IntNull
}

// FloatArith computes x op y; ok is false for division or modulo by zero,
// whose result is null.
func FloatArith(op ArithOp, x, y float64) (float64, bool) {
	switch op {
	case Add:
		return x + y, true
	case Sub:
		return x - y, true
	case Mul:
		return x * y, true
	case Div:
		return x / y, y != 0
	}
	return math.Mod(x, y), y != 0
}

// RuneLen is the number of characters (code points) of s.
func RuneLen(b []byte) int64 { return int64(utf8.RuneCount(b)) }

// LowerBytes appends s lower-cased to dst; ASCII input does not allocate.
func LowerBytes(dst, s []byte) []byte {
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

// Upper is s upper-cased as DuckDB's upper does it: Go's Unicode mapping
// except that ß becomes ẞ (U+1E9E), which Go leaves as it is — the only
// code point where the two differ (conformance TestCaseMappingMatchesDuckDB
// compares them all).
func Upper(s string) string {
	u := strings.ToUpper(s)
	if strings.Contains(u, "ß") {
		u = strings.ReplaceAll(u, "ß", "ẞ")
	}
	return u
}

// UpperBytes appends s upper-cased to dst (see Upper); ASCII input does
// not allocate.
func UpperBytes(dst, s []byte) []byte {
	if !isASCII(s) {
		return append(dst, Upper(string(s))...)
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
