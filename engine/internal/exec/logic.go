package exec

import (
	"slices"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// logicOp is an n-ary Kleene and/or that narrows the rows each term sees:
// and passes a term only the rows no earlier term made FALSE, or only the
// rows no earlier term made TRUE, and stops when none are left. An error
// in a term counts only for rows no other term decides (FALSE for and,
// TRUE for or), as in the row evaluator.
type logicOp struct {
	slot      int
	node      *plan.Node
	isAnd     bool
	terms     []op
	termSlots []int
	index     int // into Program.logic and ctx.logic
}

// logicState is one worker's state of an and/or: its current term order,
// what each term cost and decided, and scratch.
type logicState struct {
	order    []int
	scratch  []int
	in, out  []float64 // rows in and rows left undecided, decayed
	nanos    []float64
	evals    int
	f, e     []uint64
	active   []uint64
	hasError bool
}

// adaptEvery is how many batches a worker evaluates between reorderings.
const adaptEvery = 4

func (l *logicOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	st := &c.logic[l.index]
	if st.in == nil {
		st.in, st.out, st.nanos = make([]float64, len(l.terms)), make([]float64, len(l.terms)), make([]float64, len(l.terms))
	}
	v := c.vec(l.slot, value.KBool)
	nw := kernels.Words(c.n)
	t := v.NewBits()
	st.f = kernels.Grow(st.f, nw)
	st.active = kernels.Grow(st.active, nw)
	for w := range nw {
		st.active[w] = sel.Word(w, c.n)
	}
	if l.isAnd {
		copy(t, st.active) // TRUE until a term is not TRUE
		clear(st.f)
	} else {
		copy(st.f, st.active) // FALSE until a term is not FALSE
	}
	st.hasError = false
	count := sel.N
	for _, ti := range st.order {
		if count == 0 {
			break
		}
		start := time.Now()
		r := l.terms[ti].eval(c, kernels.Sel{W: st.active, N: count})
		left := l.combine(st, r, t, v)
		took := time.Since(start)
		l.observe(c, st, ti, count, left, took)
		count = left
	}
	l.finish(st, v, t)
	c.stats[l.slot].RowsTrue += int64(kernels.Popcount(t))
	if !c.p.plain {
		st.evals++
		if st.evals%adaptEvery == 1 {
			l.reorder(c, st)
		}
	}
	return v
}

// combine folds a term's result over the active rows into the running
// TRUE (t), FALSE (st.f) and error (st.e) rows, narrows the active rows,
// and returns how many are left.
func (l *logicOp) combine(st *logicState, r *kernels.Vec, t []uint64, v *kernels.Vec) int {
	left := 0
	nw := len(t)
	if r.Err != nil {
		if !st.hasError {
			st.e = kernels.Grow(st.e, nw)
			clear(st.e)
			st.hasError = true
		}
		if v.Cause == nil {
			v.Cause = r.Cause
		}
	}
	for w := 0; w < nw; w++ {
		act := st.active[w]
		if act == 0 {
			continue
		}
		tv, fv, ev := r.Truth(w)
		if ev &= act; ev != 0 {
			st.e[w] |= ev
		}
		if l.isAnd {
			t[w] &^= act &^ tv
			f := act & fv
			st.f[w] |= f
			act &^= f
		} else {
			tr := act & tv
			t[w] |= tr
			st.f[w] &^= act &^ fv
			act &^= tr
		}
		st.active[w] = act
		left += popcount(act)
	}
	return left
}

// finish sets the result: TRUE rows t, known rows TRUE or FALSE, and the
// error rows no term decided.
func (l *logicOp) finish(st *logicState, v *kernels.Vec, t []uint64) {
	nw := len(t)
	v.OwnV = kernels.Grow(v.OwnV, nw)
	for w := range nw {
		v.OwnV[w] = t[w] | st.f[w]
	}
	v.Valid = v.OwnV
	if !st.hasError {
		v.Cause = nil
		return
	}
	decided := t // and: FALSE rows decide; or: TRUE rows
	if l.isAnd {
		decided = st.f
	}
	any := false
	for w := range nw {
		st.e[w] &^= decided[w]
		any = any || st.e[w] != 0
	}
	if !any {
		v.Cause = nil
		return
	}
	v.OwnE = append(v.OwnE[:0], st.e...)
	v.Err = v.OwnE
}

// observe records a term's work for the run's statistics and for
// reordering (the counts decay, so the order follows the data).
func (l *logicOp) observe(c *ctx, st *logicState, ti, in, left int, took time.Duration) {
	ns := c.stats[l.termSlots[ti]]
	ns.Term = true
	ns.RowsOut += int64(left)
	ns.Nanos += int64(took)
	c.stats[l.termSlots[ti]] = ns
	const decay = 0.9
	st.in[ti] = st.in[ti]*decay + float64(in)
	st.out[ti] = st.out[ti]*decay + float64(left)
	st.nanos[ti] = st.nanos[ti]*decay + float64(took)
}

// reorder sorts the terms by cost per row over the share of rows they
// decide, from what this worker observed. The share decided is the
// sample's estimate updated by the rows the term has seen (the sample
// counts as priorRows rows), so a term seen on few rows moves only as far
// as they show. The cost is the measured time per row once a term has
// seen timedRows rows; before that, the plan's estimate scaled by how the
// measured terms' times compare with their estimates, so measured and
// estimated costs are in the same units.
func (l *logicOp) reorder(c *ctx, st *logicState) {
	const priorRows, timedRows = 256, 1024
	var measured, estimated float64
	for i := range l.terms {
		if st.in[i] >= timedRows {
			cost, _ := c.p.termEstimate(l, i)
			measured += st.nanos[i]
			estimated += cost * st.in[i]
		}
	}
	scale := 1.0
	if measured > 0 && estimated > 0 {
		scale = measured / estimated
	}
	ranks := make([]float64, len(l.terms))
	for i := range l.terms {
		cost, decided := c.p.termEstimate(l, i)
		decided = (decided*priorRows + st.in[i] - st.out[i]) / (priorRows + st.in[i])
		if st.in[i] >= timedRows {
			cost = st.nanos[i] / st.in[i]
		} else {
			cost *= scale
		}
		ranks[i] = cost / max(decided, 1e-6)
	}
	before := append(st.scratch[:0], st.order...)
	st.scratch = before
	sort.SliceStable(st.order, func(a, b int) bool { return ranks[st.order[a]] < ranks[st.order[b]] })
	if !slices.Equal(before, st.order) {
		ns := c.stats[l.slot]
		ns.Reorders++
		c.stats[l.slot] = ns
	}
}

// notOp is TRUE ↔ FALSE; UNKNOWN and errors stay.
type notOp struct {
	slot int
	x    op
}

func (o *notOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	a := o.x.eval(c, sel)
	v := c.vec(o.slot, value.KBool)
	if a.Const {
		v.SetConst(a.C)
		if !a.C.Null {
			v.SetConst(value.Bool(!a.C.B))
		}
		v.Err, v.Cause = a.Err, a.Cause
		return v
	}
	bits := v.NewBits()
	v.ValidCopy(a.Valid)
	for w := range bits {
		_, f, _ := a.Truth(w)
		bits[w] = f
	}
	if a.Err != nil {
		v.OwnE = append(v.OwnE[:0], a.Err...)
		v.Err, v.Cause = v.OwnE, a.Cause
		if v.Valid == nil {
			v.NewValid()
		}
		kernels.AndNot(v.Valid, v.Valid, v.Err)
	}
	return v
}

// isNullOp is `x is [not] null` over any expression: never UNKNOWN.
type isNullOp struct {
	slot int
	node *plan.Node
	x    op
}

func (o *isNullOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	a := o.x.eval(c, sel)
	v := c.vec(o.slot, value.KBool)
	if a.Const {
		v.SetConst(value.Bool(a.C.Null != o.node.Negated))
		v.Err, v.Cause = a.Err, a.Cause
		return v
	}
	nullBits(v, a.Valid, o.node.Negated, c.n)
	if a.Err != nil {
		v.ErrFrom(sel, a)
		v.NewValid()
		kernels.AndNot(v.Valid, v.Valid, v.Err)
		kernels.AndNot(v.Bits, v.Bits, v.Err)
	}
	return v
}

// nullBits sets v's TRUE bits to the null rows of valid (or the non-null
// ones when not).
func nullBits(v *kernels.Vec, valid []uint64, not bool, n int) {
	bits := v.NewBits()
	for w := range bits {
		x := uint64(0)
		if valid != nil {
			x = ^valid[w]
		}
		if not {
			x = ^x
		}
		bits[w] = x & kernels.WordMask(w, n)
	}
}

// validityOp is `column is [not] null`: it reads only the validity bitmap
// (and, for a dictionary with null entries, the codes: a row pointing at
// a null entry is null).
type validityOp struct {
	slot int
	node *plan.Node
}

func (o *validityOp) eval(c *ctx, _ kernels.Sel) *kernels.Vec {
	v := c.vec(o.slot, value.KBool)
	arr := c.cols[o.node.Args[0].Col.Index]
	valid := kernels.Validity(arr, v.OwnV)
	if d, ok := arr.(*array.Dictionary); ok && d.Dictionary().NullN() > 0 {
		if valid == nil {
			valid = kernels.Grow(v.OwnV, kernels.Words(c.n))
			kernels.FillN(valid, c.n)
		}
		dict := d.Dictionary()
		for i := 0; i < c.n; i++ {
			if kernels.BitAt(valid, i) && dict.IsNull(d.GetValueIndex(i)) {
				kernels.ClearBit(valid, i)
			}
		}
	}
	if valid != nil {
		v.OwnV = valid
	}
	nullBits(v, valid, o.node.Negated, c.n)
	return v
}
