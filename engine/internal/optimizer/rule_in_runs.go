package optimizer

import (
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
)

// ruleInRuns runs `column in (…)` over an integer, date or microsecond
// timestamp column as range passes over the column's own values when the
// list forms at most a few runs of consecutive values (age in (25, 26, 27,
// 40) is two ranges), instead of a hash lookup per row.
var ruleInRuns = Rule{Name: "in_runs", Apply: inRuns}

func inRuns(_ *Context, n *plan.Node) (*plan.Node, error) {
	if n.Op != plan.OpInSet || !topColumn(n.Args[0]) || n.Set.Ints == nil {
		return n, nil
	}
	t := n.Args[0].Col.Type
	var div int64 = 1
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
	case arrow.DATE32:
		div = kernels.DayMicros
	case arrow.TIMESTAMP:
		if t.(*arrow.TimestampType).Unit != arrow.Microsecond {
			return n, nil
		}
	default:
		return n, nil
	}
	vals := make([]int64, 0, len(n.Set.Ints))
	for v := range n.Set.Ints {
		if v%div == 0 { // a time that is not midnight equals no date
			vals = append(vals, v/div)
		}
	}
	runs, ok := IntRuns(vals)
	if !ok {
		return n, nil
	}
	out := physical(plan.OpInRuns, "in_runs", n, n.Args[0])
	out.Runs, out.Set = runs, n.Set
	return out, nil
}

// IntRuns sorts integers (in place) into runs of consecutive values; ok
// is false when there are more than kernels.MaxCodeRuns.
func IntRuns(vals []int64) ([]kernels.CodeRun, bool) {
	slices.Sort(vals)
	var runs []kernels.CodeRun
	for i := 0; i < len(vals); {
		j := i
		for j+1 < len(vals) && vals[j] != math.MaxInt64 && vals[j+1] == vals[j]+1 {
			j++
		}
		if len(runs) == kernels.MaxCodeRuns {
			return nil, false
		}
		runs = append(runs, kernels.CodeRun{Lo: vals[i], Hi: vals[j]})
		i = j + 1
	}
	return runs, true
}
