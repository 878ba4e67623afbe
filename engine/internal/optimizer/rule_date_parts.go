package optimizer

import (
	"math"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
)

// ruleDateParts runs `year(t) op c` as a range of t: year(t) = 2023 is
// "2023-01-01" <= t < "2024-01-01", so the comparison reads the column's
// own values instead of computing every row's calendar year.
var ruleDateParts = Rule{Name: "date_part_range", Apply: dateParts}

func dateParts(_ *Context, n *plan.Node) (*plan.Node, error) {
	if n.Op != plan.OpCompare {
		return n, nil
	}
	x, y, op := plan.ColumnFirst(n)
	c, ok := intConst(y)
	if x.Op != plan.OpCall || x.Fn.Name != "year" || !topColumn(x.Args[0]) || !ok {
		return n, nil
	}
	t := x.Args[0]
	scale, ok := rangeType(t.Col.Type)
	if !ok {
		return n, nil
	}
	var r kernels.IntRange
	switch op {
	case kernels.Ge:
		r = yearsFrom(c)
	case kernels.Gt:
		r = yearsFrom(c + 1)
	case kernels.Lt:
		r = yearsBefore(c)
	case kernels.Le:
		r = yearsBefore(c + 1)
	default:
		r = yearsFrom(c).Intersect(yearsBefore(c + 1))
		r.Neg = op == kernels.Ne
	}
	out := rangeNode(t, plan.Bounds{Cmp: r, Scale: scale}, n)
	out.Rule = "date_part_range"
	return out, nil
}

var (
	everything = kernels.IntRange{Lo: math.MinInt64, Hi: math.MaxInt64}
	nothing    = kernels.IntRange{Lo: 1, Hi: 0}
)

// yearsFrom is the range of times whose year is y or later.
func yearsFrom(y int64) kernels.IntRange {
	s, where := yearStart(y)
	switch where {
	case -1:
		return everything
	case 1:
		return nothing
	}
	return kernels.IntRange{Lo: s, Hi: math.MaxInt64}
}

// yearsBefore is the range of times whose year is before y.
func yearsBefore(y int64) kernels.IntRange {
	s, where := yearStart(y)
	switch {
	case where == -1 || (where == 0 && s == math.MinInt64):
		return nothing
	case where == 1:
		return everything
	}
	return kernels.IntRange{Lo: math.MinInt64, Hi: s - 1}
}

// yearStart is the first microsecond of year y (UTC); where is -1 when it
// is before every representable time, 1 when after every one, else 0.
func yearStart(y int64) (start int64, where int) {
	const far = 1_000_000_000_000 // years; days from civil stay far from overflow
	switch {
	case y > far:
		return 0, 1
	case y < -far:
		return 0, -1
	}
	d := kernels.DaysFromCivil(y, 1, 1)
	switch {
	case d > math.MaxInt64/kernels.DayMicros:
		return 0, 1
	case d < math.MinInt64/kernels.DayMicros:
		return 0, -1
	}
	return d * kernels.DayMicros, 0
}
