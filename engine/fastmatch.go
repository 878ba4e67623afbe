package engine

import (
	"strings"

	"github.com/segql/segql/lang/ast"
)

// Single-user evaluation over a Record, compiled into closures typed by
// kind, so that the common shapes (comparisons, ranges, in-lists,
// arithmetic and logic over scalar columns) run without allocating or
// copying Values. Any other node is evaluated by the generic scalar
// evaluator, which is the reference for both: whenever a closure meets an
// error it reports fastFail and MatchRecord evaluates generically, so
// errors and their order are the evaluator's.

// Truth and status codes of the closures.
const (
	fastFalse   int8 = 0
	fastTrue    int8 = 1
	fastUnknown int8 = 2 // null
	fastFail    int8 = 3 // an error: evaluate generically for it
	fastOK      int8 = 1 // a value is present (typed closures)
)

type (
	fastBool  func(r Record, now int64) int8
	fastInt   func(r Record, now int64) (int64, int8) // ints, times, durations
	fastFloat func(r Record, now int64) (float64, int8)
	fastStr   func(r Record, now int64) (string, int8)
)

func isIntKind(k kind) bool { return k == kInt || k == kTime || k == kDur }

// fastBoolOf compiles a boolean node.
func fastBoolOf(n *node) fastBool {
	switch n.op {
	case opConst:
		t := truthCode(n.val)
		return func(Record, int64) int8 { return int8(t) }
	case opCol:
		if len(n.fields) == 0 {
			col := n.col
			return func(r Record, _ int64) int8 {
				v, ok := r.Bool(col)
				switch {
				case !ok:
					return fastUnknown
				case v:
					return fastTrue
				}
				return fastFalse
			}
		}
	case opAnd, opOr:
		return fastLogic(n)
	case opNot:
		x := fastBoolOf(n.kids[0])
		return func(r Record, now int64) int8 {
			if t := x(r, now); t <= fastTrue {
				return 1 - t
			} else {
				return t
			}
		}
	case opIsNull:
		if present := fastPresent(n.kids[0]); present != nil {
			not := n.not
			return func(r Record, now int64) int8 {
				switch present(r, now) {
				case fastFail:
					return fastFail
				case fastOK:
					return b2t(not)
				}
				return b2t(!not)
			}
		}
	case opCmp:
		if f := fastCompare(n); f != nil {
			return f
		}
	case opInSet:
		if f := fastIn(n); f != nil {
			return f
		}
	}
	return fastGeneric(n)
}

func b2t(b bool) int8 {
	if b {
		return fastTrue
	}
	return fastFalse
}

// fastGeneric evaluates n with the generic evaluator.
func fastGeneric(n *node) fastBool {
	return func(r Record, now int64) int8 {
		src := rowSource{rec: r}
		v, err := n.eval(&src, now)
		if err != nil {
			return fastFail
		}
		return int8(truthCode(v))
	}
}

// fastLogic is Kleene and/or: a FALSE term decides and, a TRUE one or.
func fastLogic(n *node) fastBool {
	terms := make([]fastBool, len(n.kids))
	for i, k := range n.kids {
		terms[i] = fastBoolOf(k)
	}
	decide := fastFalse
	if n.op == opOr {
		decide = fastTrue
	}
	return func(r Record, now int64) int8 {
		unknown := false
		for _, t := range terms {
			switch v := t(r, now); v {
			case decide, fastFail:
				return v
			case fastUnknown:
				unknown = true
			}
		}
		if unknown {
			return fastUnknown
		}
		return 1 - decide
	}
}

// fastPresent reports whether a scalar node's value is present (fastOK),
// null (fastUnknown) or failed; nil when the node is not compiled.
func fastPresent(n *node) fastBool {
	switch {
	case isIntKind(n.k):
		if f := fastIntOf(n); f != nil {
			return func(r Record, now int64) int8 { _, s := f(r, now); return presence(s) }
		}
	case n.k == kFloat:
		if f := fastFloatOf(n); f != nil {
			return func(r Record, now int64) int8 { _, s := f(r, now); return presence(s) }
		}
	case n.k == kStr:
		if f := fastStrOf(n); f != nil {
			return func(r Record, now int64) int8 { _, s := f(r, now); return presence(s) }
		}
	case n.k == kBool:
		b := fastBoolOf(n)
		return func(r Record, now int64) int8 {
			switch b(r, now) {
			case fastFail:
				return fastFail
			case fastUnknown:
				return fastUnknown
			}
			return fastOK
		}
	}
	return nil
}

func presence(s int8) int8 {
	if s == fastOK || s == fastFail {
		return s
	}
	return fastUnknown
}

// fastCompare compiles a comparison of two operands of one kind.
func fastCompare(n *node) fastBool {
	op, a, b := n.cmp, n.kids[0], n.kids[1]
	switch {
	case isIntKind(a.k) && isIntKind(b.k):
		return compareWith(op, fastIntOf(a), fastIntOf(b), cmpInt)
	case a.k == kFloat && b.k == kFloat:
		return compareWith(op, fastFloatOf(a), fastFloatOf(b), cmpFloat)
	case a.k == kStr && b.k == kStr:
		return compareWith(op, fastStrOf(a), fastStrOf(b), strings.Compare)
	}
	return nil
}

