// Package exec runs plans vectorized over a table's record batches.
//
// Compile turns a plan (a DAG of nodes) into a Program of operators, one
// per distinct node. A run evaluates the program's roots over every batch,
// in parallel, one worker per core; each worker owns its vectors and
// scratch, reused from batch to batch. Operators receive a selection —
// the rows whose value is still needed — and compute at least those:
// `and` passes later terms only the rows that are not FALSE yet, `or` only
// the rows that are not TRUE yet, and a term stops when none are left.
// So an error (an overflow) is raised only for rows that need the failing
// operand, as the row evaluator raises it, and expensive terms run only on
// the rows cheap ones left undecided.
//
// The terms of each and/or run in an order estimated on a sample of the
// table before the first run and adapted during each run to the cost and
// selectivity each worker observes (as DuckDB's adaptive filters do).
// Results never depend on the order.
package exec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/funcs"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/stats"
	"github.com/segql/segql/engine/internal/value"
	"github.com/segql/segql/internal/workers"
)

// op is one operator of a program: it evaluates its node over the bound
// batch for (at least) the selected rows. The returned vector lives in
// the worker's scratch until the next batch; callers never write to it.
type op interface {
	eval(c *ctx, sel kernels.Sel) *kernels.Vec
}

// Program is a compiled plan. It is immutable after Compile (its lazily
// computed term estimates are set once, under a sync.Once) and safe for
// concurrent runs.
type Program struct {
	roots     []op
	rootSlots []int
	rootNodes []*plan.Node
	nodes     []*plan.Node // by slot
	logic     []*logicOp   // every and/or, by its index
	nslots    int
	table     *columnar.Table
	stats     *stats.Table
	plain     bool

	estOnce   sync.Once
	estimates []plan.Estimate // by slot: sampled (or the plan's) estimates
	orders    [][]int         // by logic op: the initial order of its terms
}

// Options configure compilation.
type Options struct {
	// Plain keeps the written order of and/or terms and does not adapt it.
	Plain bool
}

// Compile builds the program of roots over table t (whose statistics are
// st).
func Compile(roots []*plan.Node, t *columnar.Table, st *stats.Table, o Options) (*Program, error) {
	b := &builder{p: &Program{table: t, stats: st, plain: o.Plain, rootNodes: roots},
		ops: map[*plan.Node]op{}, parents: plan.Parents(roots)}
	for _, r := range roots {
		o, err := b.build(r)
		if err != nil {
			return nil, err
		}
		b.p.roots = append(b.p.roots, o)
		b.p.rootSlots = append(b.p.rootSlots, b.slotOf(r))
	}
	return b.p, nil
}

// Nodes returns the plan node of every slot.
func (p *Program) Nodes() []*plan.Node { return p.nodes }

// Roots returns the plan's roots.
func (p *Program) Roots() []*plan.Node { return p.rootNodes }

// RunOptions configure one run.
type RunOptions struct {
	Now     int64 // now(), microseconds
	Workers int   // goroutines (default GOMAXPROCS)
	Batches int   // evaluate only the first Batches batches (0: all)
	Roots   []int // evaluate only these roots (nil: all), in this order
	// KeepErrors records each root's failed rows in Output.Errors instead
	// of stopping the run at the first (for tests that compare the rows
	// with the row evaluator's).
	KeepErrors bool
}

// Output is a run's result: per root, each batch's TRUE rows and known
// (not UNKNOWN) rows, and the run's statistics.
type Output struct {
	Members [][][]uint64 // [root][batch] TRUE bits, tail-masked
	Known   [][][]uint64 // [root][batch] known bits; nil: every row known
	Counts  [][]int      // [root][batch] TRUE rows
	Errors  [][][]uint64 // [root][batch] failed rows, with KeepErrors; nil: none
	Stats   []NodeStats  // by slot, summed over workers
	Batches int
	Elapsed time.Duration
}

