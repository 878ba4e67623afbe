package conformance

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// TestCaseMappingMatchesDuckDB compares upper and lower on every
// Unicode code point (surrogates aside) with DuckDB's: a table holds each
// code point with DuckDB's upper and lower of it, and segql must find no
// row where its own mapping differs.
func TestCaseMappingMatchesDuckDB(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT i, chr(i::INTEGER), upper(chr(i::INTEGER)), lower(chr(i::INTEGER))
		FROM range(1, 196608) t(i) WHERE i < 55296 OR i > 57343 ORDER BY i`)
	require.NoError(t, err)
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema([]arrow.Field{
		{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "du", Type: arrow.BinaryTypes.String},
		{Name: "dl", Type: arrow.BinaryTypes.String},
	}, nil))
	defer b.Release()
	n := 0
	for rows.Next() {
		var i int64
		var s, u, l string
		require.NoError(t, rows.Scan(&i, &s, &u, &l))
		b.Field(0).(*array.Int64Builder).Append(i)
		b.Field(1).(*array.StringBuilder).Append(s)
		b.Field(2).(*array.StringBuilder).Append(u)
		b.Field(3).(*array.StringBuilder).Append(l)
		n++
	}
	require.NoError(t, rows.Err())
	require.Greater(t, n, 190000)
	rec := b.NewRecordBatch()
	tbl := columnar.NewTable("cps", rec.Schema(), []arrow.RecordBatch{rec})
	defer tbl.Release()
	eng := engine.Open(tbl)
	for _, src := range []string{"upper(s) != du", "lower(s) != dl", "upper(lower(s)) != upper(dl)"} {
		q, err := eng.Compile(src)
		require.NoError(t, err)
		res, err := q.Run(context.Background())
		require.NoError(t, err)
		ids, err := res.IDs("user_id", 10)
		require.NoError(t, err)
		var cps []string
		for _, id := range ids {
			var i int
			fmt.Sscan(id, &i)
			cps = append(cps, fmt.Sprintf("U+%04X %q", i, rune(i)))
		}
		require.Zero(t, res.Count(), "%s: %v", src, cps)
	}
}
