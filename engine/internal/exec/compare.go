package exec

import (
	"bytes"
	"math"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/optimizer"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/stats"
	"github.com/segql/segql/engine/internal/value"
)

// compareOp compares two operands of one kind row by row (vector against
// constant by the kernels' range passes).
type compareOp struct {
	slot         int
	node         *plan.Node
	x, y         op
	uintX, uintY bool // the operand is a uint64 column (see bigRows)
}

func (o *compareOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	a, b := o.x.eval(c, sel), o.y.eval(c, sel)
	bigA, a := bigRows(a, o.uintX)
	bigB, b := bigRows(b, o.uintY)
	op := o.node.Cmp
	if a.Const && !b.Const {
		a, b, op = b, a, op.Flip()
		bigA, bigB = bigB, bigA
	}
	v := c.vec(o.slot, value.KBool)
	v.ValidAnd(a.Validity(), b.Validity())
	v.ErrFrom(sel, a, b)
	bits := v.NewBits()
	if b.Const && b.C.Null || a.Const && a.C.Null {
		clear(bits)
		v.Valid = v.NewValid()
		clear(v.Valid)
		return masked(v)
	}
	switch {
	case a.Const && b.Const:
		v.SetConst(value.Bool(op.Holds(value.Compare(a.C, b.C))))
		v.ErrFrom(sel, a, b)
		return v
	case a.K.IsIntLike() && b.Const:
		kernels.RangeInts(a.I64[:c.n], kernels.CmpRange(op, b.C.I), sel, bits)
	case a.K == value.KFloat && b.Const:
		kernels.FloatRange(a.F64[:c.n], kernels.FloatCmpPred(op, b.C.AsFloat()), sel, bits)
	default:
		compareVecs(op, a, b, sel, bits, c.n)
	}
	if bigA != nil || bigB != nil {
		fixBigCompare(op, a, b, bigA, bigB, bits)
	}
	return masked(v)
}

// masked clears a boolean vector's bits on invalid and failed rows.
func masked(v *kernels.Vec) *kernels.Vec {
	if v.Err != nil {
		if v.Valid == nil {
			v.NewValid()
		}
		kernels.AndNot(v.Valid, v.Valid, v.Err)
	}
	if v.Valid != nil {
		kernels.And(v.Bits, v.Bits, v.Valid)
	}
	return v
}

// compareVecs compares two vectors (or a vector and a string or bool
// constant) of the same kind on the selected rows.
func compareVecs(op kernels.CmpOp, a, b *kernels.Vec, sel kernels.Sel, out []uint64, n int) {
	switch {
	case a.K.IsIntLike():
		ai, bi := a.Ints(), b.Ints()
		each(sel, n, out, func(i int) bool { return op.Holds(value.CmpInt(ai[i], bi[i])) })
	case a.K == value.KFloat:
		af, bf := a.Floats(), b.Floats()
		each(sel, n, out, func(i int) bool { return op.Holds(value.CmpFloat(af[i], bf[i])) })
	case a.K == value.KStr:
		sa, sb := strOf(a), strOf(b)
		each(sel, n, out, func(i int) bool { return op.Holds(bytes.Compare(sa(i), sb(i))) })
	case a.K == value.KBool:
		compareBools(op, a, b, out)
	}
}

// each sets bit i of out (zeroed) for every selected row where f holds.
func each(sel kernels.Sel, n int, out []uint64, f func(int) bool) {
	for w := range kernels.Words(n) {
		var bits uint64
		for x := sel.Word(w, n); x != 0; x &= x - 1 {
			j := trailingZeros(x)
			bits |= kernels.B2U(f(w<<6+j)) << uint(j)
		}
		out[w] = bits
	}
}

// strOf returns a row accessor for a string vector or constant.
func strOf(v *kernels.Vec) func(int) []byte {
	if v.Const {
		b := []byte(v.C.S)
		return func(int) []byte { return b }
	}
	return v.Str.At
}

