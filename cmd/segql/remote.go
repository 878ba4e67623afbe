package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/catalog"
	"github.com/segql/segql/internal/output"
	"github.com/segql/segql/lang/sqlgen"
	"github.com/segql/segql/warehouse"
)

// remoteURL is the PostgreSQL table --data names, if it names one.
func (d *dataFlags) remoteURL() (string, bool, error) {
	for _, s := range d.data {
		if warehouse.IsURL(s) {
			if len(d.data) > 1 {
				return "", true, errors.New("--data: a PostgreSQL table cannot be combined with other --data")
			}
			return s, true, nil
		}
	}
	return "", false, nil
}

// remote is a PostgreSQL table with the definitions checked against it.
type remote struct {
	src *warehouse.Source
	cat *catalog.Catalog
	now time.Time
	id  string // "" when the table has none
}

// openRemote connects to the table of --data and loads --defs against
// its schema; ok is false after the error has been printed. The caller
// closes r.src.
func (e *env) openRemote(ctx context.Context, url string, c *catalogFlags) (*remote, bool) {
	now, err := c.nowTime()
	if err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return nil, false
	}
	if now.IsZero() {
		now = time.Now()
	}
	src, err := warehouse.Open(ctx, url)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return nil, false
	}
	e.noteSkipped(src)
	r := &remote{src: src, now: now, id: src.IDColumn()}
	if c.id != "" {
		r.id = c.id
		if _, err := r.needID(); err != nil {
			src.Close(context.Background())
			fmt.Fprintln(e.stderr, "segql:", err)
			return nil, false
		}
	}
	var files []catalog.File
	if len(c.defs) > 0 {
		files, c.named, err = readDefSet(ctx, c.defs, nil)
	}
	if err == nil {
		r.cat, err = catalog.Load(src.Engine(), files)
	}
	if err != nil {
		src.Close(context.Background())
		fmt.Fprintln(e.stderr, err)
		return nil, false
	}
	return r, true
}

// noteSkipped says which columns of a remote table segql cannot read.
func (e *env) noteSkipped(src *warehouse.Source) {
	for _, k := range src.Skipped() {
		fmt.Fprintf(e.stderr, "note: column %q (%s) is left out: %s\n", k.Column, k.Type, k.Reason)
	}
}

// compile checks and compiles expressions or segment names for the table.
func (r *remote) compile(srcs ...string) (*sqlgen.Query, error) {
	return r.src.Compile(sqlItems(r.cat, srcs), sqlgen.Options{Now: r.now, Segments: r.cat.Checked()})
}

// needID is the id column, or an error saying how to name one.
func (r *remote) needID() (string, error) {
	if r.id == "" {
		return "", errors.New(`the table has no "user_id" or "id" column: name the id column with --id or ?id= in the URL`)
	}
	if len(r.src.Schema().FieldIndices(r.id)) == 0 {
		return "", fmt.Errorf("--id: the table has no column %q", r.id)
	}
	return r.id, nil
}

// withRemote connects to the table of url (with the definitions of c),
// compiles srcs for it when any are given, and calls f; Ctrl-C cancels
// the server's work.
func (e *env) withRemote(url string, c *catalogFlags, srcs []string, f func(ctx context.Context, r *remote, q *sqlgen.Query) int) int {
	ctx, stop := e.signalContext()
	defer stop()
	r, ok := e.openRemote(ctx, url, c)
	if !ok {
		return 1
	}
	defer r.src.Close(context.Background())
	var q *sqlgen.Query
	if len(srcs) > 0 {
		var err error
		if q, err = r.compile(srcs...); err != nil {
			e.printError(err)
			return 1
		}
	}
	return f(ctx, r, q)
}

// evalRemote is eval on a PostgreSQL table: the server selects the
// members; only ids, counts or the rows asked for come back.
func (e *env) evalRemote(url string, cf *catalogFlags, src, format string, limit int, pv analytics.Privacy) int {
	start := time.Now()
	return e.withRemote(url, cf, []string{src}, func(ctx context.Context, r *remote, q *sqlgen.Query) int {
		n, err := r.src.Count(ctx, q)
		if err == nil {
			err = e.printRemote(ctx, r, q, n, start, format, limit, pv)
		}
		if err != nil {
			return e.fail("eval", err)
		}
		return 0
	})
}

