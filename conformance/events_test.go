package conformance

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/sqlgen"
)

// eventCases cover every event operator; eventCorpus adds random ones.
var eventCases = []string{
	`count(purchase within 30d) >= 3`, `count(purchase within 30d where amount > 100) > 0`,
	`sum(purchase.amount within 90d) > 500.37`, `sum(refund.amount) < 20.5`, `avg(purchase.amount) > 60.13`,
	`min(purchase.amount within 90d) < 30.5`, `max(view_item.amount) > 40.25`, `max(purchase.category) = "toys"`,
	`min(view_item.category between 60d and 30d ago) < "c"`, `count_distinct(view_item.category within 30d) >= 2`,
	`count_distinct(purchase.amount) >= 3`, `active_days(login within 30d) >= 2`, `active_days(session_start) > 5`,
	`first_time(purchase) within 90d`, `last_time(login) < "2026-10-01"`, `days_since(last_time(login)) > 30`,
	`first_time(email_open where campaign = "welcome") is null`, `last_time(push_click) > now() - 7d`,
	`did purchase within 30d`, `did purchase at least 3 times within 30d`, `did not login within 14d`,
	`did refund at most 1 times`, `did add_to_cart exactly 2 times within 30d`, `did not purchase at least 2 times`,
	`did email_open where campaign in ("welcome", "winback") within 60d`,
	`did purchase between "2026-09-01" and "2026-09-30T12:00:00Z"`, `count(purchase between 90d and 30d ago) = 0`,
	`did purchase within 30d and not did refund within 30d and age > 30`,
	`count(view_item where device = "ios" and category is not null within 30d) > count(view_item where device = "android" within 30d)`,
	`count(purchase within 30d) >= 3 or sum(purchase.amount within 30d) > 300.5 or active_days(login within 30d) >= 4`,
	`coalesce(avg(purchase.amount within 30d), 0) > 40.5`, `purchases_30d = count(purchase within 30d)`,
	`count(session_start within 7d) * 2 > count(view_item within 7d)`,
	`did view_item then purchase within 1d`, `did view_item then add_to_cart then purchase within 2h`,
	`did not session_start then view_item within 30m`, `did email_open where campaign = "winback" then purchase where (amount > 50) within 7d`,
	`did login then purchase between 60d and 30d ago`, `did add_to_cart then purchase and age < 40`,
	`did purchase then refund within 10d`,
}

// eventCorpus is the cases and n random event conditions.
func eventCorpus(r *rand.Rand, n int) []string {
	out := append([]string(nil), eventCases...)
	names := columnar.DemoEventNames
	filters := []string{"", "amount > 20.5", `category in ("books", "toys")`, `device = "ios"`, "campaign is null",
		`(amount > 10.5 and category = "books")`, `not (device = "web")`, "amount is null"}
	windows := []string{"", "within 7d", "within 30d", "within 90d", `between "2026-08-01" and "2026-10-15"`, "between 60d and 20d ago"}
	for len(out) < n+len(eventCases) {
		name, f, w := names[r.IntN(len(names))], filters[r.IntN(len(filters))], windows[r.IntN(len(windows))]
		spec := func(prefix string) string {
			s := prefix
			if w != "" {
				s += " " + w
			}
			if f != "" {
				s += " where " + f
			}
			return s
		}
		var e string
		switch r.IntN(10) {
		case 9: // a sequence of distinct events
			second := names[r.IntN(len(names))]
			for second == name {
				second = names[r.IntN(len(names))]
			}
			e = "did " + name
			if f != "" {
				e += " where (" + f + ")"
			}
			e += " then " + second
			switch r.IntN(3) {
			case 0:
				e += fmt.Sprintf(" within %dh", 1+r.IntN(72))
			case 1:
				e += " between 60d and 10d ago"
			}
		case 0:
			e = fmt.Sprintf("count(%s) >= %d", spec(name), r.IntN(4))
		case 1:
			e = fmt.Sprintf("sum(%s) > %d.37", spec(name+".amount"), r.IntN(300))
		case 2:
			e = fmt.Sprintf("avg(%s) < %d.21", spec(name+".amount"), 10+r.IntN(100))
		case 3:
			e = fmt.Sprintf("max(%s) >= %q", spec(name+".category"), []string{"b", "e", "h", "s"}[r.IntN(4)])
		case 4:
			e = fmt.Sprintf("count_distinct(%s) = %d", spec(name+".category"), r.IntN(3))
		case 5:
			e = fmt.Sprintf("active_days(%s) >= %d", spec(name), 1+r.IntN(3))
		case 6:
			e = fmt.Sprintf("last_time(%s) > now() - %dd", spec(name), 1+r.IntN(60))
		case 7:
			e = fmt.Sprintf("min(%s) < %d.5", spec(name+".amount"), 5+r.IntN(60))
		default:
			not := []string{"", "not "}[r.IntN(2)]
			dw := ""
			if w != "" {
				dw = " " + w
			}
			df := ""
			if f != "" {
				df = " where " + f
				if f[0] != '(' {
					df = " where (" + f + ")"
				}
			}
			e = fmt.Sprintf("did %s%s%s%s at least %d times", not, name, dw, df, 1+r.IntN(3))
		}
		if r.IntN(3) == 0 {
			e += " and age > 35"
		}
		out = append(out, e)
	}
	return out
}

