package engine

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
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
