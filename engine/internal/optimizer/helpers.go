package optimizer

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// topColumn reports a top-level column reference.
func topColumn(n *plan.Node) bool { return n.Op == plan.OpColumn && n.Col.Top() }

// intConst returns an integer constant's value.
func intConst(n *plan.Node) (int64, bool) {
	if n.Op != plan.OpConst || n.Val.Null || n.Val.K != value.KInt {
		return 0, false
	}
	return n.Val.I, true
}

// runConstant reports an expression that is the same for every row of a
// run but not known at compile time: it reads no column, only now().
func runConstant(n *plan.Node) bool {
	if n.Op == plan.OpConst || n.HasColumn() {
		return false
	}
	ok := true
	plan.Walk([]*plan.Node{n}, func(m *plan.Node) {
		if m.Op == plan.OpSegment || m.Op == plan.OpError {
			ok = false
		}
	})
	return ok
}

// narrowInt reports integer column types whose every value a float64
// holds exactly and whose sums of a few fit int64 easily (at most 32
// bits), with the type's range.
func narrowInt(t arrow.DataType) (lo, hi int64, ok bool) {
	switch t.ID() {
	case arrow.INT8:
		return -1 << 7, 1<<7 - 1, true
	case arrow.INT16:
		return -1 << 15, 1<<15 - 1, true
	case arrow.INT32:
		return -1 << 31, 1<<31 - 1, true
	case arrow.UINT8:
		return 0, 1<<8 - 1, true
	case arrow.UINT16:
		return 0, 1<<16 - 1, true
	case arrow.UINT32:
		return 0, 1<<32 - 1, true
	}
	return 0, 0, false
}

// physical makes a physical node computing logical.
func physical(op plan.Op, rule string, logical *plan.Node, args ...*plan.Node) *plan.Node {
	return &plan.Node{Op: op, Kind: logical.Kind, Args: args, Src: logical.Src, Span: logical.Span,
		Rule: rule, Logical: logical}
}
