package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/value"
)

// dictOp evaluates a predicate over one dictionary-encoded string column
// once per dictionary entry (cached per worker while batches share a
// dictionary) and gives every row its entry's result: by range passes
// over the codes when the TRUE entries form a few runs, else by a lookup
// per row. A batch whose column is not dictionary-encoded runs the
// predicate row by row.
type dictOp struct {
	slot  int
	node  *plan.Node
	col   int
	sub   *Program // the predicate over a table of the dictionary's values
	plain *Program // the predicate over the batch itself
}

// newDictOp compiles the predicate twice: over a dictionary's values and,
// for batches whose column is not dictionary-encoded, over the batch.
func newDictOp(p *Program, n *plan.Node, s int) (*dictOp, error) {
	pred := n.Args[0]
	empty := columnar.NewTable("dictionary", p.table.Schema, nil)
	sub, err := Compile([]*plan.Node{pred}, empty, nil, Options{Plain: true})
	if err != nil {
		return nil, err
	}
	plain, err := Compile([]*plan.Node{pred}, p.table, p.stats, Options{Plain: p.plain})
	if err != nil {
		return nil, err
	}
	return &dictOp{slot: s, node: n, col: n.Col.Index, sub: sub, plain: plain}, nil
}

// dictState is one worker's cache of the per-entry table.
type dictState struct {
	dict    arrow.Array
	table   []uint8 // per entry: CodeFalse, CodeTrue, CodeUnknown, or codeError
	onNull  uint8   // the result for rows whose value is null
	runs    []kernels.CodeRun
	runsOK  bool
	cause   error
	sub     *ctx
	plain   *ctx
	scratch []uint64
	unknown []uint64
}

// codeError marks an entry whose evaluation failed (TRUE and UNKNOWN bits
// both set, which no real result has).
const codeError uint8 = 3

func (o *dictOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	st := o.state(c)
	d, ok := c.cols[o.col].(*array.Dictionary)
	if !ok {
		return o.evalPlain(c, st, sel)
	}
	if st.dict != d.Dictionary() {
		o.buildTable(c, st, d.Dictionary())
	}
	v := c.vec(o.slot, value.KBool)
	o.gather(c, st, d, sel, v)
	return v
}

func (o *dictOp) state(c *ctx) *dictState {
	if st, ok := c.aux[o.slot].(*dictState); ok {
		return st
	}
	st := &dictState{sub: o.sub.newCtx(c.env.Now), plain: o.plain.newCtx(c.env.Now)}
	e := rowexec.Evaluator{Src: rowexec.Nulls{}, Env: c.env}
	st.onNull = truthCode(e.Eval(o.node.Args[0]))
	c.aux[o.slot] = st
	return st
}

// truthCode encodes a result as a table entry.
func truthCode(v value.Value, err error) uint8 {
	switch {
	case err != nil:
		return codeError
	case v.Null:
		return kernels.CodeUnknown
	case v.B:
		return kernels.CodeTrue
	}
	return kernels.CodeFalse
}

// buildTable evaluates the predicate over a dictionary's values.
func (o *dictOp) buildTable(c *ctx, st *dictState, values arrow.Array) {
	sc := st.sub
	sc.cols = kernels.Grow(sc.cols, len(c.cols))
	sc.cols[o.col] = values
	sc.n = values.Len()
	sc.batch, sc.seq, sc.env = 0, sc.seq+1, c.env
	r := sc.p.roots[0].eval(sc, kernels.All(sc.n))
	st.table = kernels.Grow(st.table, sc.n)
	st.cause = nil
	for i := range st.table {
		switch {
		case r.HasErr(i):
			st.table[i] = codeError
			if st.cause == nil {
				st.cause = r.Cause
			}
		default:
			st.table[i] = truthCode(r.ValueAt(i), nil)
		}
	}
	st.dict = values
	st.runs, st.runsOK = kernels.TrueRuns(st.table, st.runs)
}

// gather gives every selected row its entry's result.
func (o *dictOp) gather(c *ctx, st *dictState, d *array.Dictionary, sel kernels.Sel, v *kernels.Vec) {
	idx := d.Indices()
	bits := v.NewBits()
	st.unknown = kernels.Grow(st.unknown, len(bits))
	if st.runsOK && kernels.IsIndexType(idx) {
		st.scratch = kernels.SelectRuns(bits, idx, st.runs, sel, st.scratch)
		clear(st.unknown)
	} else {
		kernels.GatherCodes(bits, st.unknown, idx, st.table, sel)
	}
	rowValid := kernels.Validity(idx, st.scratch)
	if rowValid != nil {
		st.scratch = rowValid
	}
	nullT, nullU := codeBits(st.onNull)
	valid := v.NewValid()
	for w := range bits {
		rv := ^uint64(0)
		if rowValid != nil {
			rv = rowValid[w]
		}
		t := bits[w]&rv | nullT&^rv
		u := st.unknown[w]&rv | nullU&^rv
		bits[w] = t &^ u
		valid[w] = ^u & kernels.WordMask(w, c.n)
		if e := t & u & sel.Word(w, c.n); e != 0 { // entries whose evaluation failed
			for ; e != 0; e &= e - 1 {
				v.Fail(w<<6+trailingZeros(e), st.causeOr(o.node))
			}
		}
	}
	masked(v)
}

func (st *dictState) causeOr(n *plan.Node) error {
	if st.cause != nil {
		return st.cause
	}
	e := rowexec.Evaluator{Src: rowexec.Nulls{}}
	_, err := e.Eval(n.Args[0])
	return err
}

// codeBits broadcasts an entry code to TRUE and UNKNOWN words.
func codeBits(code uint8) (t, u uint64) {
	if code&1 != 0 {
		t = ^uint64(0)
	}
	if code>>1 != 0 {
		u = ^uint64(0)
	}
	return t, u
}

// evalPlain runs the predicate over the batch's values directly.
func (o *dictOp) evalPlain(c *ctx, st *dictState, sel kernels.Sel) *kernels.Vec {
	pc := st.plain
	pc.cols, pc.n, pc.batch, pc.seq, pc.env = c.cols, c.n, c.batch, pc.seq+1, c.env
	return pc.p.roots[0].eval(pc, sel)
}
