package optimizer

import (
	"math"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// ruleIntFloatCompare compares a narrow integer column with a float
// constant as integers: `age > 40.5` is `age > 40` (x > c ⇔ x > ⌊c⌋ for an
// integer x, likewise ≥ with ⌈c⌉), so the comparison runs over the
// column's own values instead of converting every row to a float. Only
// for columns of at most 32 bits, whose values floats hold exactly, and
// finite constants below 2⁵³.
var ruleIntFloatCompare = Rule{Name: "int_float_compare", Apply: intFloatCompare}

func intFloatCompare(_ *Context, n *plan.Node) (*plan.Node, error) {
	if n.Op != plan.OpCompare {
		return n, nil
	}
	x, y, op := plan.ColumnFirst(n)
	if x.Op != plan.OpCast || !topColumn(x.Args[0]) || y.Op != plan.OpConst || y.Val.Null {
		return n, nil
	}
	if _, _, ok := narrowInt(x.Args[0].Col.Type); !ok {
		return n, nil
	}
	c := y.Val.F
	if math.IsNaN(c) || math.Abs(c) >= 1<<53 {
		return n, nil
	}
	fl, ce := math.Floor(c), math.Ceil(c)
	var k float64
	switch op {
	case kernels.Gt, kernels.Le:
		k = fl
	case kernels.Ge, kernels.Lt:
		k = ce
	default: // = and != with a fraction are constant for non-null rows
		if fl != c {
			return n, nil
		}
		k = c
	}
	bound := &plan.Node{Op: plan.OpConst, Kind: value.KInt, Val: value.Int(int64(k)), Src: y.Src, Span: y.Span}
	out := plan.CompareNode(op, x.Args[0], bound, n.Src, n.Span)
	return out, nil
}
