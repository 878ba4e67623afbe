package engine

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// Record supplies one user's values by column position (the table's
// schema order; see Engine.ColumnIndex) without boxing them: the
// allocation-free alternative to Row for single-user evaluation. Each
// getter reports ok = false for null, and is called only for columns of
// its type: Int for integer columns, Float for floats, Str for strings,
// Bool for booleans, Time for dates and timestamps (microseconds since
// the epoch, UTC). List and struct columns need a Row: a Record that
// also implements Row serves them through Lookup.
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

// recordSource reads a Record's values by column position, and list and
// struct columns through Lookup when the Record is also a Row.
type recordSource struct {
	r      Record
	fields []arrow.Field
}

// Column implements rowexec.Source.
func (s *recordSource) Column(c *plan.Column, k value.Kind) (value.Value, error) {
	if row, ok := s.r.(Row); ok && (!c.Top() || k == value.KList) {
		if s.fields != nil {
			return (&mapSource{row: row, fields: s.fields}).Column(c, k)
		}
		if c.Top() { // a list, read by name (the compiled closures know no fields)
			x, _ := row.Lookup(c.Name)
			v, err := goValue(x, k, c.Elem)
			if err != nil {
				return value.Value{}, fmt.Errorf("column %q: %w", c.Name, err)
			}
			return v, nil
		}
	}
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
	v, err := q.evalRow(q.root, &recordSource{r: r, fields: q.engine.fields}, t, nil)
	return v.IsTrue(), err
}

// TruthRecord is MatchRecord reporting TRUE, FALSE or UNKNOWN, as TruthAt
// does for a Row.
func (q *Query) TruthRecord(r Record, t time.Time) (truth Truth, err error) {
	defer recoverInto(&err, "evaluating", q.src)
	if fast := q.fastClosures(); fast != nil {
		if code := fast(r, t.UnixMicro()); code != fastFail {
			return [...]Truth{False, True, Unknown}[code], nil
		}
	}
	v, err := q.evalRow(q.root, &recordSource{r: r, fields: q.engine.fields}, t, nil)
	return truthOf(v), err
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
