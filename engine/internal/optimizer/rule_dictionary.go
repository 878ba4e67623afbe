package optimizer

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// ruleDictionary evaluates a predicate over exactly one dictionary-encoded
// string column (and no now()) once per dictionary entry instead of once
// per row: the entries' truth values become a table, and rows take their
// entry's value by code (or by range passes over the codes when the TRUE
// entries form a few runs). The largest such subtree is wrapped, so
// `country in ("DE", "FR") or lower(country) = "us"` is one table.
var ruleDictionary = Rule{Name: "dictionary", Apply: dictionary}

func dictionary(_ *Context, n *plan.Node) (*plan.Node, error) {
	if n.Kind != value.KBool || n.Op == plan.OpDict {
		return n, nil
	}
	col, ok := dictColumn(n)
	if !ok {
		return n, nil
	}
	// A bare column's is-null test reads only validity: cheaper than a table.
	if n.Op == plan.OpIsNull && n.Args[0].Op == plan.OpColumn {
		return n, nil
	}
	out := &plan.Node{Op: plan.OpDict, Kind: value.KBool, Args: []*plan.Node{stripDict(n)}, Col: col,
		Src: n.Src, Span: n.Span, Rule: "dictionary"}
	return out, nil
}

// dictColumn reports whether n reads exactly one column, a top-level
// dictionary-encoded string column, and nothing fixed per run.
func dictColumn(n *plan.Node) (*plan.Column, bool) {
	var col *plan.Column
	ok := true
	plan.Walk([]*plan.Node{n}, func(m *plan.Node) {
		switch m.Op {
		case plan.OpNow, plan.OpSegment, plan.OpRank, plan.OpError, plan.OpEvent:
			ok = false
		case plan.OpColumn:
			if !m.Col.Top() || m.Col.Type.ID() != arrow.DICTIONARY || m.Kind != value.KStr ||
				(col != nil && col.Index != m.Col.Index) {
				ok = false
			}
			col = m.Col
		}
	})
	return col, ok && col != nil
}

// stripDict removes Dict wrappers below n (an inner subtree wrapped first,
// now covered by the outer table).
func stripDict(n *plan.Node) *plan.Node {
	if n.Op == plan.OpDict {
		return stripDict(n.Args[0])
	}
	var args []*plan.Node
	for i, a := range n.Args {
		s := stripDict(a)
		if s != a && args == nil {
			args = append([]*plan.Node(nil), n.Args...)
		}
		if args != nil {
			args[i] = s
		}
	}
	if args == nil {
		return n
	}
	cp := *n
	cp.Args = args
	return &cp
}
