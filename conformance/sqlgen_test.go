package conformance

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/testtables"
	"github.com/segql/segql/lang/gen"
	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/sqlgen"
)

// sqlCorpus is what the generated SQL is verified on: every conformance
// case, the extra cases below (constructs whose SQL needs care in some
// dialect), and n expressions of the differential generator.
func sqlCorpus(t *testing.T, eng *engine.Engine, n int, seed uint64) []string {
	var out []string
	for _, c := range cases {
		out = append(out, c.segql)
	}
	out = append(out, sqlExtraCases...)
	r := rand.New(rand.NewPCG(seed, 15))
	g := gen.New(r, eng.Schema())
	g.Strings = append(g.Strings, `a\b`, "it's", "%", "_", "Ö", "ß")
	for len(out) < n+len(cases)+len(sqlExtraCases) {
		src := printer.Expr(g.Bool())
		if _, err := eng.Compile(src, engine.WithNow(anchor)); err != nil {
			continue // the generator may draw expressions the checker refuses
		}
		out = append(out, src)
	}
	return out
}

var sqlExtraCases = []string{
	`city like "%\\%"`, `city not like "M_n%"`, `city ilike "MÜN%"`, `lower(city) = "münchen"`,
	`city matches "(?i)^par"`, `city matches "^[A-Z][a-z]+$"`, `city matches "\\bam"`, `city matches "o\\b"`,
	`city matches "^.{5}$"`, `city matches "[[:upper:]]{2}"`, `city matches "\\p{Lu}\\p{Ll}+"`, `city matches "a|e|i{2,3}"`,
	`city contains ""`, `city contains "'"`, `ends_with(city, "en")`, `starts_with(city, "")`,
	`interests contains "yoga" and not (interests contains any ("deals", "travel"))`,
	`interests contains all ("yoga", null)`, `interests contains any ("yoga", null)`,
	`len(interests) between 1 and 2`,
	`revenue_total % 7.5 > 3`, `avg_order_value % 1 > 0.5`, `income % 1000.5 < 10`,
	`round(avg_order_value, 1) = 80.5`, `round(churn_risk, 2) >= 0.5`, `round(income, -3) = 50000`, `round(age, -1) = 30`, `round(age) = 30`,
	`round(avg_order_value) = 81`, `floor(avg_order_value) = 80`, `ceil(churn_risk * 10) = 5`,
	`age * 1000000000 > 30000000000`, `age + 2147483647 > 2147483700`, `-age * 3 < -100`,
	`age / 0 is null`, `income / age > 2000`, `age % 0 is null`, `(age - 50) % 7 = -3`,
	`days_since(last_seen) <= 3`, `days_since(signup_date) % 7 = 0`, `days_since(last_purchase) is null`,
	`year(last_seen) = 2026 and month(last_seen) = 10`, `day_of_week(last_purchase) = 1`, `day_of_week(signup_date + 1d) = 2`,
	`last_seen within 1h`, `last_seen within 36h`, `signup_date within 30d`, `last_purchase within 90d`,
	`last_seen > signup_date + 400d`, `last_seen - last_purchase < 2d`, `last_purchase - last_seen > -1h`,
	`coalesce(last_purchase, signup_date) > "2026-01-01"`, `coalesce(last_purchase, last_seen) >= now() - 7d`,
	`signup_date = "2024-02-29"`, `signup_date > "2024-02-29T12:00:00Z"`, `last_seen >= "2026-10-31"`,
	`last_seen between "2026-10-01" and "2026-10-15T12:00:00+02:00"`, `signup_date in ("2024-01-01", "2025-06-30")`,
	`percent_rank(revenue_total) >= 0.9`, `percent_rank(age) < 0.1`, `ntile(income, 4) = 4`, `ntile(signup_date, 10) = 1`,
	`r_score(last_purchase) = 5 and f_score(orders_total) >= 4 and m_score(revenue_total) >= 4`,
	`r_score(sessions_30d) = 1`, `percent_rank(churn_risk) > 0.5 or ntile(churn_risk, 3) = 1`,
	`bucket(user_id, "exp1") < 500`, `sample(user_id, 10%, "homepage-2026")`, `sample(city, 0.5, "s")`, `bucket(city, "") = 754`,
	`sample(user_id, 0.33333, "x")`, `sample(user_id, 100%, "x")`, `sample(user_id, 0%, "x")`,
	`coalesce(nps, age) in (1, 2, 3)`, `coalesce(gender, city, "x") = "x"`, `(age > 30) in (true, null)`, `(age > 30) = (income > 50000)`,
	`gender in ("female", null) or gender is null`, `not (age > 30 and income is null)`, `is_premium in (false)`,
}

