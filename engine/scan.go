package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/prune"
	"github.com/segql/segql/engine/internal/stats"
	"github.com/segql/segql/engine/internal/value"
	"github.com/segql/segql/internal/workers"
)

// Errors of streamed scans.
var (
	// ErrScanRanks: the expression ranks the whole table, which a scan
	// row group by row group never holds.
	ErrScanRanks = errors.New("percent_rank, ntile and the RFM scores rank the whole table, which a streamed scan never holds: load the data whole (without a memory limit)")
	// ErrScanEvents: event conditions need the users table in memory.
	ErrScanEvents = errors.New("event conditions need the users table in memory: load it whole (without a memory limit)")
)

// ScanOptions configure Scan.
type ScanOptions struct {
	// Now is now() for every row group (default: the wall clock when the
	// scan starts).
	Now time.Time
	// Compile options (definitions, limits) for the expression.
	Compile []Option
	// Keep names the columns of the members' rows handed to Members.
	Keep []string
	// Members, when set, receives each row group's members (the Keep
	// columns, at least one row) in dataset order, one call at a time.
	// rec is released after the call: Retain it to keep it. Its error
	// stops the scan.
	Members func(rec arrow.RecordBatch) error
	// Results, when set, receives each row group's results (one per
	// expression, over that row group's rows only) and the row group's
	// first row in the dataset (columnar.Dataset.PieceOffset), one call at
	// a time in no particular order; they are valid during the call only.
	// Its error stops the scan.
	Results func(first int64, rs []*Result) error
	// MemoryLimit bounds the bytes of the row groups in flight, as their
	// footers estimate them (0: no bound beyond one row group a worker).
	// A row group larger than the limit is read alone.
	MemoryLimit int64
	// Workers reading and evaluating row groups (default GOMAXPROCS).
	Workers int
	// Progress, when set, is called after each row group (one call at a
	// time).
	Progress func(ScanProgress)
	// NoPruning reads every row group (for tests and comparisons).
	NoPruning bool
	// Unknown counts the rows the expression is UNKNOWN for. Row groups
	// are then skipped only where every row is FALSE, rather than FALSE or
	// UNKNOWN; without it ScanResult.Unknown is -1.
	Unknown bool
}

// ScanProgress is a scan's progress: row groups evaluated and skipped of
// all, and rows read so far.
type ScanProgress struct {
	Done, Skipped, Total int
	Rows                 int64
	Elapsed              time.Duration
}

// ScanResult is a streamed scan's outcome.
type ScanResult struct {
	Count, Unknown, Total int64 // members, rows UNKNOWN (-1: not counted), all rows
	RowGroups             int   // row groups in the dataset
	Read, Skipped         int   // row groups evaluated, and skipped by their statistics
	RowsRead              int64 // rows of the row groups read
	// PeakBytes is the most row-group bytes (as the footers estimate them)
	// held at once: at most MemoryLimit, unless one row group is larger.
	PeakBytes int64
	Elapsed   time.Duration
	Now       time.Time
	// Query is the expression compiled against the dataset's schema: its
	// warnings, columns and plan (its rows are not the dataset's).
	Query *Query
}

