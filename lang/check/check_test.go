package check_test

import (
	"flag"
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

var update = flag.Bool("update", false, "rewrite golden files")

// users mirrors the demo users table's schema.
var users = check.MapSchema{
	{Name: "user_id", Type: check.TInt64},
	{Name: "age", Type: check.Basic(check.Int32), Nullable: true},
	{Name: "gender", Type: check.TString, Nullable: true},
	{Name: "income", Type: check.TFloat64, Nullable: true},
	{Name: "occupation", Type: check.TString, Nullable: true},
	{Name: "country", Type: check.TString},
	{Name: "city", Type: check.TString},
	{Name: "climate", Type: check.TString},
	{Name: "signup_date", Type: check.TDate},
	{Name: "last_seen", Type: check.TTimestamp},
	{Name: "last_purchase", Type: check.TTimestamp, Nullable: true},
	{Name: "purchases_30d", Type: check.Basic(check.Int32)},
	{Name: "orders_total", Type: check.Basic(check.Int32)},
	{Name: "revenue_total", Type: check.TFloat64},
	{Name: "discount_share", Type: check.TFloat64, Nullable: true},
	{Name: "is_premium", Type: check.TBool},
	{Name: "interests", Type: check.ListOf(check.TString)},
	{Name: "address", Type: &check.Type{Kind: check.Struct, Fields: []check.Field{{Name: "zip", Type: check.TString}}}},
	{Name: "blob", Type: &check.Type{Kind: check.Unsupported, Name: "binary"}},
}

type segs []string

func (s segs) IsSegment(n string) bool {
	for _, x := range s {
		if x == n {
			return true
		}
	}
	return false
}
func (s segs) SegmentNames() []string { return s }

func checkSrc(src string) (*check.Info, ast.Expr, error) {
	e, err := syntax.ParseExpr("", src, syntax.Limits{})
	if err != nil {
		return nil, nil, err
	}
	info, err := check.Check(e, diag.Source{Text: src}, check.Config{Schema: users, Segments: segs{"young_adults", "deal_seekers"}})
	return info, e, err
}

// TestIssueExamples: every example analysts must be able to write checks.
func TestIssueExamples(t *testing.T) {
	for _, src := range []string{
		`age between 18 and 24`, `age >= 55`, `gender = "female" and income > 75000`,
		`occupation in ("nurse", "teacher")`, `country in ("DE", "FR") and city != "Paris"`,
		`climate = "tropical"`, `purchases_30d >= 4`, `discount_share > 0.5 and orders_total >= 2`,
		`last_seen within 30d`, `days_since(last_purchase) > 90`, `revenue_total / orders_total > 120`,
		`interests contains "meditation"`, `interests contains any ("yoga", "running")`,
		`not (interests contains "deals")`, `age between 25 and 54 and purchases_30d > 3`,
		`signup_date >= "2024-01-31"`, `last_seen > "2024-01-31T10:00:00Z"`, `last_seen < now() - 2w`,
		`address.zip like "10%"`, `young_adults and not deal_seekers`, `lower(city) = "paris"`,
		`coalesce(income, 0) + 1 > 10`, `year(signup_date) = 2024 and month(last_seen) in (1, 2)`,
		`city contains "ar"`, `last_seen - signup_date > 30d`, `round(income, -3) = 50000`,
	} {
		info, e, err := checkSrc(src)
		require.NoError(t, err, src)
		require.Equal(t, check.Bool, info.Types[e].Kind, src)
	}
}

func TestTypes(t *testing.T) {
	tests := []struct{ src, typ string }{
		{`age + 1`, "int64"}, {`age / 2`, "float64"}, {`age * 1.5`, "float64"}, {`age % 7`, "int64"},
		{`-income`, "float64"}, {`last_seen + 1d`, "timestamp"}, {`signup_date - 1w`, "timestamp"},
		{`last_seen - signup_date`, "duration"}, {`len(interests)`, "int64"}, {`lower(city)`, "string"},
		{`coalesce(age, income)`, "float64"}, {`coalesce(null, city)`, "string"}, {`abs(age)`, "int64"},
		{`floor(income)`, "float64"}, {`now()`, "timestamp"}, {`days_since(signup_date)`, "int64"},
		{`age + null`, "int64"}, {`address.zip`, "string"},
	}
	for _, tt := range tests {
		info, e, err := checkSrc(tt.src + ` is null`)
		require.NoError(t, err, tt.src)
		require.Equal(t, tt.typ, info.Types[e.(*ast.IsNull).X].String(), tt.src)
	}
}

func TestWarnings(t *testing.T) {
	info, _, err := checkSrc(`age between 54 and 25`)
	require.NoError(t, err)
	require.Len(t, info.Warnings, 1)
	require.Equal(t, "between 54 and 25 is an empty range: the lower bound is above the upper", info.Warnings[0].Msg)

	for _, src := range []string{`interests contains any ("yoga", null)`, `interests contains all (null, "yoga")`} {
		info, _, err = checkSrc(src)
		require.NoError(t, err, src)
		require.Len(t, info.Warnings, 1, src)
		require.Contains(t, info.Warnings[0].Msg, "is ignored: it matches nothing", src)
	}
}

// TestErrorsGolden renders every error case; run with -update to rewrite.
func TestErrorsGolden(t *testing.T) {
	cases := []string{
		`agee > 30`, `Age > 30`, `age > "25"`, `age = null`, `null != city`, `age not in (1, null)`,
		`city > 3 and age < "x"`, `lenght(city) > 2`, `len(age) > 1`, `round(city) > 1`,
		`abs(age, 2) > 1`, `signup_date > "31/01/2024"`, `interests = "yoga"`, `interests contains 3`,
		`age contains 3`, `city matches "(a"`, `city like city`, `age like "a%"`, `age within 30d`,
		`last_seen within 30`, `age and city`, `not age`, `age + 1`, `city + 1 > 2`, `-city = 1`,
		`address.zpi = "1"`, `age.x = 1`, `blob is null`, `young_adult`, `is_premium = 1`,
		`a1 and a2 and a3 and a4 and a5 and a6 and a7 and a8 and a9 and a10 and a11 and a12`,
		"age > 30 and\n   citty = \"Paris\"",
		`last_seen > 2026-11-01`, `signup_date = 2024-01-31`, `is_premium = "true"`, `"no" != is_premium`,
		`interests contains null`, `interests contains any (null, null)`, `coalesce(interests, interests) contains "a"`,
		`len(coalesce(address, address)) > 1`, `signup_date > "2024-02-30"`, `last_seen > "2024-01-01T10:00:00+2"`,
	}
	var b strings.Builder
	for _, src := range cases {
		_, _, err := checkSrc(src)
		require.Error(t, err, src)
		b.WriteString("== " + strings.ReplaceAll(src, "\n", "\\n") + "\n" + err.Error() + "\n\n")
	}
	golden := filepath.Join("testdata", "errors.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), b.String())
}
