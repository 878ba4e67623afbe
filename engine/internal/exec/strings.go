package exec

import (
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/value"
)

// strPredOp evaluates like, matches and substring contains over the
// selected rows' bytes (no allocation per row).
type strPredOp struct {
	slot int
	node *plan.Node
	x    op
	test func([]byte) bool
}

func newStrPredOp(n *plan.Node, s int, x op) *strPredOp {
	o := &strPredOp{slot: s, node: n, x: x}
	switch n.Op {
	case plan.OpLike:
		o.test = n.Like.Match
	case plan.OpMatches:
		o.test = n.Re.Match
	default:
		needles, all := n.Needles.Bytes, n.Needles.All
		o.test = func(b []byte) bool { return kernels.ContainsString(b, needles, all) }
	}
	return o
}

func (o *strPredOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	a := o.x.eval(c, sel)
	v := c.vec(o.slot, value.KBool)
	if a.Const {
		return constPredicate(c, v, o.node, a, sel)
	}
	v.ValidCopy(a.Valid)
	v.ErrFrom(sel, a)
	bits := v.NewBits()
	each(sel, c.n, bits, func(i int) bool { return a.IsValid(i) && o.test(a.Str.At(i)) })
	return masked(v)
}

// listContainsOp tests list elements against constant needles; a null
// list is UNKNOWN.
type listContainsOp struct {
	slot int
	node *plan.Node
	x    op
}

func (o *listContainsOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	a := o.x.eval(c, sel)
	v := c.vec(o.slot, value.KBool)
	if a.Const {
		return constPredicate(c, v, o.node, a, sel)
	}
	v.ValidCopy(a.Valid)
	v.ErrFrom(sel, a)
	bits := v.NewBits()
	sc, _ := c.aux[o.slot].(*kernels.ContainsScratch)
	if sc == nil {
		sc = &kernels.ContainsScratch{}
		c.aux[o.slot] = sc
	}
	o.node.Needles.Eval(&a.List, c.n, sel, bits, sc)
	return masked(v)
}

// coalesceOp takes, per row, the first non-null argument; each later
// argument is evaluated only on the rows still null, so its errors count
// only there.
type coalesceOp struct {
	slot int
	node *plan.Node
	args []op
}

// coalesceState is a worker's scratch: the rows still null.
type coalesceState struct{ pending, taken []uint64 }

func (o *coalesceOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	st, _ := c.aux[o.slot].(*coalesceState)
	if st == nil {
		st = &coalesceState{}
		c.aux[o.slot] = st
	}
	nw := kernels.Words(c.n)
	st.pending = kernels.Grow(st.pending, nw)
	st.taken = kernels.Grow(st.taken, nw)
	for w := range nw {
		st.pending[w] = sel.Word(w, c.n)
	}
	v := c.vec(o.slot, o.node.Kind)
	valid := v.NewValid()
	clear(valid)
	m := newMerger(v, c.n)
	left := sel.N
	for _, arg := range o.args {
		if left == 0 {
			break
		}
		a := arg.eval(c, kernels.Sel{W: st.pending, N: left})
		v.ErrFrom(kernels.Sel{W: st.pending, N: left}, a)
		left = 0
		for w := range nw {
			av := ^uint64(0)
			if a.Const {
				if a.C.Null {
					av = 0
				}
			} else if a.Valid != nil {
				av = a.Valid[w]
			}
			if a.Err != nil {
				av &^= a.Err[w]
			}
			take := st.pending[w] & av
			st.taken[w] = take
			valid[w] |= take
			st.pending[w] &^= take
			if a.Err != nil {
				st.pending[w] &^= a.Err[w] // a failed row is decided: an error
			}
			left += popcount(st.pending[w])
		}
		m.take(a, st.taken)
	}
	m.finish()
	if v.K == value.KBool {
		masked(v)
	}
	return v
}

// constPredicate evaluates a predicate of one constant operand once.
func constPredicate(c *ctx, v *kernels.Vec, n *plan.Node, a *kernels.Vec, sel kernels.Sel) *kernels.Vec {
	r, _ := rowexec.Apply(n, []value.Value{a.C}, &c.env)
	v.SetConst(r)
	v.ErrFrom(sel, a)
	return v
}
