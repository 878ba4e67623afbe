package syntax

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
)

func TestParseTree(t *testing.T) {
	tests := []struct{ src, dump string }{
		{`age between 25 and 54 and purchases_30d > 3`, `(and (between $age 25 54) (> $purchases_30d 3))`},
		{`a or b and c`, `(or $a (and $b $c))`},
		{`(a or b) and c`, `(and (or $a $b) $c)`},
		{`a and (b and c)`, `(and $a $b $c)`},
		{`not a and b`, `(and (not $a) $b)`},
		{`not not a`, `(not (not $a))`},
		{`NOT x IS NULL`, `(not (is-null $x))`},
		{`x is not null`, `(not-is-null $x)`},
		{`a + b * c > 1`, `(> (+ $a (* $b $c)) 1)`},
		{`a - b - c = 0`, `(= (- (- $a $b) $c) 0)`},
		{`-a * b % 2 <> -3`, `(!= (% (* (neg $a) $b) 2) -3)`},
		{`x == 1`, `(= $x 1)`},
		{`x not between 1 and 2`, `(not-between $x 1 2)`},
		{`country in ("DE", 'FR')`, `(in $country "DE" "FR")`},
		{`country not in ("DE")`, `(not-in $country "DE")`},
		{`name like "a%"`, `(like $name "a%")`},
		{`name not ilike "a_"`, `(not-ilike $name "a_")`},
		{`name matches "^a+$"`, `(matches $name "^a+$")`},
		{`interests contains "yoga"`, `(contains $interests "yoga")`},
		{`interests contains any ("yoga", "running")`, `(contains-any $interests "yoga" "running")`},
		{`interests contains all ("a")`, `(contains-all $interests "a")`},
		{`last_seen within 30d`, `(within $last_seen 30d)`},
		{`days_since(last_purchase) > 90`, `(> (call:days_since $last_purchase) 90)`},
		{`NOW() - 2w < t`, `(< (- (call:now) 2w) $t)`},
		{"`first name` = \"x\"", `(= $first name "x")`},
		{"`a``b` = 1", "(= $a`b 1)"},
		{`a.b.c >= 1e3`, `(>= $a.b.c f1000)`},
		{`x = .5`, `(= $x f0.5)`},
		{`x = 1.`, `(= $x f1)`},
		{`-9223372036854775808 = x`, `(= -9223372036854775808 $x)`},
		{`x = - -5`, `(= $x (neg -5))`},
		{`s = "a\"b\\c\n\u00e9\x41"`, `(= $s "a\"b\\c\né\x41")`},
		{`flag = TRUE or flag = false or x is null`, `(or (= $flag true) (= $flag false) (is-null $x))`},
		{"\ufeffa # comment\n and b -- another", `(and $a $b)`},
		{`android = 1`, `(= $android 1)`},
		{`discount_share > 30%`, `(> $discount_share 30%)`},
		{`sample(id, 12.5%, "s")`, `(call:sample $id 12.5% "s")`},
		{`x > -5% and y < 10%`, `(and (> $x -5%) (< $y 10%))`},
		{`x % 3 = 10%3`, `(= (% $x 3) (% 10 3))`},
		{`10%x = 10 % (x)`, `(= (% 10 $x) (% 10 $x))`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := ParseExpr("", tt.src, Limits{})
			require.NoError(t, err)
			require.Equal(t, strings.ReplaceAll(tt.dump, `\x41`, "A"), ast.Dump(e))
		})
	}
}

