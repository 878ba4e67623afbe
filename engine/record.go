package engine

import (
	"fmt"
	"time"
)

// Record supplies one user's values by column position (the table's
// schema order; see Engine.ColumnIndex) without boxing them: the
// allocation-free alternative to Row for single-user evaluation. Each
// getter reports ok = false for null, and is called only for columns of
// its type: Int for integer columns, Float for floats, Str for strings,
// Bool for booleans, Time for dates and timestamps (microseconds since
// the epoch, UTC). List and struct columns need a Row.
//
// Implement it on a pointer (a struct value converted to the interface at
// each call would allocate).
type Record interface {
	Int(col int) (v int64, ok bool)
	Float(col int) (v float64, ok bool)
	Str(col int) (v string, ok bool)
	Bool(col int) (v bool, ok bool)
	Time(col int) (micros int64, ok bool)
}

// ColumnIndex returns the position of a top-level column, or -1.
func (e *Engine) ColumnIndex(name string) int { return e.table.ColumnIndex(name) }

// recordValue reads a column node's value from a Record.
func recordValue(r Record, n *node) (Value, error) {
	if len(n.fields) > 0 {
		return Value{}, fmt.Errorf("struct fields need a Row, not a Record")
	}
	var v Value
	var ok bool
	switch n.k {
	case kInt:
		v.I, ok = r.Int(n.col)
	case kFloat:
		v.F, ok = r.Float(n.col)
	case kStr:
		v.S, ok = r.Str(n.col)
	case kBool:
		v.B, ok = r.Bool(n.col)
	case kTime:
		v.I, ok = r.Time(n.col)
	default:
		return Value{}, fmt.Errorf("list columns need a Row, not a Record")
	}
	v.K, v.Null = n.k, !ok
	return v, nil
}

// MatchRecord is Match for a Record, with now() fixed to t. It does not
// allocate for expressions of comparisons, ranges, in-lists, arithmetic
// and logic over scalar columns.
func (q *Query) MatchRecord(r Record, t time.Time) (member bool, err error) {
	defer func() {
		if x := recover(); x != nil {
			member, err = false, fmt.Errorf("internal error matching %q: %v", q.src, x)
		}
	}()
	q.fastOnce.Do(func() { q.fast = fastBoolOf(q.plan) })
	now := t.UnixMicro()
	if truth := q.fast(r, now); truth != fastFail {
		return truth == fastTrue, nil
	}
	src := rowSource{rec: r}
	v, err := q.plan.eval(&src, now)
	if err != nil {
		return false, err
	}
	return !v.Null && v.B, nil
}