// demoEventFiles writes the demo users and their events to Parquet and
// returns an engine over them (loaded back from the files).
func demoEventFiles(t *testing.T, rows int, seed uint64) (*engine.Engine, string, string) {
	dir := t.TempDir()
	opts := columnar.DemoOptions{Rows: rows, Seed: seed, Anchor: anchor}
	users, evs := filepath.Join(dir, "users.parquet"), filepath.Join(dir, "events.parquet")
	for path, tbl := range map[string]*columnar.Table{users: columnar.Demo(opts), evs: columnar.DemoEvents(opts)} {
		require.NoError(t, columnar.WriteFile(path, tbl, nil))
		tbl.Release()
	}
	ut, err := columnar.Load(context.Background(), []string{users}, columnar.LoadOptions{})
	require.NoError(t, err)
	t.Cleanup(ut.Release)
	et, err := columnar.Load(context.Background(), []string{evs}, columnar.LoadOptions{})
	require.NoError(t, err)
	t.Cleanup(et.Release)
	eng := engine.Open(ut)
	_, err = eng.AttachEvents(context.Background(), et, "user_id", engine.EventOptions{})
	require.NoError(t, err)
	return eng, users, evs
}

// TestEventSQLMatchesDuckDB: the SQL of event conditions (one GROUP BY
// pass over the events, left-joined to the users) selects segql's
// members on DuckDB.
func TestEventSQLMatchesDuckDB(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 100
	}
	eng, users, evs := demoEventFiles(t, 5_000, 11)
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	for _, stmt := range []string{
		`SET TimeZone = 'Pacific/Kiritimati'`,
		fmt.Sprintf(`CREATE TABLE users AS SELECT * FROM read_parquet('%s')`, users),
		fmt.Sprintf(`CREATE TABLE events AS SELECT * FROM read_parquet('%s')`, evs),
	} {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	d, err := sqlgen.Lookup("duckdb")
	require.NoError(t, err)
	compareEvents(t, eng, d, "users", "events", eventCorpus(rand.New(rand.NewPCG(5, 16)), n), func(q string) []string { return sqlIDs(t, db, q) })
}

// TestEventSQLMatchesPostgres: the same on PostgreSQL.
func TestEventSQLMatchesPostgres(t *testing.T) {
	n := 400
	if testing.Short() {
		n = 100
	}
	conn := connectPostgres(t)
	eng, _, _ := demoEventFiles(t, 5_000, 11)
	suffix := fmt.Sprint(time.Now().UnixNano())
	ut, evs := "users_"+suffix, "events_"+suffix
	loadPostgres(t, conn, ut, eng.Table())
	et, err := eng.EventTable(context.Background())
	require.NoError(t, err)
	loadPostgres(t, conn, evs, et)
	d, err := sqlgen.Lookup("postgres")
	require.NoError(t, err)
	run := func(q string) []string { return pgIDs(t, conn, q) }
	compareEvents(t, eng, d, ut, evs, eventCorpus(rand.New(rand.NewPCG(5, 16)), n), run)
}

func compareEvents(t *testing.T, eng *engine.Engine, d sqlgen.Dialect, users, events string, corpus []string, run func(string) []string) {
	nonEmpty, failures := 0, 0
	for _, src := range corpus {
		q, err := eng.Compile(src, engine.WithNow(anchor))
		require.NoError(t, err, src)
		res, err := q.Run(context.Background())
		require.NoError(t, err, src)
		want, err := res.IDs("user_id", -1)
		require.NoError(t, err)
		sq, err := eng.CompileSQL([]engine.SQLExpr{{Src: src}}, d, sqlgen.Options{Now: anchor, Table: []string{users},
			Events: &sqlgen.EventOptions{Table: []string{events}}})
		require.NoError(t, err, src)
		members, err := sq.Members("user_id")
		require.NoError(t, err)
		got := run(members)
		if fmt.Sprint(want) != fmt.Sprint(got) {
			t.Errorf("members differ: %s\nsegql %d members, %s %d\nSQL: %s\nsegql only: %v\n%s only: %v",
				src, len(want), d.Name(), len(got), members, firstMissing(want, got), d.Name(), firstMissing(got, want))
			if failures++; failures >= 10 {
				t.FailNow()
			}
		}
		if len(want) > 0 {
			nonEmpty++
		}
	}
	t.Logf("compared %d event expressions on %s, %d with members", len(corpus), d.Name(), nonEmpty)
	require.Greater(t, nonEmpty, len(corpus)/4)
}
