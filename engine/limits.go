package engine

import (
	"fmt"
	"time"

	"github.com/segql/segql/lang/syntax"
)

// Limits bound what one query may cost. Zero fields take the defaults.
type Limits struct {
	// Parse holds the parser's limits: source length (1 MiB), nesting depth
	// (256), syntax nodes (10,000) and list items (100,000).
	Parse syntax.Limits
	// MaxCost refuses, before it runs, a query whose estimated work (rows ×
	// per-row cost, string, pattern and regex work weighted) is above it.
	// Default 1e11: about 10,000 weighted operations per row on 10M rows.
	MaxCost float64
	// MaxRunTime stops an evaluation that runs longer, as a backstop for
	// costs the estimate cannot see (very long strings, say). Zero: none.
	MaxRunTime time.Duration
}

// DefaultMaxCost is the default estimated-cost budget.
const DefaultMaxCost = 1e11

func (l Limits) maxCost() float64 {
	if l.MaxCost <= 0 {
		return DefaultMaxCost
	}
	return l.MaxCost
}

// WithLimitsOf sets every limit of a query.
func WithLimitsOf(l Limits) Option { return func(o *compileOptions) { o.limits = l } }

// WithoutOptimizations compiles the plan with the general kernels only (no
// dictionary evaluation, no native column-vs-constant loops, no fused
// ranges). Results are identical; tests use it to check the optimizations.
func WithoutOptimizations() Option { return func(o *compileOptions) { o.plain = true } }

// Cost is a query's estimated work: rows × per-row cost.
func (q *Query) Cost() float64 { return q.cost }

// rowCost estimates the per-row work of a plan; avgLen is the average
// length of strings, for string and pattern work.
func rowCost(n *node, avgLen float64) float64 {
	c := 1.0
	switch n.op {
	case opConst, opNow:
		return 0
	case opLike:
		c = 2 + avgLen*float64(len(n.like.pat))/8
	case opMatches:
		c = 10 + avgLen*float64(len(n.re.String()))/4
	case opStrContains, opInSet:
		c = 2 + avgLen/8
	case opContains:
		c = 4 * float64(1+len(n.vals))
	case opCall:
		c = 2
		if n.k == kStr {
			c += avgLen
		}
	}
	for _, k := range n.kids {
		c += rowCost(k, avgLen)
	}
	return c
}

// errBudget is returned when a query is refused for its estimated cost.
func errBudget(cost, max float64) error {
	return fmt.Errorf("the expression's estimated cost %.3g is over the budget of %.3g (Limits.MaxCost); narrow it or raise the budget", cost, max)
}
