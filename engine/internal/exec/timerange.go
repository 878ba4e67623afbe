package exec

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
)

// Range guards. Operators that compare a time or date column in its stored
// units (ranges, in-runs) never convert its values or compute with them,
// so two errors the general operators and the row evaluator raise for a
// row would pass silently: a timestamp[s] or [ms], date32 or date64 value
// beyond ±292,000 years does not convert to microseconds (ErrTimeRange),
// and a range rewritten from days_since(t) skips now() − t, which
// overflows for values near the int64 edge (ErrOverflow). The guards give
// such rows the same errors.

// timeGuard holds a column's convertible stored values.
type timeGuard struct {
	col  *plan.Node       // the column, for the error's position
	safe kernels.IntRange // stored values that convert
	on   bool             // the column's type has unconvertible values
}

func newTimeGuard(col *plan.Node) timeGuard {
	safe, on := kernels.MicrosSafe(col.Col.Type)
	return timeGuard{col: col, safe: safe, on: on}
}

// check marks the selected, valid rows of arr whose stored value does not
// convert as errors of v.
func (g *timeGuard) check(c *ctx, arr arrow.Array, sel kernels.Sel, v *kernels.Vec) {
	if g.on {
		failOutside(c, g.col, arr, g.safe, sel, v, kernels.ErrTimeRange)
	}
}

// nowDiffSafe is the times t, in microseconds, for which now − t does not
// overflow int64.
func nowDiffSafe(now int64) kernels.IntRange {
	if now >= 0 {
		return kernels.IntRange{Lo: now - math.MaxInt64, Hi: math.MaxInt64}
	}
	return kernels.IntRange{Lo: math.MinInt64, Hi: now - math.MinInt64}
}

// failOutside marks the selected, valid rows of column col (arr) whose
// stored value is outside safe as errors (err) of v. Batches whose range
// (from the table's statistics) lies within safe are skipped without a
// pass; the others, rare, take one.
func failOutside(c *ctx, col *plan.Node, arr arrow.Array, safe kernels.IntRange, sel kernels.Sel, v *kernels.Vec, err error) {
	if c.p.stats != nil && !c.p.stats.Beyond(col.Col.Index, c.batch, safe) {
		return
	}
	outside := make([]uint64, kernels.Words(c.n))
	r := safe
	r.Neg = true
	kernels.RangeColumn(arr, r, sel, outside)
	valid := kernels.Validity(arr, nil)
	cause := col.Positioned(err)
	for w, x := range outside {
		x &= sel.Word(w, c.n)
		if valid != nil {
			x &= valid[w]
		}
		if v.Err != nil {
			x &^= v.Err[w] // a row fails once, with its first error
		}
		for ; x != 0; x &= x - 1 {
			v.Fail(w<<6+trailingZeros(x), cause)
		}
	}
}
