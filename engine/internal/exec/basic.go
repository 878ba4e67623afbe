package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/value"
)

// memoState is a shared node's result for the bound batch and the rows it
// was computed for (all when words is nil).
type memoState struct {
	seq   uint64 // the batch it is for (ctx.seq); 0: none
	words []uint64
	all   bool
	v     *kernels.Vec
}

// memoOp evaluates a node with several parents once per batch: a parent
// asking for rows already computed gets the stored vector; one asking for
// more has the node computed for the union (a superset computes the same
// values for the rows it shares with the earlier selection).
type memoOp struct {
	op
	slot int
}

func (m *memoOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	st := &c.memo[m.slot]
	if st.seq == c.seq && (st.all || (!sel.IsAll() && kernels.IsSubset(sel.W, st.words))) {
		return st.v
	}
	if st.seq == c.seq && !sel.IsAll() { // widen to the union of both selections
		st.words = kernels.Grow(st.words, len(sel.W))
		kernels.Or(st.words, st.words, sel.W)
		sel = kernels.Sel{W: st.words, N: countWords(st.words)}
	} else if !sel.IsAll() {
		st.words = append(st.words[:0], sel.W...)
		sel = kernels.Sel{W: st.words, N: sel.N}
	}
	st.v = m.op.eval(c, sel)
	st.seq, st.all = c.seq, sel.IsAll()
	return st.v
}

func countWords(w []uint64) int {
	n := 0
	for _, x := range w {
		n += popcount(x)
	}
	return n
}

// constOp is a constant for every row.
type constOp struct {
	slot int
	node *plan.Node
}

func (o *constOp) eval(c *ctx, _ kernels.Sel) *kernels.Vec {
	v := c.vec(o.slot, o.node.Kind)
	v.SetConst(o.node.Val)
	return v
}

// errorOp is an operation that fails on every row it is needed for.
type errorOp struct {
	slot int
	node *plan.Node
}

func (o *errorOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	v := c.vec(o.slot, o.node.Kind)
	v.SetConst(value.NullOf(o.node.Kind))
	failAll(v, sel, o.node.Err)
	return v
}

// failAll marks every selected row of v as failed with err.
func failAll(v *kernels.Vec, sel kernels.Sel, err error) {
	v.OwnE = kernels.Grow(v.OwnE, kernels.Words(v.N))
	for w := range v.OwnE {
		v.OwnE[w] = sel.Word(w, v.N)
	}
	v.Err, v.Cause = v.OwnE, err
}

// runConstState is a run-constant's value for the worker's run.
type runConstState struct {
	v   value.Value
	err error
}

// runConstOp is an expression of now() and constants: the same for every
// row of a run, computed once per worker and run.
type runConstOp struct {
	slot int
	node *plan.Node
}

func (o *runConstOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	st, ok := c.aux[o.slot].(*runConstState)
	if !ok {
		e := rowexec.Evaluator{Src: rowexec.NoColumns{}, Env: c.env}
		val, err := e.Eval(o.node)
		st = &runConstState{v: val, err: err}
		c.aux[o.slot] = st
	}
	v := c.vec(o.slot, o.node.Kind)
	v.SetConst(st.v)
	if st.err != nil {
		v.SetConst(value.NullOf(o.node.Kind))
		failAll(v, sel, st.err)
	}
	return v
}

// columnOp reads a column (or a struct field below one) for the batch: a
// view of its Arrow buffers where the layout allows, else a conversion of
// the selected rows.
type columnOp struct {
	slot int
	node *plan.Node
}

func (o *columnOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	col := o.node.Col
	arr := c.cols[col.Index]
	v := c.vec(o.slot, o.node.Kind)
	var structValid []uint64
	for _, f := range col.Fields {
		st := arr.(*array.Struct)
		if sv := kernels.Validity(st, nil); sv != nil {
			if structValid == nil {
				structValid = sv
			} else {
				kernels.And(structValid, structValid, sv)
			}
		}
		arr = st.Field(f)
	}
	if err := kernels.Load(v, arr, sel); err != nil {
		failAll(v, sel, o.node.Positioned(err))
		return v
	}
	if v.Cause != nil {
		v.Cause = o.node.Positioned(v.Cause)
	}
	if structValid != nil { // a null struct has null fields
		if v.Valid == nil {
			v.ValidCopy(structValid)
		} else {
			v.ValidAnd(v.Valid, structValid)
		}
	}
	return v
}

// rankOp reads the precomputed ranks of the batch's rows.
type rankOp struct {
	slot int
	node *plan.Node
}

func (o *rankOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	v := c.vec(o.slot, o.node.Kind)
	o.node.Fn.Vector(v, nil, &o.node.Param, sel, &c.env)
	return v
}

// eventOp computes an event condition for the batch's users, preparing
// it (once per condition and now, shared by the workers) on first use.
type eventOp struct {
	slot int
	node *plan.Node
}

func (o *eventOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	v := c.vec(o.slot, o.node.Kind)
	spec := o.node.Event
	run, err := spec.Source.Prepare(c.cctx, spec, c.env.Now)
	if err != nil {
		failAll(v, sel, o.node.Positioned(err))
		return v
	}
	if err := run.Vector(v, c.env.RowOffset, sel); err != nil {
		v.Cause = o.node.Positioned(v.Cause)
	}
	return v
}

// errNoOp is returned for plan nodes no operator evaluates.
var errNoOp = fmt.Errorf("engine: unexpected plan node")
