package engine

import (
	"fmt"
	"time"

	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
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

// recordSource reads a Record's values by column position.
type recordSource struct{ r Record }

// Column implements rowexec.Source.
func (s *recordSource) Column(c *plan.Column, k value.Kind) (value.Value, error) {
	if !c.Top() {
		return value.Value{}, fmt.Errorf("struct fields need a Row, not a Record")
	}
	var v value.Value
	var ok bool
	switch k {
	case value.KInt:
		v.I, ok = s.r.Int(c.Index)
	case value.KFloat:
		v.F, ok = s.r.Float(c.Index)
	case value.KStr:
		v.S, ok = s.r.Str(c.Index)
	case value.KBool:
		v.B, ok = s.r.Bool(c.Index)
	case value.KTime:
		v.I, ok = s.r.Time(c.Index)
	default:
		return value.Value{}, fmt.Errorf("list columns need a Row, not a Record")
	}
	v.K, v.Null = k, !ok
	return v, nil
}

// MatchRecord is Match for a Record, with now() fixed to t. It does not
// allocate for expressions of comparisons, ranges, in-lists, arithmetic
// and logic over scalar columns, which run as compiled closures; other
// expressions, and any row on which a closure meets an error, take the
// row evaluator (so errors are the same as Run's).
func (q *Query) MatchRecord(r Record, t time.Time) (member bool, err error) {
	defer recoverInto(&err, "matching", q.src)
	if fast := q.fastClosures(); fast != nil {
		if truth := fast(r, t.UnixMicro()); truth != fastFail {
			return truth == fastTrue, nil
		}
	}
	v, err := q.evalRow(q.root, &recordSource{r: r}, t, nil)
	return v.IsTrue(), err
}

// fastClosures returns the query's compiled closures (built on first
// use), or nil for a plan with shared segments: a shared node would run
// once per path through the closures.
func (q *Query) fastClosures() fastBool {
	q.fastOnce.Do(func() {
		if !q.shared {
			q.fast = fastBoolOf(q.root)
		}
	})
	return q.fast
}
