package exec

import (
	"math"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/value"
)

// arithOp evaluates + - * / % over integers (overflow is an error of the
// row), floats (division and modulo by zero give null), times and
// durations.
type arithOp struct {
	slot int
	node *plan.Node
	x, y op
}

func (o *arithOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	a, b := o.x.eval(c, sel), o.y.eval(c, sel)
	n := o.node
	v := c.vec(o.slot, n.Kind)
	if a.Const && b.Const {
		r, err := rowexec.Arith(n.Arith, n.Kind, a.C, b.C)
		v.SetConst(r)
		if err != nil {
			v.SetConst(value.NullOf(n.Kind))
			failAll(v, sel, n.Positioned(err))
		}
		v.ErrFrom(sel, a, b)
		return v
	}
	v.ValidAnd(a.Validity(), b.Validity())
	v.ErrFrom(sel, a, b)
	dense := sel.Dense(c.n, 3)
	if n.Kind == value.KFloat {
		floatArith(v, n.Arith, a, b, sel, dense)
	} else {
		intArith(v, n, a, b, sel, dense)
	}
	return v
}

// floatArith computes float results; a zero divisor makes its row null.
func floatArith(v *kernels.Vec, op kernels.ArithOp, a, b *kernels.Vec, sel kernels.Sel, dense bool) {
	out := v.OwnFloats()
	x, y := a.Floats(), b.Floats()
	if !dense {
		sel.Each(v.N, func(i int) {
			r, ok := kernels.FloatArith(op, x[i], y[i])
			out[i] = r
			if !ok {
				v.SetNull(i)
			}
		})
		return
	}
	switch op {
	case kernels.Add:
		for i := range out {
			out[i] = x[i] + y[i]
		}
	case kernels.Sub:
		for i := range out {
			out[i] = x[i] - y[i]
		}
	case kernels.Mul:
		for i := range out {
			out[i] = x[i] * y[i]
		}
	case kernels.Div:
		for i := range out {
			out[i] = x[i] / y[i]
		}
		nullWhereZero(v, b, y)
	case kernels.Mod:
		for i := range out {
			out[i], _ = kernels.FloatArith(kernels.Mod, x[i], y[i])
		}
		nullWhereZero(v, b, y)
	}
}

// nullWhereZero makes rows with a zero divisor null.
func nullWhereZero(v, b *kernels.Vec, y []float64) {
	if b.Const {
		if b.C.AsFloat() == 0 {
			v.NewValid()
			clear(v.Valid)
		}
		return
	}
	for i, d := range y {
		if d == 0 {
			v.SetNull(i)
		}
	}
}

// intArith computes integer, time and duration results; an overflow on a
// selected, valid row is its error.
func intArith(v *kernels.Vec, n *plan.Node, a, b *kernels.Vec, sel kernels.Sel, dense bool) {
	out := v.OwnInts()
	x, y := a.Ints(), b.Ints()
	op := n.Arith
	fail := func(i int) {
		if v.IsValid(i) && !v.HasErr(i) {
			v.Fail(i, n.Positioned(value.ErrOverflow))
		}
	}
	if !dense || op == kernels.Mod {
		sel.Each(v.N, func(i int) {
			r, res := kernels.IntArith(op, x[i], y[i])
			out[i] = r
			switch res {
			case kernels.IntOverflow:
				fail(i)
			case kernels.IntNull:
				v.SetNull(i)
			}
		})
		return
	}
	overflow := false
	switch op {
	case kernels.Add:
		for i := range out {
			r := x[i] + y[i]
			out[i] = r
			overflow = overflow || kernels.AddOverflows(x[i], y[i], r)
		}
	case kernels.Sub:
		for i := range out {
			r := x[i] - y[i]
			out[i] = r
			overflow = overflow || kernels.SubOverflows(x[i], y[i], r)
		}
	case kernels.Mul:
		for i := range out {
			r := x[i] * y[i]
			out[i] = r
			overflow = overflow || kernels.MulOverflows(x[i], y[i], r)
		}
	}
	if overflow {
		sel.Each(v.N, func(i int) {
			if _, res := kernels.IntArith(op, x[i], y[i]); res == kernels.IntOverflow {
				fail(i)
			}
		})
	}
}