// Scan evaluates src over ds row group by row group, reading only the
// columns the expression and Keep name, skipping the row groups whose
// statistics prove no row can be a member (package prune), and holding
// at most MemoryLimit bytes of row groups at a time. Results equal a Run
// over the whole data loaded at once. Cancelling ctx stops the scan
// within a batch per worker.
func Scan(ctx context.Context, ds *columnar.Dataset, src string, o ScanOptions) (*ScanResult, error) {
	res, err := ScanSet(ctx, ds, []string{src}, o)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// ScanSet is Scan for several expressions in one pass: a row group is
// read when any of them may need it, and all are evaluated over it (as
// one program, sharing what they share). Members, when set, receives the
// first expression's.
func ScanSet(ctx context.Context, ds *columnar.Dataset, srcs []string, o ScanOptions) (res []*ScanResult, err error) {
	defer recoverInto(&err, "scanning", fmt.Sprint(srcs))
	start := time.Now()
	now := o.Now
	if now.IsZero() {
		now = start
	}
	copts := options(append(append([]Option(nil), o.Compile...), WithNow(now)))
	schemaEng := OpenSchema(ds.Schema)
	cs := make([]checked, len(srcs))
	for i, src := range srcs {
		tree, info, err := schemaEng.check(src, copts)
		if err != nil {
			return nil, err
		}
		cs[i] = checked{src, tree, info}
	}
	qs, err := schemaEng.compileChecked(ctx, cs, copts)
	if err != nil {
		if errors.Is(err, ErrNeedsData) {
			return nil, rankingSource(ctx, schemaEng, cs, copts)
		}
		return nil, err
	}
	var written []string
	for _, q := range qs {
		if usesEvents(q.logical) {
			return nil, ErrScanEvents
		}
		for _, c := range q.written {
			written = append(written, ds.Schema.Field(c).Name)
		}
	}
	cols, err := scanColumns(ds.Schema, written, o.Keep)
	if err != nil {
		return nil, err
	}
	var read []int
	for i := 0; i < ds.NumPieces(); i++ {
		stats := groupStats(ds, i)
		for _, q := range qs {
			if o.NoPruning || mayMatter(q.logical, stats, now, o.Unknown) {
				read = append(read, i)
				break
			}
		}
	}
	res = make([]*ScanResult, len(qs))
	for i, q := range qs {
		res[i] = &ScanResult{Total: ds.NumRows(), RowGroups: ds.NumPieces(), Read: len(read), Skipped: ds.NumPieces() - len(read), Now: now, Query: q}
	}
	s := &scanner{ds: ds, checked: cs, copts: copts, cols: cols, o: o, res: res, start: start,
		count: make([]atomic.Int64, len(qs)), unknown: make([]atomic.Int64, len(qs))}
	s.cond = sync.NewCond(&s.mu)
	s.ready = map[int]arrow.RecordBatch{}
	s.window = 2 * max(1, o.Workers, workers.Default())
	if err := s.run(ctx, read); err != nil {
		return nil, err
	}
	for _, r := range res {
		r.Elapsed = time.Since(start)
	}
	return res, nil
}

// rankingSource returns ErrScanRanks naming the (first) expression that
// ranks, when there are several.
func rankingSource(ctx context.Context, e *Engine, cs []checked, o compileOptions) error {
	if len(cs) > 1 {
		for _, c := range cs {
			if _, err := e.compileChecked(ctx, []checked{c}, o); errors.Is(err, ErrNeedsData) {
				return fmt.Errorf("%s: %w", c.src, ErrScanRanks)
			}
		}
	}
	return ErrScanRanks
}

// mayMatter reports whether a row group may hold a member or an error
// (or, when unknown counts, an UNKNOWN row).
func mayMatter(root *plan.Node, stats prune.StatsFunc, now time.Time, unknown bool) bool {
	need := prune.True | prune.Error
	if unknown {
		need |= prune.Null
	}
	return prune.Eval(root, stats, now.UnixMicro())&need != 0
}

// usesEvents reports a plan with event conditions.
func usesEvents(root *plan.Node) bool {
	found := false
	plan.Walk([]*plan.Node{root}, func(n *plan.Node) { found = found || n.Op == plan.OpEvent })
	return found
}

// scanColumns returns the schema indexes of the columns read and kept,
// each once.
func scanColumns(s *arrow.Schema, read, keep []string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, name := range append(append([]string(nil), read...), keep...) {
		idx := s.FieldIndices(name)
		if len(idx) == 0 {
			return nil, fmt.Errorf("no column %q", name)
		}
		if !seen[idx[0]] {
			seen[idx[0]] = true
			out = append(out, idx[0])
		}
	}
	return out, nil
}

// groupStats reads piece i's statistics as the pruner takes them: the
// bounds converted as the engine reads the column's values, each column's
// once however many terms and expressions read it.
func groupStats(ds *columnar.Dataset, i int) prune.StatsFunc {
	seen := map[int]prune.Stats{}
	return func(col int) prune.Stats {
		if st, ok := seen[col]; ok {
			return st
		}
		st := columnStats(ds, i, col)
		seen[col] = st
		return st
	}
}

// columnStats converts column col's statistics in piece i.
func columnStats(ds *columnar.Dataset, i, col int) prune.Stats {
	gs := ds.Stats(i, col)
	st := prune.Stats{Rows: gs.Rows, Nulls: gs.Nulls}
	_, unsafe := kernels.MicrosSafe(ds.Schema.Field(col).Type)
	st.MayFail = unsafe
	if gs.MinMax != nil {
		defer gs.MinMax.Release()
		lo, err1 := kernels.ArrowValue(gs.MinMax, 0)
		hi, err2 := kernels.ArrowValue(gs.MinMax, 1)
		if err1 == nil && err2 == nil && !lo.Null && !hi.Null && lo.K == hi.K {
			st.HasMinMax, st.Min, st.Max, st.MayFail = true, lo, hi, false
			if gs.EmptyMayHide {
				st.Also = []value.Value{value.Str("")}
			}
		}
	}
	return st
}

// scanner runs a scan's row groups on the workers, handing members to
// the caller in dataset order.
type scanner struct {
	ds      *columnar.Dataset
	checked []checked // shared by the row groups' compilations, read only
	copts   compileOptions
	cols    []int
	o       ScanOptions
	res     []*ScanResult
	start   time.Time

	count, unknown []atomic.Int64 // per expression
	resultsMu      sync.Mutex     // one Results call at a time
	rows           atomic.Int64

	mu       sync.Mutex
	cond     *sync.Cond
	inflight int64                     // estimated bytes of the row groups being read
	peak     int64                     // the most inflight has been
	emitted  int                       // items whose members were handed over
	ready    map[int]arrow.RecordBatch // finished items' members, waiting for their turn
	done     int
	window   int // items a worker may run ahead of the next to hand over
	failed   bool
}

func (s *scanner) run(ctx context.Context, items []int) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		s.failed = true
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer stop()
	err := workers.Run(ctx, len(items), s.o.Workers, func(_, k int) error {
		err := s.item(ctx, k, items[k])
		if err != nil {
			cancel(err)
		}
		return err
	})
	s.mu.Lock()
	for _, rec := range s.ready {
		if rec != nil { // a row group without members, or a count
			rec.Release()
		}
	}
	s.ready = nil
	s.mu.Unlock()
	if err != nil {
		if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
			return c
		}
		return err
	}
	for i, r := range s.res {
		r.Count, r.Unknown, r.RowsRead, r.PeakBytes = s.count[i].Load(), s.unknown[i].Load(), s.rows.Load(), s.peak
		if !s.o.Unknown {
			r.Unknown = -1
		}
	}
	return nil
}

