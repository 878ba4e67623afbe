package sqlgen

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/syntax"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var now = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// schema is a users table like the demo's, with names that need quoting.
var schema = check.MapSchema{
	{Name: "user_id", Type: check.TInt64},
	{Name: "age", Type: check.Basic(check.Int32), Nullable: true},
	{Name: "income", Type: check.TFloat64, Nullable: true},
	{Name: "country", Type: check.TString},
	{Name: "city", Type: check.TString},
	{Name: "signup_date", Type: check.TDate},
	{Name: "last_seen", Type: check.TTimestamp},
	{Name: "last_local", Type: check.TTimestamp},
	{Name: "is_premium", Type: check.TBool},
	{Name: "interests", Type: check.ListOf(check.TString), Nullable: true},
	{Name: "scores", Type: check.ListOf(check.TInt64), Nullable: true},
	{Name: "address", Type: &check.Type{Kind: check.Struct, Fields: []check.Field{{Name: "zip", Type: check.TString}}}},
	{Name: `we"ird`, Type: check.TString},
	{Name: "back`tick\\", Type: check.TInt64},
	{Name: "select", Type: check.TInt64},
	{Name: "Größe", Type: check.TFloat64},
}

func zoned(col string) bool { return col == "last_seen" }

// goldenExprs covers every construct; each dialect's SQL for them is in
// testdata/<dialect>.golden.
var goldenExprs = []string{
	`age between 25 and 54 and income > 75000.5 and country in ("DE", "FR")`,
	`not (age > 30) or age is null`,
	`age not in (1, 2) and age + 1 > 10 and -age < 0 and age * 2147483647 > 1`,
	`income / age > 2 and income % 7.5 > 1 and age % 7 = 3`,
	`abs(age - 50) < 5 and round(income, -3) = 5000 and round(income) = 3 and round(age, -1) = 30 and floor(income) = ceil(income)`,
	`coalesce(age, 0) = 0 and coalesce(city, "x") = "x"`,
	`city like "M%" and city not like "a\\b%" and city ilike "mü%"`,
	`city matches "(?i)^par.s$" and city not matches "\\bam\\b|x{2,5}"`,
	`city contains "it's" and starts_with(city, "B") and ends_with(city, "n") and lower(city) = upper(city)`,
	`len(city) > 3 and len(interests) > 1`,
	`interests contains "yoga" and interests contains any ("a", null) and interests contains all ("b", "c")`,
	`scores contains 3 and interests contains city`,
	`last_seen within 30d and signup_date within 2w and last_local within 12h`,
	`last_seen > "2026-10-15T12:00:00+02:00" and signup_date >= "2024-01-31" and last_local < now() - 1d`,
	`last_seen - signup_date > 700d and last_local > last_seen`,
	`days_since(last_seen) > 30 and year(signup_date) = 2024 and month(last_local) = 3 and day_of_week(last_seen) = 7`,
	`percent_rank(income) > 0.9 and ntile(age, 4) = 1 and r_score(last_seen) = 5 and f_score(age) > 3`,
	`bucket(user_id, "exp1") < 500 and sample(city, 10%, "s")`,
	"address.zip = \"10115\" and `we\"ird` = \"it's\" and `back``tick\\` > 0 and `select` = 1 and `Größe` > 1.5",
	`is_premium and is_premium != (age > 3)`,
}

func TestGolden(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			d, err := Lookup(name)
			require.NoError(t, err)
			var b strings.Builder
			for _, src := range goldenExprs {
				b.WriteString("-- " + src + "\n")
				q, err := CompileString(src, schema, d, Options{Now: now, Zoned: zoned})
				if err != nil {
					require.ErrorIs(t, err, ErrUnsupported, src)
					b.WriteString("ERROR " + err.Error() + "\n\n")
					continue
				}
				m, err := q.Members("user_id")
				require.NoError(t, err)
				b.WriteString(m + ";\n\n")
			}
			path := filepath.Join("testdata", name+".golden")
			if *update {
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create the golden files")
			require.Equal(t, string(want), b.String())
		})
	}
}

