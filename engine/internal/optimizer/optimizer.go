// Package optimizer rewrites plans with named rules, one per file. Each
// rule is a function from a node (whose arguments are already rewritten)
// to a replacement, applied bottom-up over the whole DAG in one pass per
// rule; a node shared by several parents is rewritten once and stays
// shared. Every rule preserves the result of every row, errors included
// (the differential tests run each expression with and without them).
//
// Normalizing rules always run (constant folding, in-lists into sets,
// negations pushed down); the others choose faster forms and can be
// turned off (WithoutOptimizations) to check them.
package optimizer

import (
	"context"

	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/stats"
)

// Context is what rules may consult.
type Context struct {
	Ctx   context.Context
	Stats *stats.Table // column statistics; nil without data
	Plain bool         // only the normalizing rules
	// Normalized says the plan went through the normalizing rules
	// already: they do not run again (running them on their own output
	// could move a constant out of a comparison an in-list became).
	Normalized bool
}

// Rule is one named rewrite.
type Rule struct {
	Name string
	// Normalize rules always run; the others only when optimizing.
	Normalize bool
	// Apply returns a replacement for n (whose arguments are rewritten
	// already), or n itself.
	Apply func(c *Context, n *plan.Node) (*plan.Node, error)
	// Pass, when set instead of Apply, returns a fresh Apply for each pass
	// (for rules that keep state across the nodes of one plan).
	Pass func() func(c *Context, n *plan.Node) (*plan.Node, error)
}

// Applied records how often a rule rewrote a node.
type Applied struct {
	Rule  string
	Count int
}

// rules in the order they run: normalization first, then the rewrites
// into faster forms, then sharing and ordering.
var rules = []Rule{
	ruleMoveConstants,
	ruleFoldConstants,
	ruleInList,
	rulePushNot,
	ruleIntFloatCompare,
	ruleDaysSince,
	ruleDateParts,
	ruleCoalesceCompare,
	ruleRanges,
	ruleInRuns,
	ruleLinear,
	ruleChunkedArith,
	ruleDictionary,
	ruleShare,
	ruleEstimate,
}

// Rules lists the rules' names in order.
func Rules() []string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = r.Name
	}
	return out
}

// Optimize applies the rules to the plan's roots and reports which ones
// rewrote something.
func Optimize(c *Context, roots []*plan.Node) ([]*plan.Node, []Applied, error) {
	var applied []Applied
	for _, r := range rules {
		if c.Plain && !r.Normalize || c.Normalized && r.Normalize {
			continue
		}
		rw := &rewriter{c: c, rule: r, apply: r.Apply, memo: map[*plan.Node]*plan.Node{}}
		if r.Pass != nil {
			rw.apply = r.Pass()
		}
		out := make([]*plan.Node, len(roots))
		for i, root := range roots {
			n, err := rw.rewrite(root)
			if err != nil {
				return nil, nil, err
			}
			out[i] = n
		}
		roots = out
		if rw.count > 0 {
			applied = append(applied, Applied{Rule: r.Name, Count: rw.count})
		}
	}
	return roots, applied, nil
}

// rewriter applies one rule bottom-up, once per distinct node.
type rewriter struct {
	c     *Context
	rule  Rule
	apply func(c *Context, n *plan.Node) (*plan.Node, error)
	memo  map[*plan.Node]*plan.Node
	count int
	steps int
}

func (rw *rewriter) rewrite(n *plan.Node) (*plan.Node, error) {
	if out, ok := rw.memo[n]; ok {
		return out, nil
	}
	rw.steps++
	if rw.steps%1024 == 0 && rw.c.Ctx != nil {
		if err := rw.c.Ctx.Err(); err != nil {
			return nil, err
		}
	}
	cur := n
	var args []*plan.Node
	for i, a := range n.Args {
		na, err := rw.rewrite(a)
		if err != nil {
			return nil, err
		}
		if na != a && args == nil {
			args = append([]*plan.Node(nil), n.Args...)
		}
		if args != nil {
			args[i] = na
		}
	}
	if args != nil {
		cp := *n
		cp.Args = args
		cur = &cp
	}
	out, err := rw.apply(rw.c, cur)
	if err != nil {
		return nil, err
	}
	if out != cur {
		rw.count++
	}
	rw.memo[n] = out
	return out, nil
}