// TestSQLMatchesDuckDB runs the DuckDB SQL that segql generates for every
// expression of the corpus and requires the members segql finds. The
// table keeps its TIMESTAMPTZ columns and the session runs in a zone
// far from UTC, so SQL that depended on the session's zone would differ.
func TestSQLMatchesDuckDB(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	if v, err := strconv.Atoi(os.Getenv("SEGQL_SQL_CORPUS")); err == nil {
		n = v
	}
	eng, path := demoFile(t, 20_000, 11)
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	for _, stmt := range []string{
		`SET TimeZone = 'Pacific/Kiritimati'`,
		fmt.Sprintf(`CREATE TABLE users AS SELECT * FROM read_parquet('%s')`, path),
	} {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	d, err := sqlgen.Lookup("duckdb")
	require.NoError(t, err)
	corpus := sqlCorpus(t, eng, n, 7)
	nonEmpty, failures := 0, 0
	for _, src := range corpus {
		if compareSQLOn(t, eng, d, "users", src, func(q string) []string { return sqlIDs(t, db, q) }, &failures) > 0 {
			nonEmpty++
		}
	}
	t.Logf("compared %d expressions on DuckDB, %d with members", len(corpus), nonEmpty)
	require.Greater(t, nonEmpty, len(corpus)/4)
}

// compareSQLOn compiles src for d over table, runs its members query with
// run and requires segql's members; it returns their number.
// failures counts the test's disagreements; it stops after 10.
func compareSQLOn(t *testing.T, eng *engine.Engine, d sqlgen.Dialect, table, src string, run func(string) []string, failures *int) int {
	t.Helper()
	q, err := eng.Compile(src, engine.WithNow(anchor))
	require.NoError(t, err, src)
	res, err := q.Run(context.Background())
	require.NoError(t, err, src)
	want, err := res.IDs("user_id", -1)
	require.NoError(t, err)
	sq, err := eng.CompileSQL([]engine.SQLExpr{{Src: src}}, d, sqlgen.Options{Now: anchor, Table: []string{table}})
	if err != nil {
		t.Errorf("%s: %v", src, err)
		return 0
	}
	members, err := sq.Members("user_id")
	require.NoError(t, err)
	got := run(members)
	if len(want) != len(got) || fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("members differ: %s\nsegql %d members, %s %d\nSQL: %s\nsegql only: %v\n%s only: %v",
			src, len(want), d.Name(), len(got), members, firstMissing(want, got), d.Name(), firstMissing(got, want))
		if *failures++; *failures >= 10 {
			t.FailNow()
		}
	}
	return len(want)
}

// firstMissing lists up to 5 ids of a that b lacks.
func firstMissing(a, b []string) []string {
	in := map[string]bool{}
	for _, s := range b {
		in[s] = true
	}
	var out []string
	for _, s := range a {
		if !in[s] && len(out) < 5 {
			out = append(out, s)
		}
	}
	return out
}

// sqlIDs runs a members query and returns the ids in segql's order.
func sqlIDs(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Errorf("%v\n%s", err, query)
		return nil
	}
	defer rows.Close()
	return scanIDs(t, rows, query)
}

// scanIDs reads integer ids from database/sql or pgx rows.
func scanIDs(t *testing.T, rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}, query string) []string {
	var out []string
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		out = append(out, strconv.FormatInt(id, 10))
	}
	if err := rows.Err(); err != nil {
		t.Errorf("%v\n%s", err, query)
	}
	return out
}

// demoFile writes the demo table to a Parquet file and loads it into
// segql.
func demoFile(t *testing.T, rows int, seed uint64) (*engine.Engine, string) {
	path := filepath.Join(t.TempDir(), "users.parquet")
	tbl := columnar.Demo(columnar.DemoOptions{Rows: rows, Seed: seed, Anchor: anchor})
	require.NoError(t, columnar.WriteFile(path, tbl, nil))
	tbl.Release()
	loaded, err := columnar.Load(context.Background(), []string{path}, columnar.LoadOptions{})
	require.NoError(t, err)
	t.Cleanup(loaded.Release)
	return engine.Open(loaded), path
}

