package engine

import (
	"math"

	"github.com/segql/segql/lang/ast"
)

// arith evaluates + - * / % over integers (with overflow detection),
// floats (division and modulo by zero give null), times and durations.
func (cp *compiler) arith(n *node) evalFn {
	a, b, s := cp.compile(n.kids[0]), cp.compile(n.kids[1]), cp.slot()
	op, k := n.arith, n.k
	return func(c *ectx) *vec {
		va, vb := a(c), b(c)
		v := c.out(s, k)
		v.valid = andValid(v.ownW, va.validity(), vb.validity(), c.n)
		if v.valid != nil {
			v.ownW = v.valid
		}
		if k == kFloat {
			floatArithVec(v, op, va.floats(), vb.floats())
		} else if err := intArithVec(v, op, va.ints(), vb.ints()); err != nil {
			c.fail(err)
		}
		return v
	}
}

// nullAt marks row i of v null, creating validity words if needed.
func (v *vec) nullAt(i int) {
	if v.valid == nil {
		v.ownValid()
	}
	clearBit(v.valid, i)
}

func floatArithVec(v *vec, op ast.ArithOp, x, y []float64) {
	out := v.ownFloats()
	switch op {
	case ast.Add:
		for i := range out {
			out[i] = x[i] + y[i]
		}
	case ast.Sub:
		for i := range out {
			out[i] = x[i] - y[i]
		}
	case ast.Mul:
		for i := range out {
			out[i] = x[i] * y[i]
		}
	default:
		for i := range out {
			r, ok := floatArith(op, x[i], y[i])
			out[i] = r
			if !ok {
				v.nullAt(i)
			}
		}
	}
}

// intArithVec computes integer arithmetic; an overflow in a non-null row
// is an error, as DuckDB raises one.
func intArithVec(v *vec, op ast.ArithOp, x, y []int64) error {
	out := v.ownInts()
	overflow := false
	switch op {
	case ast.Add:
		for i := range out {
			r := x[i] + y[i]
			out[i] = r
			overflow = overflow || (addOverflows(x[i], y[i], r) && v.isValid(i))
		}
	case ast.Sub:
		for i := range out {
			r := x[i] - y[i]
			out[i] = r
			overflow = overflow || (subOverflows(x[i], y[i], r) && v.isValid(i))
		}
	case ast.Mul:
		for i := range out {
			r := x[i] * y[i]
			out[i] = r
			overflow = overflow || (mulOverflows(x[i], y[i], r) && v.isValid(i))
		}
	case ast.Mod:
		for i := range out {
			switch y[i] {
			case 0:
				out[i] = 0
				v.nullAt(i)
			case -1:
				out[i] = 0
			default:
				out[i] = x[i] % y[i]
			}
		}
	}
	if overflow {
		return errOverflow
	}
	return nil
}

// unaryNum evaluates negation and int → float casts.
func (cp *compiler) unaryNum(n *node) evalFn {
	x, s, op, k := cp.compile(n.kids[0]), cp.slot(), n.op, n.k
	return func(c *ectx) *vec {
		a := x(c)
		v := c.out(s, k)
		if a.c {
			r, err := n.apply([]Value{a.cv}, c.now)
			if err != nil {
				c.fail(err)
			}
			v.c, v.cv = true, r
			return v
		}
		v.valid = a.valid
		switch {
		case op == opCast:
			out := v.ownFloats()
			for i, x := range a.i64 {
				out[i] = float64(x)
			}
		case k == kFloat:
			out := v.ownFloats()
			for i, x := range a.f64 {
				out[i] = -x
			}
		default:
			out := v.ownInts()
			for i, x := range a.i64 {
				if x == math.MinInt64 && a.isValid(i) {
					c.fail(errOverflow)
				}
				out[i] = -x
			}
		}
		return v
	}
}
