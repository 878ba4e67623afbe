package engine

import (
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/funcs"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/value"
)

// RowAt reads row i of a table as a MapRow of Go values (time.Time for
// dates and timestamps, []any for lists, map[string]any for structs, nil
// for null), the form Match accepts. A value that cannot be represented
// (a time beyond the microsecond range) reads as nil.
func RowAt(t *columnar.Table, row int64) MapRow {
	b, i := t.Locate(row)
	rec := t.Batches[b]
	out := MapRow{}
	for c, f := range t.Schema.Fields() {
		if f.Type.ID() == arrow.STRUCT {
			out[f.Name] = columnar.JSONValue(rec.Column(c), i)
			continue
		}
		v, err := kernels.ArrowValue(rec.Column(c), i)
		if err != nil {
			out[f.Name] = nil
			continue
		}
		out[f.Name] = goOf(v)
	}
	return out
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
