package repl

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/gen"
	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/syntax"
)

func TestStatementsFeed(t *testing.T) {
	for _, c := range []struct {
		lines []string
		want  []string
	}{
		{[]string{"age > 3", ".mode csv"}, []string{"age > 3", ".mode csv"}},
		{[]string{"age > 3 and", "  city = \"x\""}, []string{"age > 3 and\n  city = \"x\""}},
		{[]string{"country in (", `"DE",`, `"FR")`}, []string{"country in (\n\"DE\",\n\"FR\")"}},
		{[]string{"segment a =", "    age > 3", "    and city = \"x\"", "", "age > 1"}, []string{"segment a =\n    age > 3\n    and city = \"x\"", "age > 1"}},
		{[]string{"segment a =", "    age > 3", "age > 1"}, []string{"segment a =\n    age > 3", "age > 1"}},
		{[]string{"segment a = age > 3", "  and b"}, []string{"segment a = age > 3", "  and b"}},
		{[]string{"age >= # a comment", "3"}, []string{"age >= # a comment\n3"}},
		{[]string{`city = "a and"`, "age > 1"}, []string{`city = "a and"`, "age > 1"}},
		{[]string{"x.any = 1", "y.in"}, []string{"x.any = 1", "y.in"}},
		{[]string{".output out-", "age > 1"}, []string{".output out-", "age > 1"}},
		{[]string{"segment a = percent_rank(age) >= 90%", "age > 1"}, []string{"segment a = percent_rank(age) >= 90%", "age > 1"}},
		{[]string{"age % ", "7 = 1"}, []string{"age % \n7 = 1"}},
	} {
		var ss Statements
		var got []string
		for _, l := range c.lines {
			for _, r := range ss.Feed(l) {
				got = append(got, r.Text)
			}
		}
		if r, pending, _ := ss.Flush(); pending {
			got = append(got, r.Text)
		}
		require.Equal(t, c.want, got, "%q", c.lines)
	}
}

// TestSegFilesAreShellInput: the example definition files and the odd
// corpus (CRLF lines, a chain defined backwards, references across files),
// as written and as fmt writes them, and fmt's rendering of long
// generated definitions (which it breaks over lines) run through the
// shell unchanged, defining every segment.
func TestSegFilesAreShellInput(t *testing.T) {
	var texts []string
	for _, dir := range []string{filepath.Join("..", "examples"), filepath.Join("..", "testdata", "segments", "edge")} {
		texts = append(texts, segTexts(t, dir)...)
	}
	s := newSession(t)
	r := rand.New(rand.NewPCG(7, 7))
	g := gen.New(r, s.cur.eng.Schema())
	var long strings.Builder
	for i := range 200 {
		e := g.Bool()
		for len(printer.Expr(e)) < 120 {
			e = &ast.Logical{Op: ast.And, Terms: []ast.Expr{e, g.Bool()}}
		}
		fmt.Fprintf(&long, "segment g%d = %s\n", i, printer.Expr(e))
	}
	f, err := syntax.ParseFile("gen.seg", long.String(), syntax.Limits{})
	require.NoError(t, err)
	longFormatted := printer.File(f)
	require.Contains(t, longFormatted, "\n    and ", "fmt breaks long definitions over lines")
	texts = append(texts, longFormatted)

	for i, text := range texts {
		s := newSession(t)
		exec(t, s, ".privacy min-size 0")
		var out, errs strings.Builder
		failed := RunScript(s, strings.NewReader(text), &out, &errs, false)
		want := strings.Count(text, "\nsegment ") + map[bool]int{true: 1}[strings.HasPrefix(text, "segment ")]
		// A generated definition may fail to evaluate (an overflow); it is
		// then an evaluation error, never a syntax one.
		require.NotContains(t, errs.String(), "unexpected", "text %d", i)
		require.NotContains(t, errs.String(), "has no expression", "text %d", i)
		if i < len(texts)-1 {
			require.Zero(t, failed, "text %d: %s", i, errs.String())
			require.Len(t, s.defs, want, "text %d", i)
		}
	}
}

// segTexts returns the .seg files of dir concatenated, as written and as
// fmt writes them (the files reference each other, so they run together).
func segTexts(t *testing.T, dir string) []string {
	paths, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	var raw, formatted strings.Builder
	for _, p := range paths {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		f, err := syntax.ParseFile(p, string(b), syntax.Limits{})
		require.NoError(t, err)
		raw.WriteString(string(b) + "\n")
		formatted.WriteString(printer.File(f) + "\n")
	}
	return []string{raw.String(), formatted.String()}
}

// TestForwardReferencesInScripts: a script's definition may reference a
// segment defined later; one whose name never comes fails at the end with
// the checker's error.
func TestForwardReferencesInScripts(t *testing.T) {
	s := newSession(t)
	var out, errs strings.Builder
	failed := RunScript(s, strings.NewReader("segment a = b and age > 1\nsegment c = nope > 1\nsegment b = age < 50\n"), &out, &errs, false)
	require.Equal(t, 1, failed, errs.String())
	require.Contains(t, out.String(), "segment a waits for b (defined later)")
	require.Regexp(t, `segment b defined: [\d,]+ members[^\n]*\nsegment a defined: `, out.String())
	require.Contains(t, errs.String(), "segment c: 1:13: unknown name \"nope\": neither a column nor a segment")
	require.Len(t, s.defs, 2)

	_, err := s.Execute(context.Background(), "segment d = later > 1") // typed: no waiting
	require.ErrorContains(t, err, `unknown name "later": neither a column nor a segment`)
}
