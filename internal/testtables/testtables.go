// Package testtables builds small tables with known structure for the
// tests of several packages (generated, never committed as files).
package testtables

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/segql/segql/columnar"
)

// Planted is n users with ids 1…n in a shuffled order, x = id as a float
// (null where id is a multiple of nullEvery, when it is positive) and
// name = "user-<id>", in sliced batches of 300 rows.
func Planted(n, nullEvery int) *columnar.Table {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	perm := rand.New(rand.NewPCG(1, 2)).Perm(n)
	for _, p := range perm {
		id := int64(p + 1)
		b.Field(0).(*array.Int64Builder).Append(id)
		if nullEvery > 0 && id%int64(nullEvery) == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Float64Builder).Append(float64(id))
		}
		b.Field(2).(*array.StringBuilder).Append("user-" + strconv.FormatInt(id, 10))
	}
	rec := b.NewRecordBatch()
	var batches []arrow.RecordBatch
	for lo := int64(0); lo < int64(n); lo += 300 {
		batches = append(batches, rec.NewSlice(lo, min(lo+300, int64(n))))
	}
	rec.Release()
	return columnar.NewTable("planted", schema, batches)
}

// Sorted has sorted columns over batches of 100 rows, so that most
// batches lie wholly inside or outside a range: n (int32, with a null in
// every seventh row of batch 2 and batch 4 all null), day (date32, one
// day per row from 2025-01-01) and ts (a timestamp, one hour per row);
// a last batch holds n = 5 in every row.
func Sorted() *columnar.Table {
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	}, nil)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var batches []arrow.RecordBatch
	for b := 0; b < 9; b++ {
		nb, db := array.NewInt32Builder(mem), array.NewDate32Builder(mem)
		tb := array.NewTimestampBuilder(mem, schema.Field(2).Type.(*arrow.TimestampType))
		for i := b * 100; i < b*100+100; i++ {
			switch {
			case b == 4 || (b == 2 && i%7 == 0):
				nb.AppendNull()
			case b == 8:
				nb.Append(5)
			default:
				nb.Append(int32(i))
			}
			db.Append(arrow.Date32FromTime(start.AddDate(0, 0, i)))
			tb.Append(arrow.Timestamp(start.Add(time.Duration(i) * time.Hour).UnixMicro()))
		}
		cols := []arrow.Array{nb.NewArray(), db.NewArray(), tb.NewArray()}
		batches = append(batches, array.NewRecordBatch(schema, cols, 100))
	}
	return columnar.NewTable("sorted", schema, batches)
}
