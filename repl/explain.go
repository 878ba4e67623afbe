package repl

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/output"
	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/syntax"
)

// explain shows the expression's top-level steps in evaluation order: each
// step's selectivity estimated on the first batch and observed on the whole
// table, and its time.
func (s *Session) explain(ctx context.Context, src string) (string, error) {
	e, err := syntax.ParseExpr("", src, syntax.Limits{})
	if err != nil {
		return "", err
	}
	whole, err := s.compile(src)
	if err != nil {
		return "", err
	}
	terms, op := []ast.Expr{e}, ""
	if l, ok := e.(*ast.Logical); ok {
		terms, op = l.Terms, l.Op.String()
	}
	rows := [][]string{{"step", "predicate", "est. selectivity", "observed", "time"}}
	for i, t := range terms {
		text := printer.Expr(t)
		q, err := s.compile(text)
		if err != nil {
			return "", err
		}
		est, _, err := selectivity(ctx, q, engine.Sample(1))
		if err != nil {
			return "", err
		}
		obs, took, err := selectivity(ctx, q)
		if err != nil {
			return "", err
		}
		label := text
		if i > 0 {
			label = op + " " + text
		}
		rows = append(rows, []string{fmt.Sprint(i + 1), label, pct(est), pct(obs), output.Round(took).String()})
	}
	obs, took, err := selectivity(ctx, whole)
	if err != nil {
		return "", err
	}
	rows = append(rows, []string{"", "result", "", pct(obs), output.Round(took).String()})
	var b strings.Builder
	fmt.Fprintf(&b, "plan of %s over %s rows: steps run in this order, each over every batch\n\n", printer.Expr(e), output.Thousands(int(s.cur.t.NumRows())))
	output.Columns(&b, rows, []bool{true, false, true, true, true})
	return b.String(), nil
}

func selectivity(ctx context.Context, q *engine.Query, opts ...engine.RunOption) (float64, time.Duration, error) {
	res, err := q.Run(ctx, opts...)
	if err != nil {
		return 0, 0, err
	}
	return float64(res.Count()) / float64(max(1, res.Total())), res.Elapsed, nil
}

func pct(x float64) string { return fmt.Sprintf("%.2f%%", 100*x) }

// why shows, for one user, every clause of the expression with the user's
// values and its truth value: .why ID EXPR.
func (s *Session) why(arg string) (string, error) {
	id, src := splitID(arg)
	if src == "" {
		return "", fmt.Errorf("usage: .why ID EXPR")
	}
	col := s.idColumn()
	if col == "" {
		return "", fmt.Errorf(`the table has no "user_id" or "id" column`)
	}
	row := engine.FindRow(s.cur.t, col, id)
	if row < 0 {
		return "", fmt.Errorf("no row with %s = %s", col, id)
	}
	e, err := syntax.ParseExpr("", src, syntax.Limits{})
	if err != nil {
		return "", err
	}
	if _, err := s.compile(src); err != nil {
		return "", err
	}
	values := engine.RowAt(s.cur.t, row)
	var b strings.Builder
	top, err := s.truth(e, values)
	if err != nil {
		return "", err
	}
	verdict := map[engine.Truth]string{engine.True: "a member", engine.False: "not a member", engine.Unknown: "not a member (the expression is UNKNOWN)"}[top]
	fmt.Fprintf(&b, "%s %s is %s\n", col, id, verdict)
	if err := s.whyTree(&b, e, values, row, 1); err != nil {
		return "", err
	}
	return b.String(), nil
}

func splitID(arg string) (string, string) {
	arg = strings.TrimSpace(arg)
	if arg != "" && (arg[0] == '"' || arg[0] == '\'') {
		if end := strings.IndexByte(arg[1:], arg[0]); end >= 0 {
			return arg[1 : end+1], strings.TrimSpace(arg[end+2:])
		}
	}
	id, rest, _ := strings.Cut(arg, " ")
	return id, strings.TrimSpace(rest)
}

func (s *Session) truth(e ast.Expr, row engine.MapRow) (engine.Truth, error) {
	q, err := s.compile(printer.Expr(e))
	if err != nil {
		return engine.Unknown, err
	}
	return q.TruthAt(row, s.now())
}

// whyTree prints a clause and, for and/or/not, its parts below it.
func (s *Session) whyTree(b *strings.Builder, e ast.Expr, row engine.MapRow, rowIdx int64, depth int) error {
	t, err := s.truth(e, row)
	if err != nil {
		return err
	}
	indent := strings.Repeat("  ", depth)
	fmt.Fprintf(b, "%s%-8s %s", indent, t, printer.Expr(e))
	var kids []ast.Expr
	switch n := e.(type) {
	case *ast.Logical:
		kids = n.Terms
	case *ast.Unary:
		if n.Op == ast.Not {
			kids = []ast.Expr{n.X}
		}
	}
	if kids == nil {
		b.WriteString(s.valuesOf(e, rowIdx))
	}
	b.WriteString("\n")
	for _, k := range kids {
		if err := s.whyTree(b, k, row, rowIdx, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// valuesOf renders the user's values of the columns a clause reads.
func (s *Session) valuesOf(e ast.Expr, row int64) string {
	var parts []string
	seen := map[string]bool{}
	ast.Inspect(e, func(n ast.Expr) bool {
		r, ok := n.(*ast.Ref)
		if !ok || seen[r.Name()] {
			return true
		}
		seen[r.Name()] = true
		ci := s.cur.t.ColumnIndex(r.Path[0])
		if ci < 0 {
			parts = append(parts, r.Name()+" is a segment")
			return true
		}
		bi, i := s.cur.t.Locate(row)
		v, ok := columnar.FormatValue(s.cur.t.Batches[bi].Column(ci), i)
		if !ok {
			v = "NULL"
		}
		parts = append(parts, r.Path[0]+" = "+v)
		return true
	})
	if len(parts) == 0 {
		return ""
	}
	return "    (" + strings.Join(parts, ", ") + ")"
}
