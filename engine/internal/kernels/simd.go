package kernels

import (
	"math"
	"unsafe"
)

// The vector kernels (simd_amd64.s) evaluate one shape over whole words of
// 64 values,
//
//	bit = inv XOR (((x - sub) XOR flip) > k)
//
// signed and wrapping in the values' width. gtPred maps each comparison
// onto it; every result equals the portable loops' (simd_test.go checks
// both paths value for value).

// gtPred is a comparison in the kernels' shape: bit patterns in the
// values' width (the kernels truncate them).
type gtPred struct {
	sub, flip, k uint64
	inv          uint64
}

// intBits describes T: its width in bits, the bit pattern of its minimum
// value and whether it is signed.
func intBits[T intType]() (width uint, min uint64, signed bool) {
	var zero T
	width = uint(unsafe.Sizeof(zero)) * 8
	signed = ^zero < 0
	if signed {
		min = 1 << (width - 1)
	}
	return width, min, signed
}

// intType is every integer type a column kernel reads.
type intType interface {
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64
}

// compareGtPred maps `x op c` onto the kernels' shape; ok is false when
// the result does not depend on x (x >= min, x < min), which the portable
// loops handle.
func compareGtPred[T intType](op CmpOp, c T) (p gtPred, ok bool) {
	width, min, signed := intBits[T]()
	mask := ^uint64(0) >> (64 - width)
	sign := uint64(1) << (width - 1)
	cb := uint64(c) & mask
	if !signed {
		p.flip = sign // unsigned order is signed order with the sign bit flipped
	}
	switch op {
	case Gt, Le: // x > c, and its negation
		p.k = cb ^ p.flip
		if op == Le {
			p.inv = ^uint64(0)
		}
	case Ge, Lt: // x > c-1, and its negation
		if cb == min {
			return p, false
		}
		p.k = ((cb - 1) & mask) ^ p.flip
		if op == Lt {
			p.inv = ^uint64(0)
		}
	case Eq, Ne: // x - c != 0 reads as ((x - c) ^ sign) > min-as-signed
		p.sub, p.flip, p.k = cb, sign, sign
		if op == Eq {
			p.inv = ^uint64(0)
		}
	default:
		return p, false
	}
	return p, true
}

// rangeGtPred maps lo <= x <= hi (lo <= hi) onto the kernels' shape:
// x - lo <= hi - lo unsigned, the negation of a signed > after flipping
// the sign bits.
func rangeGtPred[T intType](lo, hi T) gtPred {
	width, _, _ := intBits[T]()
	mask := ^uint64(0) >> (64 - width)
	sign := uint64(1) << (width - 1)
	l, h := uint64(lo)&mask, uint64(hi)&mask
	return gtPred{sub: l, flip: sign, k: ((h - l) & mask) ^ sign, inv: ^uint64(0)}
}

// gtWords runs the kernel for T's width over vals' whole words and
// returns how many values it covered (a multiple of 64; 0 without AVX2).
func gtWords[T intType](vals []T, p gtPred, out []uint64) int {
	nw := len(vals) >> 6
	if !useSIMD || nw == 0 {
		return 0
	}
	ptr := unsafe.Pointer(unsafe.SliceData(vals))
	switch unsafe.Sizeof(vals[0]) {
	case 1:
		gtWords8(&out[0], (*int8)(ptr), nw, int8(p.sub), int8(p.flip), int8(p.k), p.inv)
	case 2:
		gtWords16(&out[0], (*int16)(ptr), nw, int16(p.sub), int16(p.flip), int16(p.k), p.inv)
	case 4:
		gtWords32(&out[0], (*int32)(ptr), nw, int32(p.sub), int32(p.flip), int32(p.k), p.inv)
	default:
		gtWords64(&out[0], (*int64)(ptr), nw, int64(p.sub), int64(p.flip), int64(p.k), p.inv)
	}
	return nw << 6
}

// cmpIntConst sets bit i of out where vals[i] op c: whole words by the
// vector kernel where available, the rest by cmpConst.
func cmpIntConst[T intType](op CmpOp, vals []T, c T, out []uint64) {
	done := 0
	if p, ok := compareGtPred(op, c); ok {
		done = gtWords(vals, p, out)
	}
	if done < len(vals) {
		cmpConst(op, vals[done:], c, out[done>>6:])
	}
}

