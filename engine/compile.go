package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/segql/segql/engine/internal/exec"
	"github.com/segql/segql/engine/internal/optimizer"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/syntax"
)

// Option configures Compile.
type Option func(*compileOptions)

type compileOptions struct {
	name   string
	now    time.Time
	limits Limits
	plain  bool
	defs   *check.Definitions
}

// WithName labels positions in error messages (a file name, say).
func WithName(name string) Option { return func(o *compileOptions) { o.name = name } }

// WithNow fixes now() for every run of the query (default: the wall clock
// at the start of each run).
func WithNow(t time.Time) Option { return func(o *compileOptions) { o.now = t } }

// WithLimits sets the parser's limits (zero fields keep their defaults).
func WithLimits(l syntax.Limits) Option { return func(o *compileOptions) { o.limits.Parse = l } }

// WithDefinitions makes the named segments of defs usable in the
// expression (a name that is not a column may name one). The catalog
// package loads them from .seg files.
func WithDefinitions(defs *check.Definitions) Option {
	return func(o *compileOptions) { o.defs = defs }
}

// MaxPlanNodes bounds the distinct operations of one compiled plan (named
// segments count once however often they are referenced).
const MaxPlanNodes = 1_000_000

// Compile parses, checks, plans and optimizes src. Errors are *diag.List
// values that render with the source line and a caret.
func (e *Engine) Compile(src string, opts ...Option) (*Query, error) {
	return e.CompileContext(context.Background(), src, opts...)
}

// CompileContext is Compile with a context that can stop a long
// compilation (a huge definition set).
func (e *Engine) CompileContext(ctx context.Context, src string, opts ...Option) (q *Query, err error) {
	o := options(opts)
	defer recoverInto(&err, "compiling", src)
	tree, info, err := e.check(src, o)
	if err != nil {
		return nil, err
	}
	info.Warnings = append(info.Warnings, e.valueWarnings(tree, info)...)
	qs, err := e.compileChecked(ctx, []checked{{src, tree, info}}, o)
	if err != nil {
		return nil, err
	}
	return qs[0], nil
}

// checked is an expression parsed and checked against a schema. The tree
// and info are only read afterwards: an expression checked once may be
// compiled for several engines over tables of that schema (a streamed
// scan's row groups).
type checked struct {
	src  string
	tree ast.Expr
	info *check.Info
}

// compileChecked plans, optimizes and compiles checked expressions into
// one program.
func (e *Engine) compileChecked(ctx context.Context, cs []checked, o compileOptions) ([]*Query, error) {
	lw := plan.NewLowerer(ctx, e, o.defs)
	roots := make([]*plan.Node, len(cs))
	srcs := make([]string, len(cs))
	warnings := make([][]diag.Diagnostic, len(cs))
	for i, c := range cs {
		source := diag.Source{Name: o.name, Text: c.src}
		root, err := lw.Lower(c.tree, c.info, &source)
		if err != nil {
			return nil, planError(err, source, c.tree)
		}
		roots[i], srcs[i], warnings[i] = root, c.src, c.info.Warnings
	}
	qs, err := e.build(ctx, roots, srcs, warnings, o)
	if err != nil && len(cs) == 1 {
		source := diag.Source{Name: o.name, Text: cs[0].src}
		return nil, planError(err, source, cs[0].tree)
	}
	return qs, err
}

func options(opts []Option) compileOptions {
	var o compileOptions
	for _, f := range opts {
		f(&o)
	}
	return o
}

// check parses and type-checks one expression.
func (e *Engine) check(src string, o compileOptions) (ast.Expr, *check.Info, error) {
	tree, err := syntax.ParseExpr(o.name, src, o.limits.Parse)
	if err != nil {
		return nil, nil, err
	}
	cfg := check.Config{Schema: e.Schema()}
	if o.defs != nil {
		cfg.Segments = o.defs
	}
	info, err := check.Check(tree, diag.Source{Name: o.name, Text: src}, cfg)
	if err != nil {
		return nil, nil, err
	}
	return tree, info, nil
}

// planError gives an error found while planning a position: a
// *diag.List or an *EvalError keep theirs; others point at the whole
// expression.
func planError(err error, src diag.Source, tree ast.Expr) error {
	var l *diag.List
	var ee *EvalError
	switch {
	case errors.As(err, &l):
		return err
	case errors.As(err, &ee):
		out := &diag.List{Src: ee.Src, Cause: ee.Err}
		out.Errorf(ee.Span, "%s", ee.Err.Error())
		return out
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	out := &diag.List{Src: src, Cause: err}
	out.Errorf(tree.Bounds(), "%s", err.Error())
	return out
}

// build normalizes, checks the budget of, optimizes and compiles lowered
// roots (sharing one program when there are several).
func (e *Engine) build(ctx context.Context, roots []*plan.Node, srcs []string, warnings [][]diag.Diagnostic, o compileOptions) ([]*Query, error) {
	logical, normalized, err := optimizer.Optimize(&optimizer.Context{Ctx: ctx, Plain: true}, roots)
	if err != nil {
		return nil, err
	}
	for _, r := range logical {
		if r.Op == plan.OpError { // every row fails: say so now
			return nil, r.Err
		}
	}
	if size := plan.Size(logical...); size > MaxPlanNodes {
		return nil, fmt.Errorf("the expression has %d distinct operations, more than the limit of %d", size, MaxPlanNodes)
	}
	cost := float64(e.table.NumRows()) * rowCost(logical)
	if max := o.limits.maxCost(); cost > max {
		return nil, errBudget(cost, max)
	}
	optimized, applied, err := optimizer.Optimize(&optimizer.Context{Ctx: ctx, Stats: e.stats, Plain: o.plain, Normalized: true}, logical)
	if err != nil {
		return nil, err
	}
	applied = append(semanticRules(normalized), applied...)
	prog, err := exec.Compile(optimized, e.table, e.stats, exec.Options{Plain: o.plain})
	if err != nil {
		return nil, err
	}
	out := make([]*Query, len(roots))
	for i := range roots {
		out[i] = &Query{src: srcs[i], engine: e, logical: logical[i], root: optimized[i], prog: prog, index: i,
			applied: applied, now: o.now, cols: plan.Columns(logical[i]), written: plan.Columns(roots[i]), Warnings: warnings[i], cost: cost,
			maxRunTime: o.limits.MaxRunTime, shared: hasShared(logical[i])}
	}
	return out, nil
}

// semanticRules keeps, of the normalizing rules that applied, those that
// change how an expression is computed rather than how it is written
// (move_constants), for explanations.
func semanticRules(applied []optimizer.Applied) []optimizer.Applied {
	var out []optimizer.Applied
	for _, a := range applied {
		if a.Rule == "move_constants" {
			out = append(out, a)
		}
	}
	return out
}

// hasShared reports a plan with a named segment of several parents: the
// row evaluator then remembers segments' results within an evaluation,
// so a chain of segments each referring to the previous one twice costs
// its length, not two to the power of it.
func hasShared(root *plan.Node) bool {
	for n, c := range plan.Parents([]*plan.Node{root}) {
		if c > 1 && n.Op == plan.OpSegment {
			return true
		}
	}
	return false
}

// recoverInto turns a panic at an API boundary into an error (with the
// stack when SEGQL_DEBUG is set, for developers).
func recoverInto(err *error, what, src string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("internal error %s %q: %v", what, src, r)
		if os.Getenv("SEGQL_DEBUG") != "" {
			*err = fmt.Errorf("%w\n%s", *err, debug.Stack())
		}
	}
}
