package engine

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/lang/ast"
)

// rangeTerm is a bound of `column op constant` in an and. The constant is
// fixed at compile time, or (run != nil) fixed per run: an expression of
// now() and constants, evaluated once per batch.
type rangeTerm struct {
	col   int
	lower bool  // >= or >
	bound int64 // inclusive after adjustment (compile-time constants)
	run   *node // the bound's expression, when it involves now()
	adj   int64 // added to run's value: +1 for >, -1 for <
}

// asRangeTerm recognizes an integer or timestamp column compared by <, <=,
// > or >= with an integer or time constant, or with an expression of now()
// and constants.
func asRangeTerm(n *node) (rangeTerm, bool) {
	if n.op != opCmp {
		return rangeTerm{}, false
	}
	x, y, op := n.kids[0], n.kids[1], n.cmp
	if x.op == opConst {
		x, y, op = y, x, flip(op)
	}
	if x.op != opCol || len(x.fields) > 0 || !rangeType(x.atype) || (y.k != kInt && y.k != kTime) {
		return rangeTerm{}, false
	}
	t := rangeTerm{col: x.col}
	switch {
	case y.op == opConst && !y.val.Null:
		t.bound = y.val.I
	case y.op != opConst && !hasColumn(y):
		t.run = y
	default:
		return rangeTerm{}, false
	}
	switch op {
	case ast.Ge:
		t.lower = true
	case ast.Gt:
		t.lower, t.adj = true, 1
	case ast.Le:
	case ast.Lt:
		t.adj = -1
	default:
		return rangeTerm{}, false
	}
	if t.run == nil {
		var ok bool
		if t.bound, ok = adjust(t.bound, t.adj); !ok {
			return rangeTerm{}, false
		}
	}
	return t, true
}

// adjust makes a strict bound inclusive; ok is false on overflow (an
// empty bound the general kernels handle).
func adjust(b, adj int64) (int64, bool) {
	switch {
	case adj > 0 && b == math.MaxInt64, adj < 0 && b == math.MinInt64:
		return 0, false
	}
	return b + adj, true
}

// value is the term's inclusive bound for a run with now(); ok is false
// when it is null or overflows.
func (t rangeTerm) value(now int64) (int64, bool) {
	if t.run == nil {
		return t.bound, true
	}
	v, err := t.run.eval(nil, now)
	if err != nil || v.Null {
		return 0, false
	}
	return adjust(v.I, t.adj)
}

func rangeType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		return true
	case arrow.TIMESTAMP:
		return t.(*arrow.TimestampType).Unit == arrow.Microsecond
	}
	return false
}

// floatRangeTerm is a bound of `float64 column op constant` in an and,
// made inclusive: x > c is x >= the next float above c.
type floatRangeTerm struct {
	col   int
	lower bool
	bound float64
	empty bool // x > +Inf or x < -Inf: no value qualifies
}

// asFloatRangeTerm recognizes a float64 column compared with a non-NaN
// constant by <, <=, > or >=.
func asFloatRangeTerm(n *node) (floatRangeTerm, bool) {
	if n.op != opCmp {
		return floatRangeTerm{}, false
	}
	x, y, op := n.kids[0], n.kids[1], n.cmp
	if x.op == opConst {
		x, y, op = y, x, flip(op)
	}
	if x.op != opCol || len(x.fields) > 0 || y.op != opConst || y.val.Null || y.val.K != kFloat ||
		x.atype.ID() != arrow.FLOAT64 || math.IsNaN(y.val.F) {
		return floatRangeTerm{}, false
	}
	c := y.val.F
	switch op {
	case ast.Ge:
		return floatRangeTerm{col: x.col, lower: true, bound: c}, true
	case ast.Gt:
		return floatRangeTerm{col: x.col, lower: true, bound: math.Nextafter(c, math.Inf(1)), empty: math.IsInf(c, 1)}, true
	case ast.Le:
		return floatRangeTerm{col: x.col, bound: c}, true
	case ast.Lt:
		return floatRangeTerm{col: x.col, bound: math.Nextafter(c, math.Inf(-1)), empty: math.IsInf(c, -1)}, true
	}
	return floatRangeTerm{}, false
}

// fuseRanges replaces pairs of lower and upper bounds on one column inside
// an and by a single range kernel.
func (cp *compiler) fuseRanges(kids []*node) ([]evalFn, []*node) {
	var fused []evalFn
	used := make([]bool, len(kids))
	for i, a := range kids {
		ra, ok := asRangeTerm(a)
		if !ok || used[i] || !ra.lower {
			continue
		}
		for j, b := range kids {
			rb, ok := asRangeTerm(b)
			if !ok || used[j] || rb.lower || rb.col != ra.col {
				continue
			}
			used[i], used[j] = true, true
			fused = append(fused, cp.rangeKernel(a, b, ra, rb))
			break
		}
	}
	for i, a := range kids {
		ra, ok := asFloatRangeTerm(a)
		if !ok || used[i] || !ra.lower {
			continue
		}
		for j, b := range kids {
			rb, ok := asFloatRangeTerm(b)
			if !ok || used[j] || rb.lower || rb.col != ra.col {
				continue
			}
			used[i], used[j] = true, true
			fused = append(fused, cp.floatRangeKernel(ra.col, ra.bound, rb.bound, ra.empty || rb.empty))
			break
		}
	}
	var rest []*node
	for i, k := range kids {
		if !used[i] {
			rest = append(rest, k)
		}
	}
	return fused, rest
}