// FloatPred is a float predicate in the float kernel's shape: a closed
// range, with NaN rows selected when nan is set, the result inverted by
// inv: bit = inv XOR ((lo <= x && x <= hi) || (nan != 0 && x is NaN)).
type FloatPred struct {
	lo, hi   float64
	nan, inv uint64
}

// FloatRangePred is lo <= x <= hi (NaN above every number: it satisfies
// the range only when hi is NaN).
func FloatRangePred(lo, hi float64) FloatPred {
	inf, all := math.Inf(1), ^uint64(0)
	switch {
	case lo != lo: // NaN <= x: only NaN
		if hi != hi {
			return FloatPred{lo: inf, hi: -inf, nan: all}
		}
		return FloatPred{lo: inf, hi: -inf}
	case hi != hi: // x <= NaN: every value from lo up, and NaN
		return FloatPred{lo: lo, hi: inf, nan: all}
	}
	return FloatPred{lo: lo, hi: hi}
}

// And is both predicates, when neither is inverted.
func (p FloatPred) And(q FloatPred) (FloatPred, bool) {
	if p.inv != 0 || q.inv != 0 {
		return FloatPred{}, false
	}
	return FloatPred{lo: max(p.lo, q.lo), hi: min(p.hi, q.hi), nan: p.nan & q.nan}, true
}

// Holds evaluates the predicate for one value (the portable form).
func (p FloatPred) Holds(x float64) bool {
	in := (x >= p.lo && x <= p.hi) || (p.nan != 0 && x != x)
	return in != (p.inv != 0)
}

// FloatCmpPred maps `x op c` with NaN sorting above everything: against
// a number, NaN satisfies >, >= and != and nothing else; against NaN, only
// NaN is equal. x > c is x >= the next float above c.
func FloatCmpPred(op CmpOp, c float64) FloatPred {
	inf, all := math.Inf(1), ^uint64(0)
	if c != c {
		switch op {
		case Eq, Ge:
			return FloatPred{lo: inf, hi: -inf, nan: all}
		case Gt:
			return FloatPred{lo: inf, hi: -inf}
		case Le:
			return FloatPred{lo: -inf, hi: inf, nan: all}
		}
		return FloatPred{lo: inf, hi: -inf, nan: all, inv: all} // <, !=: every number
	}
	switch op {
	case Gt:
		if math.IsInf(c, 1) {
			return FloatPred{lo: inf, hi: -inf, nan: all} // only NaN
		}
		return FloatPred{lo: math.Nextafter(c, inf), hi: inf, nan: all}
	case Ge:
		return FloatPred{lo: c, hi: inf, nan: all}
	case Lt:
		if math.IsInf(c, -1) {
			return FloatPred{lo: inf, hi: -inf}
		}
		return FloatPred{lo: -inf, hi: math.Nextafter(c, -inf)}
	case Le:
		return FloatPred{lo: -inf, hi: c}
	case Eq:
		return FloatPred{lo: c, hi: c}
	}
	return FloatPred{lo: c, hi: c, inv: all} // !=: NaN is not equal, so selected
}

// floatWords runs the float kernel over vals' whole words and returns how
// many values it covered (0 without AVX2).
func floatWords(vals []float64, p FloatPred, out []uint64) int {
	nw := len(vals) >> 6
	if !useSIMD || nw == 0 {
		return 0
	}
	rangeWordsF64(&out[0], unsafe.SliceData(vals), nw, p.lo, p.hi, p.nan, p.inv)
	return nw << 6
}

// SIMD reports whether the AVX2 kernels run on this machine and build.
func SIMD() bool { return useSIMD }

// SetSIMD turns the vector kernels on or off (off: the portable loops) and
// returns a function that restores the previous setting. Tests use it to
// compare both paths; it must not be called while kernels run.
func SetSIMD(on bool) (restore func()) {
	saved := useSIMD
	useSIMD = on && saved
	return func() { useSIMD = saved }
}