// item reads and evaluates row group piece (the k-th read).
func (s *scanner) item(ctx context.Context, k, piece int) error {
	bytes := s.ds.EstimateBytes(piece, s.cols)
	if err := s.enter(ctx, k, bytes); err != nil {
		return err
	}
	rec, err := s.evaluate(ctx, piece)
	return s.leave(ctx, k, bytes, rec, err)
}

// enter waits until item k is within the window of the next item to hand
// over and its bytes fit under the limit beside those in flight.
func (s *scanner) enter(ctx context.Context, k int, bytes int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for !s.failed && (k >= s.emitted+s.window || (s.o.MemoryLimit > 0 && s.inflight > 0 && s.inflight+bytes > s.o.MemoryLimit)) {
		s.cond.Wait()
	}
	if s.failed {
		if err := context.Cause(ctx); err != nil {
			return err
		}
		return context.Canceled
	}
	s.inflight += bytes
	s.peak = max(s.peak, s.inflight)
	return nil
}

// evaluate runs the expression over one row group, returning its
// members' kept columns when the caller wants them.
func (s *scanner) evaluate(ctx context.Context, piece int) (arrow.RecordBatch, error) {
	t, err := s.ds.Read(ctx, piece, s.cols)
	if err != nil {
		return nil, err
	}
	defer t.Release()
	e := Open(t)
	e.stats = stats.NewTransient(t)
	qs, err := e.compileChecked(ctx, s.checked, s.copts)
	if err != nil {
		return nil, err
	}
	rs, err := (&Set{queries: qs}).Run(ctx)
	if err != nil {
		return nil, pieceError(s.ds.Piece(piece), err)
	}
	for i, r := range rs {
		s.count[i].Add(int64(r.Count()))
		s.unknown[i].Add(int64(r.Unknown()))
	}
	if s.o.Results != nil {
		s.resultsMu.Lock()
		err := s.o.Results(s.ds.PieceOffset(piece), rs)
		s.resultsMu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	s.rows.Add(t.NumRows())
	if s.o.Members == nil || rs[0].Count() == 0 {
		return nil, nil
	}
	return rs[0].Rows(s.o.Keep, -1, nil)
}

// pieceError says which row group an evaluation error happened in.
func pieceError(p columnar.Piece, err error) error {
	var ee *EvalError
	if errors.As(err, &ee) {
		return fmt.Errorf("%s, row group %d: %w", p.Path, p.RowGroup, err)
	}
	return err
}

// leave records item k's outcome and hands over, in order, the members
// of every finished item whose turn has come.
func (s *scanner) leave(ctx context.Context, k int, bytes int64, rec arrow.RecordBatch, err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight -= bytes
	defer s.cond.Broadcast()
	if err != nil || s.failed {
		if rec != nil {
			rec.Release()
		}
		s.failed = true
		return err
	}
	s.ready[k] = rec
	s.done++
	if s.o.Progress != nil {
		s.o.Progress(ScanProgress{Done: s.done, Skipped: s.res[0].Skipped, Total: s.res[0].RowGroups, Rows: s.rows.Load(), Elapsed: time.Since(s.start)})
	}
	for {
		r, ok := s.ready[s.emitted]
		if !ok {
			return nil
		}
		delete(s.ready, s.emitted)
		s.emitted++
		if r == nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			r.Release()
			s.failed = true
			return context.Cause(ctx)
		}
		err := s.o.Members(r)
		r.Release()
		if err != nil {
			s.failed = true
			return err
		}
	}
}
