package repl

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/output"
)

// ErrStreamed reports a command that needs the rows in memory on a table
// streamed from its files (--memory-limit).
var ErrStreamed = errors.New("needs the rows in memory")

// stream is a table read from Parquet files row group by row group.
type stream struct {
	ds    *columnar.Dataset
	limit int64 // the memory limit, bytes; 0 for a lazy table
	// lazy: the dataset keeps what it decodes, and the first command that
	// needs the whole table loads it (loadWhole) instead of failing.
	lazy bool
}

// NewStreamed starts a session on a dataset streamed under a memory limit
// (bytes): expressions, .count, .explain and the output modes scan its
// row groups; commands that need the rows in memory say so. The session
// takes ownership of ds (Close closes it).
func NewStreamed(name string, ds *columnar.Dataset, limit int64, opts Options) *Session {
	s := empty(opts)
	eng := engine.OpenSchema(ds.Schema)
	s.putTable(&namedTable{name: name, t: eng.Table(), eng: eng, an: analytics.New(eng), stream: &stream{ds: ds, limit: limit}})
	return s
}

// NewLazy starts a session on a Parquet dataset whose columns load on
// first use: the prompt needs only the files' footers; expressions,
// .count, .explain, definitions and the modes scan the row groups over
// the columns they read, each column decoded once and kept; the first
// statement that needs the whole table (.profile, .why, .show, a ranking
// function, …) loads the columns not read yet and the session goes on in
// memory. The session takes ownership of ds.
func NewLazy(name string, ds *columnar.Dataset, opts Options) *Session {
	ds.KeepColumns()
	s := NewStreamed(name, ds, 0, opts)
	s.cur.stream.lazy = true
	return s
}

// lazyFallback loads the whole table when err says a lazy table cannot
// answer while streamed (a ranking function, an event condition), and
// reports whether it did (the caller then runs the statement again).
func (s *Session) lazyFallback(ctx context.Context, err error) (bool, error) {
	if s.cur.stream == nil || !s.cur.stream.lazy || !(errors.Is(err, engine.ErrScanRanks) || errors.Is(err, engine.ErrScanEvents)) {
		return false, err
	}
	if lerr := s.loadWhole(ctx); lerr != nil {
		return false, lerr
	}
	return true, nil
}

// loadWhole replaces the current lazy table by the whole table in memory:
// the columns decoded so far are shared, the others decoded now.
func (s *Session) loadWhole(ctx context.Context) error {
	ds := s.cur.stream.ds
	all := make([]int, ds.Schema.NumFields())
	for i := range all {
		all[i] = i
	}
	var batches []arrow.RecordBatch
	for i := 0; i < ds.NumPieces(); i++ {
		t, err := ds.Read(ctx, i, all)
		if err != nil {
			for _, b := range batches {
				b.Release()
			}
			return err
		}
		for _, b := range t.Batches {
			b.Retain()
			batches = append(batches, b)
		}
		t.Release()
	}
	schema := arrow.NewSchema(ds.Schema.Fields(), nil)
	if len(batches) > 0 {
		schema = batches[0].Schema()
	}
	t := columnar.NewTable(s.cur.name, schema, batches)
	eng := engine.Open(t)
	s.putTable(&namedTable{name: s.cur.name, t: t, eng: eng, an: analytics.New(eng)})
	return nil
}

// whenStreamed refuses a command that needs rows on a streamed table; on
// a lazy one it loads the whole table first.
func (s *Session) whenStreamed(ctx context.Context, name string) error {
	if s.cur.stream == nil || !needsRows[name] || name == ".explain" {
		return nil
	}
	if s.cur.stream.lazy {
		return s.loadWhole(ctx)
	}
	return fmt.Errorf("%s %w, and table %s is streamed from its files (--memory-limit): expressions, .count, .explain and .mode stream; open it without --memory-limit to load it", name, ErrStreamed, s.cur.name)
}

// scanOptions are the options of the session's scans of the current
// table: now, the session's segments, half the limit for row groups.
func (s *Session) scanOptions() engine.ScanOptions {
	o := engine.ScanOptions{Now: s.now(), MemoryLimit: s.cur.stream.limit / 2}
	if s.cat != nil {
		o.Compile = []engine.Option{engine.WithDefinitions(s.cat.Checked())}
	}
	return o
}

