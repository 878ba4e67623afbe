package conformance

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/internal/pgtest"
	"github.com/segql/segql/lang/sqlgen"
	"github.com/segql/segql/warehouse"
)

func postgresURL(t *testing.T) string { return pgtest.URL(t) }

// connectPostgres opens a connection whose session time zone is far from
// UTC, so SQL that depended on the session's zone would differ.
func connectPostgres(t *testing.T) *pgx.Conn {
	conn, err := pgx.Connect(context.Background(), postgresURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	_, err = conn.Exec(context.Background(), `SET TimeZone = 'Pacific/Kiritimati'`)
	require.NoError(t, err)
	return conn
}

// TestSQLMatchesPostgres runs the PostgreSQL SQL that segql generates for
// every expression of the corpus on a real server and requires the
// members segql finds.
func TestSQLMatchesPostgres(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 500
	}
	if v, err := strconv.Atoi(os.Getenv("SEGQL_SQL_CORPUS")); err == nil {
		n = v
	}
	conn := connectPostgres(t)
	eng, _ := demoFile(t, 20_000, 11)
	table := fmt.Sprintf("users_%d", time.Now().UnixNano())
	loadPostgres(t, conn, table, eng.Table())
	d, err := sqlgen.Lookup("postgres")
	require.NoError(t, err)
	corpus := sqlCorpus(t, eng, n, 7)
	nonEmpty, failures := 0, 0
	run := func(q string) []string { return pgIDs(t, conn, q) }
	for _, src := range corpus {
		if compareSQLOn(t, eng, d, table, src, run, &failures) > 0 {
			nonEmpty++
		}
	}
	t.Logf("compared %d expressions on PostgreSQL, %d with members", len(corpus), nonEmpty)
	require.Greater(t, nonEmpty, len(corpus)/4)
}

func pgIDs(t *testing.T, conn *pgx.Conn, query string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), query)
	if err != nil {
		t.Errorf("%v\n%s", err, query)
		return nil
	}
	defer rows.Close()
	return scanIDs(t, rows, query)
}

// loadPostgres copies tbl into a new table with warehouse.Upload (the
// path segql export --out postgres://… takes); the table is dropped with the
// test.
func loadPostgres(t *testing.T, conn *pgx.Conn, table string, tbl *columnar.Table) {
	ctx := context.Background()
	n, err := warehouse.Upload(ctx, pgtest.WithTable(t, postgresURL(t), table), tbl.Schema, tbl.Each)
	require.NoError(t, err)
	require.EqualValues(t, tbl.NumRows(), n)
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP TABLE "+pgx.Identifier{table}.Sanitize()) })
	_, err = conn.Exec(ctx, "ANALYZE "+pgx.Identifier{table}.Sanitize())
	require.NoError(t, err)
}
