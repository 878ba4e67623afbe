package engine

import (
	"math"
	"slices"

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
	x, y, op := columnFirst(n)
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
	case arrow.DATE32: // bounds in microseconds, converted to days by rangeArray
		return true
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
	x, y, op := columnFirst(n)
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
	used := make([]bool, len(kids))
	fused := pairBounds(kids, used, asRangeTerm, cp.rangeKernel)
	fused = append(fused, pairBounds(kids, used, asFloatRangeTerm, func(_, _ *node, lo, hi floatRangeTerm) evalFn {
		return cp.floatRangeKernel(lo.col, lo.bound, hi.bound, lo.empty || hi.empty)
	})...)
	var rest []*node
	for i, k := range kids {
		if !used[i] {
			rest = append(rest, k)
		}
	}
	return fused, rest
}

// boundTerm is a recognized `column op bound` term.
type boundTerm interface {
	column() int
	isLower() bool
}

func (t rangeTerm) column() int        { return t.col }
func (t rangeTerm) isLower() bool      { return t.lower }
func (t floatRangeTerm) column() int   { return t.col }
func (t floatRangeTerm) isLower() bool { return t.lower }

// pairBounds pairs each unused lower bound with an unused upper bound on
// the same column, marking both used, and returns one kernel per pair.
func pairBounds[T boundTerm](kids []*node, used []bool, as func(*node) (T, bool), fuse func(a, b *node, lo, hi T) evalFn) []evalFn {
	var fused []evalFn
	for i, a := range kids {
		lo, ok := as(a)
		if !ok || used[i] || !lo.isLower() {
			continue
		}
		for j, b := range kids {
			hi, ok := as(b)
			if !ok || used[j] || hi.isLower() || hi.column() != lo.column() {
				continue
			}
			used[i], used[j] = true, true
			fused = append(fused, fuse(a, b, lo, hi))
			break
		}
	}
	return fused
}

// rangeKernel evaluates lo <= column <= hi in one pass. Bounds fixed per
// run are computed once per batch; when one is null or overflows, the two
// comparisons a and b run separately (general kernels).
func (cp *compiler) rangeKernel(a, b *node, lo, hi rangeTerm) evalFn {
	s, zr := cp.slot(), cp.zonesFor(lo.col)
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
		switch zr.inRange(c.batch, l, h) {
		case zoneRun:
			rangeArray(arr, l, h, v.bits)
		case zoneAll:
			fill(v.bits)
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
	done := floatWords(vals, floatPred{lo: lo, hi: hi}, out)
	vals, out = vals[done:], out[done>>6:]
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
		rangeOf[int8, uint8](a.Int8Values(), lo, hi, math.MinInt8, math.MaxInt8, out)
	case *array.Int16:
		rangeOf[int16, uint16](a.Int16Values(), lo, hi, math.MinInt16, math.MaxInt16, out)
	case *array.Int32:
		rangeOf[int32, uint32](a.Int32Values(), lo, hi, math.MinInt32, math.MaxInt32, out)
	case *array.Int64:
		rangeOf[int64, uint64](a.Int64Values(), lo, hi, math.MinInt64, math.MaxInt64, out)
	case *array.Uint8:
		rangeOf[uint8, uint8](a.Uint8Values(), lo, hi, 0, math.MaxUint8, out)
	case *array.Uint16:
		rangeOf[uint16, uint16](a.Uint16Values(), lo, hi, 0, math.MaxUint16, out)
	case *array.Uint32:
		rangeOf[uint32, uint32](a.Uint32Values(), lo, hi, 0, math.MaxUint32, out)
	case *array.Timestamp:
		vals := a.TimestampValues()
		rangeOf[int64, uint64](*(*[]int64)(ptrOf(&vals)), lo, hi, math.MinInt64, math.MaxInt64, out)
	case *array.Date32:
		// lo <= d·1d <= hi in microseconds ⇔ ⌈lo/1d⌉ <= d <= ⌊hi/1d⌋ in days.
		vals := a.Date32Values()
		rangeOf[int32, uint32](*(*[]int32)(ptrOf(&vals)), ceilDiv(lo, dayMicros), floorDiv(hi, dayMicros),
			math.MinInt32, math.MaxInt32, out)
	}
}

