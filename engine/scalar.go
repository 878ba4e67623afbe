package engine

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"github.com/segql/segql/lang/ast"
)

// errOverflow is returned when integer arithmetic overflows int64, as
// DuckDB raises an out-of-range error.
var errOverflow = errors.New("integer overflow")

// rowSource supplies one row's column values to the scalar evaluator:
// from a Record, from a Row, or null for every column. It is a concrete
// type so that evaluation over a Record does not allocate.
type rowSource struct {
	rec   Record
	row   *rowAdapter
	nulls bool
}

func (s *rowSource) value(n *node) (Value, error) {
	switch {
	case s.nulls:
		return null(n.k), nil
	case s.rec != nil:
		return recordValue(s.rec, n)
	}
	return s.row.value(n)
}

// maxStackArgs is the operand count evaluated without allocating.
const maxStackArgs = 4

// eval evaluates n for one row (row may be nil for constant folding).
func (n *node) eval(row *rowSource, now int64) (Value, error) {
	switch n.op {
	case opConst:
		return n.val, nil
	case opCol:
		if row == nil {
			return Value{}, errors.New("engine: column outside a row")
		}
		return row.value(n)
	case opNow:
		return timeVal(now), nil
	case opAnd, opOr:
		return n.evalLogic(row, now)
	}
	var buf [maxStackArgs]Value
	args := buf[:0]
	if len(n.kids) > maxStackArgs {
		args = make([]Value, 0, len(n.kids))
	}
	args = args[:len(n.kids)]
	for i, k := range n.kids {
		v, err := k.eval(row, now)
		if err != nil {
			return Value{}, err
		}
		args[i] = v
	}
	return n.apply(args, now)
}

// evalLogic applies Kleene and/or.
func (n *node) evalLogic(row *rowSource, now int64) (Value, error) {
	isAnd := n.op == opAnd
	sawNull := false
	for _, k := range n.kids {
		v, err := k.eval(row, now)
		if err != nil {
			return Value{}, err
		}
		switch {
		case v.Null:
			sawNull = true
		case v.B != isAnd: // a FALSE term decides and, a TRUE one decides or
			return boolVal(!isAnd), nil
		}
	}
	if sawNull {
		return null(kBool), nil
	}
	return boolVal(isAnd), nil
}

// apply computes n from its evaluated arguments.
func (n *node) apply(a []Value, now int64) (Value, error) {
	switch n.op {
	case opNot:
		if a[0].Null {
			return null(kBool), nil
		}
		return boolVal(!a[0].B), nil
	case opIsNull:
		return boolVal(a[0].Null != n.not), nil
	case opCast:
		if a[0].Null {
			return null(kFloat), nil
		}
		return floatVal(float64(a[0].I)), nil
	case opNeg:
		return negate(a[0])
	case opCmp:
		if a[0].Null || a[1].Null {
			return null(kBool), nil
		}
		return boolVal(compareResult(n.cmp, compareValues(a[0], a[1]))), nil
	case opArith:
		return arith(n.arith, n.k, a[0], a[1])
	}
	return n.applyPredicate(a, now)
}

func (n *node) applyPredicate(a []Value, now int64) (Value, error) {
	x := a[0]
	if x.Null && n.op != opCall {
		return null(kBool), nil
	}
	switch n.op {
	case opInSet:
		switch {
		case n.set.contains(x):
			return boolVal(true), nil
		case n.set.hasNull:
			return null(kBool), nil
		}
		return boolVal(false), nil
	case opLike:
		return boolVal(n.like.match([]byte(x.S))), nil
	case opMatches:
		return boolVal(n.re.MatchString(x.S)), nil
	case opContains:
		return boolVal(listContains(n, x.L)), nil
	case opStrContains:
		return boolVal(strContains(n, []byte(x.S))), nil
	case opCall:
		return callScalar(n, a, now)
	}
	return Value{}, fmt.Errorf("engine: cannot evaluate op %d", n.op)
}

