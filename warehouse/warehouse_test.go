package warehouse

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/pgtest"
	"github.com/segql/segql/internal/testtables"
	"github.com/segql/segql/lang/sqlgen"
)

// uploaded copies tbl into a new table of the test server, dropped with
// the test, and returns its URL.
func uploaded(t *testing.T, tbl *columnar.Table, name string) string {
	base := pgtest.URL(t)
	name = fmt.Sprintf("%s_%d", name, time.Now().UnixNano())
	u := pgtest.WithTable(t, base, name)
	n, err := Upload(context.Background(), u, tbl.Schema, tbl.Each)
	require.NoError(t, err)
	require.EqualValues(t, tbl.NumRows(), n)
	pgtest.DropAtCleanup(t, base, name)
	return u
}

var now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// localIDs are the members segql finds in memory.
func localIDs(t *testing.T, eng *engine.Engine, src, id string) []string {
	q, err := eng.Compile(src, engine.WithNow(now))
	require.NoError(t, err, src)
	res, err := q.Run(context.Background())
	require.NoError(t, err)
	ids, _, err := res.MemberIDs(id, -1)
	require.NoError(t, err)
	slices.Sort(ids)
	return ids
}

func remoteIDs(t *testing.T, s *Source, src string) []string {
	q, err := s.Compile([]engine.SQLExpr{{Name: "x", Src: src}}, sqlgen.Options{Now: now})
	require.NoError(t, err, src)
	var ids []string
	_, err = s.IDs(context.Background(), q, s.IDColumn(), func(id string) error { ids = append(ids, id); return nil })
	require.NoError(t, err, src)
	slices.Sort(ids)
	return ids
}

// TestSourceMatchesEngine runs segments on the demo table uploaded to
// PostgreSQL and requires segql's own members, counts, sizes and rows.
func TestSourceMatchesEngine(t *testing.T) {
	tbl := columnar.Demo(columnar.DemoOptions{Rows: 3000, Seed: 5})
	u := uploaded(t, tbl, "demo")
	ctx := context.Background()
	s, err := Open(ctx, u)
	require.NoError(t, err)
	defer s.Close(ctx)
	require.Empty(t, s.Skipped())
	require.Equal(t, "user_id", s.IDColumn())
	eng := engine.Open(tbl)
	exprs := []string{
		`age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`,
		`not (income > 50000) or gender is null`,
		`interests contains "sports" and days_since(last_seen) < 30`,
		`percent_rank(revenue_total) >= 0.9`,
		`lower(city) like "%n%" and signup_date >= "2024-01-01"`,
		`nps / 0 is null and round(churn_risk, 1) = 0.5`,
	}
	var items []engine.SQLExpr
	for i, src := range exprs {
		require.Equal(t, localIDs(t, eng, src, "user_id"), remoteIDs(t, s, src), src)
		items = append(items, engine.SQLExpr{Name: fmt.Sprintf("s%d", i), Src: src})
	}
	q, err := s.Compile(items, sqlgen.Options{Now: now})
	require.NoError(t, err)
	rows, sizes, err := s.Sizes(ctx, q)
	require.NoError(t, err)
	require.Equal(t, 3000, rows)
	for i, src := range exprs {
		lq, err := eng.Compile(src, engine.WithNow(now))
		require.NoError(t, err)
		res, err := lq.Run(ctx)
		require.NoError(t, err)
		require.Equal(t, Size{Members: res.Count(), Unknown: res.Unknown()}, sizes[i], src)
	}
	total, err := s.Total(ctx)
	require.NoError(t, err)
	require.Equal(t, 3000, total)
	requireSameRows(t, eng, s, exprs[0])
	requireSameRows(t, eng, s, exprs[3])
}

