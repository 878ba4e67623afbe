package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/sqlgen"
	"github.com/segql/segql/warehouse"
)

// runWarehouse measures the sizes of every example segment (examples/*.seg)
// on the demo users three ways: segql in process (one pass), DuckDB and
// PostgreSQL each running the one sizes query segql generates for it. It
// requires the three to agree on every size, then prints their median
// times. PostgreSQL runs with its defaults (at most 2 parallel workers
// per query); segql and DuckDB with GOMAXPROCS threads.
func runWarehouse(rows, runs int, pgURL string) error {
	files, err := exampleFiles()
	if err != nil {
		return err
	}
	fmt.Printf("generating %d demo users …\n", rows)
	tbl := columnar.Demo(columnar.DemoOptions{Rows: rows, Seed: 1, Anchor: anchor})
	defer tbl.Release()
	eng := engine.Open(tbl)
	cat, err := catalog.Load(eng, files)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(cat.Definitions()))
	for _, d := range cat.Definitions() {
		names = append(names, d.Name)
	}
	ctx := context.Background()
	var want []int
	segqlTime, err := median(runs, func() error {
		sizes, err := cat.Sizes(ctx, engine.At(anchor))
		want = want[:0]
		for _, s := range sizes {
			want = append(want, s.Result.Count())
		}
		return err
	})
	if err != nil {
		return err
	}
	duckTime, err := duckSizes(tbl, eng, cat, names, want, runs)
	if err != nil {
		return err
	}
	pgTime, err := postgresSizes(ctx, pgURL, tbl, eng, cat, names, want, runs)
	if err != nil {
		return err
	}
	fmt.Printf("sizes of %d segments over %d users, all three agree on every size (median of %d runs):\n", len(names), rows, runs)
	fmt.Printf("  segql in process  %10s\n  DuckDB (SQL)      %10s\n  PostgreSQL (SQL)  %10s\n", round(segqlTime), round(duckTime), round(pgTime))
	return nil
}

func exampleFiles() ([]catalog.File, error) {
	paths, err := filepath.Glob(filepath.Join("..", "examples", "*.seg"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("no examples/*.seg (run from bench/): %v", err)
	}
	var files []catalog.File
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		files = append(files, catalog.File{Name: p, Text: string(b)})
	}
	return files, nil
}

// sizesQuery is the one-pass sizes query of the named segments for d.
func sizesQuery(eng *engine.Engine, cat *catalog.Catalog, names []string, d string, table []string) (*sqlgen.Query, error) {
	dialect, err := sqlgen.Lookup(d)
	if err != nil {
		return nil, err
	}
	items := make([]engine.SQLExpr, len(names))
	for i, n := range names {
		items[i] = engine.SQLExpr{Name: n, Src: printer.Name(n)}
	}
	return eng.CompileSQL(items, dialect, sqlgen.Options{Now: anchor, Table: table, Segments: cat.Checked()})
}

func duckSizes(tbl *columnar.Table, eng *engine.Engine, cat *catalog.Catalog, names []string, want []int, runs int) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "segql-bench")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "users.parquet")
	if err := columnar.WriteFile(path, tbl, nil); err != nil {
		return 0, err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, stmt := range []string{fmt.Sprintf("SET threads = %d", runtime.GOMAXPROCS(0)),
		fmt.Sprintf(`CREATE TABLE users AS SELECT * FROM read_parquet('%s')`, path)} {
		if _, err := db.Exec(stmt); err != nil {
			return 0, err
		}
	}
	q, err := sizesQuery(eng, cat, names, "duckdb", []string{"users"})
	if err != nil {
		return 0, err
	}
	text, err := q.Sizes()
	if err != nil {
		return 0, err
	}
	return median(runs, func() error {
		got := make([]int, len(names)+1)
		ptrs := make([]any, len(got))
		for i := range got {
			ptrs[i] = &got[i]
		}
		if err := db.QueryRow(text).Scan(ptrs...); err != nil {
			return err
		}
		return agree("DuckDB", names, want, got[1:])
	})
}

func postgresSizes(ctx context.Context, base string, tbl *columnar.Table, eng *engine.Engine, cat *catalog.Catalog, names []string, want []int, runs int) (time.Duration, error) {
	name := fmt.Sprintf("segql_bench_%d", time.Now().UnixNano())
	u, err := url.Parse(base)
	if err != nil {
		return 0, err
	}
	q := u.Query()
	q.Set("table", name) // segql's --data form: the table as a parameter
	u.RawQuery = q.Encode()
	fmt.Printf("copying them to PostgreSQL table %s …\n", name)
	if _, err := warehouse.Upload(ctx, u.String(), tbl.Schema, tbl.Each); err != nil {
		return 0, err
	}
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	defer conn.Exec(context.Background(), "DROP TABLE "+pgx.Identifier{name}.Sanitize())
	if _, err := conn.Exec(ctx, "ANALYZE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return 0, err
	}
	src, err := warehouse.Open(ctx, u.String())
	if err != nil {
		return 0, err
	}
	defer src.Close(ctx)
	sq, err := sizesQuery(src.Engine(), cat, names, "postgres", []string{name})
	if err != nil {
		return 0, err
	}
	return median(runs, func() error {
		_, sizes, err := src.Sizes(ctx, sq)
		if err != nil {
			return err
		}
		got := make([]int, len(sizes))
		for i, s := range sizes {
			got[i] = s.Members
		}
		return agree("PostgreSQL", names, want, got)
	})
}

// agree requires an engine's sizes to be segql's.
func agree(engine string, names []string, want, got []int) error {
	if slices.Equal(want, got) {
		return nil
	}
	for i := range names {
		if i < len(got) && want[i] != got[i] {
			return fmt.Errorf("%s: segment %s has %d members, segql says %d", engine, names[i], got[i], want[i])
		}
	}
	return fmt.Errorf("%s returned %d sizes for %d segments", engine, len(got), len(want))
}