// rangeOf clamps [lo, hi] to the values T can hold (min, max) and runs
// inRange in T's own width: no widening per element.
func rangeOf[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32, U uint8 | uint16 | uint32 | uint64](vals []T, lo, hi, min, max int64, out []uint64) {
	lo, hi = clampRange(lo, hi, min, max)
	if lo > hi {
		clear(out[:words(len(vals))])
		return
	}
	inRange[T, U](vals, T(lo), T(hi), out)
}

func clampRange(lo, hi, min, max int64) (int64, int64) {
	if lo < min {
		lo = min
	}
	if hi > max {
		hi = max
	}
	return lo, hi
}

// inRange sets bit i where lo <= vals[i] <= hi (lo <= hi) with one
// unsigned compare in T's width (U is T's unsigned counterpart), unrolled
// by eight like cmpConst.
func inRange[T intType, U uint8 | uint16 | uint32 | uint64](vals []T, lo, hi T, out []uint64) {
	done := gtWords(vals, rangeGtPred(lo, hi), out)
	vals, out = vals[done:], out[done>>6:]
	width, base := U(hi)-U(lo), U(lo)
	n := len(vals)
	full := n &^ 63
	for w := 0; w < full>>6; w++ {
		chunk := vals[w<<6 : w<<6+64 : w<<6+64]
		var bits uint64
		for j := 0; j < 64; j += 8 {
			x := chunk[j : j+8 : j+8]
			bits |= (b2u(U(x[0])-base <= width) | b2u(U(x[1])-base <= width)<<1 | b2u(U(x[2])-base <= width)<<2 | b2u(U(x[3])-base <= width)<<3 |
				b2u(U(x[4])-base <= width)<<4 | b2u(U(x[5])-base <= width)<<5 | b2u(U(x[6])-base <= width)<<6 | b2u(U(x[7])-base <= width)<<7) << uint(j)
		}
		out[w] = bits
	}
	if full < n {
		var bits uint64
		for j, x := range vals[full:] {
			bits |= b2u(U(x)-base <= width) << uint(j)
		}
		out[full>>6] = bits
	}
}

// inIntRuns evaluates `column in (…)` for an integer, timestamp or date
// column and a set of integers or times that forms at most maxCodeRuns
// runs of consecutive values, as range passes over the column's own
// values (the dictionary kernels' selectRuns); nil for other shapes.
func (cp *compiler) inIntRuns(n *node) evalFn {
	x, set := n.kids[0], n.set
	if cp.plain || set == nil || (set.k != kInt && set.k != kTime) || x.op != opCol || len(x.fields) > 0 ||
		!rangeType(x.atype) {
		return nil
	}
	runs, ok := intRuns(set.ints)
	if !ok {
		return nil
	}
	col, values, s := x.col, cp.validityOnly(x.col, x.k), cp.slot()
	return func(c *ectx) *vec {
		a := values(c)
		v := c.boolOut(s)
		c.tmp[s] = selectRuns(v.bits, c.cols[col], runs, c.tmp[s])
		if a.valid != nil {
			for i := range v.bits {
				v.bits[i] &= a.valid[i] // a null value is never found
			}
		}
		inSetValidity(v, a, set.hasNull)
		return v
	}
}

// intRuns sorts a set of integers into runs of consecutive values; ok is
// false when there are more than maxCodeRuns runs.
func intRuns(set map[int64]struct{}) ([]codeRun, bool) {
	vals := make([]int64, 0, len(set))
	for v := range set {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	var runs []codeRun
	for i := 0; i < len(vals); {
		j := i
		for j+1 < len(vals) && vals[j] != math.MaxInt64 && vals[j+1] == vals[j]+1 {
			j++
		}
		if len(runs) == maxCodeRuns {
			return nil, false
		}
		runs = append(runs, codeRun{vals[i], vals[j]})
		i = j + 1
	}
	return runs, true
}
