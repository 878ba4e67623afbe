package kernels

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// AddScaled adds k times rows [off, off+len(sums)) of a narrow integer
// array to sums, or sets sums to them when set (the linear kernel's step;
// the caller has proved no sum overflows).
func AddScaled(sums []int64, a arrow.Array, off int, k int64, set bool) {
	switch a := a.(type) {
	case *array.Int8:
		addScaled(sums, a.Int8Values()[off:], k, set)
	case *array.Int16:
		addScaled(sums, a.Int16Values()[off:], k, set)
	case *array.Int32:
		addScaled(sums, a.Int32Values()[off:], k, set)
	case *array.Uint8:
		addScaled(sums, a.Uint8Values()[off:], k, set)
	case *array.Uint16:
		addScaled(sums, a.Uint16Values()[off:], k, set)
	case *array.Uint32:
		addScaled(sums, a.Uint32Values()[off:], k, set)
	default:
		panic("kernels: AddScaled over " + a.DataType().String())
	}
}

func addScaled[T int8 | int16 | int32 | uint8 | uint16 | uint32](sums []int64, vals []T, k int64, set bool) {
	vals = vals[:len(sums)]
	switch {
	case set && k == 1:
		for i, x := range vals {
			sums[i] = int64(x)
		}
	case set:
		for i, x := range vals {
			sums[i] = k * int64(x)
		}
	case k == 1:
		for i, x := range vals {
			sums[i] += int64(x)
		}
	default:
		for i, x := range vals {
			sums[i] += k * int64(x)
		}
	}
}