func compareBools(op kernels.CmpOp, a, b *kernels.Vec, out []uint64) {
	for w := range out {
		x, _, _ := a.Truth(w)
		y, _, _ := b.Truth(w)
		var r uint64
		switch op {
		case kernels.Eq:
			r = ^(x ^ y)
		case kernels.Ne:
			r = x ^ y
		case kernels.Lt:
			r = ^x & y
		case kernels.Le:
			r = ^x | y
		case kernels.Gt:
			r = x & ^y
		case kernels.Ge:
			r = x | ^y
		}
		out[w] = r
	}
}

// rangeOp is a column within bounds, over its stored values: zones decide
// whole batches where they can, and bounds fixed per run are computed once
// per worker and run.
type rangeOp struct {
	slot    int
	node    *plan.Node
	col     int
	fixed   kernels.IntRange // native bounds of a fixed integer range
	zones   bool
	general op // run-relative bounds: the comparisons, for a run whose bound fails
	times   timeGuard
}

func newRangeOp(b *builder, n *plan.Node, s int) (*rangeOp, error) {
	bd := n.Bounds
	o := &rangeOp{slot: s, node: n, col: n.Args[0].Col.Index, times: newTimeGuard(n.Args[0])}
	if bd.Float == nil && bd.Uint == nil && bd.Fixed() {
		o.fixed = bd.Scale.Native(bd.Cmp)
	}
	o.zones = bd.Float == nil && bd.Uint == nil && !b.p.plain && b.p.stats != nil
	if !bd.Fixed() {
		g, err := b.build(n.Logical)
		if err != nil {
			return nil, err
		}
		o.general = g
	}
	return o, nil
}

// runBounds is a run-relative range's native bounds for the run.
type runBounds struct {
	r   kernels.IntRange
	err error
}

func (o *rangeOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	arr := c.cols[o.col]
	v := c.vec(o.slot, value.KBool)
	valid := kernels.Validity(arr, v.OwnV)
	if valid != nil {
		v.OwnV = valid
	}
	v.Valid = valid
	bits := v.NewBits()
	b := o.node.Bounds
	switch {
	case b.Float != nil:
		kernels.FloatColumn(arr, *b.Float, sel, bits)
	case b.Uint != nil:
		kernels.CmpUint64(arr.(*array.Uint64), b.Uint.Op, b.Uint.C, sel, bits)
	default:
		r := o.fixed
		if !b.Fixed() {
			rb := o.runBounds(c)
			if rb.err != nil { // a bound fails: which rows need it is the comparisons' to say
				return o.general.eval(c, sel)
			}
			r = rb.r
		}
		o.intRange(c, arr, r, sel, bits)
		o.times.check(c, arr, sel, v)
		if b.NowDiff {
			safe := b.Scale.Native(nowDiffSafe(c.env.Now))
			call, _, _ := plan.ColumnFirst(o.node.Logical)
			failOutside(c, o.node.Args[0], arr, safe, sel, v, call.Positioned(value.ErrOverflow))
		}
	}
	return masked(v)
}

// intRange runs a native range unless the batch's zone decides it.
func (o *rangeOp) intRange(c *ctx, arr interface{ Len() int }, r kernels.IntRange, sel kernels.Sel, bits []uint64) {
	verdict := stats.Run
	if o.zones {
		st := o.state(c)
		if !st.zonesSet {
			st.zones, st.zonesSet = c.p.stats.Zones(o.col), true
		}
		verdict = st.zones.Decide(c.batch, r)
	}
	switch verdict {
	case stats.None:
		clear(bits)
	case stats.AllRows:
		kernels.FillN(bits, arr.Len())
	default:
		kernels.RangeColumn(c.cols[o.col], r, sel, bits)
	}
}

// rangeState is a range's per-worker state: its column's zones and, for
// run-relative bounds, their value for the run.
type rangeState struct {
	zones    stats.Zones
	zonesSet bool
	bounds   *runBounds
}

func (o *rangeOp) state(c *ctx) *rangeState {
	st, _ := c.aux[o.slot].(*rangeState)
	if st == nil {
		st = &rangeState{}
		c.aux[o.slot] = st
	}
	return st
}