// evaluateStreamed runs an expression over a streamed table: one scan
// counts; the members shown are read by a second, which stops once it
// has them.
func (s *Session) evaluateStreamed(ctx context.Context, src, mode string) (string, error) {
	res, err := engine.Scan(ctx, s.cur.stream.ds, src, s.scanOptions())
	if again, err := s.lazyFallback(ctx, err); again {
		return s.evaluate(ctx, src, mode)
	} else if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, w := range res.Query.Warnings {
		b.WriteString(warningLine(w))
	}
	m := streamMembers{s: s, src: src, n: int(res.Count)}
	summary := output.Summary(int(res.Count), int(res.Total), res.Elapsed) + "\n" + scanLine(res)
	switch mode {
	case "count":
		b.WriteString(summary)
	case "table":
		b.WriteString(summary)
		if err := s.sample(ctx, &b, m, res.Query.Columns(), s.opts.Limit, nil); err != nil {
			return "", err
		}
	default:
		if err := s.listMembers(ctx, &b, m, mode); err != nil {
			return "", err
		}
	}
	return s.result(b.String())
}

// scanLine says what a scan read.
func scanLine(res *engine.ScanResult) string {
	return fmt.Sprintf("row groups: read %d of %d, %d skipped by their statistics; %s rows read\n",
		res.Read, res.RowGroups, res.Skipped, output.Thousands(int(res.RowsRead)))
}

// explainStreamed shows the plan of an expression over a streamed table
// (as compiled for its schema) and what the scan read and skipped.
func (s *Session) explainStreamed(ctx context.Context, src string) (string, error) {
	res, err := engine.Scan(ctx, s.cur.stream.ds, src, s.scanOptions())
	if again, err := s.lazyFallback(ctx, err); again {
		return s.explain(ctx, src)
	} else if err != nil {
		return "", err
	}
	plan := res.Query.Explain().String()
	if first, rest, ok := strings.Cut(plan, "\n"); ok { // the schema's plan has no rows of its own
		plan = strings.Replace(first, "over 0 rows in 0 batches", "for each row group read", 1) + "\n" + rest
	}
	return plan + "\n" + output.Summary(int(res.Count), int(res.Total), res.Elapsed) + "\n" + scanLine(res), nil
}

// streamMembers is the members of an expression over a streamed table, n
// of them: each listing scans again.
type streamMembers struct {
	s   *Session
	src string
	n   int
}

func (m streamMembers) count() int { return m.n }

// errEnough stops a scan that has read all the members it needs.
var errEnough = errors.New("enough members")

func (m streamMembers) scan(ctx context.Context, cols []string, each func(arrow.RecordBatch) error) error {
	o := m.s.scanOptions()
	o.Keep, o.Members = cols, each
	_, err := engine.Scan(ctx, m.s.cur.stream.ds, m.src, o)
	if errors.Is(err, errEnough) {
		return nil
	}
	return err
}

func (m streamMembers) ids(ctx context.Context, id string, emit func(string) error) (nulls int, err error) {
	err = m.scan(ctx, []string{id}, func(rec arrow.RecordBatch) error {
		col := rec.Column(0)
		for i := 0; i < col.Len(); i++ {
			v, ok := columnar.FormatValue(col, i)
			if !ok {
				nulls++
				continue
			}
			if err := emit(v); err != nil {
				return err
			}
		}
		return nil
	})
	return nulls, err
}

func (m streamMembers) rows(ctx context.Context, cols []string, limit int, emit func(arrowRecord) error) error {
	left := limit
	return m.scan(ctx, cols, func(rec arrow.RecordBatch) error {
		if limit >= 0 && int(rec.NumRows()) > left {
			part := rec.NewSlice(0, int64(left))
			defer part.Release()
			rec = part
		}
		if err := emit(rec); err != nil {
			return err
		}
		left -= int(rec.NumRows())
		if limit >= 0 && left == 0 {
			return errEnough
		}
		return nil
	})
}

// rows returns a table's rows: a streamed table's as its footers declare
// them (its table in memory holds only the schema).
func (nt *namedTable) rows() int64 {
	if nt.stream != nil {
		return nt.stream.ds.NumRows()
	}
	return nt.t.NumRows()
}

// streamBanner introduces a streamed table.
func streamBanner(nt *namedTable) string {
	ds := nt.stream.ds
	if nt.stream.lazy {
		return fmt.Sprintf("segql — table %s, %s rows in %d Parquet files, %d columns, each read on first use. Type a segment, or .help.\n",
			nt.name, output.Thousands(int(ds.NumRows())), len(ds.Files()), ds.Schema.NumFields())
	}
	return fmt.Sprintf("segql — table %s streamed from %d Parquet files: %s rows in %s row groups, %d columns, memory limit %s. Type a segment, or .help.\n",
		nt.name, len(ds.Files()), output.Thousands(int(ds.NumRows())), output.Thousands(ds.NumPieces()), ds.Schema.NumFields(), sizeText(nt.stream.limit))
}

func sizeText(b int64) string {
	switch {
	case b >= 1<<30 && b%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", b>>30)
	case b >= 1<<20 && b%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", b>>20)
	}
	return fmt.Sprintf("%d bytes", b)
}
