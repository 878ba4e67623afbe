package engine

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/columnar"
)

// listValues converts elements [lo, hi) of a list's values to Values.
func listValues(values arrow.Array, lo, hi int) []Value {
	out := make([]Value, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, arrowValue(values, i))
	}
	return out
}

// arrowValue reads row i of an Arrow array as a Value.
func arrowValue(a arrow.Array, i int) Value {
	if a.IsNull(i) {
		return null(kindOf(TypeOf(a.DataType())))
	}
	switch x := a.(type) {
	case *array.Dictionary:
		return arrowValue(x.Dictionary(), x.GetValueIndex(i))
	case *array.String:
		return strVal(x.Value(i))
	case *array.LargeString:
		return strVal(x.Value(i))
	case *array.Boolean:
		return boolVal(x.Value(i))
	case *array.Float64:
		return floatVal(x.Value(i))
	case *array.Float32:
		return floatVal(float64(x.Value(i)))
	case array.ListLike:
		lo, hi := x.ValueOffsets(i)
		return Value{K: kList, L: listValues(x.ListValues(), int(lo), int(hi))}
	}
	k := kindOf(TypeOf(a.DataType()))
	switch x := a.(type) {
	case *array.Int64:
		return intVal(x.Value(i))
	case *array.Int32:
		return intVal(int64(x.Value(i)))
	case *array.Int16:
		return intVal(int64(x.Value(i)))
	case *array.Int8:
		return intVal(int64(x.Value(i)))
	case *array.Uint64:
		return intVal(int64(x.Value(i)))
	case *array.Uint32:
		return intVal(int64(x.Value(i)))
	case *array.Uint16:
		return intVal(int64(x.Value(i)))
	case *array.Uint8:
		return intVal(int64(x.Value(i)))
	case *array.Date32:
		return timeVal(int64(x.Value(i)) * dayMicros)
	case *array.Date64:
		return timeVal(int64(x.Value(i)) * 1000)
	case *array.Timestamp:
		return timeVal(timestampMicros(int64(x.Value(i)), x.DataType().(*arrow.TimestampType).Unit))
	}
	return null(k)
}

func timestampMicros(v int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return v * 1e6
	case arrow.Millisecond:
		return v * 1e3
	case arrow.Nanosecond:
		return floorDiv(v, 1000)
	}
	return v
}

// RowAt reads row i of a table as a MapRow of Go values (time.Time for
// dates and timestamps, []any for lists, map[string]any for structs, nil
// for null), the form Match accepts.
func RowAt(t *columnar.Table, row int64) MapRow {
	b, i := t.Locate(row)
	rec := t.Batches[b]
	out := MapRow{}
	for c, f := range t.Schema.Fields() {
		if f.Type.ID() == arrow.STRUCT {
			out[f.Name] = columnar.JSONValue(rec.Column(c), i)
			continue
		}
		out[f.Name] = goOf(arrowValue(rec.Column(c), i))
	}
	return out
}

func goOf(v Value) any {
	if v.Null {
		return nil
	}
	switch v.K {
	case kBool:
		return v.B
	case kFloat:
		return v.F
	case kStr:
		return v.S
	case kTime:
		return time.UnixMicro(v.I).UTC()
	case kList:
		out := make([]any, len(v.L))
		for i, e := range v.L {
			out[i] = goOf(e)
		}
		return out
	}
	return v.I
}

// FindRow returns the index of the first row whose column col formats as
// value, or -1.
func FindRow(t *columnar.Table, col, value string) int64 {
	ci := t.ColumnIndex(col)
	if ci < 0 {
		return -1
	}
	for b, rec := range t.Batches {
		arr := rec.Column(ci)
		for i := 0; i < arr.Len(); i++ {
			if s, ok := columnar.FormatValue(arr, i); ok && s == value {
				return t.BatchOffset(b) + int64(i)
			}
		}
	}
	return -1
}
