package kernels

import (
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// IntRange is the predicate lo <= x <= hi over integers (or its negation
// when Neg). Every comparison of an integer, time or date column with a
// constant, and every pair of such bounds, is one IntRange in the column's
// own units, which a single pass decides.
type IntRange struct {
	Lo, Hi int64
	Neg    bool
}

// Empty reports a range no value satisfies (before negation).
func (r IntRange) Empty() bool { return r.Lo > r.Hi }

// CmpRange is `x op c` as a range. x > MaxInt64 and x < MinInt64 are empty.
func CmpRange(op CmpOp, c int64) IntRange {
	const lo, hi = math.MinInt64, math.MaxInt64
	switch op {
	case Eq:
		return IntRange{Lo: c, Hi: c}
	case Ne:
		return IntRange{Lo: c, Hi: c, Neg: true}
	case Lt:
		if c == lo {
			return IntRange{Lo: 1, Hi: 0}
		}
		return IntRange{Lo: lo, Hi: c - 1}
	case Le:
		return IntRange{Lo: lo, Hi: c}
	case Gt:
		if c == hi {
			return IntRange{Lo: 1, Hi: 0}
		}
		return IntRange{Lo: c + 1, Hi: hi}
	}
	return IntRange{Lo: c, Hi: hi}
}

// Intersect is both ranges (neither negated).
func (r IntRange) Intersect(o IntRange) IntRange {
	return IntRange{Lo: max(r.Lo, o.Lo), Hi: min(r.Hi, o.Hi)}
}

// Scale relates a column's stored integers to the microseconds (or plain
// integers) expressions compare them in: a stored v stands for v·Mul, or
// for ⌊v / Div⌋ when Div > 1. Plain integers and microsecond times have
// the unit scale.
type Scale struct{ Mul, Div int64 }

// Unit is the identity scale.
var Unit = Scale{Mul: 1, Div: 1}

// ScaleOf returns the scale of a time or date column type (Unit for
// other types).
func ScaleOf(t arrow.DataType) Scale {
	switch t.ID() {
	case arrow.DATE32:
		return Scale{Mul: DayMicros, Div: 1}
	case arrow.DATE64:
		return Scale{Mul: 1000, Div: 1}
	case arrow.TIMESTAMP:
		mul, div := TimeUnitMicros(t.(*arrow.TimestampType).Unit)
		return Scale{Mul: mul, Div: div}
	}
	return Unit
}

// Native converts a range over scaled values into the range of stored
// values that satisfy it, exactly and without overflow: v·m ∈ [lo, hi] ⇔
// v ∈ [⌈lo/m⌉, ⌊hi/m⌋], and ⌊v/d⌋ ∈ [lo, hi] ⇔ v ∈ [lo·d, hi·d + d − 1]
// (saturated at the int64 range).
func (s Scale) Native(r IntRange) IntRange {
	if r.Empty() {
		return r
	}
	switch {
	case s.Div > 1:
		d := s.Div
		lo, hi := r.Lo, r.Hi
		switch {
		case lo > math.MaxInt64/d:
			return IntRange{Lo: 1, Hi: 0, Neg: r.Neg}
		case lo < math.MinInt64/d:
			lo = math.MinInt64
		default:
			lo *= d
		}
		switch {
		case hi < math.MinInt64/d:
			return IntRange{Lo: 1, Hi: 0, Neg: r.Neg}
		case hi > (math.MaxInt64-(d-1))/d:
			hi = math.MaxInt64
		default:
			hi = hi*d + d - 1
		}
		return IntRange{Lo: lo, Hi: hi, Neg: r.Neg}
	case s.Mul > 1:
		return IntRange{Lo: CeilDiv(r.Lo, s.Mul), Hi: FloorDiv(r.Hi, s.Mul), Neg: r.Neg}
	}
	return r
}

// RangeColumn sets bit i of out where row i of a (an integer, date,
// timestamp or dictionary-index array, in its stored units) satisfies r:
// a whole pass when sel is dense, else the selected rows only. Bits of
// null rows are arbitrary: callers mask by validity. uint64 arrays take
// CmpUint64.
func RangeColumn(a arrow.Array, r IntRange, sel Sel, out []uint64) {
	n := a.Len()
	switch a := a.(type) {
	case *array.Int8:
		rangeOf[int8, uint8](a.Int8Values(), r, sel, out)
	case *array.Int16:
		rangeOf[int16, uint16](a.Int16Values(), r, sel, out)
	case *array.Int32:
		rangeOf[int32, uint32](a.Int32Values(), r, sel, out)
	case *array.Int64:
		rangeOf[int64, uint64](a.Int64Values(), r, sel, out)
	case *array.Uint8:
		rangeOf[uint8, uint8](a.Uint8Values(), r, sel, out)
	case *array.Uint16:
		rangeOf[uint16, uint16](a.Uint16Values(), r, sel, out)
	case *array.Uint32:
		rangeOf[uint32, uint32](a.Uint32Values(), r, sel, out)
	case *array.Timestamp:
		vals := a.TimestampValues()
		rangeOf[int64, uint64](*(*[]int64)(unsafe.Pointer(&vals)), r, sel, out)
	case *array.Date32:
		vals := a.Date32Values()
		rangeOf[int32, uint32](*(*[]int32)(unsafe.Pointer(&vals)), r, sel, out)
	case *array.Date64:
		vals := a.Date64Values()
		rangeOf[int64, uint64](*(*[]int64)(unsafe.Pointer(&vals)), r, sel, out)
	default:
		panic("kernels: RangeColumn over " + a.DataType().String())
	}
	TailMask(out[:Words(n)], n)
}

// RangeInts is RangeColumn over int64 values.
func RangeInts(vals []int64, r IntRange, sel Sel, out []uint64) {
	rangeOf[int64, uint64](vals, r, sel, out)
	TailMask(out[:Words(len(vals))], len(vals))
}

// sparseRatio is how much more a visited row costs than a row of a whole
// pass in the range and comparison kernels: a vector pass reads 64 values
// in a few instructions and streams memory, a visit costs a branch and a
// scattered load (measured on the demo table: a whole pass wins down to
// about 1% of the rows selected).
const sparseRatio = 128

// rangeOf clamps r to the values T can hold and runs it in T's own width:
// no widening per element.
func rangeOf[T intType, U uint8 | uint16 | uint32 | uint64](vals []T, r IntRange, sel Sel, out []uint64) {
	width, minBits, signed := intBits[T]()
	tmin, tmax := int64(0), int64(math.MaxInt64)
	if signed {
		tmin, tmax = -int64(minBits), int64(minBits)-1
	} else if width < 64 {
		tmax = int64(^uint64(0) >> (64 - width))
	}
	lo, hi := max(r.Lo, tmin), min(r.Hi, tmax)
	nw := Words(len(vals))
	if lo > hi {
		if r.Neg {
			Fill(out[:nw])
		} else {
			clear(out[:nw])
		}
		return
	}
	if sel.Dense(len(vals), sparseRatio) {
		inRange[T, U](vals, T(lo), T(hi), out)
	} else {
		sparseRange[T, U](vals, T(lo), T(hi), sel, out)
	}
	if r.Neg {
		for w := range out[:nw] {
			out[w] = ^out[w]
		}
	}
}

// sparseRange tests the selected rows only; other bits are cleared.
func sparseRange[T intType, U uint8 | uint16 | uint32 | uint64](vals []T, lo, hi T, sel Sel, out []uint64) {
	width, base := U(hi)-U(lo), U(lo)
	for w, s := range sel.W {
		var bits uint64
		for x := s; x != 0; x &= x - 1 {
			j := trailingZeros(x)
			bits |= B2U(U(vals[w<<6+j])-base <= width) << uint(j)
		}
		out[w] = bits
	}
}

// inRange sets bit i where lo <= vals[i] <= hi (lo <= hi) with one
// unsigned compare in T's width (U is T's unsigned counterpart), unrolled
// by eight with constant shifts; whole words by the vector kernel where
// available.
func inRange[T intType, U uint8 | uint16 | uint32 | uint64](vals []T, lo, hi T, out []uint64) {
	done := gtWords(vals, rangeGtPred(lo, hi), out)
	vals, out = vals[done:], out[done>>6:]
	width, base := U(hi)-U(lo), U(lo)
	n := len(vals)
	full := n &^ 63
	for w := 0; w < full>>6; w++ {
		chunk := vals[w<<6 : w<<6+64 : w<<6+64]
		var bits uint64
		for j := 0; j < 64; j += 8 {
			x := chunk[j : j+8 : j+8]
			bits |= (B2U(U(x[0])-base <= width) | B2U(U(x[1])-base <= width)<<1 | B2U(U(x[2])-base <= width)<<2 | B2U(U(x[3])-base <= width)<<3 |
				B2U(U(x[4])-base <= width)<<4 | B2U(U(x[5])-base <= width)<<5 | B2U(U(x[6])-base <= width)<<6 | B2U(U(x[7])-base <= width)<<7) << uint(j)
		}
		out[w] = bits
	}
	if full < n {
		var bits uint64
		for j, x := range vals[full:] {
			bits |= B2U(U(x)-base <= width) << uint(j)
		}
		out[full>>6] = bits
	}
}

// CmpUint64 compares a uint64 column with an int64 constant exactly: a
// negative constant is below every value.
func CmpUint64(a *array.Uint64, op CmpOp, c int64, sel Sel, out []uint64) {
	vals := a.Uint64Values()
	nw := Words(len(vals))
	if c < 0 {
		switch op {
		case Ne, Gt, Ge:
			FillN(out[:nw], len(vals))
		default:
			clear(out[:nw])
		}
		return
	}
	uc := uint64(c)
	if sel.Dense(len(vals), sparseRatio) {
		done := 0
		if p, ok := compareGtPred(op, uc); ok {
			done = gtWords(vals, p, out)
		}
		if done < len(vals) {
			cmpConst(op, vals[done:], uc, out[done>>6:])
		}
	} else {
		for w, s := range sel.W {
			var bits uint64
			for x := s; x != 0; x &= x - 1 {
				j := trailingZeros(x)
				bits |= B2U(op.Holds(cmpU64(vals[w<<6+j], uc))) << uint(j)
			}
			out[w] = bits
		}
	}
	TailMask(out[:nw], len(vals))
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// FloatColumn sets bit i of out where row i of a float32 or float64 array
// satisfies p. Bits of null rows are arbitrary.
func FloatColumn(a arrow.Array, p FloatPred, sel Sel, out []uint64) {
	switch a := a.(type) {
	case *array.Float64:
		FloatRange(a.Float64Values(), p, sel, out)
	case *array.Float32:
		vals := a.Float32Values()
		for w := range Words(len(vals)) {
			s := sel.Word(w, len(vals))
			var bits uint64
			for x := s; x != 0; x &= x - 1 {
				j := trailingZeros(x)
				bits |= B2U(p.Holds(float64(vals[w<<6+j]))) << uint(j)
			}
			out[w] = bits
		}
	default:
		panic("kernels: FloatColumn over " + a.DataType().String())
	}
}

// FloatRange sets bit i of out where vals[i] satisfies p.
func FloatRange(vals []float64, p FloatPred, sel Sel, out []uint64) {
	nw := Words(len(vals))
	if !sel.Dense(len(vals), sparseRatio) {
		for w, s := range sel.W {
			var bits uint64
			for x := s; x != 0; x &= x - 1 {
				j := trailingZeros(x)
				bits |= B2U(p.Holds(vals[w<<6+j])) << uint(j)
			}
			out[w] = bits
		}
		return
	}
	done := floatWords(vals, p, out)
	rest, o := vals[done:], out[done>>6:]
	lo, hi := p.lo, p.hi
	in := func(x float64) uint64 { return B2U(x >= lo) & B2U(x <= hi) }
	full := len(rest) &^ 63
	for w := 0; w < full>>6; w++ {
		chunk := rest[w<<6 : w<<6+64 : w<<6+64]
		var bits uint64
		for j := 0; j < 64; j += 8 {
			x := chunk[j : j+8 : j+8]
			bits |= (in(x[0]) | in(x[1])<<1 | in(x[2])<<2 | in(x[3])<<3 |
				in(x[4])<<4 | in(x[5])<<5 | in(x[6])<<6 | in(x[7])<<7) << uint(j)
		}
		o[w] = bits
	}
	if full < len(rest) {
		var bits uint64
		for j, x := range rest[full:] {
			bits |= in(x) << uint(j)
		}
		o[full>>6] = bits
	}
	if p.nan != 0 || p.inv != 0 {
		for w := range o[:Words(len(rest))] {
			var nan uint64
			if p.nan != 0 {
				chunk := rest[w<<6 : min(w<<6+64, len(rest))]
				for j, x := range chunk {
					nan |= B2U(x != x) << uint(j)
				}
			}
			o[w] = (o[w] | nan) ^ p.inv
		}
	}
	TailMask(out[:nw], len(vals))
}
