package engine

import (
	"slices"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
)

// ValueCounts returns how often each value of a string, dictionary or
// boolean column occurs (list columns: their elements), or nil for other
// columns, unknown names and schema-only engines. It is computed on first
// use and shared: callers must not change the map.
func (e *Engine) ValueCounts(column string) map[string]int {
	i := e.table.ColumnIndex(column)
	if i < 0 || !e.data {
		return nil
	}
	return e.stats.Values(i)
}

// valueWarnings warns about each string constant an expression compares
// a string column with (=, !=, in, not in) that no row of the column
// holds: "Germany" for a column of country codes gives 0 members
// silently otherwise. The hint is the nearest value that does occur (a
// case-insensitive match first).
func (e *Engine) valueWarnings(tree ast.Expr, info *check.Info) []diag.Diagnostic {
	if !e.data {
		return nil
	}
	var out []diag.Diagnostic
	warn := func(col ast.Expr, lits ...ast.Expr) {
		values := e.comparedValues(col, info)
		if values == nil {
			return
		}
		for _, l := range lits {
			lit, ok := l.(*ast.Literal)
			if !ok || lit.Kind != ast.String {
				continue
			}
			if _, found := values[lit.Str]; !found {
				out = append(out, valueWarning(lit, info.Refs[col.(*ast.Ref)].Column, values))
			}
		}
	}
	ast.Inspect(tree, func(n ast.Expr) bool {
		switch n := n.(type) {
		case *ast.Compare:
			if n.Op == ast.Eq || n.Op == ast.Ne {
				warn(n.X, n.Y)
				warn(n.Y, n.X)
			}
		case *ast.In:
			warn(n.X, n.List...)
		}
		return true
	})
	return out
}

// comparedValues is the value counts of x when it is a top-level string
// column, else nil.
func (e *Engine) comparedValues(x ast.Expr, info *check.Info) map[string]int {
	ref, ok := x.(*ast.Ref)
	if !ok {
		return nil
	}
	r, ok := info.Refs[ref]
	if !ok || r.Kind != check.ColumnRef || len(r.Fields) > 0 {
		return nil
	}
	if t := info.Types[x]; t == nil || t.Kind != check.String {
		return nil
	}
	return e.ValueCounts(r.Column)
}

func valueWarning(lit *ast.Literal, column string, values map[string]int) diag.Diagnostic {
	names := make([]string, 0, len(values))
	for v := range values {
		names = append(names, v)
	}
	slices.Sort(names)
	d := diag.Diagnostic{Span: lit.Span, Severity: diag.Warning,
		Msg: "no row has " + diag.Quote(lit.Str) + " in column " + diag.Quote(column)}
	if s := diag.Suggest(lit.Str, names); s != "" {
		d.Hint = "did you mean " + diag.Quote(s) + "?"
	}
	return d
}
