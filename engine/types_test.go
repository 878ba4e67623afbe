package engine

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
)

// typesTable has one column of every supported Arrow type (and two
// unsupported ones) over four rows; row 3 is null everywhere it can be.
func typesTable(t *testing.T, mem memory.Allocator) *columnar.Table {
	geo := arrow.StructOf(arrow.Field{Name: "lat", Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	addr := arrow.StructOf(arrow.Field{Name: "zip", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "geo", Type: geo, Nullable: true})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "d64", Type: arrow.FixedWidthTypes.Date64, Nullable: true},
		{Name: "ts_s", Type: &arrow.TimestampType{Unit: arrow.Second}, Nullable: true},
		{Name: "ts_ms", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "Europe/Berlin"}, Nullable: true},
		{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "ll", Type: arrow.LargeListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "addr", Type: addr, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	day := int64(86400)
	for r := 0; r < 4; r++ {
		b.Field(0).(*array.Int64Builder).Append(int64(r + 1))
		if r == 3 {
			for c := 1; c < len(schema.Fields()); c++ {
				b.Field(c).AppendNull()
			}
			continue
		}
		b.Field(1).(*array.Int8Builder).Append(int8(-100 + 100*r))
		b.Field(2).(*array.Int16Builder).Append(int16(1000 * r))
		b.Field(3).(*array.Uint8Builder).Append(uint8(250 - r))
		b.Field(4).(*array.Uint16Builder).Append(uint16(65000 + r))
		b.Field(5).(*array.Uint32Builder).Append(uint32(4_000_000_000 + r))
		b.Field(6).(*array.Uint64Builder).Append(uint64(1) << (40 + r))
		b.Field(7).(*array.Float32Builder).Append(float32(r) + 0.5)
		b.Field(8).(*array.LargeStringBuilder).Append([]string{"alpha", "beta", "gamma"}[r])
		b.Field(9).(*array.Date64Builder).Append(arrow.Date64((20000 + int64(r)) * day * 1000))
		b.Field(10).(*array.TimestampBuilder).Append(arrow.Timestamp((20000 + int64(r)) * day))
		b.Field(11).(*array.TimestampBuilder).Append(arrow.Timestamp((20000 + int64(r)) * day * 1000))
		b.Field(12).(*array.TimestampBuilder).Append(arrow.Timestamp((20000+int64(r))*day*1e9 + 999))
		lb := b.Field(13).(*array.LargeListBuilder)
		lb.Append(true)
		for k := 0; k <= r; k++ {
			lb.ValueBuilder().(*array.Int32Builder).Append(int32(10 * k))
		}
		sb := b.Field(14).(*array.StructBuilder)
		sb.Append(true)
		sb.FieldBuilder(0).(*array.StringBuilder).Append([]string{"10115", "80331", "20095"}[r])
		gb := sb.FieldBuilder(1).(*array.StructBuilder)
		if r == 2 {
			gb.AppendNull()
			gb.FieldBuilder(0).AppendNull()
		} else {
			gb.Append(true)
			gb.FieldBuilder(0).(*array.Float64Builder).Append(52.5 - float64(r))
		}
		b.Field(15).(*array.BinaryBuilder).Append([]byte{byte(r)})
		b.Field(16).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(r)))
	}
	rec := b.NewRecordBatch()
	return columnar.NewTable("types", schema, []arrow.RecordBatch{rec})
}

func TestColumnTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := typesTable(t, mem)
	defer tbl.Release()
	eng := Open(tbl)
	tests := []struct {
		src  string
		want []string
	}{
		{`i8 < 0`, []string{"1"}},
		{`i8 = 100 or i16 = 1000`, []string{"2", "3"}},
		{`i8 > 300`, nil},
		{`u8 = 249`, []string{"2"}},
		{`u16 >= 65001`, []string{"2", "3"}},
		{`u32 > 4000000000`, []string{"2", "3"}},
		{`u64 > 2000000000000`, []string{"2", "3"}},
		{`f32 = 1.5`, []string{"2"}},
		{`ls like "%a"`, []string{"1", "2", "3"}},
		{`ls > "b"`, []string{"2", "3"}},
		{`d64 = "2024-10-05"`, []string{"2"}},
		{`ts_s >= "2024-10-05T00:00:00Z"`, []string{"2", "3"}},
		{`ts_ms < "2024-10-05"`, []string{"1"}},
		{`ts_ns = "2024-10-05T00:00:00.000001Z"`, nil},
		{`ts_ns > "2024-10-05T00:00:00Z" and ts_ns < "2024-10-05T00:00:00.000001Z"`, nil},
		{`ts_ns = "2024-10-05T00:00:00Z"`, []string{"2"}},
		{`ll contains 20`, []string{"3"}},
		{`len(ll) = 2`, []string{"2"}},
		{`addr.zip = "80331"`, []string{"2"}},
		{`addr.geo.lat < 52`, []string{"2"}},
		{`addr.geo.lat is null`, []string{"3", "4"}},
		{`id is not null and bin is null`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			q, err := eng.Compile(tt.src)
			if tt.src == `id is not null and bin is null` {
				require.EqualError(t, err, "1:20: column \"bin\" has type binary, which segql cannot evaluate\n    id is not null and bin is null\n                       ^^^")
				return
			}
			require.NoError(t, err)
			res, err := q.Run(context.Background())
			require.NoError(t, err)
			ids, err := res.IDs("id", -1)
			require.NoError(t, err)
			require.Equal(t, tt.want, ids)
			for row := int64(0); row < 4; row++ {
				m, err := q.Match(rowOf(tbl, row))
				require.NoError(t, err)
				require.Equal(t, res.Bitmap().Get(int(row)), m, "Match row %d", row)
			}
		})
	}
}
