package engine

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/funcs"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/value"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
)

// Row supplies one user's values by column name, for single-user
// evaluation. A struct column's value is a map[string]any (or a Row).
type Row interface {
	Lookup(name string) (any, bool)
}

// MapRow is a Row over a map. Values may be Go integers, floats, strings,
// bools, time.Time (for dates and timestamps), []string or []any (lists),
// or nil (null). A missing key is null, unless the row also holds a key
// that is no column of the table: that is an error (ErrUnknownKey), the
// likely misspelling, which would otherwise silently read as null.
type MapRow map[string]any

// Lookup implements Row.
func (m MapRow) Lookup(name string) (any, bool) { v, ok := m[name]; return v, ok }

// checkKeys returns an error for the first key of m (in sorted order)
// that is no column of the table, with the nearest column as a hint.
func (e *Engine) checkKeys(m MapRow) error {
	var bad []string
	for k := range m {
		if e.table.ColumnIndex(k) < 0 {
			bad = append(bad, k)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	names := make([]string, len(e.fields))
	for i, f := range e.fields {
		names[i] = f.Name
	}
	hint := diag.DidYouMean(bad[0], names)
	if hint != "" {
		hint = ", " + hint
	}
	return fmt.Errorf("MapRow key %s: %w%s", diag.Quote(bad[0]), ErrUnknownKey, hint)
}

// Truth is a three-valued result: TRUE, FALSE or UNKNOWN.
type Truth int8

// Truth values.
const (
	False Truth = iota
	True
	Unknown
)

func (t Truth) String() string { return [...]string{"FALSE", "TRUE", "UNKNOWN"}[t] }

// Match evaluates the query for one user with exactly the semantics of
// Run: it reports whether the expression is TRUE for the row, and returns
// the error Run would raise for that row. now() is the query's fixed time
// or else the wall clock.
func (q *Query) Match(row Row) (bool, error) {
	now := q.now
	if now.IsZero() {
		now = time.Now()
	}
	return q.MatchAt(row, now)
}

// MatchAt is Match with now() fixed to t.
func (q *Query) MatchAt(row Row, t time.Time) (bool, error) {
	truth, err := q.TruthAt(row, t)
	return truth == True, err
}

// TruthAt evaluates the query for one row with now() fixed to t and
// reports TRUE, FALSE or UNKNOWN (null). Common expressions run as
// compiled closures over the row; any other, and any row on which a
// closure meets an error or a value it cannot convert, take the row
// evaluator (so results and errors are Run's).
func (q *Query) TruthAt(row Row, t time.Time) (truth Truth, err error) {
	defer recoverInto(&err, "evaluating", q.src)
	if fast := q.fastClosures(); fast != nil {
		rr := rowRecords.Get().(*rowRecord)
		*rr = rowRecord{row: row, fields: q.engine.fields}
		code := fast(rr, t.UnixMicro())
		failed, missed := rr.failed, rr.missed
		rr.row = nil
		rowRecords.Put(rr)
		if err := q.engine.missedKey(row, missed); err != nil {
			return Unknown, err
		}
		if code != fastFail && !failed {
			return Truth([...]Truth{False, True, Unknown}[code]), nil
		}
	}
	src := &mapSource{row: row, fields: q.engine.fields}
	v, err := q.evalRow(q.root, src, t, nil)
	if kerr := q.engine.missedKey(row, src.missed); kerr != nil {
		return Unknown, kerr
	}
	return truthOf(v), err
}

// missedKey is, when a column the expression reads was missing from a
// MapRow (it reads as null), the error for a key of the row that is no
// column: the likely misspelling. Rows with every column they are asked
// for cost nothing more.
func (e *Engine) missedKey(row Row, missed bool) error {
	if !missed {
		return nil
	}
	if m, ok := row.(MapRow); ok {
		return e.checkKeys(m)
	}
	return nil
}

// rowRecord is a Record over a Row, for the compiled closures: a getter
// looks its column up by name and converts the value; one that does not
// convert reads as null and sets failed, and the caller then evaluates the
// row with the row evaluator, which reports the error.
type rowRecord struct {
	row    Row
	fields []arrow.Field
	failed bool
	missed bool // a column was missing from the row
}

// rowRecords reuses rowRecords (one escapes to the heap per match
// otherwise: the closures take an interface).
var rowRecords = sync.Pool{New: func() any { return new(rowRecord) }}

func (r *rowRecord) get(col int, k value.Kind) (value.Value, bool) {
	x, ok := r.row.Lookup(r.fields[col].Name)
	if !ok || x == nil {
		r.missed = r.missed || !ok
		return value.Value{K: k}, false
	}
	v, ok := quickValue(x, k)
	if !ok {
		var err error
		if v, err = goValue(x, k, value.KNull); err != nil || v.U { // big uint64s are the evaluator's
			r.failed = true
			return value.Value{K: k}, false
		}
	}
	return v, !v.Null
}

// quickValue converts the common Go types without reflection.
func quickValue(x any, k value.Kind) (value.Value, bool) {
	switch v := x.(type) {
	case int:
		if k == value.KInt {
			return value.Int(int64(v)), true
		}
	case int64:
		if k == value.KInt {
			return value.Int(v), true
		}
	case float64:
		if k == value.KFloat {
			return value.Float(v), true
		}
	case string:
		if k == value.KStr {
			return value.Str(v), true
		}
	case bool:
		if k == value.KBool {
			return value.Bool(v), true
		}
	case time.Time:
		if us, ok := timeMicros(v); ok && k == value.KTime {
			return value.Time(us), true
		}
	}
	return value.Value{}, false
}

// timeMicros is t in microseconds since the epoch; ok is false beyond the
// int64 range (about ±292,000 years), where UnixMicro is undefined.
func timeMicros(t time.Time) (int64, bool) {
	const maxSec = math.MaxInt64 / 1_000_000
	sec := t.Unix()
	if sec > maxSec || sec < -maxSec-1 {
		return 0, false
	}
	us := t.UnixMicro()
	if (sec > 0 && us < 0) || (sec < 0 && us > 0) {
		return 0, false
	}
	return us, true
}

func (r *rowRecord) Int(col int) (int64, bool) { v, ok := r.get(col, value.KInt); return v.I, ok }
func (r *rowRecord) Float(col int) (float64, bool) {
	v, ok := r.get(col, value.KFloat)
	return v.F, ok
}
func (r *rowRecord) Str(col int) (string, bool) { v, ok := r.get(col, value.KStr); return v.S, ok }
func (r *rowRecord) Bool(col int) (bool, bool)  { v, ok := r.get(col, value.KBool); return v.B, ok }
func (r *rowRecord) Time(col int) (int64, bool) { v, ok := r.get(col, value.KTime); return v.I, ok }

// evalRow evaluates a plan for one row.
func (q *Query) evalRow(root *plan.Node, src rowexec.Source, t time.Time, trace rowexec.Tracer) (value.Value, error) {
	e := rowexec.Evaluator{Src: src, Env: funcs.Env{Now: t.UnixMicro()}, Trace: trace}
	if q.shared {
		e.Memo = map[*plan.Node]rowexec.Result{}
	}
	return e.Eval(root)
}

func truthOf(v value.Value) Truth {
	switch {
	case v.Null:
		return Unknown
	case v.B:
		return True
	}
	return False
}

// mapSource reads a Row's values by column name.
type mapSource struct {
	row    Row
	fields []arrow.Field
	missed bool // a column was missing from the row
}

// Column implements rowexec.Source.
func (s *mapSource) Column(c *plan.Column, k value.Kind) (value.Value, error) {
	f := s.fields[c.Index]
	x, ok := s.row.Lookup(f.Name)
	if !ok {
		s.missed = true
		return value.NullOf(k), nil
	}
	t := f.Type
	for _, fi := range c.Fields {
		if x == nil {
			return value.NullOf(k), nil // a null struct has null fields
		}
		var st Row
		if err := asStruct(x, &st); err != nil {
			return value.Value{}, fmt.Errorf("column %q: %w", f.Name, err)
		}
		field := t.(*arrow.StructType).Field(fi)
		t = field.Type
		if x, ok = st.Lookup(field.Name); !ok {
			return value.NullOf(k), nil
		}
	}
	v, err := goValue(x, k, c.Elem)
	if err != nil {
		return value.Value{}, fmt.Errorf("column %q: %w", c.Name, err)
	}
	return v, nil
}

// goValue converts a Go value to a value of kind k.
func goValue(x any, k, elem value.Kind) (value.Value, error) {
	if x == nil {
		return value.NullOf(k), nil
	}
	switch k {
	case value.KTime:
		switch t := x.(type) {
		case time.Time:
			us, ok := timeMicros(t)
			if !ok {
				return value.Value{}, ErrTimeRange
			}
			return value.Time(us), nil
		case string:
			if tt, ok := check.ParseTime(t); ok {
				return value.Time(tt), nil
			}
		}
	case value.KList:
		return goList(x, elem)
	case value.KStr:
		if s, ok := x.(string); ok {
			return value.Str(s), nil
		}
	case value.KBool:
		if b, ok := x.(bool); ok {
			return value.Bool(b), nil
		}
	case value.KInt, value.KFloat:
		return goNumber(x, k)
	}
	return value.Value{}, fmt.Errorf("cannot use %T value %v here", x, x)
}

func goNumber(x any, k value.Kind) (value.Value, error) {
	rv := reflect.ValueOf(x)
	switch {
	case rv.CanInt():
		if k == value.KFloat {
			return value.Float(float64(rv.Int())), nil
		}
		return value.Int(rv.Int()), nil
	case rv.CanUint():
		if k == value.KFloat {
			return value.Float(float64(rv.Uint())), nil
		}
		return value.Uint(rv.Uint()), nil
	case rv.CanFloat() && k == value.KFloat:
		return value.Float(rv.Float()), nil
	}
	return value.Value{}, fmt.Errorf("cannot use %T value %v as a number", x, x)
}

func goList(x any, elem value.Kind) (value.Value, error) {
	if xs, ok := x.([]any); ok { // the common form, without reflection
		out := value.Value{K: value.KList, L: make([]value.Value, len(xs))}
		for i, e := range xs {
			v, err := goValue(e, elem, value.KNull)
			if err != nil {
				return value.Value{}, err
			}
			out.L[i] = v
		}
		return out, nil
	}
	rv := reflect.ValueOf(x)
	if rv.Kind() != reflect.Slice {
		return value.Value{}, fmt.Errorf("cannot use %T as a list", x)
	}
	out := value.Value{K: value.KList, L: make([]value.Value, rv.Len())}
	for i := range out.L {
		v, err := goValue(rv.Index(i).Interface(), elem, value.KNull)
		if err != nil {
			return value.Value{}, err
		}
		out.L[i] = v
	}
	return out, nil
}

// asStruct reads a struct column's value in a Row: a map or a Row.
func asStruct(x any, out *Row) error {
	switch s := x.(type) {
	case map[string]any:
		*out = MapRow(s)
	case Row:
		*out = s
	default:
		return fmt.Errorf("cannot use %T as a struct", x)
	}
	return nil
}
