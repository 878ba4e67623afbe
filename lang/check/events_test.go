package check_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/syntax"
)

// events mirrors the demo events table.
type eventsSchema struct{ check.MapSchema }

func (eventsSchema) EventNames() []string {
	return []string{"add_to_cart", "email_open", "login", "purchase", "push_click", "refund", "session_start", "view_item"}
}

var events = eventsSchema{check.MapSchema{
	{Name: "user_id", Type: check.TInt64},
	{Name: "event", Type: check.TString},
	{Name: "time", Type: check.TTimestamp},
	{Name: "amount", Type: check.TFloat64, Nullable: true},
	{Name: "qty", Type: check.TInt64, Nullable: true},
	{Name: "category", Type: check.TString, Nullable: true},
	{Name: "is_gift", Type: check.TBool, Nullable: true},
	{Name: "shipped", Type: check.TTimestamp, Nullable: true},
}}

func checkEvents(src string) (*check.Info, ast.Expr, error) {
	e, err := syntax.ParseExpr("", src, syntax.Limits{})
	if err != nil {
		return nil, nil, err
	}
	info, err := check.Check(e, diag.Source{Text: src}, check.Config{Schema: users, Events: events})
	return info, e, err
}

func TestEventTypes(t *testing.T) {
	tests := []struct{ src, typ string }{
		{`count(purchase within 30d)`, "int64"}, {`count(purchase where amount > 100 within 30d)`, "int64"},
		{`sum(purchase.amount within 90d)`, "float64"}, {`sum(purchase.qty)`, "int64"}, {`avg(purchase.qty)`, "float64"},
		{`min(purchase.category)`, "string"}, {`max(purchase.shipped)`, "timestamp"},
		{`count_distinct(view_item.category within 30d)`, "int64"}, {`active_days(login within 30d)`, "int64"},
		{`first_time(login)`, "timestamp"}, {`last_time(purchase between "2026-01-01" and "2026-02-01")`, "timestamp"},
		{`count(purchase between 60d and 30d ago)`, "int64"}, {"count(`add_to_cart`)", "int64"},
		{`count("add_to_cart")`, "int64"}, {`days_since(last_time(login))`, "int64"},
		{`count(purchase within 30d where (is_gift or qty > 1))`, "int64"},
		{`did purchase within 30d`, "bool"}, {`did not login within 14d`, "bool"},
		{`did purchase at least 3 times within 30d`, "bool"}, {`did purchase where amount > 10 exactly 2 times`, "bool"},
		{`did view_item then purchase within 1d`, "bool"}, {`did not view_item where qty > 1 then add_to_cart then purchase where (is_gift) between 60d and 30d ago`, "bool"},
	}
	for _, tt := range tests {
		info, e, err := checkEvents(tt.src + ` is null`)
		require.NoError(t, err, tt.src)
		require.Equal(t, tt.typ, info.Types[e.(*ast.IsNull).X].String(), tt.src)
	}
}

// TestEventWindowSplit: a within or between after a condition ends the
// filter and is the window; after a bare name it stays in the filter.
func TestEventWindowSplit(t *testing.T) {
	for _, src := range []string{
		`count(purchase where amount > 100 within 30d) > 0`,
		`count(purchase where qty > 1 and (is_gift or amount > 5) within 30d) > 0`,
		`count(purchase where (is_gift and qty > 1) between 60d and 30d ago) > 0`,
		`did purchase where (is_gift) within 30d`,
		`count(purchase where shipped within 2d) > 0`,
	} {
		_, _, err := checkEvents(src)
		require.NoError(t, err, src)
	}
	e, err := syntax.ParseExpr("", `count(purchase where qty > 1 and (is_gift or amount > 5) within 30d)`, syntax.Limits{})
	require.NoError(t, err)
	ev := e.(*ast.Event)
	require.NotNil(t, ev.Window)
	require.NotNil(t, ev.Window.Within)
	require.IsType(t, &ast.Logical{}, ev.Filter)
}

// TestEventErrorsGolden renders every event error case; -update rewrites.
func TestEventErrorsGolden(t *testing.T) {
	cases := []string{
		`count(purchse within 30d) > 1`, `count(purchase.amount) > 1`, `sum(purchase) > 1`,
		`sum(purchase.category) > 1`, `min(purchase.is_gift)`, `sum(purchase.amout) > 1`,
		`count(purchase within 30) > 1`, `count(purchase between 30d and 60d) > 1`,
		`count(purchase between "2026-01-01" and "2026-02-01" ago) > 1`, `count(purchase within age * 1d) > 1`,
		`count(purchase where amount) > 1`, `count(purchase where age > 3) > 1`,
		`count(purchase where count(login) > 1) > 1`, `count(purchase where is_gift within 30d) > 1`,
		`count(purchase within 30d where qty > 1 within 7d) > 1`, `count(purchase ago) > 1`,
		`did purchase within 30d within 7d`, `count(purchase) within 30d`, `did purchase at least -1 times`,
		`did purchase > 3`, `did view_item within 1d then purchase`, `did view_item then purchase at least 2 times`,
		`did view_item then purchase.amount within 1d`, `did view_item then purchse within 1d`,
		`did view_item then purchase where age > 3 within 1d`, `did view_item then purchase within 30`,
	}
	var b strings.Builder
	for _, src := range cases {
		_, _, err := checkEvents(src)
		require.Error(t, err, src)
		b.WriteString("== " + src + "\n" + err.Error() + "\n\n")
	}
	// Without an events table an event condition says how to attach one.
	_, _, err := checkSrc(`did purchase within 30d`)
	require.Error(t, err)
	b.WriteString("== without events: did purchase within 30d\n" + err.Error() + "\n\n")
	golden := filepath.Join("testdata", "event_errors.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), b.String())
}

// TestEventWordsAreNotReserved: columns may be named like the clause
// words and aggregates.
func TestEventWordsAreNotReserved(t *testing.T) {
	schema := check.MapSchema{{Name: "count", Type: check.TInt64}, {Name: "did", Type: check.TInt64},
		{Name: "times", Type: check.TInt64}, {Name: "where", Type: check.TBool}, {Name: "ago", Type: check.TInt64}}
	for _, src := range []string{`count > 1`, `did = 1 and times < 3`, `where`, `ago % 2 = 0`, `did not in (1, 2)`, `did not between 1 and 2`} {
		e, err := syntax.ParseExpr("", src, syntax.Limits{})
		require.NoError(t, err, src)
		_, err = check.Check(e, diag.Source{Text: src}, check.Config{Schema: schema})
		require.NoError(t, err, src)
	}
}
