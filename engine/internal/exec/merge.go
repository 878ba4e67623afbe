package exec

import (
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/value"
)

// merger builds one vector from rows of several (coalesce's arguments):
// take copies the rows of mask from a, finish completes the result.
type merger struct {
	v    *kernels.Vec
	n    int
	srcs []*kernels.Vec // strings: the vectors rows come from (by OwnC index)
}

func newMerger(v *kernels.Vec, n int) *merger {
	m := &merger{v: v, n: n}
	switch {
	case v.K.IsIntLike():
		v.OwnInts()
	case v.K == value.KFloat:
		v.OwnFloats()
	case v.K == value.KBool:
		v.NewBits()
	case v.K == value.KStr:
		v.OwnC = kernels.Grow(v.OwnC, n)
		for i := range v.OwnC {
			v.OwnC[i] = -1
		}
	}
	return m
}

// take copies a's values on the rows of mask.
func (m *merger) take(a *kernels.Vec, mask []uint64) {
	v := m.v
	switch {
	case v.K.IsIntLike():
		src := a.Ints()
		eachSet(mask, func(i int) { v.I64[i] = src[i] })
	case v.K == value.KFloat:
		src := a.Floats()
		eachSet(mask, func(i int) { v.F64[i] = src[i] })
	case v.K == value.KBool:
		for w, mw := range mask {
			t, _, _ := a.Truth(w)
			v.Bits[w] = v.Bits[w]&^mw | t&mw
		}
	case v.K == value.KStr:
		idx := int32(len(m.srcs))
		m.srcs = append(m.srcs, a)
		eachSet(mask, func(i int) { v.OwnC[i] = idx })
	}
}

// finish builds the string result from the chosen rows.
func (m *merger) finish() {
	v := m.v
	if v.K != value.KStr {
		return
	}
	v.OwnO = kernels.Grow(v.OwnO, m.n+1)
	v.OwnB = v.OwnB[:0]
	v.OwnO[0] = 0
	for i := 0; i < m.n; i++ {
		if k := v.OwnC[i]; k >= 0 {
			a := m.srcs[k]
			if a.Const {
				v.OwnB = append(v.OwnB, a.C.S...)
			} else {
				v.OwnB = append(v.OwnB, a.Str.At(i)...)
			}
		}
		v.OwnO[i+1] = int64(len(v.OwnB))
	}
	v.Str = kernels.StrVec{Offs64: v.OwnO, Data: v.OwnB}
}

// eachSet calls f for every set bit of mask.
func eachSet(mask []uint64, f func(int)) {
	for w, x := range mask {
		for ; x != 0; x &= x - 1 {
			f(w<<6 + trailingZeros(x))
		}
	}
}
