package optimizer

import (
	"math"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// ruleDaysSince runs `days_since(t) op c` as a range of t against now()
// instead of computing every row's day count. With x = now − t,
// ⌊x / 1d⌋ > c ⇔ x ≥ (c+1)·1d ⇔ t ≤ now − (c+1)·1d, and likewise for the
// other operators; the bounds are computed once per run.
var ruleDaysSince = Rule{Name: "days_since_range", Apply: daysSince}

// maxDaysRewrite bounds the day counts rewritten, so the bounds cannot
// overflow.
const maxDaysRewrite = 10_000_000

func daysSince(_ *Context, n *plan.Node) (*plan.Node, error) {
	if n.Op != plan.OpCompare {
		return n, nil
	}
	x, y, op := plan.ColumnFirst(n)
	c, ok := intConst(y)
	if x.Op != plan.OpCall || x.Fn.Name != "days_since" || !topColumn(x.Args[0]) || !ok ||
		c > maxDaysRewrite || c < -maxDaysRewrite {
		return n, nil
	}
	t := x.Args[0]
	scale, ok := rangeType(t.Col.Type)
	if !ok {
		return n, nil
	}
	ago := func(days int64) *plan.Node { // now() − days·1d
		return &plan.Node{Op: plan.OpArith, Kind: value.KTime, Arith: kernels.Sub, Src: n.Src, Span: n.Span, Args: []*plan.Node{
			{Op: plan.OpNow, Kind: value.KTime, Src: n.Src, Span: n.Span},
			{Op: plan.OpConst, Kind: value.KDur, Val: value.Dur(days * kernels.DayMicros), Src: n.Src, Span: n.Span}}}
	}
	b := plan.Bounds{Cmp: kernels.IntRange{Lo: math.MinInt64, Hi: math.MaxInt64}, Scale: scale, NowDiff: true}
	switch op {
	case kernels.Gt:
		b.HiExpr = ago(c + 1)
	case kernels.Ge:
		b.HiExpr = ago(c)
	case kernels.Lt:
		b.LoExpr, b.LoAdj = ago(c), 1
	case kernels.Le:
		b.LoExpr, b.LoAdj = ago(c+1), 1
	case kernels.Eq, kernels.Ne:
		b.LoExpr, b.LoAdj, b.HiExpr = ago(c+1), 1, ago(c)
		b.Cmp.Neg = op == kernels.Ne
	}
	out := rangeNode(t, b, n)
	out.Rule = "days_since_range"
	return out, nil
}
