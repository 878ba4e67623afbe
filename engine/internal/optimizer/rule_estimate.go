package optimizer

import (
	"math"
	"sort"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// ruleEstimate gives every node an estimate of its cost per row and of
// how often a predicate is TRUE, and orders the terms of each and/or so
// that cheap terms that decide many rows run first: and by cost ÷ (1 −
// selectivity), or by cost ÷ selectivity (the classic order for
// independent filters). These are plan-time guesses from the shape of
// each term; the executor refines them on a sample of the table before
// the first run and from what it observes while running.
var ruleEstimate = Rule{Name: "order_terms", Apply: estimate}

func estimate(_ *Context, n *plan.Node) (*plan.Node, error) {
	cost, sel := guess(n)
	out := n
	if n.Op == plan.OpAnd || n.Op == plan.OpOr {
		if terms := OrderTerms(n.Op == plan.OpAnd, n.Args, func(t *plan.Node) (float64, float64) {
			return t.Estimate.Cost, t.Estimate.Selectivity
		}); terms != nil {
			cp := *n
			cp.Args = terms
			out = &cp
		}
	}
	if out == n && n.Estimate.Cost == cost && n.Estimate.Selectivity == sel {
		return n, nil
	}
	if out == n {
		cp := *n
		out = &cp
	}
	out.Estimate = plan.Estimate{Cost: cost, Selectivity: sel}
	return out, nil
}

// OrderTerms returns terms sorted for evaluation (nil when already in
// order), by the cost and selectivity est reports for each.
func OrderTerms(isAnd bool, terms []*plan.Node, est func(*plan.Node) (cost, sel float64)) []*plan.Node {
	rank := func(t *plan.Node) float64 {
		c, s := est(t)
		decided := s // or: a TRUE term decides the row
		if isAnd {
			decided = 1 - s // and: a FALSE term decides it
		}
		return c / math.Max(decided, 1e-6)
	}
	ranks := make([]float64, len(terms))
	sorted := true
	for i, t := range terms {
		ranks[i] = rank(t)
		if i > 0 && ranks[i] < ranks[i-1] {
			sorted = false
		}
	}
	if sorted {
		return nil
	}
	idx := make([]int, len(terms))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ranks[idx[a]] < ranks[idx[b]] })
	out := make([]*plan.Node, len(terms))
	for i, j := range idx {
		out[i] = terms[j]
	}
	return out
}

// guess estimates a node from its shape and its arguments' estimates:
// cost in nanoseconds per row on one core, selectivity as the fraction of
// rows a predicate is TRUE for.
func guess(n *plan.Node) (cost, sel float64) {
	args := 0.0
	for _, a := range n.Args {
		args += a.Estimate.Cost
	}
	sel = 0.5
	switch n.Op {
	case plan.OpConst, plan.OpNow:
		return 0, constSel(n)
	case plan.OpColumn:
		return 0.2, 0.5
	case plan.OpRange:
		return 0.15, rangeSel(n.Bounds)
	case plan.OpInRuns:
		return 0.15 * float64(len(n.Runs)), math.Min(0.9, 0.1*float64(len(n.Runs)))
	case plan.OpDict:
		return 0.5, n.Args[0].Estimate.Selectivity
	case plan.OpIsNull:
		if n.Negated {
			return 0.05 + args, 0.95
		}
		return 0.05 + args, 0.05
	case plan.OpNot:
		return 0.1 + args, 1 - n.Args[0].Estimate.Selectivity
	case plan.OpAnd, plan.OpOr:
		return logicEstimate(n)
	case plan.OpSegment:
		return args, n.Args[0].Estimate.Selectivity
	case plan.OpCompare:
		return 1 + args, cmpSel(n.Cmp)
	case plan.OpLinear:
		return 0.6 * float64(len(n.Args)), cmpSel(n.Lin.Cmp)
	case plan.OpInSet:
		return 8 + args, math.Min(0.9, 0.05*float64(n.Set.Len()))
	case plan.OpLike:
		return 5 + args, 0.2
	case plan.OpMatches:
		return 60 + args, 0.2
	case plan.OpStrContains:
		return 10 + args, 0.2
	case plan.OpContains:
		return 25 + args, 0.2
	case plan.OpArith:
		if n.Arith == kernels.Div || n.Arith == kernels.Mod {
			return 3 + args, sel
		}
		return 1.5 + args, sel
	case plan.OpCall, plan.OpRank:
		return n.Fn.Cost + args, sel
	case plan.OpEvent: // a walk over the user's events of one name
		return 20, sel
	}
	return 1 + args, sel
}

func constSel(n *plan.Node) float64 {
	if n.Kind == value.KBool && n.Val.IsTrue() {
		return 1
	}
	return 0
}

func cmpSel(op kernels.CmpOp) float64 {
	switch op {
	case kernels.Eq:
		return 0.1
	case kernels.Ne:
		return 0.9
	}
	return 0.35
}

func rangeSel(b plan.Bounds) float64 {
	s := 0.35
	switch {
	case b.Float != nil || b.Uint != nil:
	case b.Fixed() && b.Cmp.Lo == b.Cmp.Hi:
		s = 0.05
	case b.LoExpr != nil && b.HiExpr != nil, b.Fixed() && b.Cmp.Lo > math.MinInt64 && b.Cmp.Hi < math.MaxInt64:
		s = 0.2
	}
	if b.Cmp.Neg {
		s = 1 - s
	}
	return s
}

// logicEstimate is an and/or's cost (each term runs on the rows the
// earlier ones left undecided) and selectivity (terms independent).
func logicEstimate(n *plan.Node) (cost, sel float64) {
	isAnd := n.Op == plan.OpAnd
	reach, p := 1.0, 1.0
	for _, t := range n.Args {
		cost += reach * t.Estimate.Cost
		s := t.Estimate.Selectivity
		if isAnd {
			reach *= s
			p *= s
		} else {
			reach *= 1 - s
			p *= 1 - s
		}
	}
	if isAnd {
		return cost, p
	}
	return cost, 1 - p
}
