package conformance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/sqlgen"
)

// TestStreamedDatasetMatchesDuckDB: the demo users written as a Hive
// partitioned Parquet dataset (cohort=N/day=YYYY-MM-DD/…) and streamed by
// engine.Scan, with row-group pruning, have the members DuckDB finds with
// read_parquet(…, hive_partitioning = true) and the SQL segql generates:
// the same data, the same partition columns and types, the same answers.
func TestStreamedDatasetMatchesDuckDB(t *testing.T) {
	dir := t.TempDir()
	src := columnar.Demo(columnar.DemoOptions{Rows: 20_000, Seed: 12, Anchor: anchor, BatchSize: 1250})
	defer src.Release()
	for b := range src.Batches {
		path := filepath.Join(dir, fmt.Sprintf("cohort=%d", b/4), fmt.Sprintf("day=2026-10-0%d", 1+b%2), fmt.Sprintf("part-%02d.parquet", b))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		part := columnar.NewTable("part", src.Schema, []arrow.RecordBatch{src.Batches[b]})
		require.NoError(t, columnar.WriteFile(path, part, nil))
	}
	ctx := context.Background()
	ds, err := columnar.OpenDataset(ctx, []string{dir}, columnar.LoadOptions{})
	require.NoError(t, err)
	defer ds.Close()
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.Exec(fmt.Sprintf(`CREATE VIEW users AS SELECT * FROM read_parquet('%s/**/*.parquet', hive_partitioning = true)`, dir))
	require.NoError(t, err)

	eng := engine.OpenSchema(ds.Schema)
	d, err := sqlgen.Lookup("duckdb")
	require.NoError(t, err)
	corpus := append([]string{
		`cohort = 2`, `cohort between 1 and 2 and day = "2026-10-02"`, `day > "2026-10-01" or age < 20`,
		`cohort in (0, 3) and country = "DE"`, `cohort is null`, `not (cohort < 3) and purchases_30d > 2`,
		`user_id between 4000 and 4100`, `user_id > 19990 or user_id < 3`,
	}, sqlCorpus(t, eng, 300, 21)...)
	compared, skipped := 0, 0
	for _, expr := range corpus {
		var got []string
		res, err := engine.Scan(ctx, ds, expr, engine.ScanOptions{Now: anchor, Keep: []string{"user_id"},
			Members: func(rec arrow.RecordBatch) error {
				ids := rec.Column(0)
				for i := 0; i < ids.Len(); i++ {
					s, _ := columnar.FormatValue(ids, i)
					got = append(got, s)
				}
				return nil
			}})
		if errors.Is(err, engine.ErrScanRanks) {
			continue // ranks need the whole table
		}
		require.NoError(t, err, expr)
		sq, err := eng.CompileSQL([]engine.SQLExpr{{Src: expr}}, d, sqlgen.Options{Now: anchor, Table: []string{"users"}})
		require.NoError(t, err, expr)
		members, err := sq.Members("user_id")
		require.NoError(t, err)
		want := sqlIDs(t, db, members)
		sortIDs(got)
		sortIDs(want)
		require.Equal(t, want, got, "%s\nSQL: %s", expr, members)
		require.EqualValues(t, len(got), res.Count)
		compared++
		skipped += res.Skipped
	}
	t.Logf("%d expressions compared, %d row groups skipped by their statistics", compared, skipped)
	require.Greater(t, compared, 250)
	require.Greater(t, skipped, 0)
}

func sortIDs(ids []string) {
	slices.SortFunc(ids, func(a, b string) int {
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		return int(x - y)
	})
}