// runBounds computes the bounds of a run-relative range once per worker
// and run.
func (o *rangeOp) runBounds(c *ctx) *runBounds {
	st := o.state(c)
	if st.bounds != nil {
		return st.bounds
	}
	b := o.node.Bounds
	r := b.Cmp
	rb := &runBounds{}
	e := rowexec.Evaluator{Src: rowexec.NoColumns{}, Env: c.env}
	bound := func(x *plan.Node, adj int64) (int64, bool) {
		val, err := e.Eval(x)
		if err != nil {
			rb.err = err
			return 0, false
		}
		if (adj > 0 && val.I == math.MaxInt64) || (adj < 0 && val.I == math.MinInt64) {
			return 0, false // x > MaxInt64: nothing
		}
		return val.I + adj, true
	}
	empty := false
	if b.LoExpr != nil {
		lo, ok := bound(b.LoExpr, b.LoAdj)
		r.Lo, empty = lo, !ok
	}
	if b.HiExpr != nil {
		hi, ok := bound(b.HiExpr, b.HiAdj)
		r.Hi, empty = hi, empty || !ok
	}
	if empty {
		r.Lo, r.Hi = 1, 0
	}
	rb.r = b.Scale.Native(r)
	st.bounds = rb
	return rb
}

// inRunsOp is `column in (…)` over a list forming a few runs of integers:
// range passes over the column's stored values.
type inRunsOp struct {
	slot  int
	node  *plan.Node
	times timeGuard
}

type scratchWords struct{ w []uint64 }

func (o *inRunsOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	arr := c.cols[o.node.Args[0].Col.Index]
	v := c.vec(o.slot, value.KBool)
	valid := kernels.Validity(arr, v.OwnV)
	if valid != nil {
		v.OwnV = valid
	}
	bits := v.NewBits()
	sc, _ := c.aux[o.slot].(*scratchWords)
	if sc == nil {
		sc = &scratchWords{}
		c.aux[o.slot] = sc
	}
	sc.w = kernels.SelectRuns(bits, arr, o.node.Runs, sel, sc.w)
	inSetResult(v, valid, o.node.Set.HasNull)
	o.times.check(c, arr, sel, v)
	return masked(v)
}

// inSetResult sets an in-list's validity from its found bits: a row is
// known where its value is non-null and either found or the list holds no
// null. v.Bits holds the found rows (arbitrary on null rows).
func inSetResult(v *kernels.Vec, valid []uint64, listHasNull bool) {
	if valid != nil {
		kernels.And(v.Bits, v.Bits, valid) // a null value is never found
	}
	switch {
	case listHasNull:
		v.OwnV = append(v.OwnV[:0], v.Bits...)
		v.Valid = v.OwnV
	case valid != nil:
		v.Valid = valid
	}
}

// inSetOp tests membership in a constant list: integers by range passes
// when the list forms a few runs, else by a bitset over the list's span
// when it is small, else by hashing; other kinds by hashing.
type inSetOp struct {
	slot  int
	node  *plan.Node
	x     op
	uintX bool              // the operand is a uint64 column (see bigRows)
	runs  []kernels.CodeRun // integer lists of a few runs
	bits  []uint64          // integer lists of a small span: bit v-base
	base  int64
}

// maxSetSpan bounds the span of an integer list kept as a bitset (128 KB).
const maxSetSpan = 1 << 20

func newInSetOp(n *plan.Node, s int, x op) *inSetOp {
	o := &inSetOp{slot: s, node: n, x: x, uintX: isUint64Column(n.Args[0])}
	set := n.Set
	if !set.Kind.IsIntLike() || len(set.Ints) == 0 {
		return o
	}
	vals := make([]int64, 0, len(set.Ints))
	for v := range set.Ints {
		vals = append(vals, v)
	}
	if runs, ok := optimizer.IntRuns(vals); ok {
		o.runs = runs
		return o
	}
	lo, hi := vals[0], vals[len(vals)-1] // IntRuns sorted them
	if uint64(hi)-uint64(lo) < maxSetSpan {
		o.base = lo
		o.bits = make([]uint64, kernels.Words(int(hi-lo)+1))
		for _, v := range vals {
			kernels.SetBit(o.bits, int(v-lo))
		}
	}
	return o
}