// NodeStats is what a run observed of one node.
type NodeStats struct {
	Evals    int64 // batches it ran on
	RowsIn   int64 // rows it was asked for
	RowsOut  int64 // and/or terms: rows left undecided after it
	RowsTrue int64 // predicates: TRUE rows among those asked
	Nanos    int64 // and/or terms: time spent
	Term     bool  // it is a term of an and/or
	Reorders int64 // and/or: times a worker changed its terms' order
}

// Run evaluates every root over the table's batches. Batches run in
// parallel; the context is checked before every batch. The first
// evaluation error (the row where an operand that was needed failed)
// stops the run.
func (p *Program) Run(cctx context.Context, o RunOptions) (*Output, error) {
	p.estimate(o.Now)
	batches := p.table.Batches
	if o.Batches > 0 && o.Batches < len(batches) {
		batches = batches[:o.Batches]
	}
	roots := o.Roots
	if roots == nil {
		for i := range p.roots {
			roots = append(roots, i)
		}
	}
	out := &Output{Batches: len(batches)}
	for range roots {
		out.Members = append(out.Members, memberSlab(batches))
		out.Known = append(out.Known, make([][]uint64, len(batches)))
		out.Counts = append(out.Counts, make([]int, len(batches)))
		out.Errors = append(out.Errors, make([][]uint64, len(batches)))
	}
	nw := o.Workers
	if nw <= 0 {
		nw = workers.Default()
	}
	nw = max(1, min(nw, len(batches)))
	ctxs := make([]*ctx, nw)
	for i := range ctxs {
		ctxs[i] = p.newCtx(o.Now)
		ctxs[i].cctx = cctx
	}
	start := time.Now()
	err := workers.Run(cctx, len(batches), nw, func(w, b int) error {
		return ctxs[w].runBatch(b, batches[b], roots, o.KeepErrors, out)
	})
	out.Elapsed = time.Since(start)
	if err != nil {
		var pe *workers.PanicError
		if errors.As(err, &pe) {
			if os.Getenv("SEGQL_DEBUG") != "" {
				return nil, fmt.Errorf("internal error evaluating: %v\n%s", pe.Value, pe.Stack)
			}
			return nil, fmt.Errorf("internal error evaluating: %v", pe.Value)
		}
		return nil, err
	}
	out.Stats = make([]NodeStats, p.nslots)
	for _, c := range ctxs {
		for i := range out.Stats {
			out.Stats[i].add(c.stats[i])
		}
	}
	return out, nil
}

func (s *NodeStats) add(o NodeStats) {
	s.Evals += o.Evals
	s.RowsIn += o.RowsIn
	s.RowsOut += o.RowsOut
	s.RowsTrue += o.RowsTrue
	s.Nanos += o.Nanos
	s.Reorders += o.Reorders
	s.Term = s.Term || o.Term
}

// ctx is one worker's evaluation state: the bound batch, a vector per
// slot and every operator's per-worker state. Never shared.
type ctx struct {
	p     *Program
	cctx  context.Context // the run's: event conditions prepare under it
	batch int             // the bound batch's index in the table
	seq   uint64          // increments with every bound batch (memo validity)
	cols  []arrow.Array
	n     int
	env   funcs.Env
	vecs  []kernels.Vec
	memo  []memoState
	logic []logicState
	aux   []any // per slot: an operator's own per-worker state
	stats []NodeStats
}

// newCtx returns a worker's context, the terms of every and/or in the
// program's estimated order.
func (p *Program) newCtx(now int64) *ctx {
	p.estimate(now)
	return p.buildCtx(now, p.orders)
}

// buildCtx returns a context with the given term orders (nil: as written).
func (p *Program) buildCtx(now int64, orders [][]int) *ctx {
	c := &ctx{p: p, cctx: context.Background(), env: funcs.Env{Now: now}, vecs: make([]kernels.Vec, p.nslots), memo: make([]memoState, p.nslots),
		logic: make([]logicState, len(p.logic)), aux: make([]any, p.nslots), stats: make([]NodeStats, p.nslots)}
	for i, l := range p.logic {
		if orders != nil {
			c.logic[i].order = append([]int(nil), orders[i]...)
			continue
		}
		for j := range l.terms { // the written order (while sampling)
			c.logic[i].order = append(c.logic[i].order, j)
		}
	}
	return c
}

