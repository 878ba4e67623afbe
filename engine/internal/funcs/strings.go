package funcs

import (
	"bytes"
	"strings"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/value"
)

func init() {
	lower := caseFunc("lower", strings.ToLower, kernels.LowerBytes)
	upper := caseFunc("upper", kernels.Upper, kernels.UpperBytes)
	one(lower)
	one(upper)
	length := func(name string) {
		str := &Func{Name: name, Result: value.KInt, Cost: 2,
			Scalar: func(a []value.Value, _ *Param, _ *Env) (value.Value, error) {
				return value.Int(kernels.RuneLen([]byte(a[0].S))), nil
			},
			Vector: func(out *kernels.Vec, a []*kernels.Vec, _ *Param, sel kernels.Sel, _ *Env) {
				res, x := out.OwnInts(), a[0]
				sel.Each(out.N, func(i int) { res[i] = kernels.RuneLen(x.Str.At(i)) })
			}}
		list := &Func{Name: name, Result: value.KInt, Cost: 1,
			Scalar: func(a []value.Value, _ *Param, _ *Env) (value.Value, error) {
				return value.Int(int64(len(a[0].L))), nil
			},
			Vector: func(out *kernels.Vec, a []*kernels.Vec, _ *Param, sel kernels.Sel, _ *Env) {
				res, x := out.OwnInts(), a[0]
				for i := range res {
					lo, hi := x.List.Bounds(i)
					res[i] = int64(hi - lo)
				}
			}}
		register(name, func(k []value.Kind) *Func {
			if k[0] == value.KList {
				return list
			}
			return str
		})
	}
	length("len")
	length("length")
	one(affixFunc("starts_with", bytes.HasPrefix))
	one(affixFunc("ends_with", bytes.HasSuffix))
}

// caseFunc is lower or upper: Unicode case mapping, ASCII without
// allocation. Every row gets offsets (unselected and null rows an empty
// string), so a later dense pass reads valid bytes.
func caseFunc(name string, scalar func(string) string, vec func(dst, s []byte) []byte) *Func {
	return &Func{Name: name, Result: value.KStr, Cost: 8,
		Scalar: func(a []value.Value, _ *Param, _ *Env) (value.Value, error) {
			return value.Str(scalar(a[0].S)), nil
		},
		Vector: func(out *kernels.Vec, a []*kernels.Vec, _ *Param, sel kernels.Sel, _ *Env) {
			x := a[0]
			out.OwnO = kernels.Grow(out.OwnO, out.N+1)
			out.OwnB = out.OwnB[:0]
			out.OwnO[0] = 0
			for w := range kernels.Words(out.N) {
				m := sel.Word(w, out.N)
				if out.Valid != nil {
					m &= out.Valid[w]
				}
				for j := 0; j < 64 && w<<6+j < out.N; j++ {
					i := w<<6 + j
					if m>>uint(j)&1 != 0 {
						out.OwnB = vec(out.OwnB, x.Str.At(i))
					}
					out.OwnO[i+1] = int64(len(out.OwnB))
				}
			}
			out.Str = kernels.StrVec{Offs64: out.OwnO, Data: out.OwnB}
		}}
}

// affixFunc is starts_with or ends_with.
func affixFunc(name string, test func(s, affix []byte) bool) *Func {
	return &Func{Name: name, Result: value.KBool, Cost: 2,
		Scalar: func(a []value.Value, _ *Param, _ *Env) (value.Value, error) {
			return value.Bool(test([]byte(a[0].S), []byte(a[1].S))), nil
		},
		Vector: func(out *kernels.Vec, a []*kernels.Vec, _ *Param, sel kernels.Sel, _ *Env) {
			bits := out.NewBits()
			x, y := strAt(a[0]), strAt(a[1])
			sel.Each(out.N, func(i int) {
				if out.IsValid(i) && test(x(i), y(i)) {
					kernels.SetBit(bits, i)
				}
			})
		}}
}

// strAt returns a row accessor for a string vector or constant; the
// constant is converted once, not per row.
func strAt(v *kernels.Vec) func(int) []byte {
	if v.Const {
		b := []byte(v.C.S)
		return func(int) []byte { return b }
	}
	return v.Str.At
}
