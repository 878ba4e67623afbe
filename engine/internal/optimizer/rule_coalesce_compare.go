package optimizer

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/value"
)

// ruleCoalesceCompare rewrites `coalesce(x, k) op c` (k and c constants)
// as a comparison of x itself: where x is null the result is the constant
// truth of `k op c`, so it is `x op c or x is null` when that is TRUE,
// `x is not null and x op c` when FALSE, and `x op c` when k is null. The
// comparison then runs over the column's own values (a range), with no
// coalesced copy.
var ruleCoalesceCompare = Rule{Name: "coalesce_compare", Apply: coalesceCompare}

func coalesceCompare(_ *Context, n *plan.Node) (*plan.Node, error) {
	if n.Op != plan.OpCompare {
		return n, nil
	}
	x, y, op := plan.ColumnFirst(n)
	if x.Op != plan.OpCoalesce || len(x.Args) != 2 || x.Args[1].Op != plan.OpConst || y.Op != plan.OpConst {
		return n, nil
	}
	inner, k := x.Args[0], x.Args[1]
	if inner.Op == plan.OpColumn && inner.Col.Type.ID() == arrow.UINT64 {
		return n, nil // coalesce raises ErrUintRange on big values; a bare comparison would not
	}
	cmp := plan.CompareNode(op, inner, y, n.Src, n.Span)
	e := rowexec.Evaluator{Src: rowexec.NoColumns{}}
	onNull, err := e.Eval(plan.CompareNode(op, k, y, n.Src, n.Span))
	if err != nil {
		return n, nil
	}
	isNull := &plan.Node{Op: plan.OpIsNull, Kind: value.KBool, Args: []*plan.Node{inner}, Src: n.Src, Span: n.Span}
	switch {
	case onNull.Null:
		return cmp, nil
	case onNull.B:
		return &plan.Node{Op: plan.OpOr, Kind: value.KBool, Args: []*plan.Node{cmp, isNull}, Src: n.Src, Span: n.Span}, nil
	}
	isNull.Negated = true
	return &plan.Node{Op: plan.OpAnd, Kind: value.KBool, Args: []*plan.Node{isNull, cmp}, Src: n.Src, Span: n.Span}, nil
}
