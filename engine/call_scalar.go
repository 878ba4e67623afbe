package engine

import (
	"fmt"
	"math"
	"strings"
)

// callScalar evaluates a built-in function for one row.
func callScalar(n *node, a []Value, now int64) (Value, error) {
	if n.fn == "coalesce" {
		for _, v := range a {
			if !v.Null {
				return v, nil
			}
		}
		return null(n.k), nil
	}
	for _, v := range a {
		if v.Null {
			return null(n.k), nil
		}
	}
	x := a[0]
	if n.rank != nil {
		return n.rankValue(n.rank.rankOf(x)), nil
	}
	switch n.fn {
	case "bucket":
		return intVal(bucketValue(n.salt, x)), nil
	case "lower":
		return strVal(strings.ToLower(x.S)), nil
	case "upper":
		return strVal(strings.ToUpper(x.S)), nil
	case "len":
		if x.K == kList {
			return intVal(int64(len(x.L))), nil
		}
		return intVal(runeLen([]byte(x.S))), nil
	case "abs":
		if x.K == kFloat {
			return floatVal(math.Abs(x.F)), nil
		}
		if x.I == math.MinInt64 {
			return Value{}, errOverflow
		}
		return intVal(abs64(x.I)), nil
	case "round":
		return roundScalar(x, a)
	case "floor", "ceil":
		if x.K != kFloat {
			return x, nil
		}
		if n.fn == "floor" {
			return floatVal(math.Floor(x.F)), nil
		}
		return floatVal(math.Ceil(x.F)), nil
	case "starts_with":
		return boolVal(strings.HasPrefix(x.S, a[1].S)), nil
	case "ends_with":
		return boolVal(strings.HasSuffix(x.S, a[1].S)), nil
	case "days_since":
		return intVal(daysSince(now, x.I)), nil
	case "year":
		return intVal(yearOf(x.I)), nil
	case "month":
		return intVal(monthOf(x.I)), nil
	case "day_of_week":
		return intVal(isoDOW(x.I)), nil
	}
	return Value{}, fmt.Errorf("engine: unknown function %q", n.fn)
}

func roundScalar(x Value, a []Value) (Value, error) {
	var d int64
	if len(a) > 1 {
		d = a[1].I
	}
	if x.K == kFloat {
		return floatVal(roundFloat(x.F, d)), nil
	}
	r, ok := roundInt(x.I, d)
	if !ok {
		return Value{}, errOverflow
	}
	return intVal(r), nil
}

// fold replaces a node whose operands are all constants by its value.
// Errors (such as an overflow in constant arithmetic) are compile errors.
func fold(n *node) (*node, error) {
	switch n.op {
	case opConst, opCol, opNow, opSegResult:
		return n, nil
	}
	for _, k := range n.kids {
		if k.op != opConst {
			return n, nil
		}
	}
	v, err := n.eval(nil, 0)
	if err != nil {
		return nil, err
	}
	if v.K == kNull {
		v.K = n.k
	}
	return &node{op: opConst, k: n.k, val: v, span: n.span}, nil
}