// printRemote writes the n members of q in format, through the privacy
// guard as printResult does.
func (e *env) printRemote(ctx context.Context, r *remote, q *sqlgen.Query, n int, start time.Time, format string, limit int, pv analytics.Privacy) error {
	schema := r.src.Engine().Table()
	switch format {
	case "count":
		if err := pv.Validate(schema); err != nil {
			return err
		}
		_, err := fmt.Fprintln(e.stdout, n)
		return err
	case "ids":
		id, err := r.needID()
		if err != nil {
			return err
		}
		if _, withheld, err := pv.Members(schema, n, []string{id}); err != nil {
			return err
		} else if len(withheld) > 0 {
			return fmt.Errorf("the id column %q is %w (--allow-pii)", id, analytics.ErrPersonalData)
		}
		return e.streamIDs(ctx, r, q, id)
	case "table":
		return e.remoteTable(ctx, r, q, n, start, limit, pv)
	}
	shown, withheld, err := pv.Members(schema, n, nil)
	if err != nil {
		return err
	}
	e.noteWithheld(withheld)
	recs, err := r.rows(ctx, q, shown, -1)
	if err != nil {
		return err
	}
	defer releaseAll(recs)
	if format == "csv" {
		return output.CSV(e.stdout, recs)
	}
	return output.JSON(e.stdout, recs)
}

// streamIDs writes the members' ids as the server sends them.
func (e *env) streamIDs(ctx context.Context, r *remote, q *sqlgen.Query, id string) error {
	w := newLineWriter(e.stdout)
	nulls, err := r.src.IDs(ctx, q, id, w.line)
	if err == nil {
		err = w.flush()
	}
	if nulls > 0 {
		fmt.Fprintf(e.stderr, "warning: %s members have a null %s and are not listed\n", output.Thousands(nulls), id)
	}
	return err
}

// remoteTable is -o table: the summary and the first members with the id
// column and the columns the expression reads.
func (e *env) remoteTable(ctx context.Context, r *remote, q *sqlgen.Query, n int, start time.Time, limit int, pv analytics.Privacy) error {
	total, err := r.src.Total(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, output.Summary(n, total, time.Since(start)))
	if n == 0 || limit == 0 {
		return nil
	}
	var cols []string
	if r.id != "" {
		cols = append(cols, r.id)
	}
	for _, c := range q.Columns(0) {
		if len(cols) < 8 && (len(cols) == 0 || c != cols[0]) {
			cols = append(cols, c)
		}
	}
	cols, withheld, err := pv.Members(r.src.Engine().Table(), n, cols)
	if err != nil {
		return err
	}
	e.noteWithheld(withheld)
	recs, err := r.rows(ctx, q, cols, limit)
	if err != nil {
		return err
	}
	defer releaseAll(recs)
	fmt.Fprintln(e.stdout)
	for _, rec := range recs {
		if err := output.Table(e.stdout, rec); err != nil {
			return err
		}
	}
	return nil
}

// rows fetches the members' rows (ordered by the id column when there is
// one).
func (r *remote) rows(ctx context.Context, q *sqlgen.Query, cols []string, limit int) ([]arrow.RecordBatch, error) {
	var recs []arrow.RecordBatch
	err := r.src.Rows(ctx, q, cols, r.id, limit, nil, func(rec arrow.RecordBatch) error {
		rec.Retain()
		recs = append(recs, rec)
		return nil
	})
	if err != nil {
		releaseAll(recs)
		return nil, err
	}
	return recs, nil
}

