package conformance

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/lang/sqlgen"
)

// postgresURL is the server the PostgreSQL tests run on: SEGQL_POSTGRES_URL
// (.ci/run starts one with .ci/postgres). Without it the tests are skipped,
// unless SEGQL_REQUIRE_POSTGRES is set, as in CI, where that is a failure.
func postgresURL(t *testing.T) string {
	url := os.Getenv("SEGQL_POSTGRES_URL")
	if url == "" {
		if os.Getenv("SEGQL_REQUIRE_POSTGRES") != "" {
			t.Fatal("SEGQL_REQUIRE_POSTGRES is set but SEGQL_POSTGRES_URL is not")
		}
		t.Skip("no PostgreSQL server: set SEGQL_POSTGRES_URL (.ci/postgres start DIR PORT prints one)")
	}
	return url
}

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

// pgType is the PostgreSQL column type of an Arrow type.
func pgType(t arrow.DataType) string {
	switch t := t.(type) {
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Uint8Type:
		return "SMALLINT"
	case *arrow.Int32Type, *arrow.Uint16Type:
		return "INTEGER"
	case *arrow.Int64Type, *arrow.Uint32Type:
		return "BIGINT"
	case *arrow.Float32Type:
		return "REAL"
	case *arrow.Float64Type:
		return "DOUBLE PRECISION"
	case *arrow.StringType, *arrow.DictionaryType:
		return "TEXT"
	case *arrow.BooleanType:
		return "BOOLEAN"
	case *arrow.Date32Type:
		return "DATE"
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			return "TIMESTAMPTZ"
		}
		return "TIMESTAMP"
	case *arrow.ListType:
		return pgType(t.Elem()) + "[]"
	}
	panic("pgType: " + t.String())
}

// pgValue is row i of a as a value pgx can copy.
func pgValue(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch a := a.(type) {
	case *array.Int32:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.Dictionary:
		return pgValue(a.Dictionary(), a.GetValueIndex(i))
	case *array.Date32:
		return a.Value(i).ToTime()
	case *array.Timestamp:
		return time.UnixMicro(int64(a.Value(i))).UTC()
	case *array.List:
		start, end := a.ValueOffsets(i)
		out := make([]pgtype.Text, 0, end-start)
		for j := start; j < end; j++ {
			v := pgValue(a.ListValues(), int(j))
			if v == nil {
				out = append(out, pgtype.Text{})
				continue
			}
			out = append(out, pgtype.Text{String: v.(string), Valid: true})
		}
		return out
	}
	panic(fmt.Sprintf("pgValue: %T", a))
}

// loadPostgres creates table with tbl's columns and copies its rows in;
// the table is dropped with the test.
func loadPostgres(t *testing.T, conn *pgx.Conn, table string, tbl *columnar.Table) {
	ctx := context.Background()
	var cols, names []string
	for _, f := range tbl.Schema.Fields() {
		cols = append(cols, pgx.Identifier{f.Name}.Sanitize()+" "+pgType(f.Type))
		names = append(names, f.Name)
	}
	_, err := conn.Exec(ctx, "CREATE TABLE "+pgx.Identifier{table}.Sanitize()+" ("+strings.Join(cols, ", ")+")")
	require.NoError(t, err)
	t.Cleanup(func() { conn.Exec(context.Background(), "DROP TABLE "+pgx.Identifier{table}.Sanitize()) })
	var rows [][]any
	for _, b := range tbl.Batches {
		for i := 0; i < int(b.NumRows()); i++ {
			row := make([]any, b.NumCols())
			for c := range row {
				row[c] = pgValue(b.Column(c), i)
			}
			rows = append(rows, row)
		}
	}
	n, err := conn.CopyFrom(ctx, pgx.Identifier{table}, names, pgx.CopyFromRows(rows))
	require.NoError(t, err)
	require.EqualValues(t, tbl.NumRows(), n)
	_, err = conn.Exec(ctx, "ANALYZE "+pgx.Identifier{table}.Sanitize())
	require.NoError(t, err)
}
