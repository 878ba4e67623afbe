package sqlgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/lang/check"
)

// withEvents is the users schema with an events table.
type withEvents struct{ check.MapSchema }

type eventsSchema struct{ check.MapSchema }

func (eventsSchema) EventNames() []string { return nil }

func (withEvents) Events() check.Events {
	return eventsSchema{check.MapSchema{
		{Name: "user_id", Type: check.TInt64}, {Name: "event", Type: check.TString},
		{Name: "time", Type: check.TTimestamp}, {Name: "amount", Type: check.TFloat64, Nullable: true},
		{Name: "qty", Type: check.TInt64, Nullable: true}, {Name: "category", Type: check.TString, Nullable: true},
	}}
}

// eventExprs cover every event operator; each dialect's SQL for them is
// in testdata/events_<dialect>.golden.
var eventExprs = []string{
	`count(purchase within 30d where amount > 100) >= 3 and age > 30`,
	`sum(purchase.amount within 90d) > 500 or sum(purchase.qty) > 3 or avg(purchase.qty) > 1.5`,
	`min(purchase.category between "2026-01-01" and "2026-02-01") = "books" and max(view.amount between 60d and 30d ago) < 9`,
	`count_distinct(view.category) >= 3 and active_days(login within 30d) >= 5`,
	`first_time(signup) within 7d and days_since(last_time(login)) > 30`,
	"did purchase at least 3 times within 30d and did not `add to cart` within 14d and not did refund exactly 1 times",
	`did view where category = "books" then purchase where (amount > 20) within 2h or did not login then purchase between 60d and 30d ago`,
}

func TestEventsGolden(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			d, err := Lookup(name)
			require.NoError(t, err)
			var b strings.Builder
			for _, src := range eventExprs {
				b.WriteString("-- " + src + "\n")
				q, err := CompileString(src, withEvents{schema}, d, Options{Now: now, Zoned: zoned,
					Events: &EventOptions{Table: []string{"analytics", "events"}, Zoned: func(c string) bool { return c == "time" }}})
				if err != nil {
					require.ErrorIs(t, err, ErrUnsupported, src)
					b.WriteString("ERROR " + err.Error() + "\n\n")
					continue
				}
				require.False(t, q.Standalone(), src)
				m, err := q.Members("user_id")
				require.NoError(t, err)
				b.WriteString(m + ";\n\n")
			}
			path := filepath.Join("testdata", "events_"+name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create the golden files")
			require.Equal(t, string(want), b.String())
		})
	}
}

// TestSequenceRepeatingAnEvent: a sequence whose steps share a name is a
// positioned error in SQL (its events would need telling apart).
func TestSequenceRepeatingAnEvent(t *testing.T) {
	d, err := Lookup("postgres")
	require.NoError(t, err)
	_, err = CompileString(`age > 3 and did login then purchase then login within 1d`, withEvents{schema}, d, Options{Now: now, Events: &EventOptions{}})
	require.ErrorIs(t, err, ErrUnsupported)
	require.Contains(t, err.Error(), "1:13")
}

// TestEventsNeedOptions: without Options.Events an event condition is a
// positioned error.
func TestEventsNeedOptions(t *testing.T) {
	d, err := Lookup("duckdb")
	require.NoError(t, err)
	_, err = CompileString(`age > 3 and did purchase`, withEvents{schema}, d, Options{Now: now})
	require.Error(t, err)
	require.Contains(t, err.Error(), "1:13")
	require.Contains(t, err.Error(), "events table")
}
