package kernels

import (
	"errors"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/engine/internal/value"
)

// ErrTimeRange is the error of a time whose value in microseconds is
// beyond int64 (timestamp[s] or [ms] values beyond about 292,000 years).
var ErrTimeRange = errors.New("time out of range (beyond ±292,000 years in microseconds)")

// ErrUintRange is the error of a uint64 value above the int64 range used
// where an expression computes with it: comparisons, in-lists and the
// conversion to float take every value exactly; arithmetic, functions
// and coalesce do not.
var ErrUintRange = errors.New("uint64 value above 9223372036854775807 in arithmetic or a function (only comparisons take it)")

// KindOf maps an Arrow type to the kind its values take in expressions;
// KNull for types segql cannot evaluate.
func KindOf(t arrow.DataType) value.Kind {
	switch t.ID() {
	case arrow.BOOL:
		return value.KBool
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return value.KInt
	case arrow.FLOAT32, arrow.FLOAT64:
		return value.KFloat
	case arrow.STRING, arrow.LARGE_STRING:
		return value.KStr
	case arrow.DICTIONARY:
		if k := KindOf(t.(*arrow.DictionaryType).ValueType); k == value.KStr {
			return k
		}
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
		return value.KTime
	case arrow.LIST, arrow.LARGE_LIST:
		return value.KList
	}
	return value.KNull
}

// TimeUnitMicros is how many of a time unit make a microsecond (1 for
// microseconds) as a multiplier (mul) or a divisor (div, nanoseconds).
func TimeUnitMicros(u arrow.TimeUnit) (mul, div int64) {
	switch u {
	case arrow.Second:
		return 1e6, 1
	case arrow.Millisecond:
		return 1e3, 1
	case arrow.Nanosecond:
		return 1, 1000
	}
	return 1, 1
}

// MicrosSafe returns the stored values of a time or date column that
// convert to microseconds within int64; ok is false for types whose every
// value does (microseconds, nanoseconds, integers).
func MicrosSafe(t arrow.DataType) (r IntRange, ok bool) {
	var mul int64
	switch t.ID() {
	case arrow.DATE32:
		mul = DayMicros
	case arrow.DATE64:
		mul = 1000
	case arrow.TIMESTAMP:
		if mul, _ = TimeUnitMicros(t.(*arrow.TimestampType).Unit); mul == 1 {
			return IntRange{}, false
		}
	default:
		return IntRange{}, false
	}
	return IntRange{Lo: math.MinInt64 / mul, Hi: math.MaxInt64 / mul}, true
}

// ToMicros converts v in a unit given by TimeUnitMicros to microseconds;
// ok is false when the result is beyond int64.
func ToMicros(v, mul, div int64) (int64, bool) {
	if div != 1 {
		return FloorDiv(v, div), true
	}
	if mul == 1 {
		return v, true
	}
	if v > math.MaxInt64/mul || v < math.MinInt64/mul {
		return 0, false
	}
	return v * mul, true
}

// ArrowValue reads row i of an Arrow array as a value. A time beyond the
// microsecond range reads as an error.
func ArrowValue(a arrow.Array, i int) (value.Value, error) {
	k := KindOf(a.DataType())
	if a.IsNull(i) {
		return value.NullOf(k), nil
	}
	switch x := a.(type) {
	case *array.Dictionary:
		return ArrowValue(x.Dictionary(), x.GetValueIndex(i))
	case *array.String:
		return value.Str(x.Value(i)), nil
	case *array.LargeString:
		return value.Str(x.Value(i)), nil
	case *array.Boolean:
		return value.Bool(x.Value(i)), nil
	case *array.Float64:
		return value.Float(x.Value(i)), nil
	case *array.Float32:
		return value.Float(float64(x.Value(i))), nil
	case array.ListLike:
		lo, hi := x.ValueOffsets(i)
		elems, err := ListValues(x.ListValues(), int(lo), int(hi))
		return value.Value{K: value.KList, L: elems}, err
	case *array.Uint64:
		return value.Uint(x.Value(i)), nil
	case *array.Date32:
		us, ok := ToMicros(int64(x.Value(i)), DayMicros, 1)
		if !ok {
			return value.Value{}, ErrTimeRange
		}
		return value.Time(us), nil
	case *array.Date64:
		us, ok := ToMicros(int64(x.Value(i)), 1000, 1)
		if !ok {
			return value.Value{}, ErrTimeRange
		}
		return value.Time(us), nil
	case *array.Timestamp:
		mul, div := TimeUnitMicros(x.DataType().(*arrow.TimestampType).Unit)
		us, ok := ToMicros(int64(x.Value(i)), mul, div)
		if !ok {
			return value.Value{}, ErrTimeRange
		}
		return value.Time(us), nil
	}
	if v, ok := intAt(a, i); ok {
		return value.Int(v), nil
	}
	return value.NullOf(k), nil
}

// intAt reads a signed or narrow unsigned integer.
func intAt(a arrow.Array, i int) (int64, bool) {
	switch x := a.(type) {
	case *array.Int64:
		return x.Value(i), true
	case *array.Int32:
		return int64(x.Value(i)), true
	case *array.Int16:
		return int64(x.Value(i)), true
	case *array.Int8:
		return int64(x.Value(i)), true
	case *array.Uint32:
		return int64(x.Value(i)), true
	case *array.Uint16:
		return int64(x.Value(i)), true
	case *array.Uint8:
		return int64(x.Value(i)), true
	}
	return 0, false
}

// ListValues converts elements [lo, hi) of a list's values to values.
func ListValues(values arrow.Array, lo, hi int) ([]value.Value, error) {
	out := make([]value.Value, 0, hi-lo)
	for i := lo; i < hi; i++ {
		v, err := ArrowValue(values, i)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
