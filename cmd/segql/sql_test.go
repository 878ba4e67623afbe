package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSQLCommand: segql sql prints each output form for every dialect,
// resolves names of --defs, and reports what a dialect cannot express
// with the position, as a failure.
func TestSQLCommand(t *testing.T) {
	const card = `age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`
	for _, d := range []string{"duckdb", "postgres", "clickhouse", "bigquery", "snowflake", "trino", "spark"} {
		out, errOut, code := segql(t, "", "sql", "--dialect", d, "--now", "2026-11-01", card)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, "SELECT ")
		require.Contains(t, out, "'FR'")
		require.Contains(t, errOut, "built-in demo table's schema")
	}
	out, _, code := segql(t, "", "sql", "--dialect", "postgres", "-o", "where", "--now", "2026-11-01", "last_seen within 30d")
	require.Equal(t, 0, code)
	require.Equal(t, `("last_seen" BETWEEN TIMESTAMPTZ '2026-10-02 00:00:00+00' AND TIMESTAMPTZ '2026-11-01 00:00:00+00')`+"\n", out)

	out, _, code = segql(t, "", "sql", "-o", "count", "--table", "analytics.users", "age > 3")
	require.Equal(t, 0, code)
	require.Equal(t, `SELECT count(*) AS "count" FROM "analytics"."users" WHERE ("age" > 3);`+"\n", out)

	out, errOut, code := segql(t, "", "sql", "-o", "sizes", "--defs", "../../examples", "--now", "2026-11-01")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `AS "champions"`)
	require.Equal(t, 1, strings.Count(out, "SELECT count(*)"), "one query for every segment")

	out, errOut, code = segql(t, "", "sql", "--defs", "../../examples", "--dialect", "spark", "champions", "age > 3")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "-- champions\n")
	require.Contains(t, out, "-- age > 3\n")

	_, errOut, code = segql(t, "", "sql", "--dialect", "snowflake", `city matches "^M"`)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "1:14: matches cannot be expressed in snowflake SQL")

	_, errOut, code = segql(t, "", "sql", "-o", "where", "percent_rank(age) > 0.5")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "needs the window columns")

	_, errOut, code = segql(t, "", "sql", "--dialect", "oracle", "age > 3")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "dialects: bigquery, clickhouse, duckdb")

	_, errOut, code = segql(t, "", "sql", "--table", "analytics..users", "age > 3")
	require.Equal(t, 1, code)
	require.Equal(t, "segql: the table name cannot be expressed in duckdb SQL: an empty name: identifiers cannot be empty\n", errOut[strings.Index(errOut, "\n")+1:])

	_, errOut, code = segql(t, "", "sql", "agee > 3")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `did you mean "age"?`)
}

// TestCheckDialect: check --dialect reports, at its position, each
// construct a dialect cannot run, once, even when several segments use
// it; without such constructs it passes.
func TestCheckDialect(t *testing.T) {
	out, errOut, code := segql(t, "", "check", "--dialect", "all", "../../examples")
	require.Equal(t, 0, code, errOut+out)
	require.Empty(t, out)

	path := filepath.Join(t.TempDir(), "d.seg")
	require.NoError(t, os.WriteFile(path, []byte("segment m = city matches \"^M\"\nsegment n = m and income % 2.5 > 1\nsegment o = m or n\n"), 0o644))
	out, _, code = segql(t, "", "check", "--dialect", "snowflake,bigquery,postgres", path)
	require.Equal(t, 1, code)
	require.Equal(t, path+":1:26: matches cannot be expressed in snowflake SQL (Snowflake's POSIX regular expressions cannot spell every RE2 pattern exactly (no lookaround, no code-point escapes))\n"+
		path+":2:19: % on floating-point numbers cannot be expressed in bigquery SQL (BigQuery's MOD takes integers and NUMERIC only)\n", out)

	out, _, code = segql(t, "", "check", "--dialect", "postgres", "--json", path)
	require.Equal(t, 0, code)
	require.Equal(t, "[]\n", out)

	_, errOut, code = segql(t, "", "check", "--dialect", "oracle", path)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `unknown SQL dialect "oracle"`)
}

// TestJSONKeepsOperators: JSON output writes expressions as they read
// (>= not \u003e=).
func TestJSONKeepsOperators(t *testing.T) {
	out, errOut, code := segql(t, "", "sizes", "--defs", "../../examples", "-o", "json", "--demo-rows", "1000")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `"expression": "purchases_30d >= 4"`)
	require.NotContains(t, out, `\u003e`)
}