// compareWith compares two compiled operands with cmp; nil when either is
// not compiled.
func compareWith[T any, F ~func(Record, int64) (T, int8)](op ast.CompareOp, x, y F, cmp func(T, T) int) fastBool {
	if x == nil || y == nil {
		return nil
	}
	return func(r Record, now int64) int8 {
		u, s := x(r, now)
		if s != fastOK {
			return unknownOr(s)
		}
		v, s := y(r, now)
		if s != fastOK {
			return unknownOr(s)
		}
		return b2t(compareResult(op, cmp(u, v)))
	}
}

// unknownOr maps a missing operand's status to the comparison's truth.
func unknownOr(s int8) int8 {
	if s == fastFail {
		return fastFail
	}
	return fastUnknown
}

// fastIn compiles `x in (…)` over integers or strings.
func fastIn(n *node) fastBool {
	set, x := n.set, n.kids[0]
	miss := fastFalse
	if set.hasNull {
		miss = fastUnknown
	}
	switch {
	case isIntKind(x.k) && set.ints != nil:
		return inWith(fastIntOf(x), set.ints, miss)
	case x.k == kStr && set.strs != nil:
		return inWith(fastStrOf(x), set.strs, miss)
	}
	return nil
}

func inWith[T comparable, F ~func(Record, int64) (T, int8)](f F, set map[T]struct{}, miss int8) fastBool {
	if f == nil {
		return nil
	}
	return func(r Record, now int64) int8 {
		v, s := f(r, now)
		if s != fastOK {
			return unknownOr(s)
		}
		if _, ok := set[v]; ok {
			return fastTrue
		}
		return miss
	}
}

// constOf is a constant typed closure.
func constOf[T any](v T, null bool) func(Record, int64) (T, int8) {
	s := fastOK
	if null {
		s = fastUnknown
	}
	return func(Record, int64) (T, int8) { return v, s }
}

// arithWith applies f to two compiled operands; nil when either is not
// compiled.
func arithWith[T any, F ~func(Record, int64) (T, int8)](x, y F, f func(a, b T) (T, int8)) F {
	if x == nil || y == nil {
		return nil
	}
	return func(r Record, now int64) (T, int8) {
		var zero T
		a, s := x(r, now)
		if s != fastOK {
			return zero, s
		}
		b, s := y(r, now)
		if s != fastOK {
			return zero, s
		}
		return f(a, b)
	}
}

// fastIntOf compiles an integer, time or duration node; nil when it is
// not one the closures cover.
func fastIntOf(n *node) fastInt {
	switch n.op {
	case opConst:
		return constOf(n.val.I, n.val.Null)
	case opNow:
		return func(_ Record, now int64) (int64, int8) { return now, fastOK }
	case opCol:
		if len(n.fields) > 0 {
			return nil
		}
		col := n.col
		if n.k == kTime {
			return func(r Record, _ int64) (int64, int8) { v, ok := r.Time(col); return v, okStatus(ok) }
		}
		if n.k == kInt {
			return func(r Record, _ int64) (int64, int8) { v, ok := r.Int(col); return v, okStatus(ok) }
		}
	case opArith:
		op := n.arith
		return arithWith(fastIntOf(n.kids[0]), fastIntOf(n.kids[1]), func(a, b int64) (int64, int8) {
			v, isNull, err := intArith(op, a, b)
			switch {
			case err != nil:
				return 0, fastFail
			case isNull:
				return 0, fastUnknown
			}
			return v, fastOK
		})
	}
	return nil
}

func okStatus(ok bool) int8 {
	if ok {
		return fastOK
	}
	return fastUnknown
}

// fastFloatOf compiles a float node; nil when not covered.
func fastFloatOf(n *node) fastFloat {
	switch n.op {
	case opConst:
		return constOf(n.val.F, n.val.Null)
	case opCol:
		if len(n.fields) == 0 {
			col := n.col
			return func(r Record, _ int64) (float64, int8) { v, ok := r.Float(col); return v, okStatus(ok) }
		}
	case opCast:
		x := fastIntOf(n.kids[0])
		if x == nil {
			return nil
		}
		return func(r Record, now int64) (float64, int8) { v, s := x(r, now); return float64(v), s }
	case opArith:
		op := n.arith
		return arithWith(fastFloatOf(n.kids[0]), fastFloatOf(n.kids[1]), func(a, b float64) (float64, int8) {
			v, ok := floatArith(op, a, b)
			return v, okStatus(ok)
		})
	}
	return nil
}

// fastStrOf compiles a string column or constant; nil otherwise.
func fastStrOf(n *node) fastStr {
	switch {
	case n.op == opConst:
		return constOf(n.val.S, n.val.Null)
	case n.op == opCol && len(n.fields) == 0:
		col := n.col
		return func(r Record, _ int64) (string, int8) { v, ok := r.Str(col); return v, okStatus(ok) }
	}
	return nil
}
