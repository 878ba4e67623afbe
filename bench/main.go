// Command bench measures segql against DuckDB (and expr-lang and cel-go
// for row-at-a-time evaluation) on the demo users table:
//
//	cd bench && go run . -rows 10000000
//
// It generates the demo table once to a temporary Parquet file, loads it
// into segql and into DuckDB (both with GOMAXPROCS threads), and for each
// segment expression reports the member count both engines agree on, the
// median time of segql, DuckDB and expr-lang (row at a time over Go
// structs, measured on a sample and extrapolated), the time to just read
// the referenced columns' bytes, and the ratio segql/DuckDB. -only REGEXP
// runs the expressions whose names match. It ends with one line:
//
//	geomean segql/duckdb = 0.078 (38 expressions), worst = 0.402 (weighted sum)
//
// With -events, it measures behavioral segments over the demo users'
// events (about 33 per user) against DuckDB running the SQL segql
// generates, and the loading of the events file in both:
//
//	cd bench && go run . -events -rows 1000000 -runs 5
//
// With -dataset DIR, it streams segments over a dataset of -rows users in
// -files Parquet files (generated into DIR once; user_id sorted across
// them) with segql eval --memory-limit, against DuckDB querying the files
// with read_parquet, each engine in a process of its own with the same
// threads and memory limit, reporting time, peak RSS and row groups read:
//
//	cd bench && go run . -dataset /tmp/users100m -rows 100000000 -files 100 -runs 3
//
// With -warehouse postgres://…, it measures instead the sizes of the
// example segments (examples/*.seg) in segql, and as the one query segql
// generates in DuckDB and in that PostgreSQL server:
//
//	cd bench && go run . -rows 1000000 -runs 3 -warehouse "$SEGQL_POSTGRES_URL"
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

var anchor = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

const nowSQL = "TIMESTAMP '2026-11-01 00:00:00'"

// benchCase is one segment in segql, SQL and expr-lang form.
type benchCase struct {
	name, segql, sql, expr string
}

