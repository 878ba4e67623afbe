package optimizer

import (
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/value"
)

// ruleFoldConstants replaces an operation whose operands are constants by
// its value, simplifies and/or around constant terms, and turns an
// operation that fails on constants (an overflow) into an Error node that
// raises its error wherever its value is needed.
var ruleFoldConstants = Rule{Name: "fold_constants", Normalize: true, Apply: foldConstants}

func foldConstants(_ *Context, n *plan.Node) (*plan.Node, error) {
	switch n.Op {
	case plan.OpConst, plan.OpColumn, plan.OpNow, plan.OpSegment, plan.OpError, plan.OpRank, plan.OpEvent:
		return n, nil
	case plan.OpAnd, plan.OpOr:
		return foldLogic(n), nil
	case plan.OpCoalesce:
		return foldCoalesce(n), nil
	}
	for _, a := range n.Args {
		if a.Op == plan.OpError {
			return errorNode(n, a.Err), nil // every other operation needs all its operands
		}
	}
	for _, a := range n.Args {
		if a.Op != plan.OpConst {
			return n, nil
		}
	}
	e := rowexec.Evaluator{Src: rowexec.NoColumns{}}
	v, err := e.Eval(n)
	if err != nil {
		return errorNode(n, err), nil
	}
	return constNode(n, v), nil
}

// constNode is a constant with n's kind and position.
func constNode(n *plan.Node, v value.Value) *plan.Node {
	if v.Null {
		v = value.NullOf(n.Kind)
	}
	return &plan.Node{Op: plan.OpConst, Kind: n.Kind, Val: v, Src: n.Src, Span: n.Span}
}

// errorNode is an operation that always fails with err.
func errorNode(n *plan.Node, err error) *plan.Node {
	return &plan.Node{Op: plan.OpError, Kind: n.Kind, Err: n.Positioned(err), Src: n.Src, Span: n.Span}
}

// boolConst is TRUE, FALSE or UNKNOWN as a constant at n's position.
func boolConst(n *plan.Node, v value.Value) *plan.Node {
	return &plan.Node{Op: plan.OpConst, Kind: value.KBool, Val: v, Src: n.Src, Span: n.Span}
}

// foldLogic drops terms that cannot change an and/or (TRUE in and, FALSE
// in or), folds it to its deciding constant when one term is that
// constant (which hides every other term's errors), and flattens nested
// connectives of the same kind.
func foldLogic(n *plan.Node) *plan.Node {
	isAnd := n.Op == plan.OpAnd
	var keep []*plan.Node
	sawNull := false
	for _, t := range plan.Flatten(n.Op, n.Args) {
		if t.Op != plan.OpConst {
			keep = append(keep, t)
			continue
		}
		switch {
		case t.Val.Null:
			sawNull = true
		case t.Val.B != isAnd:
			return boolConst(n, value.Bool(!isAnd))
		}
	}
	if sawNull {
		keep = append(keep, boolConst(n, value.NullOf(value.KBool)))
	}
	switch len(keep) {
	case 0:
		return boolConst(n, value.Bool(isAnd))
	case 1:
		return keep[0]
	}
	if len(keep) == len(n.Args) && !hasNested(n) {
		return n
	}
	cp := *n
	cp.Args = keep
	return &cp
}

func hasNested(n *plan.Node) bool {
	for _, a := range n.Args {
		if a.Op == n.Op {
			return true
		}
	}
	return false
}

// foldCoalesce drops leading null constants and stops at the first
// non-null constant.
func foldCoalesce(n *plan.Node) *plan.Node {
	var keep []*plan.Node
	for _, a := range n.Args {
		if a.Op == plan.OpConst && a.Val.Null {
			continue
		}
		keep = append(keep, a)
		if a.Op == plan.OpConst || a.Op == plan.OpError {
			break
		}
	}
	switch {
	case len(keep) == 0:
		return constNode(n, value.NullOf(n.Kind))
	case len(keep) == 1:
		return keep[0]
	case len(keep) == len(n.Args):
		return n
	}
	cp := *n
	cp.Args = keep
	return &cp
}
