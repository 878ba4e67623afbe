package kernels

import (
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/value"
)

// Sel is the set of rows of a batch an operator must compute: a bitmap
// over the batch's rows and its count. W nil means every row. A kernel
// may compute more rows than selected (whole passes are often cheaper
// than visiting scattered rows), but its results are meaningful only for
// the selected ones, and it must never report an error for a row that is
// not selected.
type Sel struct {
	W []uint64 // tail-masked; nil: every row
	N int      // selected rows
}

// All is the selection of every one of n rows.
func All(n int) Sel { return Sel{N: n} }

// IsAll reports whether every row is selected.
func (s Sel) IsAll() bool { return s.W == nil }

// Dense reports whether a whole pass over n rows is the better plan for a
// kernel whose cost per visited row is ratio times its cost per row of a
// whole pass.
func (s Sel) Dense(n, ratio int) bool { return s.W == nil || s.N*ratio >= n }

// Word returns selection word w of a batch of n rows.
func (s Sel) Word(w, n int) uint64 {
	if s.W == nil {
		return WordMask(w, n)
	}
	return s.W[w]
}

// Each calls f for every selected row of a batch of n rows.
func (s Sel) Each(n int, f func(i int)) {
	if s.W == nil {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	for w, x := range s.W {
		for x != 0 {
			f(w<<6 + bits.TrailingZeros64(x))
			x &= x - 1
		}
	}
}

// StrVec is a view of string values: Arrow offsets into data, offsets
// written by a string function into scratch, or dictionary codes into a
// dictionary's offsets and data.
type StrVec struct {
	Offs32 []int32
	Offs64 []int64
	Data   []byte
	Codes  []int32 // when set, row i is entry Codes[i] of the offsets (-1: none)
}

// At returns row i's bytes (meaningless but safe for a null row).
func (s *StrVec) At(i int) []byte {
	if s.Codes != nil {
		if i = int(s.Codes[i]); i < 0 {
			return nil
		}
	}
	if s.Offs64 != nil {
		return s.Data[s.Offs64[i]:s.Offs64[i+1]]
	}
	return s.Data[s.Offs32[i]:s.Offs32[i+1]]
}

// ListVec is a view of a list column: row i's elements are
// Values[offs[i]:offs[i+1]].
type ListVec struct {
	Offs32 []int32
	Offs64 []int64
	Values arrow.Array
}

// Bounds returns row i's element range.
func (l *ListVec) Bounds(i int) (int, int) {
	if l.Offs64 != nil {
		return int(l.Offs64[i]), int(l.Offs64[i+1])
	}
	return int(l.Offs32[i]), int(l.Offs32[i+1])
}

// Vec is one batch's values of an expression, meaningful for the rows of
// the selection it was computed for (or a constant for every row). A Vec
// is owned by the operator that fills it and reused from batch to batch;
// its slices may alias Arrow buffers, which are never written: kernels
// write only into the Own* scratch.
//
// A boolean Vec's row is TRUE where Bits is set, FALSE where it is valid
// and not set, UNKNOWN where it is not valid, and an evaluation error
// where Err is set; Bits is never set on an invalid or error row.
type Vec struct {
	K     value.Kind
	N     int
	Const bool        // every row is C
	C     value.Value //
	Valid []uint64    // validity bits; nil: every row is valid
	Err   []uint64    // rows whose evaluation failed; nil: none
	Cause error       // the first error behind Err
	Bits  []uint64    // KBool: TRUE bits
	I64   []int64     // KInt, KTime, KDur
	F64   []float64   // KFloat
	Str   StrVec      // KStr
	List  ListVec     // KList

	OwnI []int64
	OwnF []float64
	OwnB []byte
	OwnO []int64
	OwnV []uint64 // validity scratch
	OwnE []uint64 // error scratch
	OwnT []uint64 // boolean bits scratch
	OwnC []int32  // dictionary code scratch
}

// Reset prepares v for a new batch of n rows of kind k: not constant, all
// valid, no errors. Value slices keep pointing at old data until set.
func (v *Vec) Reset(k value.Kind, n int) {
	v.K, v.N, v.Const, v.Valid, v.Err, v.Cause = k, n, false, nil, nil, nil
}

// SetConst makes v the constant c for every row.
func (v *Vec) SetConst(c value.Value) {
	v.Const, v.C = true, c
	v.Valid, v.Err, v.Cause = nil, nil, nil
}

// OwnInts points I64 at owned scratch of N values and returns it.
func (v *Vec) OwnInts() []int64 {
	v.OwnI = Grow(v.OwnI, v.N)
	v.I64 = v.OwnI
	return v.I64
}

// OwnFloats points F64 at owned scratch of N values and returns it.
func (v *Vec) OwnFloats() []float64 {
	v.OwnF = Grow(v.OwnF, v.N)
	v.F64 = v.OwnF
	return v.F64
}

// NewBits points Bits at owned, zeroed scratch and returns it.
func (v *Vec) NewBits() []uint64 {
	v.OwnT = Grow(v.OwnT, Words(v.N))
	clear(v.OwnT)
	v.Bits = v.OwnT
	return v.Bits
}

// NewValid points Valid at owned scratch with every row valid and returns it.
func (v *Vec) NewValid() []uint64 {
	v.OwnV = Grow(v.OwnV, Words(v.N))
	FillN(v.OwnV, v.N)
	v.Valid = v.OwnV
	return v.Valid
}

// ValidCopy points Valid at an owned copy of src (nil: every row valid).
func (v *Vec) ValidCopy(src []uint64) {
	if src == nil {
		v.Valid = nil
		return
	}
	v.OwnV = append(v.OwnV[:0], src[:Words(v.N)]...)
	v.Valid = v.OwnV
}

// ValidAnd points Valid at the validity of a row needing both a and b.
func (v *Vec) ValidAnd(a, b []uint64) {
	switch {
	case a == nil && b == nil:
		v.Valid = nil
	case a == nil:
		v.ValidCopy(b)
	case b == nil:
		v.ValidCopy(a)
	default:
		v.OwnV = Grow(v.OwnV, Words(v.N))
		And(v.OwnV, a, b)
		v.Valid = v.OwnV
	}
}

// SetNull marks row i null.
func (v *Vec) SetNull(i int) {
	if v.Valid == nil {
		v.NewValid()
	}
	ClearBit(v.Valid, i)
}

// Fail marks row i as an evaluation error with cause err.
func (v *Vec) Fail(i int, err error) {
	if v.Err == nil {
		v.OwnE = Grow(v.OwnE, Words(v.N))
		clear(v.OwnE)
		v.Err = v.OwnE
	}
	SetBit(v.Err, i)
	if v.Cause == nil {
		v.Cause = err
	}
}

// ErrFrom makes v's errors the union of its operands' errors on the
// selected rows.
func (v *Vec) ErrFrom(sel Sel, operands ...*Vec) {
	for _, a := range operands {
		if a.Err == nil {
			continue
		}
		if v.Err == nil {
			v.OwnE = Grow(v.OwnE, Words(v.N))
			clear(v.OwnE)
			v.Err = v.OwnE
		}
		for w := range v.Err {
			v.Err[w] |= a.Err[w] & sel.Word(w, v.N)
		}
		if v.Cause == nil {
			v.Cause = a.Cause
		}
	}
}

// IsValid reports whether row i is non-null.
func (v *Vec) IsValid(i int) bool {
	if v.Const {
		return !v.C.Null
	}
	return v.Valid == nil || BitAt(v.Valid, i)
}

// Validity returns v's validity words (nil: every row valid), broadcasting
// a constant.
func (v *Vec) Validity() []uint64 {
	if !v.Const || !v.C.Null {
		return v.Valid
	}
	v.OwnV = Grow(v.OwnV, Words(v.N))
	clear(v.OwnV)
	return v.OwnV
}

// Ints returns the integer values of every row, broadcasting a constant.
func (v *Vec) Ints() []int64 {
	if !v.Const {
		return v.I64
	}
	out := Grow(v.OwnI, v.N)
	v.OwnI = out
	for i := range out {
		out[i] = v.C.I
	}
	return out
}

// Floats returns the float values of every row, broadcasting a constant
// (an integer constant is converted).
func (v *Vec) Floats() []float64 {
	if !v.Const {
		return v.F64
	}
	out := Grow(v.OwnF, v.N)
	v.OwnF = out
	f := v.C.AsFloat()
	for i := range out {
		out[i] = f
	}
	return out
}

// Truth returns word w's TRUE, FALSE and error bits of a boolean vector
// (unmasked by any selection): error rows are neither TRUE nor FALSE.
func (v *Vec) Truth(w int) (t, f, e uint64) {
	if v.Err != nil {
		e = v.Err[w]
	}
	if v.Const {
		switch {
		case v.C.Null:
			return 0, 0, e
		case v.C.B:
			return ^e, 0, e
		}
		return 0, ^e, e
	}
	known := ^uint64(0)
	if v.Valid != nil {
		known = v.Valid[w]
	}
	t = v.Bits[w] &^ e
	return t, known &^ v.Bits[w] &^ e, e
}

// ValueAt reads row i as a value (general paths only).
func (v *Vec) ValueAt(i int) value.Value {
	if v.Const {
		return v.C
	}
	if !v.IsValid(i) {
		return value.NullOf(v.K)
	}
	switch v.K {
	case value.KBool:
		return value.Bool(BitAt(v.Bits, i))
	case value.KFloat:
		return value.Float(v.F64[i])
	case value.KStr:
		return value.Str(string(v.Str.At(i)))
	case value.KList:
		lo, hi := v.List.Bounds(i)
		elems, err := ListValues(v.List.Values, lo, hi)
		if err != nil {
			return value.NullOf(value.KList) // list elements are strings and numbers: checked at load
		}
		return value.Value{K: value.KList, L: elems}
	}
	return value.Value{K: v.K, I: v.I64[i]}
}

// HasErr reports whether row i failed.
func (v *Vec) HasErr(i int) bool { return v.Err != nil && BitAt(v.Err, i) }
