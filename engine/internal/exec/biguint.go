package exec

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
)

// Big uint64 values. A uint64 column's load keeps every value's bits in
// the vector's integers and marks the values above MaxInt64 as errors of
// their rows (ErrUintRange): arithmetic, functions and coalesce cannot
// take them. Comparisons, in-lists and the conversion to float can, so
// their operators take a uint64 column's error rows back as big values —
// a uint64 column's load raises no other error — and compute them
// exactly, as the row evaluator does with value.Value.U.

// isUint64Column reports a column (or struct field) of type uint64.
func isUint64Column(n *plan.Node) bool {
	return n.Op == plan.OpColumn && n.Col.Type.ID() == arrow.UINT64
}

// bigRows splits a uint64 column's vector into its big rows (nil: none)
// and a view of it without them as errors. For other operands it returns
// nil and a unchanged.
func bigRows(a *kernels.Vec, isUint bool) (big []uint64, clean *kernels.Vec) {
	if !isUint || a.Err == nil {
		return nil, a
	}
	view := *a
	view.Err, view.Cause = nil, nil
	return a.Err, &view
}

// fixBigCompare recomputes the rows where either operand is a big uint64
// (bigA, bigB; nil: none): a big value is above every int64, and two big
// values compare as uint64.
func fixBigCompare(op kernels.CmpOp, a, b *kernels.Vec, bigA, bigB []uint64, bits []uint64) {
	for w := range bits {
		var ba, bb uint64
		if bigA != nil {
			ba = bigA[w]
		}
		if bigB != nil {
			bb = bigB[w]
		}
		for x := ba | bb; x != 0; x &= x - 1 {
			j := trailingZeros(x)
			i, bit := w<<6+j, uint64(1)<<uint(j)
			var cmp int
			switch {
			case ba&bit != 0 && bb&bit != 0:
				cmp = cmpUint(uint64(a.I64[i]), uint64(b.I64[i]))
			case ba&bit != 0:
				cmp = 1
			default:
				cmp = -1
			}
			bits[w] = bits[w]&^bit | kernels.B2U(op.Holds(cmp))<<uint(j)
		}
	}
}

func cmpUint(x, y uint64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
