package engine

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/lang/check"
	"reflect"
	"time"
)

// Row supplies one user's values by column name, for single-user
// evaluation. A struct column's value is a map[string]any (or a Row).
type Row interface {
	Lookup(name string) (any, bool)
}

// MapRow is a Row over a map. Values may be Go integers, floats, strings,
// bools, time.Time (for dates and timestamps), []string or []any (lists),
// or nil (null). A missing key is null.
type MapRow map[string]any

// Lookup implements Row.
func (m MapRow) Lookup(name string) (any, bool) { v, ok := m[name]; return v, ok }

// Match evaluates the query for one user with exactly the semantics of
// Run: it reports whether the expression is TRUE for the row. now() is the
// query's fixed time or else the wall clock.
func (q *Query) Match(row Row) (bool, error) {
	now := q.now
	if now.IsZero() {
		now = time.Now()
	}
	return q.MatchAt(row, now)
}

// MatchAt is Match with now() fixed to t.
func (q *Query) MatchAt(row Row, t time.Time) (member bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			member, err = false, fmt.Errorf("internal error matching %q: %v", q.src, r)
		}
	}()
	v, err := q.plan.eval(&rowSource{row: &rowAdapter{row: row, schema: q.engine.fields}}, t.UnixMicro())
	if err != nil {
		return false, err
	}
	return !v.Null && v.B, nil
}

type rowAdapter struct {
	row    Row
	schema []arrow.Field
}

func (r *rowAdapter) value(n *node) (Value, error) {
	name := r.schema[n.col].Name
	x, ok := r.row.Lookup(name)
	if !ok {
		return null(n.k), nil
	}
	t := r.schema[n.col].Type
	for _, f := range n.fields {
		if x == nil {
			return null(n.k), nil // a null struct has null fields
		}
		var st Row
		if err := asStruct(x, &st); err != nil {
			return Value{}, fmt.Errorf("column %q: %w", name, err)
		}
		field := t.(*arrow.StructType).Field(f)
		t = field.Type
		if x, ok = st.Lookup(field.Name); !ok {
			return null(n.k), nil
		}
	}
	v, err := goValue(x, n.k, n.elem)
	if err != nil {
		return Value{}, fmt.Errorf("column %q: %w", name, err)
	}
	return v, nil
}

// goValue converts a Go value to a Value of kind k.
func goValue(x any, k, elem kind) (Value, error) {
	if x == nil {
		return null(k), nil
	}
	switch k {
	case kTime:
		switch t := x.(type) {
		case time.Time:
			return timeVal(t.UnixMicro()), nil
		case string:
			if tt, ok := check.ParseTime(t); ok {
				return timeVal(tt), nil
			}
		}
	case kList:
		return goList(x, elem)
	case kStr:
		if s, ok := x.(string); ok {
			return strVal(s), nil
		}
	case kBool:
		if b, ok := x.(bool); ok {
			return boolVal(b), nil
		}
	case kInt, kFloat:
		return goNumber(x, k)
	}
	return Value{}, fmt.Errorf("cannot use %T value %v here", x, x)
}

func goNumber(x any, k kind) (Value, error) {
	rv := reflect.ValueOf(x)
	switch {
	case rv.CanInt():
		if k == kFloat {
			return floatVal(float64(rv.Int())), nil
		}
		return intVal(rv.Int()), nil
	case rv.CanUint():
		if k == kFloat {
			return floatVal(float64(rv.Uint())), nil
		}
		return intVal(int64(rv.Uint())), nil
	case rv.CanFloat() && k == kFloat:
		return floatVal(rv.Float()), nil
	}
	return Value{}, fmt.Errorf("cannot use %T value %v as a number", x, x)
}

func goList(x any, elem kind) (Value, error) {
	rv := reflect.ValueOf(x)
	if rv.Kind() != reflect.Slice {
		return Value{}, fmt.Errorf("cannot use %T as a list", x)
	}
	out := Value{K: kList, L: make([]Value, rv.Len())}
	for i := range out.L {
		v, err := goValue(rv.Index(i).Interface(), elem, kNull)
		if err != nil {
			return Value{}, err
		}
		out.L[i] = v
	}
	return out, nil
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

// TruthAt evaluates the query for one row with now() fixed to t and
// reports TRUE, FALSE or UNKNOWN (null).
func (q *Query) TruthAt(row Row, t time.Time) (truth Truth, err error) {
	defer func() {
		if r := recover(); r != nil {
			truth, err = Unknown, fmt.Errorf("internal error evaluating %q: %v", q.src, r)
		}
	}()
	v, err := q.plan.eval(&rowSource{row: &rowAdapter{row: row, schema: q.engine.fields}}, t.UnixMicro())
	switch {
	case err != nil:
		return Unknown, err
	case v.Null:
		return Unknown, nil
	case v.B:
		return True, nil
	}
	return False, nil
}

// Now returns the query's fixed now(), or the zero time.
func (q *Query) Now() time.Time { return q.now }

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
