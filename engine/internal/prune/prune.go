// Package prune decides, from a row group's statistics alone, whether a
// predicate can be TRUE for any of its rows: streamed scans skip the row
// groups it proves cannot hold a member.
//
// The decision is an abstract evaluation of the logical plan over sets
// of outcomes — TRUE, FALSE, UNKNOWN (NULL) and an evaluation error —
// that combines them by the same three-valued logic and the same error
// rule as the row evaluator (a FALSE term of `and`, a TRUE term of `or`,
// hides other terms' errors). A row group is skipped only when neither
// TRUE nor an error is possible, so a skipped group would have added no
// member and raised no error: pruned and unpruned scans agree exactly.
// Anything the pruner does not model may have every outcome.
package prune

import (
	"github.com/segql/segql/engine/internal/funcs"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/value"
)

// Stats is what a row group's footer says of one column. Nulls is -1
// when not recorded; HasMinMax says Min and Max (non-null values of the
// column's kind, as the engine reads them) bound its non-null values.
// Also lists values that may occur outside [Min, Max] (an empty string
// some writers leave out of the minimum). MayFail says reading a value
// may fail (a time beyond the microsecond range).
type Stats struct {
	Rows, Nulls int64
	HasMinMax   bool
	Min, Max    value.Value
	Also        []value.Value
	MayFail     bool
}

// StatsFunc returns a top-level column's statistics in one row group.
type StatsFunc func(col int) Stats

// Outcomes is a set of a predicate's possible results over a row group.
type Outcomes uint8

// The outcomes.
const (
	True Outcomes = 1 << iota
	False
	Null
	Error
	All = True | False | Null | Error
)

// Eval returns the outcomes root may have over a row group whose columns
// stats describes; now is the run's now() in microseconds.
func Eval(root *plan.Node, stats StatsFunc, now int64) Outcomes {
	p := pruner{stats: stats, env: funcs.Env{Now: now}}
	return p.eval(root)
}

type pruner struct {
	stats StatsFunc
	env   funcs.Env
}

func (p *pruner) eval(n *plan.Node) Outcomes {
	switch n.Op {
	case plan.OpConst:
		return constOutcome(n.Val)
	case plan.OpSegment:
		return p.eval(n.Args[0])
	case plan.OpNot:
		return not(p.eval(n.Args[0]))
	case plan.OpAnd, plan.OpOr:
		acc := p.eval(n.Args[0])
		for _, a := range n.Args[1:] {
			acc = combine(acc, p.eval(a), n.Op == plan.OpAnd)
		}
		return acc
	case plan.OpIsNull:
		return p.isNull(n)
	case plan.OpCompare:
		return p.compare(n)
	case plan.OpIn:
		return p.in(n)
	case plan.OpInSet:
		return p.inSet(n)
	}
	return All
}

func constOutcome(v value.Value) Outcomes {
	switch {
	case v.K != value.KBool && !v.Null:
		return All
	case v.Null:
		return Null
	case v.B:
		return True
	}
	return False
}

func not(o Outcomes) Outcomes {
	out := o &^ (True | False)
	if o&True != 0 {
		out |= False
	}
	if o&False != 0 {
		out |= True
	}
	return out
}

// combine is the outcomes of `x and y` (and: true) or `x or y` for x in
// a and y in b, by three-valued logic and the row evaluator's error rule.
func combine(a, b Outcomes, and bool) Outcomes {
	var out Outcomes
	for x := True; x <= Error; x <<= 1 {
		if a&x == 0 {
			continue
		}
		for y := True; y <= Error; y <<= 1 {
			if b&y != 0 {
				out |= pair(x, y, and)
			}
		}
	}
	return out
}

func pair(x, y Outcomes, and bool) Outcomes {
	decider, neutral := False, True
	if !and {
		decider, neutral = True, False
	}
	switch {
	case x == decider || y == decider:
		return decider
	case x == Error || y == Error:
		return Error
	case x == Null || y == Null:
		return Null
	}
	return neutral
}

// column returns the statistics of a node that is a top-level column.
func (p *pruner) column(n *plan.Node) (Stats, bool) {
	if n.Op != plan.OpColumn || !n.Col.Top() {
		return Stats{}, false
	}
	st := p.stats(n.Col.Index)
	if st.Nulls > st.Rows {
		st.Nulls = -1
	}
	return st, true
}

// constant evaluates a node that reads no column.
func (p *pruner) constant(n *plan.Node) (value.Value, bool) {
	if n.HasColumn() {
		return value.Value{}, false
	}
	ev := rowexec.Evaluator{Src: rowexec.NoColumns{}, Env: p.env}
	v, err := ev.Eval(n)
	return v, err == nil
}