var cases = []benchCase{
	// The twelve shapes of the first benchmark.
	{"numeric compare", `age > 40`, `age > 40`, `age > 40`},
	{"card example", `age between 25 and 54 and purchases_30d > 3`, `age BETWEEN 25 AND 54 AND purchases_30d > 3`,
		`age >= 25 && age <= 54 && purchases_30d > 3`},
	{"string equality", `city = "Paris"`, `city = 'Paris'`, `city == "Paris"`},
	{"in 5 countries", `country in ("DE", "FR", "US", "GB", "ES")`, `country IN ('DE', 'FR', 'US', 'GB', 'ES')`,
		`country in ["DE", "FR", "US", "GB", "ES"]`},
	{"and/or/not mix", `(age > 30 and income > 50000) or (not is_premium and purchases_30d >= 2 and country = "DE")`,
		`(age > 30 AND income > 50000) OR (NOT is_premium AND purchases_30d >= 2 AND country = 'DE')`,
		`(age > 30 && income > 50000) || (!is_premium && purchases_30d >= 2 && country == "DE")`},
	{"like prefix", `occupation like "eng%"`, `occupation LIKE 'eng%'`, `hasPrefix(occupation, "eng")`},
	{"is null", `gender is null`, `gender IS NULL`, `gender == ""`},
	{"float range", `discount_share between 0.2 and 0.4`, `discount_share BETWEEN 0.2 AND 0.4`,
		`discount_share >= 0.2 && discount_share <= 0.4`},
	{"within 30d", `last_seen within 30d`, `last_seen BETWEEN ` + nowSQL + ` - INTERVAL 30 DAY AND ` + nowSQL,
		`last_seen >= now - 2592000000000 && last_seen <= now`},
	{"list contains", `interests contains "meditation"`, `list_contains(interests, 'meditation')`, `"meditation" in interests`},
	{"days_since", `days_since(last_purchase) > 90`,
		`floor((epoch_us(` + nowSQL + `) - epoch_us(last_purchase)) / 86400000000.0) > 90`,
		`last_purchase > 0 && (now - last_purchase) / 86400000000 > 90`},
	{"named segment", `target`, `age BETWEEN 25 AND 54 AND purchases_30d > 3 AND country IN ('DE', 'FR')`,
		`age >= 25 && age <= 54 && purchases_30d > 3 && country in ["DE", "FR"]`},

	// Shapes nobody tuned for (expr-lang is not run on these).
	{"rare then expensive", `age >= 75 and is_premium and revenue_total / purchases_30d > 200`,
		`age >= 75 AND is_premium AND revenue_total / NULLIF(purchases_30d, 0) > 200`, ""},
	{"year()", `year(signup_date) = 2023`, `year(signup_date) = 2023`, ""},
	{"month and weekday", `month(last_seen) = 10 and day_of_week(last_seen) in (6, 7)`,
		`month(last_seen) = 10 AND isodow(last_seen) IN (6, 7)`, ""},
	{"days since between", `days_since(signup_date) between 30 and 365`,
		`floor((epoch_us(` + nowSQL + `) - epoch_us(signup_date::TIMESTAMP)) / 86400000000.0) BETWEEN 30 AND 365`, ""},
	{"weighted sum", `sessions_30d + 10 * purchases_30d >= 60`, `sessions_30d + 10 * purchases_30d >= 60`, ""},
	{"column division", `revenue_total / purchases_30d > 50`, `revenue_total / NULLIF(purchases_30d, 0) > 50`, ""},
	{"float arithmetic", `revenue_total * 1.1 - income / 100 > 500`, `revenue_total * 1.1 - income / 100 > 500`, ""},
	{"abs of difference", `abs(nps - 5) >= 4`, `abs(nps - 5) >= 4`, ""},
	{"coalesce int", `coalesce(nps, 0) >= 9`, `coalesce(nps, 0) >= 9`, ""},
	{"coalesce float", `coalesce(discount_share, 0) < 0.1`, `coalesce(discount_share, 0) < 0.1`, ""},
	{"regex", `city matches "^(San|New|Los) |o$"`, `regexp_matches(city, '^(San|New|Los) |o$')`, ""},
	{"ilike infix", `occupation ilike "%MAN%"`, `occupation ILIKE '%MAN%'`, ""},
	{"lower equality", `lower(city) = "paris"`, `lower(city) = 'paris'`, ""},
	{"not in", `country not in ("US", "DE", "FR", "GB")`, `country NOT IN ('US', 'DE', 'FR', 'GB')`, ""},
	{"string range", `city > "M" and city < "S"`, `city > 'M' AND city < 'S'`, ""},
	{"contains any", `interests contains any ("yoga", "running", "fitness")`,
		`list_has_any(interests, ['yoga', 'running', 'fitness'])`, ""},
	{"contains all", `interests contains all ("yoga", "meditation")`, `list_has_all(interests, ['yoga', 'meditation'])`, ""},
	{"list length", `len(interests) >= 4`, `len(interests) >= 4`, ""},
	{"very common", `churn_risk < 0.99`, `churn_risk < 0.99`, ""},
	{"very rare", `income > 150000 and age < 21`, `income > 150000 AND age < 21`, ""},
	{"sorted id range", `user_id between 5000000 and 5100000`, `user_id BETWEEN 5000000 AND 5100000`, ""},
	{"or of ands", `(age < 25 and device = "ios") or (age > 60 and device = "web") or (country = "JP" and is_premium)`,
		`(age < 25 AND device = 'ios') OR (age > 60 AND device = 'web') OR (country = 'JP' AND is_premium)`, ""},
	{"8 predicates", `age between 25 and 54 and income > 40000 and country in ("DE", "FR", "GB", "US") and device != "web" and sessions_30d >= 5 and churn_risk < 0.5 and email_opt_in and plan in ("basic", "premium")`,
		`age BETWEEN 25 AND 54 AND income > 40000 AND country IN ('DE', 'FR', 'GB', 'US') AND device <> 'web' AND sessions_30d >= 5 AND churn_risk < 0.5 AND email_opt_in AND plan IN ('basic', 'premium')`, ""},
	{"12 predicates", `age >= 18 and age <= 70 and income > 20000 and gender != "male" and education in ("bachelor", "master", "phd") and region in ("Europe", "North America") and climate != "arid" and last_seen within 60d and purchases_90d >= 1 and discount_share < 0.8 and nps >= 5 and not is_premium`,
		`age >= 18 AND age <= 70 AND income > 20000 AND gender <> 'male' AND education IN ('bachelor', 'master', 'phd') AND region IN ('Europe', 'North America') AND climate <> 'arid' AND last_seen BETWEEN ` + nowSQL + ` - INTERVAL 60 DAY AND ` + nowSQL + ` AND purchases_90d >= 1 AND discount_share < 0.8 AND nps >= 5 AND NOT is_premium`, ""},
	{"deep nesting", `not (not (age > 30 and (income > 50000 or (nps >= 7 and not (country = "US" or (churn_risk > 0.8 and sessions_30d < 3))))))`,
		`NOT (NOT (age > 30 AND (income > 50000 OR (nps >= 7 AND NOT (country = 'US' OR (churn_risk > 0.8 AND sessions_30d < 3))))))`, ""},
	{"shared segments", `active_valuable or (active_cheap and country = "DE")`,
		`((` + activeSQL + `) AND (` + valuableSQL + `)) OR ((` + activeSQL + `) AND NOT (` + valuableSQL + `) AND country = 'DE')`, ""},
}

const (
	activeSQL   = `last_seen BETWEEN ` + nowSQL + ` - INTERVAL 30 DAY AND ` + nowSQL + ` AND sessions_30d >= 5`
	valuableSQL = `revenue_total > 1000 OR orders_total >= 10`
)

const definitions = `segment adults = age between 25 and 54
segment buyers = purchases_30d > 3 and country in ("DE", "FR")
segment target = adults and buyers
segment active = last_seen within 30d and sessions_30d >= 5
segment valuable = revenue_total > 1000 or orders_total >= 10
segment active_valuable = active and valuable
segment active_cheap = active and not valuable
`

