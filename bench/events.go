package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/sqlgen"
)

// eventCases are the behavioral segments of the events benchmark: the
// issue's four shapes and others the engine was not tuned for.
var eventCases = []struct{ name, segql string }{
	{"count in window", `count(purchase within 30d) >= 3`},
	{"3 conditions", `did purchase at least 2 times within 30d and sum(purchase.amount within 90d) > 200 and did not refund within 30d`},
	{"sum of property", `sum(purchase.amount within 90d) > 500`},
	{"filter", `count(view_item where category = "books" and amount > 20 within 30d) >= 2`},
	{"distinct", `count_distinct(view_item.category within 30d) >= 3`},
	{"active days", `active_days(session_start within 30d) >= 4`},
	{"recency", `days_since(last_time(login)) > 60`},
	{"user first", `age > 70 and did purchase within 7d`},
	{"avg between", `avg(purchase.amount between 90d and 30d ago) > 100`},
	{"sequence", `did view_item then purchase within 1d`},
	{"3-step sequence", `did view_item then add_to_cart then purchase within 1h`},
}

// runEvents measures event conditions on rows demo users and their
// events in segql and in DuckDB (the SQL segql generates), with the same
// threads, and the loading of the events file in both.
func runEvents(rows, runs int) error {
	dir, err := makeTemp()
	if err != nil {
		return err
	}
	defer removeTemp(dir)
	opts := columnar.DemoOptions{Rows: rows, Seed: 1, Anchor: anchor}
	users, events := filepath.Join(dir, "users.parquet"), filepath.Join(dir, "events.parquet")
	start := time.Now()
	ut, et := columnar.Demo(opts), columnar.DemoEvents(opts)
	fmt.Printf("generated %d demo users and %d events in %s\n", ut.NumRows(), et.NumRows(), round(time.Since(start)))
	for path, t := range map[string]*columnar.Table{users: ut, events: et} {
		if err := columnar.WriteFile(path, t, nil); err != nil {
			return err
		}
		t.Release()
	}
	runtime.GC()
	ctx := context.Background()
	tbl, err := columnar.Load(ctx, []string{users}, columnar.LoadOptions{})
	if err != nil {
		return err
	}
	defer tbl.Release()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start = time.Now()
	evs, err := columnar.Load(ctx, []string{events}, columnar.LoadOptions{})
	if err != nil {
		return err
	}
	defer evs.Release()
	loaded := time.Since(start)
	eng := engine.Open(tbl)
	start = time.Now()
	st, err := eng.AttachEvents(ctx, evs, "user_id", engine.EventOptions{})
	if err != nil {
		return err
	}
	indexed := time.Since(start)
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(fmt.Sprintf("SET threads = %d", runtime.GOMAXPROCS(0))); err != nil {
		return err
	}
	if _, err := db.Exec(fmt.Sprintf(`CREATE TABLE users AS SELECT * FROM read_parquet('%s')`, users)); err != nil {
		return err
	}
	start = time.Now()
	if _, err := db.Exec(fmt.Sprintf(`CREATE TABLE events AS SELECT * FROM read_parquet('%s')`, events)); err != nil {
		return err
	}
	duckLoad := time.Since(start)
	buffers := bufferBytes(evs)
	fmt.Printf("events load: segql read %s + index %s = %s, DuckDB read_parquet %s\n",
		round(loaded), round(indexed), round(loaded+indexed), round(duckLoad))
	fmt.Printf("events memory: segql heap %.0f MB (of which the index %.0f MB), Arrow buffers %.0f MB (%.2fx)\n\n",
		float64(after.HeapAlloc-before.HeapAlloc)/1e6, float64(st.IndexBytes)/1e6, float64(buffers)/1e6,
		float64(after.HeapAlloc-before.HeapAlloc)/float64(buffers))

	d, err := sqlgen.Lookup("duckdb")
	if err != nil {
		return err
	}
	fmt.Printf("%s %9s %10s %10s %10s %10s %7s\n", pad("segment", 18), "members", "segql 1st", "segql new", "segql", "DuckDB", "ratio")
	var ratios []float64
	for _, c := range eventCases {
		r, err := measureEvent(ctx, eng, db, d, c.segql, runs)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		ratio := r.cached.Seconds() / r.duck.Seconds()
		ratios = append(ratios, ratio)
		fmt.Printf("%s %9d %10s %10s %10s %10s %7.3f\n", pad(c.name, 18), r.members, round(r.first), round(r.fresh),
			round(r.cached), round(r.duck), ratio)
	}
	fmt.Printf("\ngeomean segql/duckdb = %.3f (%d segments); 1st: the first run of the condition on the engine (properties laid out), new: a new query each run (filters and windows recomputed)\n", geomean(ratios), len(ratios))
	return nil
}

type eventResult struct {
	members                    int
	first, fresh, cached, duck time.Duration
}

// measureEvent times one segment: its first run, a new query per run,
// the same query rerun, and DuckDB's count of the generated SQL.
func measureEvent(ctx context.Context, eng *engine.Engine, db *sql.DB, d sqlgen.Dialect, src string, runs int) (eventResult, error) {
	var r eventResult
	compileRun := func() (int, error) {
		q, err := eng.Compile(src, engine.WithNow(anchor))
		if err != nil {
			return 0, err
		}
		res, err := q.Run(ctx)
		if err != nil {
			return 0, err
		}
		return res.Count(), nil
	}
	runtime.GC()
	start := time.Now()
	n, err := compileRun()
	if err != nil {
		return r, err
	}
	r.first, r.members = time.Since(start), n
	if r.fresh, err = median(runs, func() error { _, err := compileRun(); return err }); err != nil {
		return r, err
	}
	q, err := eng.Compile(src, engine.WithNow(anchor))
	if err != nil {
		return r, err
	}
	if r.cached, err = median(runs, func() error { _, err := q.Run(ctx); return err }); err != nil {
		return r, err
	}
	sq, err := eng.CompileSQL([]engine.SQLExpr{{Src: src}}, d, sqlgen.Options{Now: anchor})
	if err != nil {
		return r, err
	}
	var duck int
	if r.duck, err = median(runs, func() error { return db.QueryRow(sq.Count()).Scan(&duck) }); err != nil {
		return r, err
	}
	if duck != r.members {
		return r, fmt.Errorf("segql finds %d members, DuckDB %d\n%s", r.members, duck, sq.Count())
	}
	return r, nil
}
