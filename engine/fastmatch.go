package engine

import (
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/segql/segql/engine/internal/funcs"
	"github.com/segql/segql/engine/internal/rowexec"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
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

// fastBoolOf compiles a boolean node.
func fastBoolOf(n *plan.Node) fastBool {
	switch n.Op {
	case plan.OpConst:
		t := fastTruth(n.Val)
		return func(Record, int64) int8 { return t }
	case plan.OpColumn:
		if len(n.Col.Fields) == 0 {
			col := n.Col.Index
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
	case plan.OpAnd, plan.OpOr:
		return fastLogic(n)
	case plan.OpRange:
		if n.Bounds.Float == nil && n.Bounds.Uint == nil {
			if f := intColumnIn(n.Args[0], n.Bounds); f != nil {
				return f
			}
		}
		return fastBoolOf(n.Logical)
	case plan.OpInRuns, plan.OpLinear, plan.OpChunked:
		return fastBoolOf(n.Logical)
	case plan.OpSegment, plan.OpDict:
		return fastBoolOf(n.Args[0])
	case plan.OpNot:
		x := fastBoolOf(n.Args[0])
		return func(r Record, now int64) int8 {
			if t := x(r, now); t <= fastTrue {
				return 1 - t
			} else {
				return t
			}
		}
	case plan.OpIsNull:
		if present := fastPresent(n.Args[0]); present != nil {
			not := n.Negated
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
	case plan.OpCompare:
		if f := fastCompare(n); f != nil {
			return f
		}
	case plan.OpInSet:
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

// genericState is fastGeneric's evaluator and source, reused (allocated
// per call otherwise: the evaluator holds the source as an interface).
type genericState struct {
	e   rowexec.Evaluator
	rec recordSource
	row mapSource
}

var genericStates = sync.Pool{New: func() any { return new(genericState) }}

// fastGeneric evaluates n with the row evaluator.
func fastGeneric(n *plan.Node) fastBool {
	return func(r Record, now int64) int8 {
		g := genericStates.Get().(*genericState)
		var src rowexec.Source = &g.rec
		if rr, ok := r.(*rowRecord); ok { // a Row: struct fields and lists read from it
			g.row = mapSource{row: rr.row, fields: rr.fields}
			src = &g.row
		} else {
			g.rec = recordSource{r: r}
		}
		g.e = rowexec.Evaluator{Src: src, Env: funcs.Env{Now: now}}
		v, err := g.e.Eval(n)
		*g = genericState{}
		genericStates.Put(g)
		if err != nil {
			return fastFail
		}
		return fastTruth(v)
	}
}

// fastTruth encodes a boolean value.
func fastTruth(v value.Value) int8 {
	switch {
	case v.Null:
		return fastUnknown
	case v.B:
		return fastTrue
	}
	return fastFalse
}

func isIntLike(k value.Kind) bool { return k.IsIntLike() }

// fastLogic is Kleene and/or: a FALSE term decides and, a TRUE one or.
func fastLogic(n *plan.Node) fastBool {
	terms := make([]fastBool, len(n.Args))
	for i, k := range n.Args {
		terms[i] = fastBoolOf(k)
	}
	decide := fastFalse
	if n.Op == plan.OpOr {
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
func fastPresent(n *plan.Node) fastBool {
	switch {
	case isIntLike(n.Kind):
		if f := fastIntOf(n); f != nil {
			return func(r Record, now int64) int8 { _, s := f(r, now); return presence(s) }
		}
	case n.Kind == value.KFloat:
		if f := fastFloatOf(n); f != nil {
			return func(r Record, now int64) int8 { _, s := f(r, now); return presence(s) }
		}
	case n.Kind == value.KStr:
		if f := fastStrOf(n); f != nil {
			return func(r Record, now int64) int8 { _, s := f(r, now); return presence(s) }
		}
	case n.Kind == value.KBool:
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
func fastCompare(n *plan.Node) fastBool {
	op, a, b := n.Cmp, n.Args[0], n.Args[1]
	if c := b; c.Op == plan.OpConst && !c.Val.Null && c.Kind == value.KInt {
		if f := intColumnIn(a, plan.Bounds{Cmp: kernels.CmpRange(op, c.Val.I)}); f != nil {
			return f
		}
	}
	if c := a; c.Op == plan.OpConst && !c.Val.Null && c.Kind == value.KInt {
		if f := intColumnIn(b, plan.Bounds{Cmp: kernels.CmpRange(op.Flip(), c.Val.I)}); f != nil {
			return f
		}
	}
	switch {
	case isIntLike(a.Kind) && isIntLike(b.Kind):
		return compareWith(op, fastIntOf(a), fastIntOf(b), value.CmpInt)
	case a.Kind == value.KFloat && b.Kind == value.KFloat:
		return compareWith(op, fastFloatOf(a), fastFloatOf(b), value.CmpFloat)
	case a.Kind == value.KStr && b.Kind == value.KStr:
		return compareWith(op, fastStrOf(a), fastStrOf(b), strings.Compare)
	}
	return nil
}

// compareWith compares two compiled operands with cmp; nil when either is
// not compiled.
func compareWith[T any, F ~func(Record, int64) (T, int8)](op kernels.CmpOp, x, y F, cmp func(T, T) int) fastBool {
	if x == nil || y == nil {
		return nil
	}
	return func(r Record, now int64) int8 {
		u, s := x(r, now)
		v, t := y(r, now) // both operands are needed, whether or not one is null
		switch {
		case s == fastFail || t == fastFail:
			return fastFail
		case s != fastOK || t != fastOK:
			return fastUnknown
		}
		return b2t(op.Holds(cmp(u, v)))
	}
}

// intColumnIn is the common leaf, a top-level integer column within a
// constant range, read once and compared with no further closures; nil
// for other columns.
func intColumnIn(col *plan.Node, b plan.Bounds) fastBool {
	if col.Op != plan.OpColumn || !col.Col.Top() || (col.Kind != value.KInt && col.Kind != value.KTime) {
		return nil
	}
	c, isTime := col.Col.Index, col.Kind == value.KTime
	read := func(rec Record) (int64, bool) {
		if isTime {
			return rec.Time(c)
		}
		return rec.Int(c)
	}
	if b.Fixed() {
		lo, hi, neg := b.Cmp.Lo, b.Cmp.Hi, b.Cmp.Neg
		return func(rec Record, _ int64) int8 {
			v, ok := read(rec)
			if !ok {
				return fastUnknown
			}
			return b2t((v >= lo && v <= hi) != neg)
		}
	}
	bounds := nowBounds(b)
	return func(rec Record, now int64) int8 {
		r, ok := bounds(now)
		if !ok {
			return fastFail
		}
		v, ok := read(rec)
		if !ok {
			return fastUnknown
		}
		if d := now - v; b.NowDiff && (d > now) != (v < 0) { // now() − value overflows: the generic path raises
			return fastFail
		}
		return b2t((v >= r.Lo && v <= r.Hi) != r.Neg)
	}
}

// rangeAt is a range's bounds for one now().
type rangeAt struct {
	now int64
	r   kernels.IntRange
	ok  bool // false: computing them raised an error
}

// nowBounds computes the bounds of a range relative to now() as the
// vectorized executor does for a run (exec's runBounds), keeping the last
// now's: a service evaluates many users at one now().
func nowBounds(b plan.Bounds) func(now int64) (kernels.IntRange, bool) {
	var last atomic.Pointer[rangeAt]
	return func(now int64) (kernels.IntRange, bool) {
		if l := last.Load(); l != nil && l.now == now {
			return l.r, l.ok
		}
		at := &rangeAt{now: now, r: b.Cmp, ok: true}
		e := rowexec.Evaluator{Src: rowexec.NoColumns{}, Env: funcs.Env{Now: now}}
		empty := false
		bound := func(x *plan.Node, adj int64, into *int64) {
			val, err := e.Eval(x)
			switch {
			case err != nil:
				at.ok = false
			case (adj > 0 && val.I == math.MaxInt64) || (adj < 0 && val.I == math.MinInt64):
				empty = true // x > MaxInt64: nothing
			default:
				*into = val.I + adj
			}
		}
		if b.LoExpr != nil {
			bound(b.LoExpr, b.LoAdj, &at.r.Lo)
		}
		if b.HiExpr != nil {
			bound(b.HiExpr, b.HiAdj, &at.r.Hi)
		}
		if empty {
			at.r.Lo, at.r.Hi = 1, 0
		}
		last.Store(at)
		return at.r, at.ok
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
func fastIn(n *plan.Node) fastBool {
	set, x := n.Set, n.Args[0]
	miss := fastFalse
	if set.HasNull {
		miss = fastUnknown
	}
	switch {
	case isIntLike(x.Kind) && set.Ints != nil:
		return inWith(fastIntOf(x), set.Ints, miss)
	case x.Kind == value.KStr && set.Strs != nil:
		return inWith(fastStrOf(x), set.Strs, miss)
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
		b, t := y(r, now) // both operands are needed, whether or not one is null
		switch {
		case s == fastFail || t == fastFail:
			return zero, fastFail
		case s != fastOK:
			return zero, s
		case t != fastOK:
			return zero, t
		}
		return f(a, b)
	}
}

// fastIntOf compiles an integer, time or duration node; nil when it is
// not one the closures cover.
func fastIntOf(n *plan.Node) fastInt {
	switch n.Op {
	case plan.OpConst:
		return constOf(n.Val.I, n.Val.Null)
	case plan.OpNow:
		return func(_ Record, now int64) (int64, int8) { return now, fastOK }
	case plan.OpColumn:
		if len(n.Col.Fields) > 0 {
			return nil
		}
		col := n.Col.Index
		if n.Kind == value.KTime {
			return func(r Record, _ int64) (int64, int8) { v, ok := r.Time(col); return v, okStatus(ok) }
		}
		if n.Kind == value.KInt {
			return func(r Record, _ int64) (int64, int8) { v, ok := r.Int(col); return v, okStatus(ok) }
		}
	case plan.OpArith:
		op := n.Arith
		return arithWith(fastIntOf(n.Args[0]), fastIntOf(n.Args[1]), func(a, b int64) (int64, int8) {
			v, res := kernels.IntArith(op, a, b)
			switch res {
			case kernels.IntOverflow:
				return 0, fastFail
			case kernels.IntNull:
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
func fastFloatOf(n *plan.Node) fastFloat {
	switch n.Op {
	case plan.OpConst:
		return constOf(n.Val.F, n.Val.Null)
	case plan.OpColumn:
		if len(n.Col.Fields) == 0 {
			col := n.Col.Index
			return func(r Record, _ int64) (float64, int8) { v, ok := r.Float(col); return v, okStatus(ok) }
		}
	case plan.OpCast:
		x := fastIntOf(n.Args[0])
		if x == nil {
			return nil
		}
		return func(r Record, now int64) (float64, int8) { v, s := x(r, now); return float64(v), s }
	case plan.OpArith:
		op := n.Arith
		return arithWith(fastFloatOf(n.Args[0]), fastFloatOf(n.Args[1]), func(a, b float64) (float64, int8) {
			v, ok := kernels.FloatArith(op, a, b)
			return v, okStatus(ok)
		})
	}
	return nil
}

// fastStrOf compiles a string column or constant; nil otherwise.
func fastStrOf(n *plan.Node) fastStr {
	switch {
	case n.Op == plan.OpConst:
		return constOf(n.Val.S, n.Val.Null)
	case n.Op == plan.OpColumn && len(n.Col.Fields) == 0:
		col := n.Col.Index
		return func(r Record, _ int64) (string, int8) { v, ok := r.Str(col); return v, okStatus(ok) }
	}
	return nil
}
