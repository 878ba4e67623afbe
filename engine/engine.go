package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/syntax"
)

// Engine evaluates segments over one table. It is safe for concurrent use.
type Engine struct {
	table    *columnar.Table
	schema   *arrowSchema
	fields   []arrow.Field            // the table's fields (Schema.Fields copies them)
	ranks    columnCache[*ranking]    // column ranks for percent_rank, ntile and the RFM scores
	profiles columnCache[*baseColumn] // the whole table's column summaries, for Profile
	zones    columnCache[[]zone]      // per batch value ranges of integer, time and date columns
}

// Open returns an engine over t. The engine does not take ownership of t:
// the caller keeps it alive (and releases it) for as long as the engine
// and its queries are used.
func Open(t *columnar.Table) *Engine {
	return &Engine{table: t, schema: newArrowSchema(t.Schema), fields: t.Schema.Fields()}
}

// OpenSchema returns an engine over an empty table with the given schema:
// enough to compile and check expressions (segql check) without data.
func OpenSchema(s *arrow.Schema) *Engine {
	return Open(columnar.NewTable("schema", s, nil))
}

// Table returns the engine's table.
func (e *Engine) Table() *columnar.Table { return e.table }

// Schema returns the table's schema as the checker sees it.
func (e *Engine) Schema() check.Schema { return e.schema }

// Option configures Compile.
type Option func(*compileOptions)

type compileOptions struct {
	name   string
	now    time.Time
	limits Limits
	plain  bool
}

// WithName labels positions in error messages (a file name, say).
func WithName(name string) Option { return func(o *compileOptions) { o.name = name } }

// WithNow fixes now() for every run of the query (default: the wall clock
// at the start of each run).
func WithNow(t time.Time) Option { return func(o *compileOptions) { o.now = t } }

// WithLimits sets the parser's limits (zero fields keep their defaults).
func WithLimits(l syntax.Limits) Option { return func(o *compileOptions) { o.limits.Parse = l } }

// Query is a compiled segment. It is immutable and safe for concurrent
// use: Run and Match may be called from many goroutines at once.
type Query struct {
	src        string
	engine     *Engine
	plan       *node
	prog       program
	now        time.Time
	cols       []int // top-level columns the query reads
	Warnings   []diag.Diagnostic
	cost       float64
	maxRunTime time.Duration
	fastOnce   sync.Once
	fast       fastBool // MatchRecord's closures, compiled on first use
}

// Compile parses, checks and plans src. Errors are *diag.List values that
// render with the source line and a caret.
func (e *Engine) Compile(src string, opts ...Option) (*Query, error) {
	return e.compile(src, nil, opts)
}

// compile compiles src; segments, when non-nil, resolves segment names.
func (e *Engine) compile(src string, segments *Catalog, opts []Option) (q *Query, err error) {
	var o compileOptions
	for _, f := range opts {
		f(&o)
	}
	defer func() {
		if r := recover(); r != nil {
			q, err = nil, fmt.Errorf("internal error compiling %q: %v", src, r)
		}
	}()
	tree, err := syntax.ParseExpr(o.name, src, o.limits.Parse)
	if err != nil {
		return nil, err
	}
	source := diag.Source{Name: o.name, Text: src}
	cfg := check.Config{Schema: e.schema}
	p := &planner{schema: e.table.Schema, eng: e}
	if segments != nil {
		cfg.Segments = segments
		p.segment = segments.resolver(nil)
	}
	info, err := check.Check(tree, source, cfg)
	if err != nil {
		return nil, err
	}
	p.info = info
	plan, err := p.lower(tree)
	if err != nil {
		l := &diag.List{Src: source}
		l.Errorf(tree.Bounds(), "%s", err.Error())
		return nil, l
	}
	q = e.compilePlan(src, plan, info.Warnings, opts)
	if max := o.limits.maxCost(); q.cost > max {
		l := &diag.List{Src: source}
		l.Errorf(tree.Bounds(), "%s", errBudget(q.cost, max).Error())
		return nil, l
	}
	return q, nil
}

// compilePlan turns a plan into a query.
func (e *Engine) compilePlan(src string, plan *node, warnings []diag.Diagnostic, opts []Option) *Query {
	var o compileOptions
	for _, f := range opts {
		f(&o)
	}
	cp := &compiler{plain: o.plain, table: e.table, eng: e}
	root := cp.compile(plan)
	return &Query{src: src, engine: e, plan: plan, prog: program{root: root, nslots: cp.nslots, ndicts: cp.ndicts},
		now: o.now, cols: columnsOf(plan), Warnings: warnings, maxRunTime: o.limits.MaxRunTime,
		cost: float64(e.table.NumRows()) * rowCost(plan, e.avgStringLen())}
}

