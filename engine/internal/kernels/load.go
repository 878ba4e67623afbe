package kernels

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/engine/internal/value"
)

// Validity copies a's validity bitmap (which may start at any bit offset)
// into dst as word-aligned bits; nil when a has no nulls. It reads the
// array's null count, which the table computed when it was built (so no
// lazily computed field is written while queries read it).
func Validity(a arrow.Array, dst []uint64) []uint64 {
	if a.NullN() == 0 {
		return nil
	}
	n := a.Len()
	dst = Grow(dst, Words(n))
	CopyBits(dst, a.NullBitmapBytes(), a.Data().Offset(), n)
	return dst
}

// Load points v, which Reset prepared for a's kind and length, at a's
// values: a zero-copy view where the layout allows, else a conversion of
// the selected rows into v's scratch (the other rows keep stale but
// memory-safe values). Values that cannot be represented (uint64 above
// int64, times beyond the microsecond range) become errors of their rows.
func Load(v *Vec, a arrow.Array, sel Sel) error {
	v.Valid = Validity(a, v.OwnV)
	if v.Valid != nil {
		v.OwnV = v.Valid
	}
	switch a := a.(type) {
	case *array.Int64:
		v.I64 = a.Int64Values()
	case *array.Int32:
		widen(v.OwnInts(), a.Int32Values(), sel)
	case *array.Int16:
		widen(v.OwnInts(), a.Int16Values(), sel)
	case *array.Int8:
		widen(v.OwnInts(), a.Int8Values(), sel)
	case *array.Uint32:
		widen(v.OwnInts(), a.Uint32Values(), sel)
	case *array.Uint16:
		widen(v.OwnInts(), a.Uint16Values(), sel)
	case *array.Uint8:
		widen(v.OwnInts(), a.Uint8Values(), sel)
	case *array.Uint64:
		loadUint64(v, a, sel)
	case *array.Float64:
		v.F64 = a.Float64Values()
	case *array.Float32:
		out, vals := v.OwnFloats(), a.Float32Values()
		for i, x := range vals {
			out[i] = float64(x)
		}
	case *array.Boolean:
		loadBools(v, a)
	case *array.String:
		v.Str = StrVec{Offs32: a.ValueOffsets(), Data: bufferBytes(a, 2)}
	case *array.LargeString:
		v.Str = StrVec{Offs64: a.ValueOffsets(), Data: bufferBytes(a, 2)}
	case *array.Dictionary:
		return loadDict(v, a)
	case *array.Date32:
		vals := a.Date32Values()
		scaleTimes(v, *(*[]int32)(unsafe.Pointer(&vals)), DayMicros, 1, sel)
	case *array.Date64:
		vals := a.Date64Values()
		scaleTimes(v, *(*[]int64)(unsafe.Pointer(&vals)), 1000, 1, sel)
	case *array.Timestamp:
		vals := a.TimestampValues()
		raw := *(*[]int64)(unsafe.Pointer(&vals))
		mul, div := TimeUnitMicros(a.DataType().(*arrow.TimestampType).Unit)
		if mul == 1 && div == 1 {
			v.I64 = raw
			break
		}
		scaleTimes(v, raw, mul, div, sel)
	case *array.List:
		off := a.Data().Offset()
		v.List = ListVec{Offs32: a.Offsets()[off : off+v.N+1], Values: a.ListValues()}
	case *array.LargeList:
		off := a.Data().Offset()
		v.List = ListVec{Offs64: a.Offsets()[off : off+v.N+1], Values: a.ListValues()}
	default:
		return fmt.Errorf("column type %s cannot be evaluated", a.DataType())
	}
	return nil
}

func widen[T int8 | int16 | int32 | uint8 | uint16 | uint32](dst []int64, src []T, sel Sel) {
	if sel.Dense(len(src), 2) {
		for i, x := range src {
			dst[i] = int64(x)
		}
		return
	}
	sel.Each(len(src), func(i int) { dst[i] = int64(src[i]) })
}

// loadUint64 converts values up to MaxInt64; larger ones are errors of
// their (selected, valid) rows.
func loadUint64(v *Vec, a *array.Uint64, sel Sel) {
	out, vals := v.OwnInts(), a.Uint64Values()
	for i, x := range vals {
		out[i] = int64(x)
	}
	for w := range Words(len(vals)) {
		m := sel.Word(w, len(vals))
		if v.Valid != nil {
			m &= v.Valid[w]
		}
		for ; m != 0; m &= m - 1 {
			if i := w<<6 + trailingZeros(m); vals[i] > math.MaxInt64 {
				v.Fail(i, ErrUintRange)
			}
		}
	}
}

// scaleTimes converts stored times to microseconds (v·mul, or ⌊v/div⌋);
// a value beyond the int64 microsecond range is an error of its selected,
// valid row.
func scaleTimes[T int32 | int64](v *Vec, vals []T, mul, div int64, sel Sel) {
	out := v.OwnInts()
	if div > 1 {
		for i, x := range vals {
			out[i] = FloorDiv(int64(x), div)
		}
		return
	}
	tmin, tmax := int64(math.MinInt64), int64(math.MaxInt64)
	var zero T
	if unsafe.Sizeof(zero) == 4 {
		tmin, tmax = math.MinInt32, math.MaxInt32
	}
	lo, hi := max(math.MinInt64/mul, tmin), min(math.MaxInt64/mul, tmax)
	bad := false
	for i, x := range vals {
		out[i] = int64(x) * mul
		bad = bad || int64(x) < lo || int64(x) > hi
	}
	if !bad {
		return
	}
	for w := range Words(len(vals)) {
		for m := sel.Word(w, len(vals)); m != 0; m &= m - 1 {
			if i := w<<6 + trailingZeros(m); (int64(vals[i]) < lo || int64(vals[i]) > hi) && v.IsValid(i) {
				v.Fail(i, ErrTimeRange)
			}
		}
	}
}

func loadBools(v *Vec, a *array.Boolean) {
	bits := v.NewBits()
	CopyBits(bits, a.Data().Buffers()[1].Bytes(), a.Data().Offset(), v.N)
	if v.Valid != nil {
		for i := range bits {
			bits[i] &= v.Valid[i]
		}
	}
}

// loadDict views a dictionary-encoded string column through its codes.
// Rows whose code points at a null dictionary entry are null.
func loadDict(v *Vec, a *array.Dictionary) error {
	dict := a.Dictionary()
	switch d := dict.(type) {
	case *array.String:
		v.Str = StrVec{Offs32: d.ValueOffsets(), Data: bufferBytes(d, 2)}
	case *array.LargeString:
		v.Str = StrVec{Offs64: d.ValueOffsets(), Data: bufferBytes(d, 2)}
	default:
		return fmt.Errorf("dictionary of %s cannot be evaluated", dict.DataType())
	}
	v.OwnC = CodesOf(a.Indices(), v.Valid, dict.Len(), v.OwnC)
	v.Str.Codes = v.OwnC
	if dict.NullN() > 0 {
		for i, c := range v.OwnC {
			if c >= 0 && dict.IsNull(int(c)) {
				v.SetNull(i)
				v.OwnC[i] = -1
			}
		}
	}
	return nil
}

// KindOfValues is a Vec kind for an array's values (KNull: unsupported).
func KindOfValues(a arrow.Array) value.Kind { return KindOf(a.DataType()) }