func TestParseSpans(t *testing.T) {
	src := `x > 1 and (name like "a%" or days_since(t) < 3)`
	e, err := ParseExpr("", src, Limits{})
	require.NoError(t, err)
	got := map[string]string{}
	ast.Inspect(e, func(n ast.Expr) bool {
		sp := n.Bounds()
		got[ast.Dump(n)] = src[sp.Pos:sp.End]
		return true
	})
	require.Equal(t, `x > 1`, got[`(> $x 1)`])
	require.Equal(t, `(name like "a%" or days_since(t) < 3)`, got[`(or (like $name "a%") (< (call:days_since $t) 3))`])
	require.Equal(t, `days_since(t)`, got[`(call:days_since $t)`])
	require.Equal(t, `"a%"`, got[`"a%"`])
	require.Equal(t, src, got[ast.Dump(e)])
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, msg string }{
		{``, `1:1: unexpected end of input; expected an expression`},
		{`a +`, `1:4: unexpected end of input`},
		{`a b`, `1:3: unexpected "b"`},
		{`(a`, `1:3: unexpected end of input`},
		{`a)`, `1:2: unexpected ")"`},
		{`a in ()`, `1:6: empty list: in needs at least one value`},
		{`s = "abc`, `1:5: string literal not terminated`},
		{"s = \"ab\nc\"", `1:5: string literal not terminated`},
		{`s = "\q"`, `1:6: unknown escape sequence "\\q" in string`},
		{`s = "\uD800"`, `1:6: escape sequence "\\uD800" is not a valid Unicode character`},
		{"`abc", `1:1: quoted name not terminated`},
		{"`` = 1", `1:1: empty quoted name`},
		{`x = 30days`, `1:5: invalid number "30days"`},
		{`x = 1 ! 2`, `1:7: unexpected character "!"`},
		{`x = 9223372036854775808`, `1:5: integer 9223372036854775808 is out of range (the limit is ±9223372036854775807)`},
		{`x = 1e400`, `1:5: number 1e400 is out of range for a 64-bit float`},
		{`x > 99999999999999999w`, `1:5: duration 99999999999999999w is out of range`},
		{"x = \"\xff\"", `1:6: invalid UTF-8 encoding`},
		{"x = \"a\x00\"", `1:7: NUL byte is not allowed in source text`},
		{"x = \"\u202e\"", `1:6: bidirectional control character U+202E is not allowed (it can make text display differently from how it parses; write it as an escape in a string)`},
		{`a and or b`, `1:7: unexpected keyword "or"`},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := ParseExpr("", tt.src, Limits{})
			require.Error(t, err)
			first := strings.SplitN(err.Error(), "\n", 2)[0]
			require.Equal(t, tt.msg, first)
			var l *diag.List
			require.ErrorAs(t, err, &l)
			for _, d := range l.Items {
				require.LessOrEqual(t, d.End, len(tt.src))
			}
		})
	}
}

func TestLimits(t *testing.T) {
	deep := func(open, mid, close string, n int) string {
		return strings.Repeat(open, n) + mid + strings.Repeat(close, n)
	}
	tests := []struct {
		name, src, msg string
	}{
		{"million parens", deep("(", "a", ")", 1_000_000), "expression is 2000001 bytes long, over the limit of 1048576"},
		{"deep parens", deep("(", "a", ")", 300_000), "1:257: expression nests deeper than the limit of 256"},
		{"deep not", deep("not ", "a", "", 100_000), "1:1025: expression nests deeper than the limit of 256"},
		{"deep minus", "x = " + deep("-(", "1", ")", 1000), "expression nests deeper than the limit of 256"},
		{"flat and", "a" + strings.Repeat(" and a", 20_000), "1:60003: expression has more than 10000 operators, over the node limit"},
		{"long list", "x in (" + strings.Repeat("1,", 150_000) + "1)", "1:200006: list has more than 100000 items, over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := ParseExpr("", tt.src, Limits{})
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.msg)
			t.Logf("rejected in %v", time.Since(start))
		})
	}
	// Within the limits, deep and long expressions parse.
	_, err := ParseExpr("", deep("(", "a", ")", 250), Limits{})
	require.NoError(t, err)
	_, err = ParseExpr("", "x in ("+strings.Repeat("1,", 9_999)+"1)", Limits{})
	require.NoError(t, err)
	_, err = ParseExpr("", "a"+strings.Repeat(" and a", 4_999), Limits{})
	require.NoError(t, err)
	_, err = ParseExpr("", "a"+strings.Repeat(" and a", 10_000), Limits{})
	require.ErrorContains(t, err, "expression has 10002 nodes, over the limit of 10000")
	// Limits are configurable.
	_, err = ParseExpr("", deep("(", "a", ")", 20), Limits{MaxDepth: 10})
	require.ErrorContains(t, err, "limit of 10")
}

// TestParseHints: a misspelled keyword and SQL typed by habit get hints.
func TestParseHints(t *testing.T) {
	for src, hint := range map[string]string{
		`age betwen 20 and 30`:                     `did you mean "between"?`,
		`age > 3 adn city = "x"`:                   `did you mean "and"?`,
		`select count(*) from users where age > 3`: `type just the condition, without select … where: age > 3`,
		`SELECT user_id FROM t`:                    `type just the condition (what would follow where in SQL)`,
	} {
		_, err := ParseExpr("", src, Limits{})
		var l *diag.List
		require.ErrorAs(t, err, &l, src)
		require.Equal(t, hint, l.Items[0].Hint, src)
	}
	_, err := ParseExpr("", `age > 3 xyzzy`, Limits{})
	var l *diag.List
	require.ErrorAs(t, err, &l)
	require.Empty(t, l.Items[0].Hint, "no keyword is close")
}