// TestHostileSQLOnDuckDB: a table whose column names and values are built
// to break out of quoting, queried with expressions over them: DuckDB
// returns segql's members for each (none fails, none escapes its
// literal), and the table is intact afterwards. The same table runs on
// PostgreSQL in the warehouse package's tests.
func TestHostileSQLOnDuckDB(t *testing.T) {
	tbl := testtables.Hostile()
	path := filepath.Join(t.TempDir(), "hostile.parquet")
	require.NoError(t, columnar.WriteFile(path, tbl, nil))
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(fmt.Sprintf(`CREATE TABLE hostile AS SELECT * FROM read_parquet('%s')`, path))
	require.NoError(t, err)
	eng := engine.Open(tbl)
	d, err := sqlgen.Lookup("duckdb")
	require.NoError(t, err)
	nonEmpty := 0
	for _, src := range testtables.HostileExprs() {
		q, err := eng.Compile(src, engine.WithNow(anchor))
		require.NoError(t, err, src)
		res, err := q.Run(context.Background())
		require.NoError(t, err)
		want, err := res.IDs("id", -1)
		require.NoError(t, err)
		sq, err := eng.CompileSQL([]engine.SQLExpr{{Src: src}}, d, sqlgen.Options{Now: anchor, Table: []string{"hostile"}})
		require.NoError(t, err, src)
		members, err := sq.Members("id")
		require.NoError(t, err)
		require.Equal(t, fmt.Sprint(want), fmt.Sprint(sqlIDs(t, db, members)), "%s\n%s", src, members)
		if len(want) > 0 {
			nonEmpty++
		}
	}
	require.Greater(t, nonEmpty, len(testtables.HostileExprs())/2)
	var n int64
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM hostile`).Scan(&n))
	require.Equal(t, tbl.NumRows(), n)
}

// TestWriteSQLForParsers writes, when SEGQL_SQL_DUMP names a directory,
// for each dialect (a JSON array per dialect, NAME.json) the members
// query of every corpus expression, a count query, and the sizes and
// counts queries of the example segments, for .ci/sqlparse to parse with
// real parsers of dialects that cannot run here. Expressions a dialect
// cannot express are left out (their errors are tested elsewhere).
func TestWriteSQLForParsers(t *testing.T) {
	dir := os.Getenv("SEGQL_SQL_DUMP")
	if dir == "" {
		t.Skip("SEGQL_SQL_DUMP is not set")
	}
	n := 3000
	if v, err := strconv.Atoi(os.Getenv("SEGQL_SQL_CORPUS")); err == nil {
		n = v
	}
	eng, _ := demoFile(t, 1000, 11)
	corpus := sqlCorpus(t, eng, n, 7)
	examples, cat := exampleCatalog(t, eng)
	for _, name := range sqlgen.Names() {
		d, err := sqlgen.Lookup(name)
		require.NoError(t, err)
		var stmts []string
		for _, src := range corpus {
			q, err := eng.CompileSQL([]engine.SQLExpr{{Src: src}}, d, sqlgen.Options{Now: anchor})
			if errors.Is(err, sqlgen.ErrUnsupported) {
				continue
			}
			require.NoError(t, err, src)
			members, err := q.Members("user_id")
			require.NoError(t, err)
			if len(stmts) == 0 {
				stmts = append(stmts, q.Count())
			}
			stmts = append(stmts, members)
		}
		if q, err := eng.CompileSQL(examples, d, sqlgen.Options{Now: anchor, Segments: cat.Checked()}); !errors.Is(err, sqlgen.ErrUnsupported) {
			require.NoError(t, err)
			sizes, err := q.Sizes()
			require.NoError(t, err)
			stmts = append(stmts, sizes, q.Counts())
		}
		b, err := json.Marshal(stmts)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".json"), b, 0o644))
		t.Logf("%s: %d statements", name, len(stmts))
	}
}

// exampleCatalog is the catalog of examples/*.seg and a reference to
// each of its segments, to compile together.
func exampleCatalog(t *testing.T, eng *engine.Engine) ([]engine.SQLExpr, *catalog.Catalog) {
	paths, err := filepath.Glob(filepath.Join("..", "examples", "*.seg"))
	require.NoError(t, err)
	var files []catalog.File
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		files = append(files, catalog.File{Name: p, Text: string(b)})
	}
	cat, err := catalog.Load(eng, files)
	require.NoError(t, err)
	var out []engine.SQLExpr
	for _, d := range cat.Definitions() {
		out = append(out, engine.SQLExpr{Name: d.Name, Src: printer.Name(d.Name)})
	}
	return out, cat
}