func releaseAll(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

// sizesRemote is sizes on a PostgreSQL table: one query, one pass.
func (e *env) sizesRemote(url string, c *catalogFlags, format string) int {
	start := time.Now()
	return e.withRemote(url, c, nil, func(ctx context.Context, r *remote, _ *sqlgen.Query) int {
		defs := slices.DeleteFunc(slices.Clone(r.cat.Definitions()), func(d *catalog.Definition) bool { return !c.named[filepath.Clean(d.File)] })
		if len(defs) == 0 {
			fmt.Fprintln(e.stderr, "segql sizes: the definitions define no segments")
			return 1
		}
		names := make([]string, len(defs))
		for i, d := range defs {
			names[i] = d.Name
		}
		q, err := r.compile(names...)
		if err != nil {
			e.printError(err)
			return 1
		}
		total, sizes, err := r.src.Sizes(ctx, q)
		if err != nil {
			return e.fail("sizes", err)
		}
		if format == "json" {
			out := make([]sizeRow, len(defs))
			for i, d := range defs {
				out[i] = sizeRow{Name: d.Name, Description: d.Description, Members: sizes[i].Members, Unknown: sizes[i].Unknown, Total: total, Deps: d.Deps, Expr: d.Expr}
			}
			return e.writeSizes(out)
		}
		rows := [][]string{{"segment", "members", "share", "description"}}
		for i, d := range defs {
			share := 100 * float64(sizes[i].Members) / float64(max(1, total))
			rows = append(rows, []string{d.Name, output.Thousands(sizes[i].Members), fmt.Sprintf("%.2f%%", share), d.Description})
		}
		output.Columns(e.stdout, rows, []bool{false, true, true, false})
		fmt.Fprintf(e.stderr, "%d segments over %s rows of %s in %s (one query)\n", len(defs), output.Thousands(total), r.src, output.Round(time.Since(start)))
		return 0
	})
}

// lineWriter buffers lines to w.
type lineWriter struct {
	w   interface{ Write([]byte) (int, error) }
	buf []byte
}

func newLineWriter(w interface{ Write([]byte) (int, error) }) *lineWriter {
	return &lineWriter{w: w}
}

func (l *lineWriter) line(s string) error {
	l.buf = append(append(l.buf, s...), '\n')
	if len(l.buf) >= 64<<10 {
		return l.flush()
	}
	return nil
}

func (l *lineWriter) flush() error {
	_, err := l.w.Write(l.buf)
	l.buf = l.buf[:0]
	return err
}

// exportRemote is export from a PostgreSQL table: the count is checked
// against the privacy guard first, then the members' rows stream from the
// server into the file (or another table).
func (e *env) exportRemote(url string, a *analyticsFlags, src, out string, cols []string) int {
	return e.withRemote(url, &a.catalogFlags, []string{src}, func(ctx context.Context, r *remote, q *sqlgen.Query) int {
		n, err := r.src.Count(ctx, q)
		if err != nil {
			return e.fail("export", err)
		}
		an := analytics.New(r.src.Engine())
		rep, err := an.ExportFrom(ctx, n, out, e.exportOptions(ctx, a, cols, out), func(_ []int, schema *arrow.Schema, emit func(arrow.RecordBatch) error) error {
			names := make([]string, schema.NumFields())
			for i, f := range schema.Fields() {
				names[i] = f.Name
			}
			return r.src.Rows(ctx, q, names, r.id, -1, nil, emit)
		})
		return e.reportExport(rep, err, out)
	})
}

// diffRemote is diff on a PostgreSQL table: the members of each segment
// whose definition (or a definition it uses) changed come from the
// server, one query per version; unchanged segments are not queried.
func (e *env) diffRemote(url string, d *dataFlags, oldFiles, newFiles []catalog.File, samples int) ([]segmentChange, int) {
	var out []segmentChange
	code := e.withRemote(url, &catalogFlags{dataFlags: *d}, nil, func(ctx context.Context, r *remote, _ *sqlgen.Query) int {
		id, err := r.needID()
		if err != nil {
			fmt.Fprintln(e.stderr, "segql diff:", err)
			return 1
		}
		var cats [2]*catalog.Catalog
		for i, files := range [][]catalog.File{oldFiles, newFiles} {
			if cats[i], err = catalog.Load(r.src.Engine(), files); err != nil {
				fmt.Fprintln(e.stderr, err)
				return 1
			}
		}
		members := func(cat *catalog.Catalog, name string) ([]string, error) {
			q, err := (&remote{src: r.src, cat: cat, now: r.now}).compile(name)
			if err != nil {
				return nil, err
			}
			var ids []string
			_, err = r.src.IDs(ctx, q, id, func(s string) error { ids = append(ids, s); return nil })
			return ids, err
		}
		if out, err = remoteChanges(cats[0], cats[1], members, samples); err != nil {
			e.printError(err)
			return 1
		}
		return 0
	})
	return out, code
}

// remoteChanges compares two versions of the definitions by their
// members, which members fetches from the server.
func remoteChanges(oldCat, newCat *catalog.Catalog, members func(*catalog.Catalog, string) ([]string, error), samples int) ([]segmentChange, error) {
	ids := func(cat *catalog.Catalog, name string, in bool) ([]string, error) {
		if !in {
			return nil, nil
		}
		return members(cat, name)
	}
	return segmentChanges(oldCat.Definitions(), newCat.Definitions(), func(c *segmentChange, inOld, inNew bool) (bool, error) {
		oldIDs, err := ids(oldCat, c.Name, inOld)
		if err != nil {
			return false, err
		}
		newIDs, err := ids(newCat, c.Name, inNew)
		if err != nil {
			return false, err
		}
		moveIDs(c, oldIDs, newIDs, samples)
		return c.Joined+c.Left > 0, nil
	})
}

// moveIDs fills the sizes, the counts of members who join and leave, and
// samples of each, from the two member lists.
func moveIDs(c *segmentChange, old, cur []string, samples int) {
	c.OldSize, c.NewSize = len(old), len(cur)
	c.JoinedEg, c.LeftEg = []string{}, []string{}
	c.Joined = minus(cur, old, samples, &c.JoinedEg)
	c.Left = minus(old, cur, samples, &c.LeftEg)
}

// minus counts the ids of a not in b, keeping the first n in eg.
func minus(a, b []string, n int, eg *[]string) int {
	in := make(map[string]struct{}, len(b))
	for _, s := range b {
		in[s] = struct{}{}
	}
	count := 0
	for _, s := range a {
		if _, ok := in[s]; !ok {
			count++
			if len(*eg) < n {
				*eg = append(*eg, s)
			}
		}
	}
	return count
}