// base is the outcomes a column predicate has from its column's nulls:
// Null when some value may be null, and whether a non-null value may
// exist (the predicate's own outcomes then apply).
func base(st Stats) (out Outcomes, nonNull bool) {
	if st.Nulls != 0 && st.Rows > 0 {
		out |= Null
	}
	return out, st.Rows > 0 && (st.Nulls < 0 || st.Nulls < st.Rows)
}

func (p *pruner) isNull(n *plan.Node) Outcomes {
	st, ok := p.column(n.Args[0])
	if !ok || st.Rows == 0 {
		if ok {
			return 0
		}
		return All
	}
	var out Outcomes
	if st.Nulls != 0 {
		out |= True
	}
	if st.Nulls < 0 || st.Nulls < st.Rows {
		out |= False
	}
	if n.Negated {
		out = not(out)
	}
	return out
}

func (p *pruner) compare(n *plan.Node) Outcomes {
	x, y, op := plan.ColumnFirst(n)
	st, ok := p.column(x)
	if !ok {
		return All
	}
	c, ok := p.constant(y)
	if !ok {
		return All
	}
	if st.Rows == 0 {
		return 0
	}
	if c.Null {
		return Null
	}
	out, nonNull := base(st)
	if !nonNull {
		return out
	}
	if st.MayFail {
		out |= Error
	}
	if !st.HasMinMax {
		return out | True | False
	}
	t, f := rangeCompare(st.Min, st.Max, c, op)
	for _, v := range st.Also {
		holds := op.Holds(value.Compare(v, c))
		t, f = t || holds, f || !holds
	}
	if t {
		out |= True
	}
	if f {
		out |= False
	}
	return out
}

// rangeCompare reports whether some v in [min, max] has v op c (t), and
// whether some has not (f).
func rangeCompare(min, max, c value.Value, op kernels.CmpOp) (t, f bool) {
	lo, hi := value.Compare(min, c), value.Compare(max, c) // the signs of min−c and max−c
	switch op {
	case kernels.Eq:
		return lo <= 0 && hi >= 0, !(lo == 0 && hi == 0)
	case kernels.Ne:
		return !(lo == 0 && hi == 0), lo <= 0 && hi >= 0
	case kernels.Lt:
		return lo < 0, hi >= 0
	case kernels.Le:
		return lo <= 0, hi > 0
	case kernels.Gt:
		return hi > 0, lo <= 0
	}
	return hi >= 0, lo < 0 // >=
}

// in handles `x in (items…)` before folding.
func (p *pruner) in(n *plan.Node) Outcomes {
	items := make([]value.Value, 0, len(n.Args)-1)
	for _, a := range n.Args[1:] {
		v, ok := p.constant(a)
		if !ok {
			return All
		}
		items = append(items, v)
	}
	return p.member(n.Args[0], items)
}

func (p *pruner) inSet(n *plan.Node) Outcomes {
	items := n.Set.Values
	if n.Set.HasNull {
		items = append(append([]value.Value(nil), items...), value.NullOf(n.Set.Kind))
	}
	return p.member(n.Args[0], items)
}

// member is the outcomes of `x in items` for a column x.
func (p *pruner) member(x *plan.Node, items []value.Value) Outcomes {
	st, ok := p.column(x)
	if !ok {
		return All
	}
	if st.Rows == 0 {
		return 0
	}
	out, nonNull := base(st)
	if !nonNull {
		return out
	}
	if st.MayFail {
		out |= Error
	}
	hasNull, match := false, !st.HasMinMax
	for _, v := range items {
		switch {
		case v.Null:
			hasNull = true
		case st.HasMinMax && value.Compare(st.Min, v) <= 0 && value.Compare(st.Max, v) >= 0:
			match = true
		}
	}
	listed := func(x value.Value) bool {
		for _, v := range items {
			if !v.Null && value.Compare(x, v) == 0 {
				return true
			}
		}
		return false
	}
	// A value outside the list: when min = max is listed (and so is every
	// value that may also occur), there is none.
	miss := !st.HasMinMax || value.Compare(st.Min, st.Max) != 0 || !listed(st.Min)
	for _, v := range st.Also {
		if listed(v) {
			match = true
		} else {
			miss = true
		}
	}
	if match {
		out |= True
	}
	if miss {
		if hasNull {
			out |= Null
		} else {
			out |= False
		}
	}
	return out
}
