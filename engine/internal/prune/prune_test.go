package prune

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

func col(i int) *plan.Node {
	return &plan.Node{Op: plan.OpColumn, Kind: value.KInt, Col: &plan.Column{Index: i, Name: "c"}}
}

func cmp(c *plan.Node, op kernels.CmpOp, v value.Value) *plan.Node {
	return &plan.Node{Op: plan.OpCompare, Kind: value.KBool, Cmp: op, Args: []*plan.Node{c, {Op: plan.OpConst, Kind: v.K, Val: v}}}
}

func logic(op plan.Op, args ...*plan.Node) *plan.Node {
	return &plan.Node{Op: op, Kind: value.KBool, Args: args}
}

// TestOutcomes: the outcome sets of predicates over one column's
// statistics, by three-valued logic and the error rule.
func TestOutcomes(t *testing.T) {
	ints := func(lo, hi, nulls int64) StatsFunc {
		return func(int) Stats {
			return Stats{Rows: 10, Nulls: nulls, HasMinMax: true, Min: value.Int(lo), Max: value.Int(hi)}
		}
	}
	strs := func(lo, hi string, also ...value.Value) StatsFunc {
		return func(int) Stats {
			return Stats{Rows: 10, Nulls: 0, HasMinMax: true, Min: value.Str(lo), Max: value.Str(hi), Also: also}
		}
	}
	unknown := &plan.Node{Op: plan.OpCall, Kind: value.KBool} // anything unmodelled
	x := col(0)
	for _, c := range []struct {
		name  string
		n     *plan.Node
		stats StatsFunc
		want  Outcomes
	}{
		{"above the range", cmp(x, kernels.Gt, value.Int(9)), ints(1, 9, 0), False},
		{"inside", cmp(x, kernels.Gt, value.Int(5)), ints(1, 9, 0), True | False},
		{"all above", cmp(x, kernels.Ge, value.Int(1)), ints(1, 9, 0), True},
		{"with nulls", cmp(x, kernels.Ge, value.Int(1)), ints(1, 9, 2), True | Null},
		{"all null", cmp(x, kernels.Eq, value.Int(1)), ints(1, 9, 10), Null},
		{"unknown nulls", cmp(x, kernels.Eq, value.Int(0)), ints(1, 9, -1), False | Null},
		{"= a constant column", cmp(x, kernels.Ne, value.Int(4)), ints(4, 4, 0), False},
		{"not", logic(plan.OpNot, cmp(x, kernels.Lt, value.Int(0))), ints(1, 9, 0), True},
		{"false and error hides it", logic(plan.OpAnd, cmp(x, kernels.Lt, value.Int(0)), unknown), ints(1, 9, 0), False},
		{"null and error needs it", logic(plan.OpAnd, cmp(x, kernels.Lt, value.Int(0)), unknown), ints(1, 9, 10), All&^True&^False | False},
		{"true or error hides it", logic(plan.OpOr, cmp(x, kernels.Gt, value.Int(0)), unknown), ints(1, 9, 0), True},
		{"is null, none", &plan.Node{Op: plan.OpIsNull, Args: []*plan.Node{x}}, ints(1, 9, 0), False},
		{"is not null, all null", &plan.Node{Op: plan.OpIsNull, Negated: true, Args: []*plan.Node{x}}, ints(1, 9, 10), False},
		{"in, none inside", &plan.Node{Op: plan.OpInSet, Args: []*plan.Node{x}, Set: plan.NewSet(value.KInt, []value.Value{value.Int(0), value.Int(20)})}, ints(1, 9, 0), False},
		{"in with null", &plan.Node{Op: plan.OpInSet, Args: []*plan.Node{x}, Set: plan.NewSet(value.KInt, []value.Value{value.Int(0), value.NullOf(value.KInt)})}, ints(1, 9, 0), Null},
		{"in, the one value", &plan.Node{Op: plan.OpInSet, Args: []*plan.Node{x}, Set: plan.NewSet(value.KInt, []value.Value{value.Int(4)})}, ints(4, 4, 0), True},
		{"empty string below the minimum", cmp(x, kernels.Lt, value.Str("a")), strs("b", "c", value.Str("")), True | False},
		{"empty string, equality elsewhere", cmp(x, kernels.Eq, value.Str("a")), strs("b", "c", value.Str("")), False},
	} {
		got := Eval(c.n, c.stats, 0)
		require.Equal(t, c.want, got, "%s: want %04b, got %04b", c.name, c.want, got)
	}
}
