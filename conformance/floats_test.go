package conformance

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// TestFloatEdgeValues: NaN, ±Inf, -0.0 and nulls in data select the same
// users in segql and DuckDB.
func TestFloatEdgeValues(t *testing.T) {
	vals := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 1.5, -2.5, 1e308, 2.5, -0.5}
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{
		{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil))
	id := int64(0)
	for i, v := range append(vals, 0) {
		for j, w := range append(vals, 0) {
			id++
			b.Field(0).(*array.Int64Builder).Append(id)
			if i == len(vals) {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.Float64Builder).Append(v)
			}
			if j == len(vals) {
				b.Field(2).AppendNull()
			} else {
				b.Field(2).(*array.Float64Builder).Append(w)
			}
		}
	}
	rec := b.NewRecordBatch()
	b.Release()
	tbl := columnar.NewTable("floats", rec.Schema(), []arrow.RecordBatch{rec})
	defer tbl.Release()
	path := filepath.Join(t.TempDir(), "floats.parquet")
	require.NoError(t, columnar.WriteFile(path, tbl, nil))
	db := openTable(t, path)
	defer db.Close()
	eng := engine.Open(tbl)

	for _, c := range []struct{ segql, sql string }{
		{`x > 1`, `x > 1`}, {`x >= 1e308`, `x >= 1e308`}, {`x < 0`, `x < 0`}, {`x = 0`, `x = 0`},
		{`x != 0`, `x <> 0`}, {`x = y`, `x = y`}, {`x < y`, `x < y`}, {`x >= y`, `x >= y`},
		{`x between -1 and 1`, `x BETWEEN -1 AND 1`}, {`x in (0.0, 1.5)`, `x IN (0.0, 1.5)`},
		{`x not in (0.0, 2.5)`, `x NOT IN (0.0, 2.5)`}, {`abs(x) > 10`, `abs(x) > 10`},
		{`floor(x) >= 1`, `floor(x) >= 1`}, {`ceil(x) = -2`, `ceil(x) = -2`}, {`round(x) = 3`, `round(x) = 3`},
		{`x * 0 = 0`, `x * 0 = 0`}, {`x + 1 > x`, `x + 1 > x`}, {`x - y < 0`, `x - y < 0`},
		{`coalesce(x, y) > 2`, `coalesce(x, y) > 2`}, {`x is null or y is null`, `x IS NULL OR y IS NULL`},
		{`not (x > 1)`, `NOT (x > 1)`},
	} {
		t.Run(c.segql, func(t *testing.T) {
			q, err := eng.Compile(c.segql)
			require.NoError(t, err)
			res, err := q.Run(context.Background())
			require.NoError(t, err)
			got, err := res.IDs("user_id", -1)
			require.NoError(t, err)
			require.Equal(t, duckIDs(t, db, c.sql, "floats"), got)
		})
	}
}