// avgStringLen is a rough average string length, for cost estimates.
func (e *Engine) avgStringLen() float64 { return 16 }

// Source returns the query's text.
func (q *Query) Source() string { return q.src }

func columnsOf(n *node) []int {
	seen := map[int]bool{}
	var out []int
	var walk func(*node)
	walk = func(m *node) {
		if m.op == opCol && !seen[m.col] {
			seen[m.col] = true
			out = append(out, m.col)
		}
		for _, k := range m.kids {
			walk(k)
		}
	}
	walk(n)
	return out
}

// RunOption configures one run.
type RunOption func(*runOptions)

type runOptions struct {
	now     time.Time
	workers int
	batches int // evaluate only the first batches; 0: all
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
// returns ctx.Err() within one batch per worker.
func (q *Query) Run(ctx context.Context, opts ...RunOption) (*Result, error) {
	o := runOptions{now: q.now, workers: runtime.GOMAXPROCS(0)}
	for _, f := range opts {
		f(&o)
	}
	if o.now.IsZero() {
		o.now = time.Now()
	}
	t := q.engine.table
	if o.batches > 0 && o.batches < len(t.Batches) {
		t = columnar.NewTable(t.Name, t.Schema, t.Batches[:o.batches])
	}
	res := &Result{table: t, batches: make([][]uint64, len(t.Batches)), known: make([][]uint64, len(t.Batches)),
		counts: make([]int, len(t.Batches)), Now: o.now}
	start := time.Now()
	if q.maxRunTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, q.maxRunTime, errRunTime(q.maxRunTime))
		defer cancel()
	}
	err := q.runBatches(ctx, o, res, t)
	if err != nil && context.Cause(ctx) != nil && errors.Is(context.Cause(ctx), errRunTimeBase) {
		err = context.Cause(ctx)
	}
	res.Elapsed = time.Since(start)
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (q *Query) runBatches(ctx context.Context, o runOptions, res *Result, t *columnar.Table) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, max(1, min(o.workers, len(t.Batches))))
	for w := range errs {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			errs[w] = q.worker(ctx, &next, o.now.UnixMicro(), res, t.Batches)
		}(w)
	}
	wg.Wait()
	return errors.Join(errs...)
}

// worker evaluates batches until none are left, recovering any panic into
// an error.
func (q *Query) worker(ctx context.Context, next *atomic.Int64, now int64, res *Result, batches []arrow.RecordBatch) (err error) {
	c := newEctx(&q.prog, now)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error evaluating %q: %v", q.src, r)
		}
	}()
	for {
		i := int(next.Add(1) - 1)
		if i >= len(batches) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			next.Store(int64(len(batches)))
			return err
		}
		c.batch = i
		out, known, err := q.evalBatch(c, batches[i])
		if err != nil {
			next.Store(int64(len(batches)))
			return err
		}
		res.batches[i], res.known[i] = out, known
		res.counts[i] = popcount(out)
	}
}

// evalBatch returns the member (TRUE) bits of one batch and its known
// (not UNKNOWN) bits, nil when every row is known; fresh slices the result
// keeps.
func (q *Query) evalBatch(c *ectx, rec arrow.RecordBatch) (out, known []uint64, err error) {
	c.bind(rec)
	c.err = nil
	v := q.prog.root(c)
	if c.err != nil {
		return nil, nil, fmt.Errorf("evaluating %q: %w", q.src, c.err)
	}
	out = make([]uint64, words(c.n))
	if v.c {
		if !v.cv.Null && v.cv.B {
			for i := range out {
				out[i] = ^uint64(0)
			}
			tailMask(out, c.n)
		}
		if v.cv.Null {
			known = make([]uint64, words(c.n))
		}
		return out, known, nil
	}
	copy(out, v.bits)
	if v.valid != nil {
		known = append([]uint64(nil), v.valid[:words(c.n)]...)
		for i := range out {
			out[i] &= known[i]
		}
	}
	return out, known, nil
}

var errRunTimeBase = errors.New("evaluation stopped: over the run-time budget")

func errRunTime(d time.Duration) error {
	return fmt.Errorf("%w of %s (Limits.MaxRunTime)", errRunTimeBase, d)
}

// Columns returns the names of the top-level columns the query reads, in
// order of first use.
func (q *Query) Columns() []string {
	out := make([]string, len(q.cols))
	for i, c := range q.cols {
		out[i] = q.engine.table.Schema.Field(c).Name
	}
	return out
}