// negOp is unary minus.
type negOp struct {
	slot int
	node *plan.Node
	x    op
}

func (o *negOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	a := o.x.eval(c, sel)
	v := c.vec(o.slot, o.node.Kind)
	if a.Const {
		r, err := rowexec.Apply(o.node, []value.Value{a.C}, &c.env)
		v.SetConst(r)
		if err != nil {
			v.SetConst(value.NullOf(o.node.Kind))
			failAll(v, sel, o.node.Positioned(err))
		}
		v.ErrFrom(sel, a)
		return v
	}
	v.ValidCopy(a.Valid)
	v.ErrFrom(sel, a)
	if o.node.Kind == value.KFloat {
		out := v.OwnFloats()
		for i, x := range a.F64[:c.n] {
			out[i] = -x
		}
		return v
	}
	out, x := v.OwnInts(), a.I64
	overflow := false
	for i := range out {
		out[i] = -x[i]
		overflow = overflow || x[i] == math.MinInt64
	}
	if overflow {
		sel.Each(c.n, func(i int) {
			if x[i] == math.MinInt64 && v.IsValid(i) && !v.HasErr(i) {
				v.Fail(i, o.node.Positioned(value.ErrOverflow))
			}
		})
	}
	return v
}

// castOp converts integers to floats.
type castOp struct {
	slot  int
	x     op
	uintX bool // the operand is a uint64 column (see bigRows)
}

func (o *castOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	big, a := bigRows(o.x.eval(c, sel), o.uintX)
	v := c.vec(o.slot, value.KFloat)
	if a.Const {
		v.SetConst(value.NullOf(value.KFloat))
		if !a.C.Null {
			v.SetConst(value.Float(float64(a.C.I)))
		}
		v.ErrFrom(sel, a)
		return v
	}
	v.ValidCopy(a.Valid)
	v.ErrFrom(sel, a)
	out, x := v.OwnFloats(), a.I64
	if sel.Dense(c.n, 2) {
		for i := range out {
			out[i] = float64(x[i])
		}
	} else {
		sel.Each(c.n, func(i int) { out[i] = float64(x[i]) })
	}
	if big != nil {
		castBig(out, x, big)
	}
	return v
}

// castBig converts the big uint64 rows of a cast's operand as unsigned.
func castBig(out []float64, x []int64, big []uint64) {
	for w, b := range big {
		for ; b != 0; b &= b - 1 {
			i := w<<6 + trailingZeros(b)
			out[i] = float64(uint64(x[i]))
		}
	}
}

// callOp runs a built-in function's vector kernel (bound at plan time).
type callOp struct {
	slot int
	node *plan.Node
	args []op
}

func (o *callOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	n := o.node
	vecs := make([]*kernels.Vec, len(o.args))
	allConst := true
	for i, a := range o.args {
		vecs[i] = a.eval(c, sel)
		allConst = allConst && vecs[i].Const
	}
	v := c.vec(o.slot, n.Kind)
	if allConst {
		vals := make([]value.Value, len(vecs))
		for i, a := range vecs {
			vals[i] = a.C
		}
		r, err := rowexec.Apply(n, vals, &c.env)
		v.SetConst(r)
		if err != nil {
			v.SetConst(value.NullOf(n.Kind))
			failAll(v, sel, n.Positioned(err))
		}
		v.ErrFrom(sel, vecs...)
		return v
	}
	for i, a := range vecs {
		if i == 0 {
			v.ValidCopy(a.Validity())
		} else {
			v.ValidAnd(v.Valid, a.Validity())
		}
	}
	v.ErrFrom(sel, vecs...)
	n.Fn.Vector(v, vecs, &n.Param, sel, &c.env)
	if v.Cause != nil {
		v.Cause = n.Positioned(v.Cause)
	}
	if v.K == value.KBool {
		masked(v)
	}
	return v
}
