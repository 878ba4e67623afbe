package optimizer

import (
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/value"
)

// ruleMoveConstants moves the constant of integer arithmetic across a
// comparison with a constant, as DuckDB's optimizer does, so that
// `x + 1 > 10` is `x > 9`, `10 - x < 3` is `x > 7` and `x * 2 = 10` is
// `x = 5`. It is part of the language's semantics, not only a speed-up:
// the moved form cannot overflow, so `x + 1 > 0` is TRUE for x =
// 9223372036854775807 where computing x + 1 would fail, in every path and
// as in DuckDB. Where DuckDB keeps the arithmetic, so does segql: a moved
// constant beyond int64 (except for equality, which then cannot hold), a
// product compared for order with a constant it does not divide, or a
// factor of zero. Nested arithmetic moves one constant at a time:
// `(x + 1) * 2 > 10` is `x > 4`.
//
// A constant here is an expression that reads no column and not now()
// (`1 + 1`, `abs(-2)`, `coalesce(null, 2)`), as DuckDB folds it:
// `coalesce(2, y)` is not one, though its value is always 2. So the rule
// runs before fold_constants, which would make it one.
//
// Where the moved constant is beyond int64 and x is a uint64 column, whose
// values can be too, the arithmetic is kept (and fails on such a value).
var ruleMoveConstants = Rule{Name: "move_constants", Normalize: true, Apply: moveConstants}

func moveConstants(_ *Context, n *plan.Node) (*plan.Node, error) {
	for n.Op == plan.OpCompare {
		next, ok := moveOnce(n)
		if !ok {
			break
		}
		n = next
	}
	return n, nil
}

// moveOnce moves one arithmetic constant of comparison n, or reports that
// none moves.
func moveOnce(n *plan.Node) (*plan.Node, bool) {
	x, kn, op := n.Args[0], n.Args[1], n.Cmp
	if _, left := foldableInt(x); left {
		x, kn, op = kn, x, op.Flip()
	}
	k, ok := foldableInt(kn)
	if !ok || x.Op != plan.OpArith || x.Kind != value.KInt {
		return nil, false
	}
	e, c, constFirst, ok := arithConst(x)
	if !ok {
		return nil, false
	}
	K, C := big.NewInt(k), big.NewInt(c)
	var moved *big.Int
	switch x.Arith {
	case kernels.Add: // e + c op k ⇔ e op k − c
		moved = new(big.Int).Sub(K, C)
	case kernels.Sub:
		if constFirst { // c − e op k ⇔ e flipped-op c − k
			moved, op = new(big.Int).Sub(C, K), op.Flip()
		} else { // e − c op k ⇔ e op k + c
			moved = new(big.Int).Add(K, C)
		}
	case kernels.Mul:
		if c == 0 {
			return nil, false
		}
		q, r := new(big.Int).QuoRem(K, C, new(big.Int))
		if r.Sign() != 0 { // e·c never equals k
			switch op {
			case kernels.Eq:
				return falseOrNull(e, n, false), true
			case kernels.Ne:
				return falseOrNull(e, n, true), true
			}
			return nil, false
		}
		if c < 0 {
			op = op.Flip()
		}
		moved = q
	default:
		return nil, false
	}
	if !moved.IsInt64() {
		if e.Op == plan.OpColumn && e.Col.Type.ID() == arrow.UINT64 {
			// e may be above int64 itself: keep the arithmetic, which
			// fails on such a value (SPEC "Types").
			return nil, false
		}
		switch {
		case x.Arith == kernels.Mul: // only −2⁶³ / −1 = 2⁶³, above every e
			return falseOrNull(e, n, op == kernels.Lt || op == kernels.Le || op == kernels.Ne), true
		case op == kernels.Eq:
			return falseOrNull(e, n, false), true
		}
		return nil, false
	}
	kc := &plan.Node{Op: plan.OpConst, Kind: value.KInt, Val: value.Int(moved.Int64()), Src: kn.Src, Span: kn.Span}
	out := plan.CompareNode(op, e, kc, n.Src, n.Span)
	out.Rule = "move_constants"
	return out, true
}

// arithConst splits integer arithmetic into its non-constant operand and
// its integer constant; constFirst says the constant is the left operand.
func arithConst(x *plan.Node) (e *plan.Node, c int64, constFirst, ok bool) {
	a, b := x.Args[0], x.Args[1]
	if v, isConst := foldableInt(b); isConst && a.Kind == value.KInt {
		if _, both := foldableInt(a); !both {
			return a, v, false, true
		}
	}
	if v, isConst := foldableInt(a); isConst && b.Kind == value.KInt {
		if _, both := foldableInt(b); !both {
			return b, v, true, true
		}
	}
	return nil, 0, false, false
}

// foldableInt evaluates an expression that reads no column and not now()
// to a non-null integer; ok is false for other expressions and for one
// that fails (its error is the comparison's, as written).
func foldableInt(n *plan.Node) (int64, bool) {
	if n.Kind != value.KInt || n.HasColumn() {
		return 0, false
	}
	if n.Op != plan.OpConst {
		readsNow := false
		plan.Walk([]*plan.Node{n}, func(m *plan.Node) { readsNow = readsNow || m.Op == plan.OpNow || m.Op == plan.OpError })
		if readsNow {
			return 0, false
		}
	}
	e := rowexec.Evaluator{Src: rowexec.NoColumns{}}
	v, err := e.Eval(n)
	if err != nil || v.Null || v.K != value.KInt || v.U {
		return 0, false
	}
	return v.I, true
}

// falseOrNull is a comparison that cannot hold (or, with truth, always
// holds) for every non-null e: truth where e is not null, null where it
// is. e is still evaluated, so its errors stay.
func falseOrNull(e, at *plan.Node, truth bool) *plan.Node {
	isNull := &plan.Node{Op: plan.OpIsNull, Kind: value.KBool, Args: []*plan.Node{e}, Src: at.Src, Span: at.Span}
	null := &plan.Node{Op: plan.OpConst, Kind: value.KBool, Val: value.NullOf(value.KBool), Src: at.Src, Span: at.Span}
	if truth { // not null: TRUE or NULL = TRUE; null: FALSE or NULL = NULL
		isNull.Negated = true
		return &plan.Node{Op: plan.OpOr, Kind: value.KBool, Args: []*plan.Node{isNull, null}, Src: at.Src, Span: at.Span, Rule: "move_constants"}
	}
	// not null: FALSE and NULL = FALSE; null: TRUE and NULL = NULL
	return &plan.Node{Op: plan.OpAnd, Kind: value.KBool, Args: []*plan.Node{isNull, null}, Src: at.Src, Span: at.Span, Rule: "move_constants"}
}
