package repl

import (
	"context"
	"fmt"
	"strings"

	"github.com/segql/segql/engine"
)

// explain runs the expression once and shows its plan: the optimizer's
// rules, every step with its kernel, estimated and observed selectivity,
// the rows it was asked for and left undecided (the narrowing of and/or
// terms), and its time.
func (s *Session) explain(ctx context.Context, src string) (string, error) {
	if s.cur.stream != nil {
		return s.explainStreamed(ctx, src)
	}
	_, res, err := s.run(ctx, src)
	if err != nil {
		return "", err
	}
	return res.Explain().String(), nil
}

// why shows, for one user, every clause of the expression with its truth
// value, the column values it read and the values it computed, named
// segments expanded into their definitions: .why ID EXPR.
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
	q, err := s.compile(src)
	if err != nil {
		return "", err
	}
	tr, err := q.TraceAt(s.cur.eng.RowAt(row), s.now())
	if err != nil && tr == nil {
		return "", err
	}
	var b strings.Builder
	verdict := map[engine.Truth]string{engine.True: "a member", engine.False: "not a member", engine.Unknown: "not a member (the expression is UNKNOWN)"}[tr.Truth]
	if err != nil {
		verdict = "not a member: evaluating it fails"
	}
	fmt.Fprintf(&b, "%s %s is %s\n", col, id, verdict)
	writeTrace(&b, tr, 1)
	if err != nil {
		fmt.Fprintf(&b, "\n%v\n", err)
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

// maxIndent is the deepest level a trace indents to.
const maxIndent = 12

// writeTrace prints a clause and, below it, its parts.
func writeTrace(b *strings.Builder, tr *engine.Trace, depth int) {
	indent := strings.Repeat("  ", min(depth, maxIndent))
	if depth > maxIndent { // deep definitions: show the level, keep the width
		indent += fmt.Sprintf("[%d] ", depth)
	}
	truth := tr.Truth.String()
	switch {
	case tr.NotEvaluated():
		truth = "-"
	case tr.Err != nil:
		truth = "ERROR"
	}
	text := tr.Text
	if tr.Segment != "" {
		text = "segment " + tr.Segment
	}
	fmt.Fprintf(b, "%s%-8s %s", indent, truth, text)
	var vals []string
	for _, v := range tr.Inputs {
		vals = append(vals, v.Name+" = "+v.Value)
	}
	for _, v := range tr.Computed {
		vals = append(vals, v.Name+" = "+v.Value)
	}
	if len(vals) > 0 {
		b.WriteString("    (" + strings.Join(vals, ", ") + ")")
	}
	switch {
	case tr.NotEvaluated():
		b.WriteString("    (not evaluated: an earlier clause decided)")
	case tr.Repeat:
		b.WriteString("    (as above)")
	}
	b.WriteString("\n")
	for _, p := range tr.Parts {
		writeTrace(b, p, depth+1)
	}
}
