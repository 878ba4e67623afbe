package kernels

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Truth codes of a per-dictionary-entry table.
const (
	CodeFalse   uint8 = 0
	CodeTrue    uint8 = 1
	CodeUnknown uint8 = 2
)

// CodeRun is an inclusive range of dictionary codes (or integers).
type CodeRun struct{ Lo, Hi int64 }

// MaxCodeRuns bounds the range passes a predicate makes over a batch's
// codes before a lookup per row is cheaper.
const MaxCodeRuns = 8

// TrueRuns returns the runs of TRUE entries of a per-entry table (reusing
// dst); ok is false when an entry is neither TRUE nor FALSE or there are
// more than MaxCodeRuns runs.
func TrueRuns(table []uint8, dst []CodeRun) (runs []CodeRun, ok bool) {
	runs = dst[:0]
	for i := 0; i < len(table); {
		switch table[i] {
		case CodeFalse:
			i++
			continue
		case CodeTrue:
		default: // UNKNOWN, or an entry that failed
			return runs, false
		}
		j := i
		for j+1 < len(table) && table[j+1] == CodeTrue {
			j++
		}
		if len(runs) == MaxCodeRuns {
			return runs, false
		}
		runs = append(runs, CodeRun{int64(i), int64(j)})
		i = j + 1
	}
	return runs, true
}

// SelectRuns sets the bits of rows whose stored value (of an integer,
// time or date column, or a dictionary's indices) lies in one of the runs,
// clearing the others. A null row may get any bit: callers mask it.
// scratch is returned for reuse.
func SelectRuns(bits []uint64, idx arrow.Array, runs []CodeRun, sel Sel, scratch []uint64) []uint64 {
	if len(runs) == 0 {
		clear(bits)
		return scratch
	}
	for i, r := range runs {
		if i == 0 {
			RangeColumn(idx, IntRange{Lo: r.Lo, Hi: r.Hi}, sel, bits)
			continue
		}
		scratch = Grow(scratch, len(bits))
		RangeColumn(idx, IntRange{Lo: r.Lo, Hi: r.Hi}, sel, scratch)
		for w := range bits {
			bits[w] |= scratch[w]
		}
	}
	return scratch
}

// IsIndexType reports dictionary indices RangeColumn reads (every integer
// type but uint64).
func IsIndexType(idx arrow.Array) bool {
	switch idx.DataType().ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		return true
	}
	return false
}

// GatherCodes maps each selected row's dictionary code through a
// per-entry truth table into TRUE and UNKNOWN bits. Codes of null rows may
// be anything (out of range included): callers replace those rows.
func GatherCodes(t, unknown []uint64, idx arrow.Array, table []uint8, sel Sel) {
	if len(table) <= 64 {
		var maskT, maskU uint64
		for i, r := range table {
			maskT |= uint64(r&1) << uint(i)
			maskU |= uint64(r>>1) << uint(i)
		}
		gatherBy(t, unknown, idx, sel, maskT, maskU, table)
		return
	}
	gatherBy(t, unknown, idx, sel, 0, 0, table)
}

// gatherBy dispatches on the index type.
func gatherBy(t, unknown []uint64, idx arrow.Array, sel Sel, maskT, maskU uint64, table []uint8) {
	small := len(table) <= 64
	switch a := idx.(type) {
	case *array.Int8:
		gather(t, unknown, a.Int8Values(), sel, small, maskT, maskU, table)
	case *array.Int16:
		gather(t, unknown, a.Int16Values(), sel, small, maskT, maskU, table)
	case *array.Int32:
		gather(t, unknown, a.Int32Values(), sel, small, maskT, maskU, table)
	case *array.Int64:
		gather(t, unknown, a.Int64Values(), sel, small, maskT, maskU, table)
	case *array.Uint8:
		gather(t, unknown, a.Uint8Values(), sel, small, maskT, maskU, table)
	case *array.Uint16:
		gather(t, unknown, a.Uint16Values(), sel, small, maskT, maskU, table)
	case *array.Uint32:
		gather(t, unknown, a.Uint32Values(), sel, small, maskT, maskU, table)
	case *array.Uint64:
		gather(t, unknown, a.Uint64Values(), sel, small, maskT, maskU, table)
	default:
		panic("kernels: dictionary index " + idx.DataType().String())
	}
}

// gather reads each row's entry: for dictionaries of at most 64 entries
// two 64-bit masks replace the table, so a row costs two shifts with no
// lookup and no branch (a code of 64 or more can only belong to a null
// row); larger tables are indexed, with out-of-range codes skipped.
func gather[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](t, unknown []uint64, codes []T, sel Sel, small bool, maskT, maskU uint64, table []uint8) {
	n := len(codes)
	dense := sel.Dense(n, 4)
	for w := 0; w < Words(n); w++ {
		base := w << 6
		var tw, uw uint64
		if dense {
			chunk := codes[base:min(base+64, n)]
			if small {
				for j, code := range chunk {
					c := uint64(code) & 63
					tw |= (maskT >> c & 1) << uint(j)
					uw |= (maskU >> c & 1) << uint(j)
				}
			} else {
				for j, code := range chunk {
					if uint64(code) < uint64(len(table)) {
						r := table[code]
						tw |= uint64(r&1) << uint(j)
						uw |= uint64(r>>1) << uint(j)
					}
				}
			}
		} else {
			for x := sel.W[w]; x != 0; x &= x - 1 {
				j := trailingZeros(x)
				code := uint64(codes[base+j])
				if code < uint64(len(table)) {
					r := table[code]
					tw |= uint64(r&1) << uint(j)
					uw |= uint64(r>>1) << uint(j)
				}
			}
		}
		t[w], unknown[w] = tw, uw
	}
}

// CodesOf widens a dictionary's indices to int32 into dst, for string
// views of dictionary columns: rows that are null (valid is nil when none
// are) or whose code is not an entry of a dictionary of size entries get
// -1, which StrVec.At reads as empty.
func CodesOf(idx arrow.Array, valid []uint64, entries int, dst []int32) []int32 {
	n := idx.Len()
	dst = Grow(dst, n)
	switch a := idx.(type) {
	case *array.Int32:
		copy(dst, a.Int32Values())
	case *array.Int8:
		widenTo(dst, a.Int8Values())
	case *array.Int16:
		widenTo(dst, a.Int16Values())
	case *array.Int64:
		widenTo(dst, a.Int64Values())
	case *array.Uint8:
		widenTo(dst, a.Uint8Values())
	case *array.Uint16:
		widenTo(dst, a.Uint16Values())
	case *array.Uint32:
		widenTo(dst, a.Uint32Values())
	case *array.Uint64:
		widenTo(dst, a.Uint64Values())
	}
	for i, c := range dst {
		if c < 0 || int(c) >= entries || (valid != nil && !BitAt(valid, i)) {
			dst[i] = -1
		}
	}
	return dst
}

func widenTo[T int8 | int16 | int64 | uint8 | uint16 | uint32 | uint64](dst []int32, src []T) {
	for i, x := range src {
		if uint64(x) > 1<<31-1 {
			dst[i] = -1
			continue
		}
		dst[i] = int32(x)
	}
}
