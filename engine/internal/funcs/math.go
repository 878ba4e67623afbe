package funcs

import (
	"math"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/value"
)

func init() {
	absInt := &Func{Name: "abs", Result: value.KInt, Cost: 1,
		Scalar: func(a []value.Value, _ *Param, _ *Env) (value.Value, error) {
			if a[0].I == math.MinInt64 {
				return value.Value{}, value.ErrOverflow
			}
			return value.Int(kernels.Abs64(a[0].I)), nil
		},
		Vector: func(out *kernels.Vec, a []*kernels.Vec, _ *Param, sel kernels.Sel, _ *Env) {
			res, x := out.OwnInts(), a[0].Ints()
			overflow := false
			for i, v := range x {
				res[i] = kernels.Abs64(v)
				overflow = overflow || v == math.MinInt64
			}
			if overflow {
				failWhere(out, sel, func(i int) bool { return x[i] == math.MinInt64 }, value.ErrOverflow)
			}
		}}
	absFloat := floatMap("abs", math.Abs)
	register("abs", numeric(absInt, absFloat))

	identity := func(name string) *Func {
		return &Func{Name: name, Result: value.KInt, Cost: 0.5,
			Scalar: func(a []value.Value, _ *Param, _ *Env) (value.Value, error) { return a[0], nil },
			Vector: func(out *kernels.Vec, a []*kernels.Vec, _ *Param, _ kernels.Sel, _ *Env) {
				copy(out.OwnInts(), a[0].Ints())
			}}
	}
	register("floor", numeric(identity("floor"), floatMap("floor", math.Floor)))
	register("ceil", numeric(identity("ceil"), floatMap("ceil", math.Ceil)))

	roundInt := &Func{Name: "round", Result: value.KInt, Cost: 2,
		Scalar: func(a []value.Value, _ *Param, _ *Env) (value.Value, error) {
			r, ok := kernels.RoundInt(a[0].I, digits(a))
			if !ok {
				return value.Value{}, value.ErrOverflow
			}
			return value.Int(r), nil
		},
		Vector: func(out *kernels.Vec, a []*kernels.Vec, _ *Param, sel kernels.Sel, _ *Env) {
			res, x, d := out.OwnInts(), a[0].Ints(), digitsAt(a)
			sel.Each(out.N, func(i int) {
				r, ok := kernels.RoundInt(x[i], d(i))
				res[i] = r
				if !ok && out.IsValid(i) {
					out.Fail(i, value.ErrOverflow)
				}
			})
		}}
	roundFloat := &Func{Name: "round", Result: value.KFloat, Cost: 4,
		Scalar: func(a []value.Value, _ *Param, _ *Env) (value.Value, error) {
			return value.Float(kernels.RoundFloat(a[0].F, digits(a))), nil
		},
		Vector: func(out *kernels.Vec, a []*kernels.Vec, _ *Param, sel kernels.Sel, _ *Env) {
			res, x, d := out.OwnFloats(), a[0].Floats(), digitsAt(a)
			sel.Each(out.N, func(i int) { res[i] = kernels.RoundFloat(x[i], d(i)) })
		}}
	register("round", numeric(roundInt, roundFloat))
}

// floatMap is a one-argument float function.
func floatMap(name string, f func(float64) float64) *Func {
	return &Func{Name: name, Result: value.KFloat, Cost: 1,
		Scalar: func(a []value.Value, _ *Param, _ *Env) (value.Value, error) { return value.Float(f(a[0].F)), nil },
		Vector: func(out *kernels.Vec, a []*kernels.Vec, _ *Param, _ kernels.Sel, _ *Env) {
			res, x := out.OwnFloats(), a[0].Floats()
			for i, v := range x {
				res[i] = f(v)
			}
		}}
}

// digits is round's second argument (0 when absent).
func digits(a []value.Value) int64 {
	if len(a) > 1 {
		return a[1].I
	}
	return 0
}

// digitsAt reads round's second argument per row.
func digitsAt(a []*kernels.Vec) func(int) int64 {
	if len(a) < 2 {
		return func(int) int64 { return 0 }
	}
	if d := a[1]; d.Const {
		c := d.C.I
		return func(int) int64 { return c }
	}
	vals := a[1].I64
	return func(i int) int64 { return vals[i] }
}

// failWhere marks the selected valid rows for which bad holds as errors.
func failWhere(out *kernels.Vec, sel kernels.Sel, bad func(int) bool, err error) {
	sel.Each(out.N, func(i int) {
		if out.IsValid(i) && bad(i) {
			out.Fail(i, err)
		}
	})
}
