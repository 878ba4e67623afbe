package optimizer

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// ruleRanges turns a comparison of a column with a constant (or with an
// expression of now() and constants, fixed per run) into a Range over the
// column's stored values: one pass in the column's own width, no
// conversion (dates compare as days, timestamps in their unit), and zones
// can decide whole batches. Inside an and, a lower and an upper bound on
// one column fuse into one range.
var ruleRanges = Rule{Name: "ranges", Apply: ranges}

func ranges(_ *Context, n *plan.Node) (*plan.Node, error) {
	switch n.Op {
	case plan.OpCompare:
		if r := compareRange(n); r != nil {
			return r, nil
		}
	case plan.OpAnd:
		return fuseRanges(n), nil
	}
	return n, nil
}

// rangeType reports column types whose stored values Range reads as
// integers, and their scale to comparison units.
func rangeType(t arrow.DataType) (kernels.Scale, bool) {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32,
		arrow.TIMESTAMP, arrow.DATE32, arrow.DATE64:
		return kernels.ScaleOf(t), true
	}
	return kernels.Scale{}, false
}

// compareRange returns `column op bound` as a Range, or nil.
func compareRange(n *plan.Node) *plan.Node {
	x, y, op := plan.ColumnFirst(n)
	if !topColumn(x) {
		return nil
	}
	t := x.Col.Type
	switch {
	case t.ID() == arrow.FLOAT64 || t.ID() == arrow.FLOAT32:
		if y.Op != plan.OpConst || y.Val.Null || y.Kind != value.KFloat {
			return nil
		}
		p := kernels.FloatCmpPred(op, y.Val.F)
		return rangeNode(x, plan.Bounds{Float: &p}, n)
	case t.ID() == arrow.UINT64:
		c, ok := intConst(y)
		if !ok {
			return nil
		}
		return rangeNode(x, plan.Bounds{Uint: &plan.UintCmp{Op: op, C: c}}, n)
	}
	scale, ok := rangeType(t)
	if !ok || (y.Kind != value.KInt && y.Kind != value.KTime) {
		return nil
	}
	switch {
	case y.Op == plan.OpConst && !y.Val.Null:
		return rangeNode(x, plan.Bounds{Cmp: kernels.CmpRange(op, y.Val.I), Scale: scale}, n)
	case runConstant(y):
		return runRange(x, y, op, scale, n)
	}
	return nil
}

// runRange is `x op y` for a y fixed per run: its bounds are computed
// once per run, strict bounds made inclusive with an adjustment.
func runRange(x, y *plan.Node, op kernels.CmpOp, scale kernels.Scale, logical *plan.Node) *plan.Node {
	b := plan.Bounds{Cmp: kernels.IntRange{Lo: math.MinInt64, Hi: math.MaxInt64}, Scale: scale}
	switch op {
	case kernels.Ge:
		b.LoExpr = y
	case kernels.Gt:
		b.LoExpr, b.LoAdj = y, 1
	case kernels.Le:
		b.HiExpr = y
	case kernels.Lt:
		b.HiExpr, b.HiAdj = y, -1
	case kernels.Eq, kernels.Ne:
		b.LoExpr, b.HiExpr, b.Cmp.Neg = y, y, op == kernels.Ne
	}
	return rangeNode(x, b, logical)
}

func rangeNode(col *plan.Node, b plan.Bounds, logical *plan.Node) *plan.Node {
	n := physical(plan.OpRange, "ranges", logical, col)
	n.Bounds = b
	return n
}

// lowerOnly and upperOnly report an integer range bounded on one side
// only (and not negated), so two of them fuse.
func lowerOnly(b plan.Bounds) bool {
	return b.Float == nil && b.Uint == nil && !b.Cmp.Neg && b.HiExpr == nil && b.Cmp.Hi == math.MaxInt64
}

func upperOnly(b plan.Bounds) bool {
	return b.Float == nil && b.Uint == nil && !b.Cmp.Neg && b.LoExpr == nil && b.Cmp.Lo == math.MinInt64
}

func fixedInt(b plan.Bounds) bool {
	return b.Float == nil && b.Uint == nil && !b.Cmp.Neg && b.LoExpr == nil && b.HiExpr == nil
}

// fuseRanges merges pairs of ranges on one column inside an and.
func fuseRanges(n *plan.Node) *plan.Node {
	terms := append([]*plan.Node(nil), n.Args...)
	changed := false
	for i := 0; i < len(terms); i++ {
		for j := i + 1; j < len(terms); j++ {
			if m := fusePair(terms[i], terms[j]); m != nil {
				terms[i] = m
				terms = append(terms[:j], terms[j+1:]...)
				changed = true
				j = i
			}
		}
	}
	if !changed {
		return n
	}
	if len(terms) == 1 {
		return terms[0]
	}
	cp := *n
	cp.Args = terms
	return &cp
}

// fusePair merges two ranges over one column when both are fixed, or one
// has only a lower bound and the other only an upper one; nil otherwise.
func fusePair(a, b *plan.Node) *plan.Node {
	if a.Op != plan.OpRange || b.Op != plan.OpRange || a.Args[0].Col.Index != b.Args[0].Col.Index {
		return nil
	}
	logical := &plan.Node{Op: plan.OpAnd, Kind: value.KBool, Args: plan.Flatten(plan.OpAnd, []*plan.Node{a.Logical, b.Logical}),
		Src: a.Src, Span: a.Span.Join(b.Span)}
	ba, bb := a.Bounds, b.Bounds
	switch {
	case ba.Float != nil && bb.Float != nil:
		p, ok := ba.Float.And(*bb.Float)
		if !ok {
			return nil
		}
		return rangeNode(a.Args[0], plan.Bounds{Float: &p}, logical)
	case fixedInt(ba) && fixedInt(bb):
		return rangeNode(a.Args[0], plan.Bounds{Cmp: ba.Cmp.Intersect(bb.Cmp), Scale: ba.Scale}, logical)
	case lowerOnly(bb) && upperOnly(ba):
		ba, bb = bb, ba
		fallthrough
	case lowerOnly(ba) && upperOnly(bb):
		m := plan.Bounds{Cmp: kernels.IntRange{Lo: ba.Cmp.Lo, Hi: bb.Cmp.Hi}, Scale: ba.Scale,
			LoExpr: ba.LoExpr, LoAdj: ba.LoAdj, HiExpr: bb.HiExpr, HiAdj: bb.HiAdj}
		return rangeNode(a.Args[0], m, logical)
	}
	return nil
}
