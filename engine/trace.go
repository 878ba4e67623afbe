package engine

import (
	"fmt"
	"time"

	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/value"
)

// Trace is one user's evaluation of a query, clause by clause: the
// query's structure (and, or, not, and named segments expanded into their
// definitions) with each clause's truth value, the column values it read
// and the values it computed (scores, ranks, buckets, arithmetic). It is
// made by the row evaluator over the query's plan, so it agrees with Run
// and Match.
type Trace struct {
	Text     string // the clause, in segql
	Segment  string // set when the clause is a named segment
	Truth    Truth
	Err      error      // the clause's evaluation error, if any
	Inputs   []TraceVal // columns read
	Computed []TraceVal // values computed below the clause (function calls, arithmetic)
	Parts    []*Trace   // and/or/not parts; a segment's definition
	// Repeat marks a clause shown in full earlier in the same trace (a
	// named segment used twice): it has its truth but no parts, so a
	// trace grows with the definitions, not with the paths through them.
	Repeat bool
}

// TraceVal is a named value in a trace.
type TraceVal struct {
	Name  string
	Value string // "null" for null
}

// TraceAt evaluates the query for one row, with now() fixed to t, and
// returns the trace and the query's truth value (with the error Run would
// raise for the row).
func (q *Query) TraceAt(row Row, t time.Time) (tr *Trace, err error) {
	defer recoverInto(&err, "tracing", q.src)
	results := map[*plan.Node]rowexec.Result{}
	trace := func(n *plan.Node, v value.Value, err error) { results[n] = rowexec.Result{V: v, Err: err} }
	_, err = q.evalRow(q.logical, &mapSource{row: row, fields: q.engine.fields}, t, trace)
	b := &traceBuilder{results: results, shown: map[*plan.Node]bool{}}
	return b.build(q.logical), err
}

type traceBuilder struct {
	results map[*plan.Node]rowexec.Result
	shown   map[*plan.Node]bool // connectives and segments already in the trace
}

func (b *traceBuilder) build(n *plan.Node) *Trace {
	r, seen := b.results[n]
	tr := &Trace{Text: sourceText(n), Truth: truthOf(r.V), Err: r.Err}
	if !seen { // not evaluated: a term after the deciding one
		tr.Truth = Unknown
		tr.Err = errNotEvaluated
	}
	if len(n.Args) > 0 {
		if b.shown[n] {
			tr.Repeat = true
			if n.Op == plan.OpSegment {
				tr.Segment, tr.Text = n.Name, n.Name
			}
			return tr
		}
		b.shown[n] = true
	}
	switch n.Op {
	case plan.OpAnd, plan.OpOr, plan.OpNot:
		if !lowered(n) {
			for _, a := range n.Args {
				tr.Parts = append(tr.Parts, b.build(a))
			}
			return tr
		}
	case plan.OpSegment:
		tr.Segment = n.Name
		tr.Text = n.Name
		tr.Parts = []*Trace{b.build(n.Args[0])}
		return tr
	}
	b.values(n, tr)
	return tr
}

// sourceText is the clause as written, when the node covers a span of its
// source, else its canonical form.
func sourceText(n *plan.Node) string {
	if n.Src != nil && n.Span.Pos >= 0 && n.Span.End <= len(n.Src.Text) && n.Span.Pos < n.Span.End {
		return n.Src.Text[n.Span.Pos:n.Span.End]
	}
	return plan.Format(n)
}

// lowered reports a connective the planner made from one construct (a
// between, a within): its parts share its span, and it shows as one
// clause.
func lowered(n *plan.Node) bool {
	for _, a := range n.Args {
		if a.Span != n.Span {
			return false
		}
	}
	return true
}

// errNotEvaluated marks a clause the evaluation did not need.
var errNotEvaluated = fmt.Errorf("not evaluated: an earlier clause decided the result")

// NotEvaluated reports a clause the evaluation skipped.
func (t *Trace) NotEvaluated() bool { return t.Err == errNotEvaluated }

// values collects the columns a leaf clause read and the values computed
// below it.
func (b *traceBuilder) values(n *plan.Node, tr *Trace) {
	seen := map[string]bool{}
	plan.Walk([]*plan.Node{n}, func(m *plan.Node) {
		r, ok := b.results[m]
		if !ok || m == n {
			return
		}
		text := r.V.String()
		if r.Err != nil {
			text = "error: " + r.Err.Error()
		}
		switch {
		case m.Op == plan.OpColumn:
			if !seen[m.Col.Name] {
				seen[m.Col.Name] = true
				tr.Inputs = append(tr.Inputs, TraceVal{Name: m.Col.Name, Value: text})
			}
		case m.Op == plan.OpCall || m.Op == plan.OpRank || m.Op == plan.OpArith || m.Op == plan.OpCoalesce || m.Op == plan.OpEvent:
			name := plan.Format(m)
			if !seen[name] {
				seen[name] = true
				tr.Computed = append(tr.Computed, TraceVal{Name: name, Value: text})
			}
		}
	})
}
