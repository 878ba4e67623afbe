package engine

import (
	"math"
	"unsafe"

	"github.com/segql/segql/lang/ast"
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
	int8 | int16 | int32 | int64 | uint8 | uint16 | uint32
}

// compareGtPred maps `x op c` onto the kernels' shape; ok is false when
// the result does not depend on x (x >= min, x < min), which the portable
// loops handle.
func compareGtPred[T intType](op ast.CompareOp, c T) (p gtPred, ok bool) {
	width, min, signed := intBits[T]()
	mask := ^uint64(0) >> (64 - width)
	sign := uint64(1) << (width - 1)
	cb := uint64(c) & mask
	if !signed {
		p.flip = sign // unsigned order is signed order with the sign bit flipped
	}
	switch op {
	case ast.Gt, ast.Le: // x > c, and its negation
		p.k = cb ^ p.flip
		if op == ast.Le {
			p.inv = ^uint64(0)
		}
	case ast.Ge, ast.Lt: // x > c-1, and its negation
		if cb == min {
			return p, false
		}
		p.k = ((cb - 1) & mask) ^ p.flip
		if op == ast.Lt {
			p.inv = ^uint64(0)
		}
	case ast.Eq, ast.Ne: // x - c != 0 reads as ((x - c) ^ sign) > min-as-signed
		p.sub, p.flip, p.k = cb, sign, sign
		if op == ast.Eq {
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
func cmpIntConst[T intType](op ast.CompareOp, vals []T, c T, out []uint64) {
	done := 0
	if p, ok := compareGtPred(op, c); ok {
		done = gtWords(vals, p, out)
	}
	if done < len(vals) {
		cmpConst(op, vals[done:], c, out[done>>6:])
	}
}

// floatPred is a float comparison as the float kernel's closed range, with
// NaN rows selected when nan is set and the result inverted by inv.
type floatPred struct {
	lo, hi   float64
	nan, inv uint64
}

// floatComparePred maps `x op c` (c not NaN) with NaN sorting above
// everything: NaN satisfies >, >= and != and nothing else. x > c is
// x >= the next float above c.
func floatComparePred(op ast.CompareOp, c float64) floatPred {
	inf, all := math.Inf(1), ^uint64(0)
	switch op {
	case ast.Gt:
		if math.IsInf(c, 1) {
			return floatPred{lo: inf, hi: -inf, nan: all} // only NaN
		}
		return floatPred{lo: math.Nextafter(c, inf), hi: inf, nan: all}
	case ast.Ge:
		return floatPred{lo: c, hi: inf, nan: all}
	case ast.Lt:
		if math.IsInf(c, -1) {
			return floatPred{lo: inf, hi: -inf}
		}
		return floatPred{lo: -inf, hi: math.Nextafter(c, -inf)}
	case ast.Le:
		return floatPred{lo: -inf, hi: c}
	case ast.Eq:
		return floatPred{lo: c, hi: c}
	}
	return floatPred{lo: c, hi: c, inv: all} // !=: NaN is not equal, so selected
}

// floatWords runs the float kernel over vals' whole words and returns how
// many values it covered (0 without AVX2).
func floatWords(vals []float64, p floatPred, out []uint64) int {
	nw := len(vals) >> 6
	if !useSIMD || nw == 0 {
		return 0
	}
	rangeWordsF64(&out[0], unsafe.SliceData(vals), nw, p.lo, p.hi, p.nan, p.inv)
	return nw << 6
}
