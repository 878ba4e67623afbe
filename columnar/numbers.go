package columnar

import (
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// IsNumeric reports integer and float column types.
func IsNumeric(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64:
		return true
	}
	return false
}

// IsTime reports date and timestamp column types.
func IsTime(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
		return true
	}
	return false
}

// Float64At reads row i of a numeric or time array as a float64 (times in
// microseconds since the epoch, dates at midnight UTC); ok is false for
// null and for other types.
func Float64At(a arrow.Array, i int) (float64, bool) {
	if a.IsNull(i) {
		return 0, false
	}
	switch x := a.(type) {
	case *array.Float64:
		return x.Value(i), true
	case *array.Float32:
		return float64(x.Value(i)), true
	case *array.Int64:
		return float64(x.Value(i)), true
	case *array.Int32:
		return float64(x.Value(i)), true
	case *array.Int16:
		return float64(x.Value(i)), true
	case *array.Int8:
		return float64(x.Value(i)), true
	case *array.Uint64:
		return float64(x.Value(i)), true
	case *array.Uint32:
		return float64(x.Value(i)), true
	case *array.Uint16:
		return float64(x.Value(i)), true
	case *array.Uint8:
		return float64(x.Value(i)), true
	case *array.Date32:
		return float64(x.Value(i)) * 86400e6, true
	case *array.Date64:
		return float64(x.Value(i)) * 1e3, true
	case *array.Timestamp:
		switch x.DataType().(*arrow.TimestampType).Unit {
		case arrow.Second:
			return float64(x.Value(i)) * 1e6, true
		case arrow.Millisecond:
			return float64(x.Value(i)) * 1e3, true
		case arrow.Nanosecond:
			return math.Floor(float64(x.Value(i)) / 1e3), true
		}
		return float64(x.Value(i)), true
	}
	return 0, false
}

// AppendFloat64s appends to dst the non-NaN values of the rows of a (a
// numeric or time array) selected by sel (a bitmap over the array's rows;
// nil selects every row), and counts the selected nulls.
func AppendFloat64s(dst []float64, a arrow.Array, sel []uint64) (out []float64, nulls int) {
	add := func(i int) {
		if x, ok := Float64At(a, i); !ok {
			nulls++
		} else if x == x {
			dst = append(dst, x)
		}
	}
	if sel == nil {
		if f, ok := a.(*array.Float64); ok && a.NullN() == 0 { // the common bulk case
			for _, x := range f.Float64Values() {
				if x == x {
					dst = append(dst, x)
				}
			}
			return dst, 0
		}
		for i := 0; i < a.Len(); i++ {
			add(i)
		}
		return dst, nulls
	}
	for w, x := range sel {
		for ; x != 0; x &= x - 1 {
			add(w<<6 + bits.TrailingZeros64(x))
		}
	}
	return dst, nulls
}

// ReadFloat64s writes every row of a numeric or time array to dst (its
// length) as float64, clearing ok[i] for null rows and non-finite values.
func ReadFloat64s(a arrow.Array, dst []float64, ok []bool) {
	if f, isF := a.(*array.Float64); isF {
		for i, x := range f.Float64Values() {
			dst[i] = x
			if math.IsNaN(x) || math.IsInf(x, 0) || f.IsNull(i) {
				ok[i] = false
			}
		}
		return
	}
	for i := range dst {
		x, valid := Float64At(a, i)
		dst[i] = x
		if !valid || math.IsNaN(x) || math.IsInf(x, 0) {
			ok[i] = false
		}
	}
}
