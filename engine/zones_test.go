package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/lang/ast"
)

// sortedTable has sorted columns over batches of 100 rows, so that most
// batches lie wholly inside or outside a range: n (int32, with a null in
// every seventh row of batch 2 and batch 4 all null), day (date32, one
// day per row from 2025-01-01) and ts (a timestamp, one hour per row);
// a last batch holds n = 5 in every row.
func sortedTable(t *testing.T) *columnar.Table {
	t.Helper()
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

// TestZonesDecideWholeBatches: comparisons and ranges on sorted columns,
// where the batch ranges decide most batches, select what the unoptimized
// plan selects, at the edges of batches and of the types.
func TestZonesDecideWholeBatches(t *testing.T) {
	tbl := sortedTable(t)
	defer tbl.Release()
	eng := Open(tbl)
	now := time.Date(2025, 1, 20, 7, 30, 0, 0, time.UTC)
	var srcs []string
	for _, c := range []string{"-1", "0", "5", "99", "100", "199", "200", "250", "399", "400", "450", "799", "800", "-2147483648", "2147483647"} {
		for _, op := range []string{"=", "!=", "<", "<=", ">", ">="} {
			srcs = append(srcs, fmt.Sprintf("n %s %s", op, c))
		}
		srcs = append(srcs, fmt.Sprintf("n between %s and 450", c), fmt.Sprintf("n between 150 and %s", c))
	}
	for _, d := range []string{`"2025-01-01"`, `"2025-04-10"`, `"2025-04-11T00:00:00.000001Z"`, `"2026-12-31"`, `"2024-01-01"`} {
		for _, op := range []string{"=", "!=", "<", ">="} {
			srcs = append(srcs, fmt.Sprintf("day %s %s", op, d), fmt.Sprintf("ts %s %s", op, d))
		}
	}
	srcs = append(srcs, "ts within 3d", "day within 5d", "days_since(day) > 2", "days_since(ts) <= 1", "ts > now() - 100h",
		"day > now() - 3d and day <= now()")
	for _, src := range srcs {
		requireSameAsPlain(t, eng, src, WithNow(now))
	}
}

func TestZoneVerdicts(t *testing.T) {
	tbl := sortedTable(t)
	defer tbl.Release()
	eng := Open(tbl)
	cp := &compiler{eng: eng, table: tbl}
	n := cp.zonesFor(0)
	require.Equal(t, zoneAll, n.inRange(1, 100, 199))
	require.Equal(t, zoneRun, n.inRange(1, 101, 199))
	require.Equal(t, zoneNone, n.inRange(1, 200, 300))
	require.Equal(t, zoneNone, n.inRange(4, math.MinInt64, math.MaxInt64), "an all-null batch has no rows to select")
	require.Equal(t, zoneAll, n.compare(0, ast.Lt, 100))
	require.Equal(t, zoneNone, n.compare(0, ast.Gt, math.MaxInt64))
	require.Equal(t, zoneAll, n.compare(0, ast.Ne, 100))
	require.Equal(t, zoneRun, n.compare(0, ast.Ne, 50))
	require.Equal(t, zoneNone, n.compare(8, ast.Ne, 5), "a batch holding only 5")
	day := cp.zonesFor(1)
	midnight := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	require.Equal(t, zoneAll, day.compare(0, ast.Ge, midnight))
	require.Equal(t, zoneRun, day.compare(0, ast.Gt, midnight), "the first day fails, the others pass")
	require.Equal(t, zoneAll, day.inRange(0, math.MinInt64, math.MaxInt64), "the widest bounds do not overflow")
	require.Nil(t, (&compiler{eng: eng, table: tbl, plain: true}).zonesFor(0))
	require.Nil(t, (&compiler{}).zonesFor(0))
}

// TestZonesSkippedWithoutOrder: a column whose batches all span about the
// same range gets no zones (the sample decides), a sorted one does.
func TestZonesSkippedWithoutOrder(t *testing.T) {
	rows := randRows(rand.New(rand.NewPCG(16, 17)), 3000, 0.1)
	tbl := buildTable(nil, rows, 100)
	defer tbl.Release()
	eng := Open(tbl)
	require.Nil(t, eng.batchZones(tbl.ColumnIndex("b")), "random int32 values in every batch")
	requireSameAsPlain(t, eng, "b between 2 and 5")
	sorted := sortedTable(t)
	defer sorted.Release()
	require.Len(t, Open(sorted).batchZones(0), 9)

	// A skewed shuffled column (mostly 0 to 4, a few up to 99): batch
	// maxima differ, yet every batch spans most of the range.
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int32}}, nil)
	r := rand.New(rand.NewPCG(20, 21))
	var batches []arrow.RecordBatch
	for range 20 {
		b := array.NewInt32Builder(mem)
		for range 500 {
			v := r.IntN(5)
			if r.IntN(50) == 0 {
				v = r.IntN(100)
			}
			b.Append(int32(v))
		}
		batches = append(batches, array.NewRecordBatch(schema, []arrow.Array{b.NewArray()}, 500))
	}
	skewed := columnar.NewTable("skewed", schema, batches)
	defer skewed.Release()
	require.Nil(t, Open(skewed).batchZones(0))
}
