package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// eventFiles writes a small users table and its events (with an unknown
// user and a null time, which are ignored with a warning).
func eventFiles(t *testing.T) (users, events string) {
	dir := t.TempDir()
	users, events = filepath.Join(dir, "users.csv"), filepath.Join(dir, "events.csv")
	require.NoError(t, os.WriteFile(users, []byte("user_id,age\n1,30\n2,40\n3,50\n4,60\n"), 0o644))
	require.NoError(t, os.WriteFile(events, []byte(`uid,kind,at,amount
1,purchase,2026-10-30T10:00:00Z,120.5
1,purchase,2026-10-20T10:00:00Z,80
1,purchase,2026-08-01T10:00:00Z,10
2,purchase,2026-10-31T23:00:00Z,5
2,login,2026-10-31T23:00:00Z,
3,login,2026-09-01T00:00:00Z,
9,purchase,2026-10-30T10:00:00Z,1
4,purchase,,7
`), 0o644))
	return users, events
}

// TestEventsCLI: --events with named columns works in eval, sizes and
// sql, warns about ignored events, and names a missing column.
func TestEventsCLI(t *testing.T) {
	users, events := eventFiles(t)
	common := []string{"--data", users, "--events", events, "--events-user", "uid", "--events-name", "kind",
		"--events-time", "at", "--now", "2026-11-01T00:00:00Z", "--min-size", "0"}
	for _, c := range []struct{ expr, ids string }{
		{"did purchase within 30d", "1\n2\n"},
		{"count(purchase within 30d) >= 2", "1\n"},
		{"did not login within 14d", "1\n3\n4\n"},
		{"sum(purchase.amount) > 100 and age < 35", "1\n"},
		{"count(purchase within 30d where amount > 100) = 1", "1\n"},
		{"days_since(last_time(login)) > 30", "3\n"},
		{"first_time(purchase) is null", "3\n4\n"},
	} {
		args := append([]string{"eval", "-o", "ids"}, common...)
		out, errs, code := segql(t, "", append(args, c.expr)...)
		require.Equal(t, 0, code, "%s: %s", c.expr, errs)
		require.Equal(t, c.ids, out, c.expr)
		require.Contains(t, errs, "2 of 8 events are ignored: 0 with a null user, 0 with a null name, 1 with a null time, 1 for users not in the table", c.expr)
	}
	_, errs, code := segql(t, "", "eval", "--data", users, "--events", events, "did purchase")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "the events table has none of the columns [user_id user id] for the user id, --events-user: name it")

	_, errs, code = segql(t, "", append([]string{"eval"}, append(common, "count(purchse) > 1")...)...)
	require.Equal(t, 1, code)
	require.Contains(t, errs, `there are no events named "purchse" in the events table`)
	require.Contains(t, errs, `did you mean "purchase"?`)

	out, errs, code := segql(t, "", "sql", "--data", users, "--events", events, "--events-user", "uid", "--events-name", "kind",
		"--events-time", "at", "--events-table", "lake.events", "--now", "2026-11-01", "did purchase within 30d")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, `FROM "lake"."events" WHERE "uid" IS NOT NULL AND "kind" IS NOT NULL AND "at" IS NOT NULL GROUP BY "uid"`)
	require.Contains(t, out, `count(CASE WHEN "kind" = 'purchase' AND "at" BETWEEN`)
}

// TestEventsDemo: the demo table has its events without flags, in eval
// and the shell, and .why shows the count it used.
func TestEventsDemo(t *testing.T) {
	out, errs, code := segql(t, "", "eval", "-o", "count", "purchases_30d = count(purchase within 30d)")
	require.Equal(t, 0, code, errs)
	require.Equal(t, "20000\n", out)

	out, errs, code = segql(t, ".why 7 did purchase at least 3 times within 30d\n", "--demo-rows", "2000", "--now", "2026-11-01T00:00:00Z")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "(count(purchase within 30d) = ")
}

// TestEventsShellLoad: .load FILE as events attaches events to the
// current table.
func TestEventsShellLoad(t *testing.T) {
	users, _ := eventFiles(t)
	dir := t.TempDir()
	events := filepath.Join(dir, "ev.csv")
	require.NoError(t, os.WriteFile(events, []byte("user_id,event,time\n1,login,2026-10-30T10:00:00Z\n2,login,2026-01-01T00:00:00Z\n"), 0o644))
	script := strings.Join([]string{".privacy min-size 0", ".load " + events + " as events", "did login within 30d"}, "\n") + "\n"
	out, errs, code := segql(t, script, "--data", users, "--now", "2026-11-01T00:00:00Z")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "loaded the events of users: 2 events, 1 names")
	require.Contains(t, out, "1 member")
}

// TestGenEvents: segql gen writes the demo events beside the users, and
// the users' behavioral columns agree with them read back from files.
func TestGenEvents(t *testing.T) {
	dir := t.TempDir()
	users, events := filepath.Join(dir, "users.parquet"), filepath.Join(dir, "events.parquet")
	_, errs, code := segql(t, "", "gen", "--rows", "2000", "--seed", "3", "--out", users, "--events-out", events)
	require.Equal(t, 0, code, errs)
	require.Contains(t, errs, "events to "+events)
	out, errs, code := segql(t, "", "eval", "--data", users, "--events", events, "--now", "2026-11-01", "-o", "count",
		"purchases_30d = count(purchase within 30d) and orders_total = count(purchase) and last_seen = last_time(login)")
	require.Equal(t, 0, code, errs)
	require.Equal(t, "2000\n", out)
	_, errs, code = segql(t, "", "gen", "--rows", "10", "--out", users, "--events-out", users)
	require.Equal(t, 2, code)
	require.Contains(t, errs, "name the same file")
}