// rangeKernel evaluates lo <= column <= hi in one pass. Bounds fixed per
// run are computed once per batch; when one is null or overflows, the two
// comparisons a and b run separately (general kernels).
func (cp *compiler) rangeKernel(a, b *node, lo, hi rangeTerm) evalFn {
	s := cp.slot()
	var general evalFn
	if lo.run != nil || hi.run != nil { // compiled plain, so it is not fused again
		saved := cp.plain
		cp.plain = true
		general = cp.compile(&node{op: opAnd, k: kBool, kids: []*node{a, b}})
		cp.plain = saved
	}
	return func(c *ectx) *vec {
		l, okL := lo.value(c.now)
		h, okH := hi.value(c.now)
		if !okL || !okH {
			return general(c)
		}
		arr := c.cols[lo.col]
		v := c.boolOut(s)
		v.valid = validityOf(arr, v.ownW)
		if v.valid != nil {
			v.ownW = v.valid
		}
		if l <= h {
			rangeArray(arr, l, h, v.bits)
		}
		maskByValid(v)
		return v
	}
}

// floatRangeKernel selects lo <= x <= hi on a float64 column. NaN, which
// sorts above everything, fails the upper bound, as Go's <= does.
func (cp *compiler) floatRangeKernel(col int, lo, hi float64, empty bool) evalFn {
	s := cp.slot()
	return func(c *ectx) *vec {
		arr := c.cols[col]
		v := c.boolOut(s)
		v.valid = validityOf(arr, v.ownW)
		if v.valid != nil {
			v.ownW = v.valid
		}
		if !empty {
			inFloatRange(arr.(*array.Float64).Float64Values(), lo, hi, v.bits)
		}
		maskByValid(v)
		return v
	}
}

// inFloatRange sets bit i where lo <= vals[i] <= hi, unrolled like inRange.
func inFloatRange(vals []float64, lo, hi float64, out []uint64) {
	in := func(x float64) uint64 { return b2u(x >= lo) & b2u(x <= hi) }
	n := len(vals)
	full := n &^ 63
	for w := 0; w < full>>6; w++ {
		chunk := vals[w<<6 : w<<6+64 : w<<6+64]
		var bits uint64
		for j := 0; j < 64; j += 8 {
			x := chunk[j : j+8 : j+8]
			bits |= (in(x[0]) | in(x[1])<<1 | in(x[2])<<2 | in(x[3])<<3 |
				in(x[4])<<4 | in(x[5])<<5 | in(x[6])<<6 | in(x[7])<<7) << uint(j)
		}
		out[w] = bits
	}
	if full < n {
		var bits uint64
		for j, x := range vals[full:] {
			bits |= in(x) << uint(j)
		}
		out[full>>6] = bits
	}
}

func rangeArray(a arrow.Array, lo, hi int64, out []uint64) {
	switch a := a.(type) {
	case *array.Int8:
		inRange(a.Int8Values(), lo, hi, out)
	case *array.Int16:
		inRange(a.Int16Values(), lo, hi, out)
	case *array.Int32:
		inRange(a.Int32Values(), lo, hi, out)
	case *array.Int64:
		inRange(a.Int64Values(), lo, hi, out)
	case *array.Uint8:
		inRange(a.Uint8Values(), lo, hi, out)
	case *array.Uint16:
		inRange(a.Uint16Values(), lo, hi, out)
	case *array.Uint32:
		inRange(a.Uint32Values(), lo, hi, out)
	case *array.Timestamp:
		vals := a.TimestampValues()
		inRange(*(*[]int64)(ptrOf(&vals)), lo, hi, out)
	}
}

// inRange sets bit i where lo <= vals[i] <= hi, with one unsigned compare,
// unrolled by eight like cmpConst.
func inRange[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](vals []T, lo, hi int64, out []uint64) {
	width, base := uint64(hi)-uint64(lo), uint64(lo)
	in := func(x T) uint64 { return b2u(uint64(int64(x))-base <= width) }
	n := len(vals)
	full := n &^ 63
	for w := 0; w < full>>6; w++ {
		chunk := vals[w<<6 : w<<6+64 : w<<6+64]
		var bits uint64
		for j := 0; j < 64; j += 8 {
			x := chunk[j : j+8 : j+8]
			bits |= (in(x[0]) | in(x[1])<<1 | in(x[2])<<2 | in(x[3])<<3 |
				in(x[4])<<4 | in(x[5])<<5 | in(x[6])<<6 | in(x[7])<<7) << uint(j)
		}
		out[w] = bits
	}
	if full < n {
		var bits uint64
		for j, x := range vals[full:] {
			bits |= in(x) << uint(j)
		}
		out[full>>6] = bits
	}
}
