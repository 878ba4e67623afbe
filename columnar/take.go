package columnar

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TakeColumns gathers the rows listed by indices (an int64 array) from the
// columns idx of a batch. The caller owns the arrays; on error none are
// left allocated.
func TakeColumns(rec arrow.RecordBatch, idx []int, indices arrow.Array, mem memory.Allocator) ([]arrow.Array, error) {
	ctx := compute.WithAllocator(context.Background(), mem)
	out := make([]arrow.Array, 0, len(idx))
	for _, ci := range idx {
		a, err := compute.TakeArray(ctx, rec.Column(ci), indices)
		if err != nil {
			for _, o := range out {
				o.Release()
			}
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Project resolves column names (every column when none are given) to
// their indexes and the schema they form.
func (t *Table) Project(columns []string) ([]int, *arrow.Schema, error) {
	if len(columns) == 0 {
		idx := make([]int, t.Schema.NumFields())
		for i := range idx {
			idx[i] = i
		}
		return idx, t.Schema, nil
	}
	idx := make([]int, len(columns))
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		idx[i] = t.ColumnIndex(c)
		if idx[i] < 0 {
			return nil, nil, fmt.Errorf("no column %q in the table", c)
		}
		fields[i] = t.Schema.Field(idx[i])
	}
	return idx, arrow.NewSchema(fields, nil), nil
}
