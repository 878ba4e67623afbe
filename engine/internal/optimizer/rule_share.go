package optimizer

import (
	"fmt"
	"strings"

	"github.com/segql/segql/engine/internal/plan"
)

// ruleShare makes identical subexpressions one node (hash-consing), within
// an expression and across the named segments of a plan: the executor
// evaluates a node with several parents once per batch, so a division or
// a segment written twice costs once.
var ruleShare = Rule{Name: "share_subexpressions", Pass: func() func(*Context, *plan.Node) (*plan.Node, error) {
	seen := map[string]*plan.Node{}
	return func(_ *Context, n *plan.Node) (*plan.Node, error) {
		if n.Op == plan.OpError || n.Op == plan.OpConst {
			return n, nil
		}
		k := key(n)
		if prev, ok := seen[k]; ok {
			return prev, nil
		}
		seen[k] = n
		return n, nil
	}
}}

// key identifies what a node computes: its operation, payload and
// (already shared) arguments.
func key(n *plan.Node) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%d|", n.Op, n.Kind)
	for _, a := range n.Args {
		fmt.Fprintf(&b, "%p,", a)
	}
	b.WriteByte('|')
	switch n.Op {
	case plan.OpColumn:
		fmt.Fprintf(&b, "%d%v", n.Col.Index, n.Col.Fields)
	case plan.OpCompare:
		fmt.Fprintf(&b, "%d", n.Cmp)
	case plan.OpArith:
		fmt.Fprintf(&b, "%d", n.Arith)
	case plan.OpIsNull:
		fmt.Fprintf(&b, "%t", n.Negated)
	case plan.OpInSet, plan.OpInRuns:
		fmt.Fprintf(&b, "%v%v%v", n.Set.Values, n.Runs, n.Negated)
	case plan.OpLike:
		fmt.Fprintf(&b, "%q%t", n.Like.Pattern(), n.Like.Fold())
	case plan.OpMatches:
		fmt.Fprintf(&b, "%q", n.Re.String())
	case plan.OpContains, plan.OpStrContains:
		fmt.Fprintf(&b, "%t%d%v", n.Needles.All, n.Needles.Kind, n.Needles.Needles)
	case plan.OpCall, plan.OpRank:
		fmt.Fprintf(&b, "%s|%q|%d|%t|%p", n.Fn.Name, n.Param.Salt, n.Param.Tiles, n.Param.Invert, n.Param.Rank)
	case plan.OpSegment:
		fmt.Fprintf(&b, "%q", n.Name)
	case plan.OpEvent:
		fmt.Fprintf(&b, "%q|%p", n.Event.Text, n.Event.Source)
	case plan.OpRange:
		bd := n.Bounds
		fmt.Fprintf(&b, "%v|%v|%p|%p|%d|%d|", bd.Cmp, bd.Scale, bd.LoExpr, bd.HiExpr, bd.LoAdj, bd.HiAdj)
		if bd.Float != nil {
			fmt.Fprintf(&b, "%v", *bd.Float)
		}
		if bd.Uint != nil {
			fmt.Fprintf(&b, "%v", *bd.Uint)
		}
	case plan.OpLinear:
		fmt.Fprintf(&b, "%v", *n.Lin)
	case plan.OpChunked:
		b.WriteString(deepKey(n.Logical))
	}
	return b.String()
}

// deepKey identifies an expression by its structure all the way down (for
// physical nodes whose meaning is their logical expression).
func deepKey(n *plan.Node) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d|%d|%d|%d|%s|", n.Op, n.Kind, n.Cmp, n.Arith, n.Val.String())
	if n.Col != nil {
		fmt.Fprintf(&b, "col%d%v|", n.Col.Index, n.Col.Fields)
	}
	if n.Fn != nil {
		b.WriteString(n.Fn.Name + "|")
	}
	b.WriteByte('(')
	for _, a := range n.Args {
		b.WriteString(deepKey(a))
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}
