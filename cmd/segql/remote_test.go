package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/segql/segql/internal/output"
	"github.com/segql/segql/internal/pgtest"
	"github.com/stretchr/testify/require"
)

// pgTable uploads the demo table (rows, seed 1) to a new table of the
// PostgreSQL server of SEGQL_POSTGRES_URL with segql export, drops it with
// the test, and returns its URL. Without a server the test is skipped,
// unless SEGQL_REQUIRE_POSTGRES is set (CI).
func pgTable(t *testing.T, rows int) string {
	base := pgtest.URL(t)
	name := fmt.Sprintf("cli_%d", time.Now().UnixNano())
	u := pgtest.WithTable(t, base, name)
	pgtest.DropAtCleanup(t, base, name)
	_, errOut, code := segql(t, "", "export", "true", "--demo-rows", fmt.Sprint(rows), "--allow-pii", "--out", u)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, "wrote "+output.Thousands(rows)+" members")
	require.NotContains(t, errOut, "sslmode", "the URL is shown without its parameters")
	return u
}

// TestCommandsOnPostgres: eval, sizes, diff, export and the shell give on
// a PostgreSQL table exactly what they give on the same rows in memory.
func TestCommandsOnPostgres(t *testing.T) {
	pg := pgTable(t, 5000)
	same := func(args ...string) string {
		t.Helper()
		local, errOut, code := segql(t, "", append(args, "--demo-rows", "5000")...)
		require.Equal(t, 0, code, errOut)
		remote, errOut, code := segql(t, "", append(args, "--data", pg)...)
		require.Equal(t, 0, code, errOut)
		require.Equal(t, local, remote, "%v", args)
		return remote
	}
	now := "--now=2026-11-15"
	card := `age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`
	require.NotEmpty(t, same("eval", now, card, "-o", "ids"))
	same("eval", now, "percent_rank(income) > 0.9 and last_seen within 14d", "-o", "count")
	same("eval", now, "interests contains any (\"yoga\", \"travel\") and not is_premium", "-o", "csv", "--allow-pii")
	same("eval", now, "r_score(last_purchase) = 5 or nps is null", "-o", "json", "--allow-pii")
	same("sizes", now, "--defs", "../../examples")
	same("sizes", now, "--defs", "../../examples", "-o", "json")

	dir := t.TempDir()
	old, cur := filepath.Join(dir, "old.seg"), filepath.Join(dir, "new.seg")
	require.NoError(t, os.WriteFile(old, []byte("segment buyers = purchases_30d >= 4\nsegment older_buyers = buyers and age > 40\nsegment gone = age < 20\n"), 0o644))
	require.NoError(t, os.WriteFile(cur, []byte("segment buyers = purchases_30d >= 5\nsegment older_buyers = buyers and age > 40\nsegment fresh = signup_date within 30d\n"), 0o644))
	out := same("diff", now, old, cur, "-o", "json")
	require.Contains(t, out, `"members changed"`)
	require.Contains(t, out, `"removed"`)

	for _, file := range []string{"m.csv", "m.parquet"} {
		path := filepath.Join(dir, file)
		_, errOut, code := segql(t, "", "export", now, card, "--data", pg, "--out", path)
		require.Equal(t, 0, code, errOut)
		back, errOut, code := segql(t, "", "eval", "true", "--data", path, "-o", "csv")
		require.Equal(t, 0, code, errOut)
		local, _, _ := segql(t, "", "eval", now, card, "--demo-rows", "5000", "-o", "csv")
		require.Equal(t, local, back, file)
	}

	script := ".count " + card + "\nsegment rich = income > 100000\n.mode ids\nrich and age < 45\n"
	local, errOut, code := segql(t, script, now, "--demo-rows", "5000")
	require.Equal(t, 0, code, errOut)
	remote, errOut, code := segql(t, script, now, "--data", pg)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, stripTimes(local), stripTimes(remote))
}

// TestShellConnect: .connect adds a PostgreSQL table beside the tables in
// memory; expressions run where the current table is.
func TestShellConnect(t *testing.T) {
	pg := pgTable(t, 2000)
	script := ".connect " + pg + " as wh\n.tables\n.count age > 40\n.schema age\n.use users\n.count age > 40\n.use wh\n.profile age > 3\n"
	out, errOut, code := segql(t, script, "--demo-rows", "2000")
	require.Equal(t, 1, code)
	require.Contains(t, out, "as wh: 27 columns; expressions run in PostgreSQL")
	require.Contains(t, out, "* wh  in PostgreSQL")
	require.Contains(t, errOut, ".profile needs the rows in memory")
	require.Regexp(t, `(?s)(\d[\d,]*) members of 2,000 .*age +int32.*using users.*\n([\d,]+) members of 2,000`, out)
	m := regexp.MustCompile(`([\d,]+) members of 2,000`).FindAllStringSubmatch(out, -1)
	require.Len(t, m, 2)
	require.Equal(t, m[0][1], m[1][1], "the same rows give the same count in PostgreSQL and in memory")
}

// TestPostgresErrors: what cannot run against a PostgreSQL table says
// why, and names what to do.
func TestPostgresErrors(t *testing.T) {
	pg := pgTable(t, 100)
	_, errOut, code := segql(t, "", "eval", "agee > 3", "--data", pg)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `did you mean "age"?`)
	_, errOut, code = segql(t, ".why 1 age > 3\n", "--data", pg, "--bail")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, ".why needs the rows in memory")
	_, errOut, code = segql(t, "", "eval", "age > 3", "--data", pg, "--id", "uid", "-o", "csv")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `--id: the table has no column "uid"`)
	_, errOut, code = segql(t, "", "eval", "age > 3", "--data", pg, "--data", "x.csv")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "cannot be combined")
	_, errOut, code = segql(t, "", "export", "true", "--allow-pii", "--out", pg)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "already exists")
	_, errOut, code = segql(t, "", "eval", "age > 3", "--data", pgtest.WithTable(t, pg, "no_such_table_here"))
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `no such table "no_such_table_here"`)
}

// stripTimes blanks the durations of result summaries ("in 3.2ms").
func stripTimes(s string) string {
	return regexp.MustCompile(` in [0-9.]+(ns|µs|ms|s)\b`).ReplaceAllString(s, " in T")
}