func main() {
	rows := flag.Int("rows", 10_000_000, "users in the demo table")
	runs := flag.Int("runs", 7, "timed runs per measurement (the median is reported)")
	sample := flag.Int("expr-sample", 1_000_000, "rows expr-lang evaluates (its time is extrapolated)")
	only := flag.String("only", "", "run only the expressions whose name matches this regular expression")
	pg := flag.String("warehouse", "", "instead: sizes of the example segments in segql, DuckDB and this PostgreSQL server (postgres://…)")
	events := flag.Bool("events", false, "instead: behavioral segments over the demo users' events (about 33 per user) in segql and DuckDB")
	dataset := flag.String("dataset", "", "instead: stream segments over a dataset of -rows users in -files Parquet files in this directory (generated once), segql eval --memory-limit against DuckDB's read_parquet, each in a process of its own")
	files := flag.Int("files", 100, "files of the -dataset")
	limit := flag.String("memory-limit", "2GiB", "memory limit of both engines with -dataset")
	duckQuery := flag.String("duck-query", "", "(internal) run this DuckDB query and print its count")
	measure := flag.Bool("measure", false, "(internal) run the command after -- and report its peak RSS")
	flag.Parse()
	if *measure {
		if err := measureChild(flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *duckQuery != "" {
		if err := duckChild(*duckQuery, *limit); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *dataset != "" {
		if err := runDataset(*dataset, *rows, *files, *runs, *limit); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *events {
		if err := runEvents(*rows, *runs); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *pg != "" {
		if err := runWarehouse(*rows, *runs, *pg); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: -only:", err)
			os.Exit(2)
		}
		cases = slices.DeleteFunc(cases, func(c benchCase) bool { return !re.MatchString(c.name) })
	}
	if err := run(*rows, *runs, *sample); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func makeTemp() (string, error) { return os.MkdirTemp("", "segql-bench") }

func removeTemp(dir string) { os.RemoveAll(dir) }

func run(rows, runs, sample int) error {
	dir, err := makeTemp()
	if err != nil {
		return err
	}
	defer removeTemp(dir)
	path := filepath.Join(dir, "users.parquet")
	fmt.Printf("generating %d demo users to %s …\n", rows, path)
	demo := columnar.Demo(columnar.DemoOptions{Rows: rows, Seed: 1, Anchor: anchor})
	if err := columnar.WriteFile(path, demo, nil); err != nil {
		return err
	}
	demo.Release()
	runtime.GC()

	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	tbl, err := columnar.Load(context.Background(), []string{path}, columnar.LoadOptions{})
	if err != nil {
		return err
	}
	segqlLoad := time.Since(start)
	defer tbl.Release()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	db, duckLoad, err := loadDuckDB(path)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Printf("load: segql %s, DuckDB read_parquet %s\n", round(segqlLoad), round(duckLoad))
	buffers := bufferBytes(tbl)
	fmt.Printf("memory: segql heap for the table %.0f MB, Arrow buffers %.0f MB (%.2fx)\n\n",
		float64(after.HeapAlloc-before.HeapAlloc)/1e6, float64(buffers)/1e6, float64(after.HeapAlloc-before.HeapAlloc)/float64(buffers))

	eng := engine.Open(tbl)
	cat, err := catalog.Load(eng, []catalog.File{{Name: "bench.seg", Text: definitions}})
	if err != nil {
		return err
	}
	users, err := exprUsers(tbl, min(sample, rows))
	if err != nil {
		return err
	}
	results, err := measureAll(cat, db, users, tbl, runs)
	if err != nil {
		return err
	}
	printResults(results, rows, len(users))
	return singleUser(eng)
}

// loadDuckDB loads the Parquet file into an in-memory DuckDB table, with
// DuckDB limited to as many threads as segql uses (GOMAXPROCS).
func loadDuckDB(path string) (*sql.DB, time.Duration, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, 0, err
	}
	db.SetMaxOpenConns(1) // one connection, so the settings below hold for every query
	if _, err := db.Exec(fmt.Sprintf("SET threads = %d", runtime.GOMAXPROCS(0))); err != nil {
		return nil, 0, err
	}
	start := time.Now()
	_, err = db.Exec(fmt.Sprintf(`CREATE TABLE users AS SELECT * REPLACE (last_seen::TIMESTAMP AS last_seen, last_purchase::TIMESTAMP AS last_purchase) FROM read_parquet('%s')`, path))
	return db, time.Since(start), err
}

// median runs f runs times after one warm-up and returns the median time.
func median(runs int, f func() error) (time.Duration, error) {
	if err := f(); err != nil {
		return 0, err
	}
	times := make([]time.Duration, runs)
	for i := range times {
		start := time.Now()
		if err := f(); err != nil {
			return 0, err
		}
		times[i] = time.Since(start)
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return times[runs/2], nil
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(10 * time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(100 * time.Nanosecond)
}

func geomean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += math.Log(x)
	}
	return math.Exp(s / float64(len(xs)))
}

func pad(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len([]rune(s)))) }