func (o *inSetOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	big, a := bigRows(o.x.eval(c, sel), o.uintX)
	set := o.node.Set
	v := c.vec(o.slot, value.KBool)
	if a.Const {
		return constPredicate(c, v, o.node, a, sel)
	}
	bits := v.NewBits()
	switch {
	case o.runs != nil:
		sc, _ := c.aux[o.slot].(*scratchWords)
		if sc == nil {
			sc = &scratchWords{}
			c.aux[o.slot] = sc
		}
		for i, r := range o.runs {
			dst := bits
			if i > 0 {
				sc.w = kernels.Grow(sc.w, len(bits))
				dst = sc.w
			}
			kernels.RangeInts(a.I64[:c.n], kernels.IntRange{Lo: r.Lo, Hi: r.Hi}, sel, dst)
			if i > 0 {
				kernels.Or(bits, bits, dst)
			}
		}
	case o.bits != nil:
		span, base, set := uint64(len(o.bits))<<6, o.base, o.bits
		each(sel, c.n, bits, func(i int) bool {
			d := uint64(a.I64[i] - base)
			return d < span && set[d>>6]&(1<<(d&63)) != 0
		})
	case set.Kind.IsIntLike():
		each(sel, c.n, bits, func(i int) bool { return set.HasInt(a.I64[i]) })
	case set.Kind == value.KFloat:
		each(sel, c.n, bits, func(i int) bool { return set.HasFloat(a.F64[i]) })
	case set.Kind == value.KStr:
		each(sel, c.n, bits, func(i int) bool { return a.IsValid(i) && set.HasStr(a.Str.At(i)) })
	case set.Kind == value.KBool:
		for w := range bits {
			t, f, _ := a.Truth(w)
			var x uint64
			if set.Bools[1] {
				x |= t
			}
			if set.Bools[0] {
				x |= f
			}
			bits[w] = x
		}
	}
	if big != nil && set.Kind.IsIntLike() { // a big uint64 equals no int64
		kernels.AndNot(bits, bits, big)
	}
	valid := a.Valid
	if valid != nil {
		v.OwnV = append(v.OwnV[:0], valid...)
		valid = v.OwnV
	}
	inSetResult(v, valid, set.HasNull)
	v.ErrFrom(sel, a)
	return masked(v)
}

// linearOp is Σ kᵢ·xᵢ + k₀ op c over narrow integer columns, computed a
// chunk of rows at a time into a stack buffer from the columns' own
// values (the optimizer proved no sum can overflow).
type linearOp struct {
	slot int
	node *plan.Node
	cols []int
}

func newLinearOp(n *plan.Node, s int) *linearOp {
	o := &linearOp{slot: s, node: n}
	for _, a := range n.Args {
		o.cols = append(o.cols, a.Col.Index)
	}
	return o
}

// linearChunk is how many sums linearOp keeps at a time (8 KB).
const linearChunk = 1024

func (o *linearOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	v := c.vec(o.slot, value.KBool)
	sc, _ := c.aux[o.slot].(*scratchWords)
	if sc == nil {
		sc = &scratchWords{}
		c.aux[o.slot] = sc
	}
	for _, col := range o.cols {
		valid := kernels.Validity(c.cols[col], sc.w)
		if valid == nil {
			continue
		}
		sc.w = valid
		if v.Valid == nil {
			v.ValidCopy(valid)
		} else {
			kernels.And(v.Valid, v.Valid, valid)
		}
	}
	bits := v.NewBits()
	spec := o.node.Lin
	r := kernels.CmpRange(spec.Cmp, -spec.Offset) // Σ kᵢ·xᵢ op −k₀
	var buf [linearChunk]int64
	for lo := 0; lo < c.n; lo += linearChunk {
		hi := min(lo+linearChunk, c.n)
		sums := buf[:hi-lo]
		for i, col := range o.cols {
			kernels.AddScaled(sums, c.cols[col], lo, spec.Coef[i], i == 0)
		}
		kernels.RangeInts(sums, r, kernels.All(len(sums)), bits[lo>>6:])
	}
	kernels.TailMask(bits, c.n)
	return masked(v)
}