// requireSameRows compares every column of the members' rows, printed.
func requireSameRows(t *testing.T, eng *engine.Engine, s *Source, src string) {
	ctx := context.Background()
	lq, err := eng.Compile(src, engine.WithNow(now))
	require.NoError(t, err)
	res, err := lq.Run(ctx)
	require.NoError(t, err)
	var cols []string
	for _, f := range s.Schema().Fields() {
		cols = append(cols, f.Name)
	}
	want, err := res.Rows(cols, -1, nil)
	require.NoError(t, err)
	defer want.Release()
	q, err := s.Compile([]engine.SQLExpr{{Name: "x", Src: src}}, sqlgen.Options{Now: now})
	require.NoError(t, err)
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	var got []string
	err = s.Rows(ctx, q, nil, "user_id", -1, mem, func(rec arrow.RecordBatch) error {
		got = append(got, printRows(rec)...)
		return nil
	})
	require.NoError(t, err)
	mem.AssertSize(t, 0)
	require.Equal(t, printRows(want), got)
}

func printRows(rec arrow.RecordBatch) []string {
	var out []string
	for i := range int(rec.NumRows()) {
		var cells []string
		for _, c := range rec.Columns() {
			v, _ := columnar.FormatValue(c, i)
			cells = append(cells, v)
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out
}

// TestHostileNamesAndValues uploads a table whose column names and values
// are built to break out of quoting, and requires segql's members for
// expressions over them: the generated SQL can neither fail nor do
// anything else, and the table is intact afterwards.
func TestHostileNamesAndValues(t *testing.T) {
	tbl := testtables.Hostile()
	u := uploaded(t, tbl, "hostile")
	ctx := context.Background()
	s, err := Open(ctx, u)
	require.NoError(t, err)
	defer s.Close(ctx)
	eng := engine.Open(tbl)
	nonEmpty := 0
	exprs := testtables.HostileExprs()
	for _, src := range exprs {
		want := localIDs(t, eng, src, "id")
		require.Equal(t, want, remoteIDs(t, s, src), src)
		if len(want) > 0 {
			nonEmpty++
		}
	}
	require.Greater(t, nonEmpty, len(exprs)/2)
	total, err := s.Total(ctx)
	require.NoError(t, err)
	require.EqualValues(t, tbl.NumRows(), total)
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	_, err := Open(ctx, "postgres://u:secret@127.0.0.1:1/db")
	require.ErrorIs(t, err, ErrNoTable)
	require.NotContains(t, err.Error(), "secret")
	_, err = Open(ctx, "postgres://u:secret@127.0.0.1:1/db?table=users&connect_timeout=2")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "secret")
	base := pgtest.URL(t)
	tbl := columnar.Demo(columnar.DemoOptions{Rows: 10, Seed: 1})
	u := uploaded(t, tbl, "Users")
	name, _ := url.Parse(u)
	_, err = Open(ctx, pgtest.WithTable(t, base, strings.ToLower(name.Query().Get("table"))))
	require.ErrorIs(t, err, ErrNoTable)
	require.Contains(t, err.Error(), `did you mean "`+name.Query().Get("table")+`"?`)
	_, err = Upload(ctx, u, tbl.Schema, tbl.Each)
	require.ErrorIs(t, err, ErrTableExists)
	require.True(t, errors.Is(err, ErrTableExists))
}

// TestSkippedColumns: columns of types segql cannot read are left out and
// listed, and an expression naming one is an unknown-column error.
func TestSkippedColumns(t *testing.T) {
	base := pgtest.URL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	require.NoError(t, err)
	defer conn.Close(ctx)
	name := fmt.Sprintf("typed_%d", time.Now().UnixNano())
	_, err = conn.Exec(ctx, "CREATE TABLE "+name+` (id bigint, amount numeric(10,2), code char(3), doc jsonb, tags text[], n smallint, r real, d date, ts timestamp, tz timestamptz)`)
	require.NoError(t, err)
	defer conn.Exec(ctx, "DROP TABLE "+name)
	_, err = conn.Exec(ctx, "INSERT INTO "+name+` VALUES (1, 1.5, 'ab', '{}', '{a,NULL}', 3, 1.5, '1969-12-31', '2026-01-01 10:00', '2026-01-01 10:00+02'), (2, NULL, NULL, NULL, NULL, NULL, 'NaN', 'infinity', NULL, NULL)`)
	require.NoError(t, err)
	s, err := Open(ctx, pgtest.WithTable(t, base, name))
	require.NoError(t, err)
	defer s.Close(ctx)
	var skipped []string
	for _, k := range s.Skipped() {
		skipped = append(skipped, k.Column+" "+k.Type)
	}
	require.Equal(t, []string{"amount numeric", "code bpchar", "doc jsonb"}, skipped)
	_, err = s.Compile([]engine.SQLExpr{{Name: "x", Src: "amount > 1"}}, sqlgen.Options{Now: now})
	require.ErrorContains(t, err, `unknown column "amount"`)
	q, err := s.Compile([]engine.SQLExpr{{Name: "x", Src: `tags contains "a" or n = 3`}}, sqlgen.Options{Now: now})
	require.NoError(t, err)
	var got []string
	err = s.Rows(ctx, q, nil, "id", -1, nil, func(rec arrow.RecordBatch) error {
		got = append(got, printRows(rec)...)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, []string{`1|["a",null]|3|1.5|1969-12-31|2026-01-01T10:00:00Z|2026-01-01T08:00:00Z`}, got)
	q, err = s.Compile([]engine.SQLExpr{{Name: "x", Src: `id = 2`}}, sqlgen.Options{Now: now})
	require.NoError(t, err)
	err = s.Rows(ctx, q, nil, "id", -1, nil, func(arrow.RecordBatch) error { return nil })
	require.ErrorContains(t, err, `row 1, column "d": infinity has no segql value`)
	require.NotContains(t, err.Error(), "PostgreSQL:")
}

// TestServerErrorsPointAtTheExpression: an error the server raises while
// running one expression renders as that expression, as segql's own
// errors do; the same expression overflows in memory too.
func TestServerErrorsPointAtTheExpression(t *testing.T) {
	tbl := columnar.Demo(columnar.DemoOptions{Rows: 50, Seed: 2})
	s, err := Open(context.Background(), uploaded(t, tbl, "errs"))
	require.NoError(t, err)
	defer s.Close(context.Background())
	src := "user_id * 9223372036854775807 > 1"
	q, err := s.Compile([]engine.SQLExpr{{Name: "x", Src: src}}, sqlgen.Options{Now: now})
	require.NoError(t, err)
	_, err = s.Count(context.Background(), q)
	var qe *QueryError
	require.ErrorAs(t, err, &qe)
	require.Equal(t, "1:1: PostgreSQL: bigint out of range (SQLSTATE 22003)\n    "+src+"\n    "+strings.Repeat("^", len(src)), err.Error())
	lq, err := engine.Open(tbl).Compile(src)
	require.NoError(t, err)
	_, err = lq.Run(context.Background())
	require.ErrorContains(t, err, "integer overflow")
}

// TestConcurrentUse: one Source serves queries from many goroutines (run
// with -race); each gets its own answer.
func TestConcurrentUse(t *testing.T) {
	tbl := columnar.Demo(columnar.DemoOptions{Rows: 500, Seed: 3})
	s, err := Open(context.Background(), uploaded(t, tbl, "conc"))
	require.NoError(t, err)
	defer s.Close(context.Background())
	eng := engine.Open(tbl)
	const n = 8
	var want, got [n][]string
	var wg sync.WaitGroup
	for g := range n {
		src := fmt.Sprintf("age > %d", 20+5*g)
		want[g] = localIDs(t, eng, src, "user_id")
		wg.Add(1)
		go func() {
			defer wg.Done()
			q, err := s.Compile([]engine.SQLExpr{{Name: "x", Src: src}}, sqlgen.Options{Now: now})
			if !assert.NoError(t, err) {
				return
			}
			_, err = s.IDs(context.Background(), q, "user_id", func(id string) error { got[g] = append(got[g], id); return nil })
			assert.NoError(t, err)
			slices.Sort(got[g])
		}()
	}
	wg.Wait()
	require.Equal(t, want, got)
}