func negate(v Value) (Value, error) {
	if v.Null {
		return v, nil
	}
	switch v.K {
	case kFloat:
		return floatVal(-v.F), nil
	case kInt, kDur:
		if v.I == math.MinInt64 {
			return Value{}, errOverflow
		}
		v.I = -v.I
		return v, nil
	}
	return Value{}, fmt.Errorf("engine: cannot negate %v", v)
}

// compareValues orders two non-null values of the same kind.
func compareValues(a, b Value) int {
	switch a.K {
	case kFloat:
		return cmpFloat(a.F, b.F)
	case kStr:
		return bytes.Compare([]byte(a.S), []byte(b.S))
	case kBool:
		return boolInt(a.B) - boolInt(b.B)
	}
	switch {
	case a.I < b.I:
		return -1
	case a.I > b.I:
		return 1
	}
	return 0
}

func compareResult(op ast.CompareOp, c int) bool {
	switch op {
	case ast.Eq:
		return c == 0
	case ast.Ne:
		return c != 0
	case ast.Lt:
		return c < 0
	case ast.Le:
		return c <= 0
	case ast.Gt:
		return c > 0
	}
	return c >= 0
}

// arith computes a op b with result kind k.
func arith(op ast.ArithOp, k kind, a, b Value) (Value, error) {
	if a.Null || b.Null {
		return null(k), nil
	}
	if k == kFloat {
		x, y := a.float(), b.float()
		r, ok := floatArith(op, x, y)
		if !ok {
			return null(kFloat), nil
		}
		return floatVal(r), nil
	}
	r, isNull, err := intArith(op, a.I, b.I)
	if err != nil || isNull {
		return null(k), err
	}
	return Value{K: k, I: r}, nil
}

// floatArith returns ok=false for division or modulo by zero (null).
func floatArith(op ast.ArithOp, x, y float64) (float64, bool) {
	switch op {
	case ast.Add:
		return x + y, true
	case ast.Sub:
		return x - y, true
	case ast.Mul:
		return x * y, true
	case ast.Div:
		return x / y, y != 0
	}
	return math.Mod(x, y), y != 0
}

// intArith computes integer (and time/duration) arithmetic; modulo by zero
// is null and overflow is an error.
func intArith(op ast.ArithOp, x, y int64) (r int64, isNull bool, err error) {
	switch op {
	case ast.Add:
		r = x + y
		if addOverflows(x, y, r) {
			return 0, false, errOverflow
		}
	case ast.Sub:
		r = x - y
		if subOverflows(x, y, r) {
			return 0, false, errOverflow
		}
	case ast.Mul:
		r = x * y
		if mulOverflows(x, y, r) {
			return 0, false, errOverflow
		}
	case ast.Mod:
		if y == 0 {
			return 0, true, nil
		}
		if y == -1 {
			return 0, false, nil
		}
		r = x % y
	default:
		return 0, true, fmt.Errorf("engine: integer %v", op)
	}
	return r, false, nil
}

func listContains(n *node, elems []Value) bool {
	var need uint64
	for _, e := range elems {
		if e.Null {
			continue
		}
		for i, v := range n.vals {
			if !v.Null && elemEqual(e, v) {
				if n.mode != ast.ContainsAll {
					return true
				}
				need |= 1 << uint(i)
			}
		}
	}
	return n.mode == ast.ContainsAll && need == (uint64(1)<<uint(len(n.vals)))-1
}

func elemEqual(e, v Value) bool {
	if e.K == kFloat || v.K == kFloat {
		return cmpFloat(e.float(), v.float()) == 0
	}
	return compareValues(e, v) == 0
}

func strContains(n *node, s []byte) bool {
	for _, v := range n.vals {
		has := bytes.Contains(s, []byte(v.S))
		switch {
		case has && n.mode != ast.ContainsAll:
			return true
		case !has && n.mode == ast.ContainsAll:
			return false
		}
	}
	return n.mode == ast.ContainsAll
}
