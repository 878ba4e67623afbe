package optimizer

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// ruleChunkedArith runs a comparison of arithmetic over numeric columns
// with a constant — `revenue_total / purchases_30d > 50`,
// `revenue_total * 1.1 - income / 100 > 500`, `abs(nps - 5) >= 4` — a
// chunk of 1,024 rows at a time: every intermediate value stays in a small
// buffer in the CPU's cache instead of a vector the size of the batch, and
// the columns are read in their own width. The semantics are the general
// operators' (nulls, division by zero, overflow errors on the rows that
// need them).
var ruleChunkedArith = Rule{Name: "chunked_arith", Apply: chunkedArith}

func chunkedArith(_ *Context, n *plan.Node) (*plan.Node, error) {
	if n.Op != plan.OpCompare {
		return n, nil
	}
	x, y, _ := plan.ColumnFirst(n)
	if y.Op != plan.OpConst || y.Val.Null || !numericKind(y.Kind) || !hasArith(x) {
		return n, nil
	}
	var cols []*plan.Node
	seen := map[int]bool{}
	if !chunkable(x, &cols, seen) {
		return n, nil
	}
	out := physical(plan.OpChunked, "chunked_arith", n, cols...)
	return out, nil
}

func numericKind(k value.Kind) bool { return k == value.KInt || k == value.KFloat }

func hasArith(n *plan.Node) bool {
	switch n.Op {
	case plan.OpArith, plan.OpNeg:
		return true
	case plan.OpCast:
		return hasArith(n.Args[0])
	case plan.OpCall:
		return n.Fn.Name == "abs"
	}
	return false
}

// chunkable reports an expression of numeric columns and constants that
// the chunked operator computes, collecting its distinct columns.
func chunkable(n *plan.Node, cols *[]*plan.Node, seen map[int]bool) bool {
	switch n.Op {
	case plan.OpConst:
		return !n.Val.Null && numericKind(n.Kind)
	case plan.OpColumn:
		if !n.Col.Top() || !chunkColumn(n.Col.Type) {
			return false
		}
		if !seen[n.Col.Index] {
			seen[n.Col.Index] = true
			*cols = append(*cols, n)
		}
		return true
	case plan.OpArith, plan.OpNeg, plan.OpCast:
	case plan.OpCall:
		if n.Fn.Name != "abs" {
			return false
		}
	default:
		return false
	}
	if !numericKind(n.Kind) {
		return false
	}
	for _, a := range n.Args {
		if !chunkable(a, cols, seen) {
			return false
		}
	}
	return true
}

// chunkColumn reports the column types the chunked operator reads.
func chunkColumn(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32,
		arrow.FLOAT32, arrow.FLOAT64:
		return true
	}
	return false
}
