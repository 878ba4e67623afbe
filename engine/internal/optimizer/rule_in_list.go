package optimizer

import (
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// ruleInList turns `x in (…)` into a hashed set when every item is a
// constant (after folding), else into `x = a or x = b …`; and gives
// `contains` its constant needles.
var ruleInList = Rule{Name: "in_list", Normalize: true, Apply: inList}

func inList(_ *Context, n *plan.Node) (*plan.Node, error) {
	switch n.Op {
	case plan.OpIn:
		return inSet(n), nil
	case plan.OpContains, plan.OpStrContains:
		return needles(n)
	}
	return n, nil
}

func inSet(n *plan.Node) *plan.Node {
	x, items := n.Args[0], n.Args[1:]
	vals := make([]value.Value, 0, len(items))
	for _, it := range items {
		if it.Op != plan.OpConst {
			return inChain(n)
		}
		vals = append(vals, it.Val)
	}
	out := &plan.Node{Op: plan.OpInSet, Kind: value.KBool, Args: []*plan.Node{x}, Set: plan.NewSet(x.Kind, vals),
		Src: n.Src, Span: n.Span}
	if x.Op == plan.OpConst || x.Op == plan.OpError {
		return foldNow(out)
	}
	return out
}

// inChain is `x = a or x = b …` for lists with non-constant items.
func inChain(n *plan.Node) *plan.Node {
	or := &plan.Node{Op: plan.OpOr, Kind: value.KBool, Src: n.Src, Span: n.Span}
	for _, it := range n.Args[1:] {
		or.Args = append(or.Args, plan.CompareNode(kernels.Eq, n.Args[0], it, n.Src, it.Span))
	}
	if len(or.Args) == 1 {
		return or.Args[0]
	}
	return or
}

// foldNow folds a node whose operands are constants.
func foldNow(n *plan.Node) *plan.Node {
	out, _ := foldConstants(nil, n)
	return out
}

// needles folds contains' values into constants: a null value matches
// nothing, and `contains any` and `contains all` ignore it, as DuckDB's
// list_has_any and list_has_all do; `contains` with a single null can
// never be TRUE (the checker rejects literals).
func needles(n *plan.Node) (*plan.Node, error) {
	if len(n.Args) == 1 {
		return n, nil
	}
	var vals []value.Value
	for i, a := range n.Args[1:] {
		if a.Op == plan.OpError {
			return errorNode(n, a.Err), nil
		}
		if a.Op != plan.OpConst {
			return nil, plan.CompileError(a, "contains needs constant values (value %d is computed per row)", i+1)
		}
		if a.Val.Null {
			if !n.Needles.All && len(n.Args) == 2 {
				return nil, plan.CompileError(a, "contains with a null value is never true")
			}
			continue
		}
		vals = append(vals, a.Val)
	}
	if n.Needles.All && len(vals) > kernels.MaxContainsAll {
		return nil, plan.CompileError(n, "contains all takes at most %d values, got %d", kernels.MaxContainsAll, len(vals))
	}
	out := &plan.Node{Op: n.Op, Kind: value.KBool, Args: n.Args[:1], Needles: n.Needles.WithNeedles(vals),
		Src: n.Src, Span: n.Span}
	if len(vals) == 0 && n.Needles.All { // all of no values: TRUE, UNKNOWN for a null list: l is not null or UNKNOWN
		return &plan.Node{Op: plan.OpOr, Kind: value.KBool, Src: n.Src, Span: n.Span, Args: []*plan.Node{
			{Op: plan.OpIsNull, Kind: value.KBool, Negated: true, Args: n.Args[:1], Src: n.Src, Span: n.Span},
			boolConst(n, value.NullOf(value.KBool))}}, nil
	}
	if len(vals) == 0 { // contains any of only nulls: FALSE, UNKNOWN for a null list: l is null and UNKNOWN
		return &plan.Node{Op: plan.OpAnd, Kind: value.KBool, Src: n.Src, Span: n.Span, Args: []*plan.Node{
			{Op: plan.OpIsNull, Kind: value.KBool, Args: n.Args[:1], Src: n.Src, Span: n.Span},
			boolConst(n, value.NullOf(value.KBool))}}, nil
	}
	return out, nil
}