// TestUnsupportedIsAPositionedError: a construct a dialect cannot express
// is an *Error naming it, the dialect and the source position.
func TestUnsupportedIsAPositionedError(t *testing.T) {
	for _, c := range []struct{ dialect, src, want string }{
		{"snowflake", `age > 3 and city matches "a"`, "1:26: matches cannot be expressed in snowflake SQL"},
		{"bigquery", `income % 2.5 > 1`, "1:1: % on floating-point numbers cannot be expressed in bigquery SQL"},
		{"postgres", `city = "a"`, ""},
		{"snowflake", `address.zip = "1"`, "1:1: a struct field cannot be expressed in snowflake SQL"},
		{"clickhouse", `percent_rank(income) > 0.5`, ""},
	} {
		d, err := Lookup(c.dialect)
		require.NoError(t, err)
		_, err = CompileString(c.src, schema, d, Options{Now: now})
		if c.want == "" {
			require.NoError(t, err)
			continue
		}
		require.ErrorIs(t, err, ErrUnsupported, c.src)
		require.Contains(t, err.Error(), c.want, c.src)
		var e *Error
		require.True(t, errors.As(err, &e))
		require.Equal(t, c.dialect, e.Dialect)
	}
}

func TestLookup(t *testing.T) {
	require.Equal(t, []string{"bigquery", "clickhouse", "duckdb", "postgres", "snowflake", "spark", "trino"}, Names())
	_, err := Lookup("oracle")
	require.ErrorIs(t, err, ErrUnknownDialect)
	require.Contains(t, err.Error(), "bigquery, clickhouse")
}

// TestNamesAndStringsNeverBreakOut: identifiers and string literals are
// quoted so that no name or text can end them: for each quoting rule,
// a hostile text quoted and unquoted by the rule's own inverse gives the
// text back, and the quoted form has no unescaped delimiter inside.
func TestNamesAndStringsNeverBreakOut(t *testing.T) {
	hostile := []string{`"`, `'`, "`", `\`, `\'`, `\"`, "'; DROP TABLE users; --", "a\nb", "é", "\x7f", `""`, `''`, "\\`"}
	for _, name := range Names() {
		d, _ := Lookup(name)
		for _, h := range hostile {
			id, err := d.ident(h)
			require.NoError(t, err)
			require.Equal(t, h, unquote(t, name, id, true), "%s ident %q → %s", name, h, id)
			s, err := d.str(h)
			require.NoError(t, err)
			require.Equal(t, h, unquote(t, name, s, false), "%s string %q → %s", name, h, s)
		}
		_, err := d.ident("a\x00b")
		require.ErrorIs(t, err, ErrUnsupported)
	}
}

// unquote reads a quoted identifier or string literal as the dialect's
// lexer does, failing when the quote closes before the end.
func unquote(t *testing.T, dialect, s string, ident bool) string {
	backslash := map[string]bool{"clickhouse": true, "bigquery": true, "spark": !ident, "snowflake": !ident}[dialect]
	if strings.HasPrefix(s, "E'") {
		s, backslash = s[1:], true
	}
	q := s[0]
	require.Equal(t, q, s[len(s)-1], s)
	var out strings.Builder
	body := s[1 : len(s)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case backslash && c == '\\':
			i++
			require.Less(t, i, len(body), "dangling escape in %s", s)
			out.WriteByte(unescape(body[i]))
		case c == q:
			i++
			require.True(t, i < len(body) && body[i] == q, "quote closes early in %s", s)
			out.WriteByte(q)
		default:
			out.WriteByte(c)
		}
	}
	return out.String()
}

// unescape is the character a backslash escape stands for.
func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case '0':
		return 0
	}
	return c
}

// TestColumns: a query lists the columns each expression reads, through
// segments (cached or not) and distribution functions.
func TestColumns(t *testing.T) {
	text := "segment adults = age >= 18 and country = \"DE\"\nsegment rich = income > 1 and adults\n"
	f, err := syntax.ParseFile("defs.seg", text, syntax.Limits{})
	require.NoError(t, err)
	defs, errs := check.CheckFiles([]check.Source{{File: f, Src: diag.Source{Name: "defs.seg", Text: text}}}, schema)
	require.Empty(t, errs)
	var in []Expr
	for _, src := range []string{"rich and city = \"x\"", "adults or percent_rank(income) > 0.5", "`select` = 1"} {
		tree, err := syntax.ParseExpr("", src, syntax.Limits{})
		require.NoError(t, err)
		info, err := check.Check(tree, diag.Source{Text: src}, check.Config{Schema: schema, Segments: defs})
		require.NoError(t, err)
		in = append(in, Expr{Tree: tree, Info: info, Src: diag.Source{Text: src}})
	}
	d, _ := Lookup("duckdb")
	q, err := Compile(in, d, Options{Now: now, Segments: defs})
	require.NoError(t, err)
	require.Equal(t, []string{"income", "age", "country", "city"}, q.Columns(0))
	require.Equal(t, []string{"age", "country", "income"}, q.Columns(1))
	require.Equal(t, []string{"select"}, q.Columns(2))
}
