package engine

import (
	"fmt"
	"time"

	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
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

// WithoutOptimizations compiles with the normalizing rules only (no
// ranges, dictionary tables, linear forms, shared subexpressions or
// reordered terms): results are identical, which tests use to check the
// optimizer.
func WithoutOptimizations() Option { return func(o *compileOptions) { o.plain = true } }

// avgStringLen is a rough average string length, for cost estimates.
const avgStringLen = 16

// rowCost estimates the work per row of a plan: each distinct node once
// (a shared node runs once per row), comparisons 1, strings and patterns
// by their length, regular expressions most.
func rowCost(roots []*plan.Node) float64 {
	total := 0.0
	plan.Walk(roots, func(n *plan.Node) { total += nodeCost(n) })
	return total
}

func nodeCost(n *plan.Node) float64 {
	switch n.Op {
	case plan.OpConst, plan.OpNow, plan.OpSegment:
		return 0
	case plan.OpLike:
		return 2 + avgStringLen*float64(len(n.Like.Pattern()))/8
	case plan.OpMatches:
		return 10 + avgStringLen*float64(len(n.Re.String()))/4
	case plan.OpStrContains, plan.OpInSet:
		return 2 + avgStringLen/8
	case plan.OpContains:
		return 4 * float64(1+len(n.Needles.Needles))
	case plan.OpCall:
		if n.Kind == value.KStr {
			return 2 + avgStringLen
		}
		return 2
	}
	return 1
}

// budgetError is the error of a query refused for its estimated cost;
// it unwraps to ErrCost.
type budgetError struct{ cost, max float64 }

func errBudget(cost, max float64) error { return &budgetError{cost, max} }

func (b *budgetError) Error() string {
	return fmt.Sprintf("the expression's estimated cost %.3g is over the budget of %.3g (Limits.MaxCost); narrow it or raise the budget", b.cost, b.max)
}

func (b *budgetError) Unwrap() error { return ErrCost }