// bind points the context at a batch's columns.
func (c *ctx) bind(b int, rec arrow.RecordBatch) {
	c.batch = b
	c.seq++
	c.cols = c.cols[:0]
	for i := 0; i < int(rec.NumCols()); i++ {
		c.cols = append(c.cols, rec.Column(i))
	}
	c.n = int(rec.NumRows())
	c.env.RowOffset = c.p.table.BatchOffset(b)
}

// runBatch evaluates the roots over one batch and stores the results.
func (c *ctx) runBatch(b int, rec arrow.RecordBatch, roots []int, keepErrors bool, out *Output) error {
	c.bind(b, rec)
	all := kernels.All(c.n)
	for r, ri := range roots {
		v := c.p.roots[ri].eval(c, all)
		if keepErrors && v.Err != nil {
			out.Errors[r][b] = append([]uint64(nil), v.Err...)
			v.Err = nil
		}
		known, err := settle(v, c.n, out.Members[r][b])
		if err != nil {
			return err
		}
		out.Known[r][b] = known
		members := out.Members[r][b]
		out.Counts[r][b] = kernels.Popcount(members)
		c.stats[c.p.rootSlots[ri]].RowsTrue += int64(out.Counts[r][b])
	}
	return nil
}

// memberSlab returns each batch's words for its TRUE rows, all carved from
// one allocation: one large block per run costs less than a small one per
// batch, and the result keeps them together.
func memberSlab(batches []arrow.RecordBatch) [][]uint64 {
	total := 0
	for _, b := range batches {
		total += kernels.Words(int(b.NumRows()))
	}
	slab := make([]uint64, total)
	out := make([][]uint64, len(batches))
	for i, b := range batches {
		nw := kernels.Words(int(b.NumRows()))
		out[i], slab = slab[:nw:nw], slab[nw:]
	}
	return out
}

// settle copies a root's TRUE rows into members (Words(n) words) and
// returns its known rows in a fresh bitmap (nil when all are known). A row
// whose evaluation failed is the run's error.
func settle(v *kernels.Vec, n int, members []uint64) (known []uint64, err error) {
	nw := kernels.Words(n)
	if !v.Const && v.Err == nil { // the common case: bits are TRUE rows, valid the known ones
		copy(members, v.Bits[:nw])
		kernels.TailMask(members, n)
		if v.Valid != nil && !allSet(v.Valid[:nw], n) {
			known = make([]uint64, nw)
			copy(known, v.Valid[:nw])
			kernels.TailMask(known, n)
		}
		return known, nil
	}
	allKnown := true
	var kn []uint64
	for w := range nw {
		t, f, e := v.Truth(w)
		mask := kernels.WordMask(w, n)
		if e&mask != 0 {
			return nil, v.Cause
		}
		members[w] = t & mask
		if k := (t | f) & mask; k != mask {
			if allKnown {
				kn = make([]uint64, nw)
				for i := range w {
					kn[i] = kernels.WordMask(i, n)
				}
				allKnown = false
			}
			kn[w] = k
		} else if !allKnown {
			kn[w] = k
		}
	}
	return kn, nil
}

// allSet reports whether the first n bits of w are set.
func allSet(w []uint64, n int) bool {
	for i, x := range w {
		if m := kernels.WordMask(i, n); x&m != m {
			return false
		}
	}
	return true
}

// vec prepares slot s's vector for this batch as kind k, n rows.
func (c *ctx) vec(s int, k value.Kind) *kernels.Vec {
	v := &c.vecs[s]
	v.Reset(k, c.n)
	return v
}

// record notes a node's evaluation in the run's statistics (TRUE rows are
// counted by the and/or operators and for roots, where they are known
// without another pass).
func (c *ctx) record(s int, sel kernels.Sel, _ *kernels.Vec) {
	st := &c.stats[s]
	st.Evals++
	st.RowsIn += int64(sel.N)
}
