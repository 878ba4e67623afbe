package optimizer

import (
	"math"
	"sort"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// ruleLinear turns a comparison of integer arithmetic over narrow integer
// columns and constants — sums, differences, negations and products with
// constants, such as `sessions_30d + 10 * purchases_30d >= 60` — into one
// linear form Σ kᵢ·xᵢ + k₀ op c, computed a chunk of rows at a time in a
// small buffer from the columns' own values, with no widened copies and
// no overflow checks. It applies only when the column types bound every
// intermediate value of the original expression below 2⁶², so the
// original could never overflow and the linear form is exact.
var ruleLinear = Rule{Name: "linear", Apply: linear}

// linearForm is Σ coef[col]·col + offset, with a bound on the magnitude
// of the expression and of every subexpression.
type linearForm struct {
	coef   map[int]int64
	cols   map[int]*plan.Node
	offset int64
	bound  float64
}

// linearLimit bounds every intermediate magnitude.
const linearLimit = 1 << 62

func linear(_ *Context, n *plan.Node) (*plan.Node, error) {
	if n.Op != plan.OpCompare || n.Args[0].Kind != value.KInt || n.Args[1].Kind != value.KInt {
		return n, nil
	}
	if n.Args[0].Op != plan.OpArith && n.Args[1].Op != plan.OpArith {
		return n, nil // a plain comparison is a range
	}
	l, okL := linearOf(n.Args[0])
	r, okR := linearOf(n.Args[1])
	if !okL || !okR || l.bound+r.bound >= linearLimit {
		return n, nil
	}
	diff := l.plus(r, -1) // l - r op 0
	if len(diff.coef) == 0 {
		return n, nil // constant: folding has it
	}
	spec := &plan.LinearSpec{Offset: diff.offset, Cmp: n.Cmp}
	out := physical(plan.OpLinear, "linear", n)
	idx := make([]int, 0, len(diff.coef))
	for c := range diff.coef {
		idx = append(idx, c)
	}
	sort.Ints(idx)
	for _, c := range idx {
		out.Args = append(out.Args, diff.cols[c])
		spec.Coef = append(spec.Coef, diff.coef[c])
	}
	out.Lin = spec
	return out, nil
}

// linearOf reads an integer expression as a linear form; ok is false for
// other shapes or when an intermediate magnitude could reach the limit.
func linearOf(n *plan.Node) (linearForm, bool) {
	switch n.Op {
	case plan.OpConst:
		if n.Val.Null || n.Val.K != value.KInt {
			return linearForm{}, false
		}
		return linearForm{offset: n.Val.I, bound: math.Abs(float64(n.Val.I))}, true
	case plan.OpColumn:
		lo, hi, ok := narrowInt(n.Col.Type)
		if !ok || !n.Col.Top() {
			return linearForm{}, false
		}
		return linearForm{coef: map[int]int64{n.Col.Index: 1}, cols: map[int]*plan.Node{n.Col.Index: n},
			bound: math.Max(math.Abs(float64(lo)), float64(hi))}, true
	case plan.OpNeg:
		x, ok := linearOf(n.Args[0])
		return x.times(-1), ok
	case plan.OpArith:
		return linearArith(n)
	}
	return linearForm{}, false
}

func linearArith(n *plan.Node) (linearForm, bool) {
	a, okA := linearOf(n.Args[0])
	b, okB := linearOf(n.Args[1])
	if !okA || !okB {
		return linearForm{}, false
	}
	var out linearForm
	switch n.Arith {
	case kernels.Add:
		out = a.plus(b, 1)
	case kernels.Sub:
		out = a.plus(b, -1)
	case kernels.Mul:
		switch {
		case len(a.coef) == 0:
			out = b.times(a.offset)
		case len(b.coef) == 0:
			out = a.times(b.offset)
		default:
			return linearForm{}, false // a product of columns is not linear
		}
	default:
		return linearForm{}, false
	}
	return out, out.bound < linearLimit
}

// plus is f + sign·g.
func (f linearForm) plus(g linearForm, sign int64) linearForm {
	out := linearForm{coef: map[int]int64{}, cols: map[int]*plan.Node{}, offset: f.offset + sign*g.offset,
		bound: f.bound + g.bound}
	for c, k := range f.coef {
		out.coef[c], out.cols[c] = k, f.cols[c]
	}
	for c, k := range g.coef {
		out.coef[c] += sign * k
		out.cols[c] = g.cols[c]
		if out.coef[c] == 0 {
			delete(out.coef, c)
			delete(out.cols, c)
		}
	}
	return out
}

// times is k·f.
func (f linearForm) times(k int64) linearForm {
	out := linearForm{coef: map[int]int64{}, cols: map[int]*plan.Node{}, offset: f.offset * k,
		bound: f.bound * math.Abs(float64(k))}
	if k == 0 {
		return linearForm{offset: 0, bound: out.bound}
	}
	for c, v := range f.coef {
		out.coef[c], out.cols[c] = v*k, f.cols[c]
	}
	return out
}
