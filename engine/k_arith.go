package engine

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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

// narrowArithCompare evaluates `a op b cmp c` for two columns of one
// integer type of at most 32 bits, op + or - (or * for types of at most
// 31 value bits) and an integer constant c: the result cannot overflow
// int64, so it is computed a chunk at a time into a small buffer and
// compared there, with no widened copy of either column and no overflow
// checks. nil for other shapes.
func (cp *compiler) narrowArithCompare(x, y *node, op ast.CompareOp) evalFn {
	if cp.plain || x.op != opArith || y.op != opConst || y.val.Null || y.k != kInt {
		return nil
	}
	a, b := x.kids[0], x.kids[1]
	if a.op != opCol || b.op != opCol || len(a.fields)+len(b.fields) > 0 || !arrow.TypeEqual(a.atype, b.atype) {
		return nil
	}
	switch x.arith {
	case ast.Add, ast.Sub:
	case ast.Mul:
		if a.atype.ID() == arrow.UINT32 {
			return nil
		}
	default:
		return nil
	}
	kernel := narrowArithKernel(a.atype, x.arith, op, y.val.I)
	if kernel == nil {
		return nil
	}
	s, ca, cb := cp.slot(), a.col, b.col
	return func(c *ectx) *vec {
		xa, xb := c.cols[ca], c.cols[cb]
		v := c.boolOut(s)
		va, vb := validityOf(xa, c.tmp[s]), validityOf(xb, c.tmp2[s])
		if va != nil {
			c.tmp[s] = va
		}
		if vb != nil {
			c.tmp2[s] = vb
		}
		v.valid = andValid(v.ownW, va, vb, c.n)
		if v.valid != nil {
			v.ownW = v.valid
		}
		kernel(xa, xb, v.bits)
		maskByValid(v)
		return v
	}
}

func narrowArithKernel(t arrow.DataType, op ast.ArithOp, cmp ast.CompareOp, c int64) func(a, b arrow.Array, out []uint64) {
	switch t.ID() {
	case arrow.INT8:
		return narrowKernel(op, cmp, c, (*array.Int8).Int8Values)
	case arrow.INT16:
		return narrowKernel(op, cmp, c, (*array.Int16).Int16Values)
	case arrow.INT32:
		return narrowKernel(op, cmp, c, (*array.Int32).Int32Values)
	case arrow.UINT8:
		return narrowKernel(op, cmp, c, (*array.Uint8).Uint8Values)
	case arrow.UINT16:
		return narrowKernel(op, cmp, c, (*array.Uint16).Uint16Values)
	case arrow.UINT32:
		return narrowKernel(op, cmp, c, (*array.Uint32).Uint32Values)
	}
	return nil
}

// narrowChunk is how many results narrowKernel keeps at a time (8 KB).
const narrowChunk = 1024

func narrowKernel[T int8 | int16 | int32 | uint8 | uint16 | uint32, A arrow.Array](op ast.ArithOp, cmp ast.CompareOp, c int64, values func(A) []T) func(a, b arrow.Array, out []uint64) {
	return func(a, b arrow.Array, out []uint64) {
		xs, ys := values(a.(A)), values(b.(A))
		var buf [narrowChunk]int64
		for lo := 0; lo < len(xs); lo += narrowChunk {
			hi := min(lo+narrowChunk, len(xs))
			r, x, y := buf[:hi-lo], xs[lo:hi], ys[lo:hi]
			switch op {
			case ast.Add:
				for i := range r {
					r[i] = int64(x[i]) + int64(y[i])
				}
			case ast.Sub:
				for i := range r {
					r[i] = int64(x[i]) - int64(y[i])
				}
			default:
				for i := range r {
					r[i] = int64(x[i]) * int64(y[i])
				}
			}
			cmpIntConst(cmp, r, c, out[lo>>6:])
		}
	}
}
