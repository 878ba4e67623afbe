package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/exec"
	"github.com/segql/segql/engine/internal/optimizer"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/lang/diag"
)

// Query is a compiled segment. It is immutable and safe for concurrent
// use: Run, Match, MatchRecord and TruthAt may be called from many
// goroutines at once. (The estimates its program measures on a sample of
// the table before the first run are computed once, under a lock.)
type Query struct {
	src        string
	engine     *Engine
	logical    *plan.Node    // the normalized plan: single-user evaluation, .why
	root       *plan.Node    // the optimized plan the program runs
	prog       *exec.Program // shared with the other queries of a Set
	index      int           // the query's root in prog
	applied    []optimizer.Applied
	now        time.Time
	cols       []int // top-level columns the query reads
	written    []int // top-level columns its text names (before folding: what the checker needs)
	Warnings   []diag.Diagnostic
	cost       float64
	maxRunTime time.Duration
	shared     bool // the plan has nodes with several parents
	fastOnce   sync.Once
	fast       fastBool // MatchRecord's closures, compiled on first use
}

// Source returns the query's text.
func (q *Query) Source() string { return q.src }

// Now returns the query's fixed now(), or the zero time.
func (q *Query) Now() time.Time { return q.now }

// Cost returns the query's estimated work: rows × per-row cost.
func (q *Query) Cost() float64 { return q.cost }

// Engine returns the engine the query was compiled for.
func (q *Query) Engine() *Engine { return q.engine }

// Columns returns the names of the top-level columns the query reads, in
// order of first use.
func (q *Query) Columns() []string {
	out := make([]string, len(q.cols))
	for i, c := range q.cols {
		out[i] = q.engine.fields[c].Name
	}
	return out
}

// RunOption configures one run.
type RunOption func(*runOptions)

type runOptions struct {
	now        time.Time
	workers    int
	batches    int  // evaluate only the first batches; 0: all
	keepErrors bool // tests: record failed rows instead of failing
}

// Sample evaluates only the table's first n batches (a cheap estimate:
// counts and Total cover just those batches).
func Sample(n int) RunOption { return func(o *runOptions) { o.batches = n } }

// At fixes now() for this run, overriding WithNow.
func At(t time.Time) RunOption { return func(o *runOptions) { o.now = t } }

// Workers sets the number of parallel workers (default GOMAXPROCS).
func Workers(n int) RunOption { return func(o *runOptions) { o.workers = n } }

// Run evaluates the query over the whole table. Batches are evaluated in
// parallel; the context is checked before every batch, so cancellation
// returns ctx.Err() within one batch per worker. An evaluation error (an
// overflow on a row that needed the value) is an *EvalError.
func (q *Query) Run(ctx context.Context, opts ...RunOption) (*Result, error) {
	out, o, err := runProgram(ctx, q.prog, []int{q.index}, q.now, q.maxRunTime, opts)
	if err != nil {
		return nil, err
	}
	return newResult(q, out, o.now, 0), nil
}

// runProgram runs a program with the options, under the run-time budget.
func runProgram(ctx context.Context, p *exec.Program, roots []int, fixed time.Time, budget time.Duration, opts []RunOption) (out *exec.Output, o runOptions, err error) {
	defer recoverInto(&err, "evaluating", "")
	o = runOptions{now: fixed}
	for _, f := range opts {
		f(&o)
	}
	if o.now.IsZero() {
		o.now = time.Now()
	}
	if budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, budget, errRunTime(budget))
		defer cancel()
	}
	out, err = p.Run(ctx, exec.RunOptions{Now: o.now.UnixMicro(), Workers: o.workers, Batches: o.batches, Roots: roots,
		KeepErrors: o.keepErrors})
	if err != nil && errors.Is(context.Cause(ctx), ErrRunTime) {
		err = context.Cause(ctx)
	}
	return out, o, err
}

func errRunTime(d time.Duration) error {
	return fmt.Errorf("%w of %s (Limits.MaxRunTime)", ErrRunTime, d)
}

// newResult wraps root i of a run's output.
func newResult(q *Query, out *exec.Output, now time.Time, i int) *Result {
	t := q.engine.table
	if out.Batches < len(t.Batches) {
		t = columnar.NewTable(t.Name, t.Schema, t.Batches[:out.Batches])
	}
	return &Result{table: t, batches: out.Members[i], known: out.Known[i], counts: out.Counts[i],
		errs: out.Errors[i], Elapsed: out.Elapsed, Now: now, query: q, stats: out.Stats}
}

// Set is several queries compiled into one program: Run evaluates all of
// them in one pass over the table, and a subexpression they share (a
// named segment several of them reference) once per batch. Immutable and
// safe for concurrent use.
type Set struct {
	queries []*Query
}

// CompileSet compiles several expressions (with the same options) into
// one program.
func (e *Engine) CompileSet(ctx context.Context, srcs []string, opts ...Option) (s *Set, err error) {
	o := options(opts)
	defer recoverInto(&err, "compiling", fmt.Sprint(srcs))
	cs := make([]checked, len(srcs))
	for i, src := range srcs {
		tree, info, err := e.check(src, o)
		if err != nil {
			return nil, err
		}
		cs[i] = checked{src, tree, info}
	}
	qs, err := e.compileChecked(ctx, cs, o)
	if err != nil {
		return nil, err
	}
	return &Set{queries: qs}, nil
}

// Queries returns the set's queries, in the order compiled; each also runs
// alone.
func (s *Set) Queries() []*Query { return s.queries }

// Run evaluates every query of the set in one pass.
func (s *Set) Run(ctx context.Context, opts ...RunOption) ([]*Result, error) {
	if len(s.queries) == 0 {
		return nil, nil
	}
	q := s.queries[0]
	out, o, err := runProgram(ctx, q.prog, nil, q.now, q.maxRunTime, opts)
	if err != nil {
		return nil, err
	}
	res := make([]*Result, len(s.queries))
	for i, qi := range s.queries {
		res[i] = newResult(qi, out, o.now, i)
	}
	return res, nil
}
