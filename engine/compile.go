package engine

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// compile chooses the kernel for n and its operands, once, at compile time.
func (cp *compiler) compile(n *node) evalFn {
	if col, ok := dictCandidate(n); ok && !cp.plain {
		return cp.dictPredicate(n, col)
	}
	return cp.compileNode(n)
}

func (cp *compiler) compileNode(n *node) evalFn {
	if n.op != opConst && n.op != opNow && n.op != opSegResult && !hasColumn(n) {
		return cp.runConstant(n)
	}
	switch n.op {
	case opConst:
		return cp.constant(n.val, n.k)
	case opNow:
		s := cp.slot()
		return func(c *ectx) *vec {
			v := c.out(s, kTime)
			v.c, v.cv = true, timeVal(c.now)
			return v
		}
	case opCol:
		return cp.column(n)
	case opNot:
		return cp.not(n)
	case opAnd, opOr:
		return cp.logic(n)
	case opIsNull:
		return cp.isNull(n)
	case opCmp:
		return cp.compare(n)
	case opArith:
		return cp.arith(n)
	case opNeg, opCast:
		return cp.unaryNum(n)
	case opInSet:
		return cp.inSet(n)
	case opLike, opMatches, opStrContains:
		return cp.stringPredicate(n)
	case opContains:
		return cp.listContains(n)
	case opCall:
		return cp.call(n)
	case opSegResult:
		return cp.segResult(n)
	}
	panic(fmt.Sprintf("engine: no kernel for op %d", n.op))
}

// runConstant evaluates a column-free subtree (one that involves now())
// once per batch as a scalar.
func (cp *compiler) runConstant(n *node) evalFn {
	s := cp.slot()
	return func(c *ectx) *vec {
		v := c.out(s, n.k)
		val, err := n.eval(nil, c.now)
		if err != nil {
			c.fail(err)
		}
		v.c, v.cv = true, val
		return v
	}
}

func (cp *compiler) constant(val Value, k kind) evalFn {
	s := cp.slot()
	return func(c *ectx) *vec {
		v := c.out(s, k)
		v.c, v.cv = true, val
		return v
	}
}

// ints returns v's integer values for every row (broadcasting a constant).
func (v *vec) ints() []int64 {
	if !v.c {
		return v.i64
	}
	out := v.ownInts()
	for i := range out {
		out[i] = v.cv.I
	}
	return out
}

// floats returns v's float values for every row (broadcasting a constant).
func (v *vec) floats() []float64 {
	if !v.c {
		return v.f64
	}
	out := v.ownFloats()
	for i := range out {
		out[i] = v.cv.F
	}
	return out
}

// validity returns v's validity words (nil: all valid).
func (v *vec) validity() []uint64 {
	if !v.c || !v.cv.Null {
		return v.valid
	}
	v.ownW = grow(v.ownW, words(v.n))
	clear(v.ownW)
	return v.ownW
}

// truth returns the TRUE and FALSE words of a boolean vector.
func (v *vec) truth(t, f []uint64) ([]uint64, []uint64) {
	nw := words(v.n)
	t, f = grow(t, nw), grow(f, nw)
	if v.c {
		tv, fv := uint64(0), uint64(0)
		switch {
		case v.cv.Null:
		case v.cv.B:
			tv = ^uint64(0)
		default:
			fv = ^uint64(0)
		}
		for i := range t {
			t[i], f[i] = tv, fv
		}
	} else {
		copy(t, v.bits[:nw])
		for i := range f {
			f[i] = ^v.bits[i]
			if v.valid != nil {
				f[i] &= v.valid[i]
			}
		}
	}
	tailMask(t, v.n)
	tailMask(f, v.n)
	return t, f
}

// column returns the evaluator of a column reference: a zero-copy view of
// the batch's Arrow buffers where the layout allows, else a conversion into
// the slot's scratch.
func (cp *compiler) column(n *node) evalFn {
	s := cp.slot()
	return func(c *ectx) *vec {
		arr := c.cols[n.col]
		v := c.out(s, n.k)
		var structValid []uint64
		for _, f := range n.fields {
			st := arr.(*array.Struct)
			structValid = andValid(c.tmp[s][:0], structValid, validityOf(st, nil), st.Len())
			arr = st.Field(f)
		}
		v.valid = validityOf(arr, v.ownW)
		if v.valid != nil {
			v.ownW = v.valid
		}
		if structValid != nil {
			v.valid = andValid(v.ownW, v.valid, structValid, c.n)
			v.ownW = v.valid
			c.tmp[s] = structValid
		}
		if err := loadColumn(v, arr); err != nil {
			c.fail(err)
		}
		return v
	}
}

