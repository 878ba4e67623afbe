package engine

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/funcs"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/value"
)

// RowAt reads row i of a table as a MapRow of Go values (time.Time for
// dates and timestamps, uint64 for uint64 values above int64, []any for
// lists, map[string]any for structs, nil for null), the form Match
// accepts. A time beyond the microsecond range reads as the time.Time it
// is, so matching the row raises ErrTimeRange as Run does.
func RowAt(t *columnar.Table, row int64) MapRow {
	b, i := t.Locate(row)
	rec := t.Batches[b]
	out := MapRow{}
	for c, f := range t.Schema.Fields() {
		a := rec.Column(c)
		if f.Type.ID() == arrow.STRUCT {
			out[f.Name] = columnar.JSONValue(a, i)
			continue
		}
		v, err := kernels.ArrowValue(a, i)
		if err != nil {
			out[f.Name] = storedTime(a, i)
			continue
		}
		out[f.Name] = goOf(v)
	}
	return out
}

// storedTime reads a date or timestamp from its stored units, whatever its
// size (nil for other arrays).
func storedTime(a arrow.Array, i int) any {
	switch x := a.(type) {
	case *array.Date32:
		return time.Unix(int64(x.Value(i))*86400, 0).UTC()
	case *array.Date64:
		return time.UnixMilli(int64(x.Value(i))).UTC()
	case *array.Timestamp:
		v := int64(x.Value(i))
		switch x.DataType().(*arrow.TimestampType).Unit {
		case arrow.Second:
			return time.Unix(v, 0).UTC()
		case arrow.Millisecond:
			return time.UnixMilli(v).UTC()
		case arrow.Microsecond:
			return time.UnixMicro(v).UTC()
		}
		return time.Unix(0, v).UTC()
	}
	return nil
}

func goOf(v value.Value) any {
	if v.Null {
		return nil
	}
	switch v.K {
	case value.KBool:
		return v.B
	case value.KFloat:
		return v.F
	case value.KStr:
		return v.S
	case value.KTime:
		return time.UnixMicro(v.I).UTC()
	case value.KList:
		out := make([]any, len(v.L))
		for i, e := range v.L {
			out[i] = goOf(e)
		}
		return out
	}
	if v.U {
		return uint64(v.I)
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

// BucketCount is the number of experiment buckets: Bucket is in [0, BucketCount).
const BucketCount = 10000

// Bucket is bucket(id, salt) for one id, an integer or a string (the
// experiment bucket 0…9999 of SPEC.md); ok is false for other types.
func Bucket(salt string, id any) (bucket int64, ok bool) {
	switch x := id.(type) {
	case string:
		return funcs.BucketOf(salt+":", value.Str(x)), true
	case int64:
		return funcs.BucketOf(salt+":", value.Int(x)), true
	case int:
		return funcs.BucketOf(salt+":", value.Int(int64(x))), true
	}
	return 0, false
}
