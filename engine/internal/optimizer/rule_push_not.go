package optimizer

import (
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// rulePushNot moves negations toward the leaves: not not x is x, a negated
// comparison flips its operator (the order of every kind is total, NaN
// above every number, so `not (x > 5)` is `x <= 5` for every non-null x),
// `not (x is null)` is `x is not null`, and De Morgan's laws (which hold in
// three-valued logic, errors included) turn a negated and into an or of
// negations, so the executor can narrow rows term by term.
var rulePushNot = Rule{Name: "push_not", Apply: pushNot}

func pushNot(_ *Context, n *plan.Node) (*plan.Node, error) {
	if n.Op != plan.OpNot {
		return n, nil
	}
	if out, ok := negate(n.Args[0], n); ok {
		return out, nil
	}
	return n, nil
}

// negate returns the negation of x without a Not node where it can; at is
// the negation's position.
func negate(x, at *plan.Node) (*plan.Node, bool) {
	switch x.Op {
	case plan.OpNot:
		return x.Args[0], true
	case plan.OpCompare:
		cp := *x
		cp.Cmp = x.Cmp.Negate()
		cp.Src, cp.Span = at.Src, at.Span
		return &cp, true
	case plan.OpIsNull:
		cp := *x
		cp.Negated = !x.Negated
		cp.Src, cp.Span = at.Src, at.Span
		return &cp, true
	case plan.OpConst:
		if x.Val.Null {
			return x, true
		}
		return boolConst(at, value.Bool(!x.Val.B)), true
	case plan.OpAnd, plan.OpOr:
		op := plan.OpOr
		if x.Op == plan.OpOr {
			op = plan.OpAnd
		}
		out := &plan.Node{Op: op, Kind: value.KBool, Src: at.Src, Span: at.Span}
		for _, t := range x.Args {
			nt, ok := negate(t, t)
			if !ok {
				nt = &plan.Node{Op: plan.OpNot, Kind: value.KBool, Args: []*plan.Node{t}, Src: t.Src, Span: t.Span}
			}
			out.Args = append(out.Args, nt)
		}
		out.Args = plan.Flatten(op, out.Args)
		return out, true
	}
	return nil, false
}