// loadColumn points v at arr's values, converting where needed.
func loadColumn(v *vec, arr arrow.Array) error {
	switch a := arr.(type) {
	case *array.Int64:
		v.i64 = a.Int64Values()
	case *array.Int32:
		widen(v.ownInts(), a.Int32Values())
	case *array.Int16:
		widen(v.ownInts(), a.Int16Values())
	case *array.Int8:
		widen(v.ownInts(), a.Int8Values())
	case *array.Uint8:
		widen(v.ownInts(), a.Uint8Values())
	case *array.Uint16:
		widen(v.ownInts(), a.Uint16Values())
	case *array.Uint32:
		widen(v.ownInts(), a.Uint32Values())
	case *array.Uint64:
		widen(v.ownInts(), a.Uint64Values())
	case *array.Float64:
		v.f64 = a.Float64Values()
	case *array.Float32:
		out := v.ownFloats()
		for i, x := range a.Float32Values() {
			out[i] = float64(x)
		}
	case *array.Boolean:
		v.ownW = v.ownW[:0]
		bitsBuf := grow(v.bits, words(v.n))
		copyBits(bitsBuf, a.Data().Buffers()[1].Bytes(), a.Data().Offset(), v.n)
		v.bits = bitsBuf
		if v.valid != nil {
			for i := range v.bits {
				v.bits[i] &= v.valid[i]
			}
		}
	case *array.String:
		v.str = strVec{offs32: a.ValueOffsets(), data: bufferBytes(a, 2)}
	case *array.LargeString:
		v.str = strVec{offs64: a.ValueOffsets(), data: bufferBytes(a, 2)}
	case *array.Dictionary:
		return loadDictStrings(v, a)
	case *array.Date32:
		out := v.ownInts()
		for i, d := range a.Date32Values() {
			out[i] = int64(d) * dayMicros
		}
	case *array.Date64:
		out := v.ownInts()
		for i, d := range a.Date64Values() {
			out[i] = int64(d) * 1000
		}
	case *array.Timestamp:
		loadTimestamps(v, a)
	case *array.List:
		off := a.Data().Offset()
		v.list = listVec{offs32: a.Offsets()[off : off+v.n+1], values: a.ListValues()}
	case *array.LargeList:
		off := a.Data().Offset()
		v.list = listVec{offs64: a.Offsets()[off : off+v.n+1], values: a.ListValues()}
	default:
		return fmt.Errorf("column type %s cannot be evaluated", arr.DataType())
	}
	return nil
}

func widen[T int8 | int16 | int32 | uint8 | uint16 | uint32 | uint64](dst []int64, src []T) {
	for i, x := range src {
		dst[i] = int64(x)
	}
}

func bufferBytes(a arrow.Array, i int) []byte {
	if b := a.Data().Buffers()[i]; b != nil {
		return b.Bytes()
	}
	return nil
}

func loadTimestamps(v *vec, a *array.Timestamp) {
	vals := a.TimestampValues()
	switch a.DataType().(*arrow.TimestampType).Unit {
	case arrow.Microsecond:
		v.i64 = *(*[]int64)(ptrOf(&vals))
		return
	case arrow.Second:
		out := v.ownInts()
		for i, x := range vals {
			out[i] = int64(x) * 1e6
		}
	case arrow.Millisecond:
		out := v.ownInts()
		for i, x := range vals {
			out[i] = int64(x) * 1e3
		}
	case arrow.Nanosecond:
		out := v.ownInts()
		for i, x := range vals {
			out[i] = floorDiv(int64(x), 1000)
		}
	}
}

// loadDictStrings materializes a dictionary-encoded string column. Rows
// whose code points at a null dictionary entry become null: v.valid must
// be owned (or nil) when it is called.
func loadDictStrings(v *vec, a *array.Dictionary) error {
	var dict strVec
	switch d := a.Dictionary().(type) {
	case *array.String:
		dict = strVec{offs32: d.ValueOffsets(), data: bufferBytes(d, 2)}
	case *array.LargeString:
		dict = strVec{offs64: d.ValueOffsets(), data: bufferBytes(d, 2)}
	default:
		return fmt.Errorf("dictionary of %s cannot be evaluated", a.Dictionary().DataType())
	}
	values := a.Dictionary()
	if values.NullN() > 0 && v.valid == nil {
		v.ownValid()
	}
	v.ownO = grow(v.ownO, v.n+1)
	v.ownB = v.ownB[:0]
	v.ownO[0] = 0
	for i := 0; i < v.n; i++ {
		if a.IsValid(i) {
			if code := a.GetValueIndex(i); values.IsNull(code) {
				clearBit(v.valid, i) // a null dictionary entry is a null value
			} else {
				v.ownB = append(v.ownB, dict.at(code)...)
			}
		}
		v.ownO[i+1] = int64(len(v.ownB))
	}
	v.str = strVec{offs64: v.ownO, data: v.ownB}
	return nil
}

// segResult reads a segment evaluated earlier in the same pass: its TRUE
// and known bits for the current batch.
func (cp *compiler) segResult(n *node) evalFn {
	s := cp.slot()
	return func(c *ectx) *vec {
		v := c.boolOut(s)
		copy(v.bits, n.result.batches[c.batch])
		if known := n.result.known[c.batch]; known != nil {
			v.valid = append(v.ownW[:0], known...)
			v.ownW = v.valid
		}
		return v
	}
}
