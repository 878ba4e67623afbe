package exec

import (
	"fmt"
	"math/bits"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
)

// builder makes one operator per distinct plan node.
type builder struct {
	p       *Program
	ops     map[*plan.Node]op
	parents map[*plan.Node]int
}

func (b *builder) slot(n *plan.Node) int {
	s := b.p.nslots
	b.p.nslots++
	b.p.nodes = append(b.p.nodes, n)
	return s
}

// build returns n's operator: tracked (its statistics recorded) and, when
// n has several parents, memoized per batch.
func (b *builder) build(n *plan.Node) (op, error) {
	if o, ok := b.ops[n]; ok {
		return o, nil
	}
	s := b.slot(n)
	o, err := b.buildNode(n, s)
	if err != nil {
		return nil, err
	}
	o = &tracked{op: o, slot: s}
	if b.parents[n] > 1 {
		o = &memoOp{op: o, slot: s}
	}
	b.ops[n] = o
	return o, nil
}

func (b *builder) buildArgs(n *plan.Node) ([]op, error) {
	out := make([]op, len(n.Args))
	for i, a := range n.Args {
		o, err := b.build(a)
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

func (b *builder) buildNode(n *plan.Node, s int) (op, error) {
	switch n.Op {
	case plan.OpConst:
		return &constOp{slot: s, node: n}, nil
	case plan.OpError:
		return &errorOp{slot: s, node: n}, nil
	}
	if !n.HasColumn() {
		return &runConstOp{slot: s, node: n}, nil
	}
	if n.Op == plan.OpColumn {
		return &columnOp{slot: s, node: n}, nil
	}
	if o, err := b.leaf(n, s); o != nil || err != nil {
		return o, err
	}
	args, err := b.buildArgs(n)
	if err != nil {
		return nil, err
	}
	return b.inner(n, s, args)
}

// leaf builds the operators that read their column directly (nil for
// other nodes).
func (b *builder) leaf(n *plan.Node, s int) (op, error) {
	switch n.Op {
	case plan.OpRange:
		return newRangeOp(b, n, s)
	case plan.OpInRuns:
		return &inRunsOp{slot: s, node: n, times: newTimeGuard(n.Args[0])}, nil
	case plan.OpLinear:
		return newLinearOp(n, s), nil
	case plan.OpChunked:
		return newChunkedOp(n, s)
	case plan.OpDict:
		return newDictOp(b.p, n, s)
	case plan.OpIsNull:
		if x := n.Args[0]; x.Op == plan.OpColumn && x.Col.Top() {
			return &validityOp{slot: s, node: n}, nil
		}
	case plan.OpRank:
		return &rankOp{slot: s, node: n}, nil
	case plan.OpEvent:
		return &eventOp{slot: s, node: n}, nil
	}
	return nil, nil
}

// inner builds the operators over their arguments' vectors.
func (b *builder) inner(n *plan.Node, s int, args []op) (op, error) {
	switch n.Op {
	case plan.OpNot:
		return &notOp{slot: s, x: args[0]}, nil
	case plan.OpAnd, plan.OpOr:
		l := &logicOp{slot: s, node: n, isAnd: n.Op == plan.OpAnd, terms: args, index: len(b.p.logic)}
		for _, t := range n.Args {
			l.termSlots = append(l.termSlots, b.slotOf(t))
		}
		b.p.logic = append(b.p.logic, l)
		return l, nil
	case plan.OpIsNull:
		return &isNullOp{slot: s, node: n, x: args[0]}, nil
	case plan.OpCompare:
		return &compareOp{slot: s, node: n, x: args[0], y: args[1],
			uintX: isUint64Column(n.Args[0]), uintY: isUint64Column(n.Args[1])}, nil
	case plan.OpArith:
		return &arithOp{slot: s, node: n, x: args[0], y: args[1]}, nil
	case plan.OpNeg:
		return &negOp{slot: s, node: n, x: args[0]}, nil
	case plan.OpCast:
		return &castOp{slot: s, x: args[0], uintX: isUint64Column(n.Args[0])}, nil
	case plan.OpInSet:
		return newInSetOp(n, s, args[0]), nil
	case plan.OpLike, plan.OpMatches, plan.OpStrContains:
		return newStrPredOp(n, s, args[0]), nil
	case plan.OpContains:
		return &listContainsOp{slot: s, node: n, x: args[0]}, nil
	case plan.OpCall:
		return &callOp{slot: s, node: n, args: args}, nil
	case plan.OpCoalesce:
		return &coalesceOp{slot: s, node: n, args: args}, nil
	case plan.OpSegment:
		return &passOp{x: args[0]}, nil
	}
	return nil, fmt.Errorf("engine: no operator for %s", n.Op)
}

// slotOf returns the slot of an already built node.
func (b *builder) slotOf(n *plan.Node) int {
	switch o := b.ops[n].(type) {
	case *memoOp:
		return o.slot
	case *tracked:
		return o.slot
	}
	return -1
}

// tracked records a node's evaluations in the run's statistics.
type tracked struct {
	op
	slot int
}

func (t *tracked) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	v := t.op.eval(c, sel)
	c.record(t.slot, sel, v)
	return v
}

// passOp is a named segment: its definition's value.
type passOp struct{ x op }

func (p *passOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec { return p.x.eval(c, sel) }

func popcount(x uint64) int { return bits.OnesCount64(x) }

func trailingZeros(x uint64) int { return bits.TrailingZeros64(x) }
