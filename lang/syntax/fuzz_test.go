package syntax

import (
	"errors"
	"testing"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
)

// FuzzParse checks that the parser never panics, that every error span lies
// inside the input, and that accepted input keeps its tree when printed
// (printing is tested in package printer; here spans and errors).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`,
		`not (interests contains "deals") or x is not null`,
		`days_since(last_purchase) > 90 and last_seen within 30d`,
		`name ilike 'a_%' and name matches "^(a|b)+$"`,
		"`odd name`.field = -1.5e3 -- comment",
		`((((a))))`, `a +`, `"unterminated`, `x in ()`, "\xff", `-9223372036854775808`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := ParseExpr("", src, Limits{MaxDepth: 64})
		if err != nil {
			var l *diag.List
			if !errors.As(err, &l) {
				t.Fatalf("error is %T, not *diag.List", err)
			}
			for _, d := range l.Items {
				if d.Pos < 0 || d.End < d.Pos || d.End > len(src) {
					t.Fatalf("span %v outside input of %d bytes: %s", d.Span, len(src), d.Msg)
				}
			}
			_ = err.Error()
			return
		}
		ast.Inspect(e, func(n ast.Expr) bool {
			sp := n.Bounds()
			if sp.Pos < 0 || sp.End < sp.Pos || sp.End > len(src) {
				t.Fatalf("node %s has span %v outside input", ast.Dump(n), sp)
			}
			return true
		})
	})
}

// FuzzParseFile checks .seg parsing: no panic, spans inside the input.
func FuzzParseFile(f *testing.F) {
	for _, s := range []string{
		"# doc\nsegment a = age > 3 # note\n\nsegment b =\n    a\n    and city = \"x\"\n",
		"segment `odd name` = x in (1, 2)\n-- free\n", "segment a =\n", "age > 1\nsegment b = c\n", "segment",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		file, err := ParseFile("f.seg", src, Limits{MaxDepth: 64})
		if err != nil {
			var l *diag.List
			if !errors.As(err, &l) {
				t.Fatalf("error is %T", err)
			}
			for _, d := range l.Items {
				if d.Pos < 0 || d.End < d.Pos || d.End > len(src) {
					t.Fatalf("span %v outside input: %s", d.Span, d.Msg)
				}
			}
			return
		}
		for _, s := range file.Segments {
			if s.Pos < 0 || s.End > len(src) {
				t.Fatalf("segment %q span %v outside input", s.Name, s.Span)
			}
		}
	})
}
