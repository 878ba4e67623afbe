package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/output"
)

// byteSize is a flag of a size in bytes: a number with an optional unit
// (B, KB, MB, GB, TB in powers of 1000; KiB, MiB, GiB, TiB in powers of
// 1024).
type byteSize int64

func (b *byteSize) String() string {
	if *b == 0 {
		return ""
	}
	return strconv.FormatInt(int64(*b), 10)
}

func (b *byteSize) Set(s string) error {
	n, err := parseByteSize(s)
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

var byteUnits = []struct {
	suffix string
	mul    float64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40}, {"b", 1},
}

func parseByteSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mul := 1.0
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mul = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mul
			break
		}
	}
	x, err := strconv.ParseFloat(t, 64)
	if err != nil || x <= 0 || math.IsInf(x, 0) || x*mul >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is not a size (for example 2GiB, 512MiB or 1.5GB)", s)
	}
	return int64(x * mul), nil
}

// errNotStreamed: a command that needs whole columns was given
// --memory-limit.
var errNotStreamed = errors.New("--memory-limit streams eval, sizes, diff, export, overlap, split and the shell; this command needs the whole table in memory (drop --memory-limit)")

// streamed reports whether the data is to be streamed (--memory-limit).
func (d *dataFlags) streamed() bool { return d.memLimit > 0 }

// openDataset opens --data for a streamed scan and bounds the Go heap by
// the limit.
func (d *dataFlags) openDataset(ctx context.Context) (*columnar.Dataset, error) {
	switch {
	case len(d.data) == 0:
		return nil, errors.New("--memory-limit streams Parquet files given with --data (the demo table is generated in memory)")
	case len(d.events.files) > 0:
		return nil, fmt.Errorf("--events: %w", engine.ErrScanEvents)
	}
	debug.SetMemoryLimit(int64(d.memLimit))
	return columnar.OpenDataset(ctx, d.data, columnar.LoadOptions{})
}

// scanOptions are a streamed scan's options for the flags: now, the
// definitions, the byte budget (half the limit: the rest is for decoding,
// members and the runtime), progress on a terminal.
func (e *env) scanOptions(d *dataFlags, now time.Time, defs *catalog.Catalog) engine.ScanOptions {
	o := engine.ScanOptions{Now: now, MemoryLimit: int64(d.memLimit) / 2}
	if defs != nil {
		o.Compile = []engine.Option{engine.WithDefinitions(defs.Checked())}
	}
	o.Progress = e.scanProgress()
	return o
}

// openStreamed opens the dataset and the definitions of a streamed
// command, reporting a failure on stderr (ok false); the caller closes
// the dataset.
func (e *env) openStreamed(ctx context.Context, cmd string, c *catalogFlags) (*columnar.Dataset, *catalog.Catalog, bool) {
	ds, err := c.openDataset(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "segql %s: %v\n", cmd, err)
		return nil, nil, false
	}
	cat, err := e.streamCatalog(ctx, c, ds)
	if err != nil {
		ds.Close()
		e.printError(err)
		return nil, nil, false
	}
	return ds, cat, true
}

// streamCatalog loads --defs against the dataset's schema.
func (e *env) streamCatalog(ctx context.Context, c *catalogFlags, ds *columnar.Dataset) (*catalog.Catalog, error) {
	if len(c.defs) == 0 {
		return nil, nil
	}
	files, named, err := readDefSet(ctx, c.defs, nil)
	c.named = named
	if err != nil {
		return nil, err
	}
	return catalog.Load(engine.OpenSchema(ds.Schema), files)
}

// scanProgress returns a progress callback that, on a terminal and after
// about a second, keeps one line on stderr up to date: row groups done of
// all (and skipped), rows and their rate. Pipes and files never get it.
func (e *env) scanProgress() func(engine.ScanProgress) {
	if !isTerminal(e.stderr) {
		return nil
	}
	var mu sync.Mutex
	last := time.Time{}
	return func(p engine.ScanProgress) {
		mu.Lock()
		defer mu.Unlock()
		if p.Elapsed < time.Second || time.Since(last) < 200*time.Millisecond && p.Done+p.Skipped < p.Total {
			return
		}
		last = time.Now()
		rate := float64(p.Rows) / p.Elapsed.Seconds()
		fmt.Fprintf(e.stderr, "\rscanning: %s of %s row groups (%s skipped), %s rows, %s rows/s\x1b[K",
			output.Thousands(p.Done), output.Thousands(p.Total-p.Skipped), output.Thousands(p.Skipped),
			output.Thousands(int(p.Rows)), output.Thousands(int(rate)))
		if p.Done+p.Skipped == p.Total {
			fmt.Fprintln(e.stderr)
		}
	}
}

// scanSummary is the line a streamed command ends with on stderr.
func scanSummary(res *engine.ScanResult) string {
	rate := float64(res.RowsRead) / max(res.Elapsed.Seconds(), 1e-9)
	return fmt.Sprintf("streamed %s rows in %s: read %d of %d row groups (%d skipped by their statistics), %s rows/s",
		output.Thousands(int(res.Total)), output.Round(res.Elapsed), res.Read, res.RowGroups, res.Skipped, output.Thousands(int(rate)))
}

// evalStreamed is segql eval over a streamed dataset: members are written
// as their row groups finish, in the data's order. Members are held back
// until there are at least --min-size of them, so a segment under the
// threshold prints nothing.
func (e *env) evalStreamed(ctx context.Context, cf *catalogFlags, src, format string, limit int, pv analytics.Privacy, now time.Time) int {
	ds, cat, ok := e.openStreamed(ctx, "eval", cf)
	if !ok {
		return 1
	}
	defer ds.Close()
	code, _ := e.evalOver(ctx, cf, ds, cat, src, format, limit, pv, now, false)
	return code
}

// evalOver evaluates src over the streamed ds. implicit means the user
// did not ask for a stream (a large Parquet table, see lazyDataset): no
// summary line is printed, and an expression a stream cannot evaluate
// (a ranking function, an event condition) reports fallback, having
// written nothing, for the caller to load the data whole.
func (e *env) evalOver(ctx context.Context, cf *catalogFlags, ds *columnar.Dataset, cat *catalog.Catalog, src, format string, limit int,
	pv analytics.Privacy, now time.Time, implicit bool) (code int, fallback bool) {
	d := &cf.dataFlags
	schemaOnly := columnar.NewTable(ds.Name, ds.Schema, nil)
	o := e.scanOptions(d, now, cat)
	fail := func(err error) (int, bool) {
		if implicit && (errors.Is(err, engine.ErrScanRanks) || errors.Is(err, engine.ErrScanEvents) || errors.Is(err, engine.ErrNeedsData)) {
			return 0, true
		}
		return e.fail("eval", err), false
	}
	w := &memberWriter{e: e, format: format, limit: limit, pv: pv}
	if format != "count" {
		cols, err := w.columns(d, schemaOnly, src, o)
		if err != nil {
			return fail(err)
		}
		o.Keep, o.Members = cols, w.add
	}
	if err := pv.Validate(schemaOnly); err != nil {
		return fail(err)
	}
	res, err := engine.Scan(ctx, ds, src, o)
	if err == nil {
		err = w.finish(res)
	}
	if err != nil {
		return fail(err)
	}
	e.printWarnings(src, res.Query.Warnings)
	if !implicit {
		fmt.Fprintln(e.stderr, scanSummary(res))
	}
	return 0, false
}

// memberWriter writes a streamed segment's members in an eval format.
type memberWriter struct {
	e       *env
	format  string
	limit   int
	pv      analytics.Privacy
	schema  *arrow.Schema       // the kept columns
	held    []arrow.RecordBatch // members held back: under --min-size so far, or the table's first rows
	rows    int
	open    bool // the threshold is met: members are written as they come
	started bool // the CSV header or JSON array's opening is written
	nulls   int  // ids format: members with a null id
}

// columns returns the columns the format shows, the personal data left
// out (noted on stderr).
func (w *memberWriter) columns(d *dataFlags, schemaOnly *columnar.Table, src string, o engine.ScanOptions) ([]string, error) {
	var want []string
	switch w.format {
	case "ids", "table":
		id, err := d.idColumn(schemaOnly)
		if err != nil {
			if w.format == "ids" {
				return nil, err
			}
		} else {
			want = append(want, id)
		}
		if w.format == "table" {
			q, err := engine.OpenSchema(schemaOnly.Schema).Compile(src, o.Compile...)
			if err != nil {
				return nil, err
			}
			for _, c := range q.Columns() {
				if len(want) < 8 && (len(want) == 0 || c != want[0]) {
					want = append(want, c)
				}
			}
		}
	}
	shown, withheld, err := w.pv.Members(schemaOnly, 0, want)
	if err != nil {
		return nil, err
	}
	if w.format == "ids" && len(withheld) > 0 {
		return nil, fmt.Errorf("the id column %q is %w (--allow-pii)", want[0], analytics.ErrPersonalData)
	}
	w.e.noteWithheld(withheld)
	if len(shown) == 0 {
		return nil, errors.New("no column to show: every one holds personal data (--allow-pii)")
	}
	_, w.schema, err = schemaOnly.Project(shown)
	return shown, err
}

// add takes one row group's members (called in order, one at a time).
func (w *memberWriter) add(rec arrow.RecordBatch) error {
	w.rows += int(rec.NumRows())
	if w.format == "table" {
		if heldRows(w.held) < w.limit {
			rec.Retain()
			w.held = append(w.held, rec)
		}
		return nil
	}
	if !w.open {
		rec.Retain()
		w.held = append(w.held, rec)
		if w.pv.Check(w.rows) != nil {
			return nil
		}
		w.open = true
		held := w.held
		w.held = nil
		defer releaseAll(held)
		return w.write(held)
	}
	return w.write([]arrow.RecordBatch{rec})
}

func heldRows(recs []arrow.RecordBatch) int {
	n := 0
	for _, r := range recs {
		n += int(r.NumRows())
	}
	return n
}

// write writes members in the format, the CSV header or the JSON
// array's opening before the first.
func (w *memberWriter) write(recs []arrow.RecordBatch) error {
	switch w.format {
	case "ids":
		for _, rec := range recs {
			col := rec.Column(0)
			for i := 0; i < col.Len(); i++ {
				s, ok := columnar.FormatValue(col, i)
				if !ok {
					w.nulls++
					continue
				}
				if _, err := io.WriteString(w.e.stdout, s+"\n"); err != nil {
					return err
				}
			}
		}
		return nil
	case "csv":
		header := !w.started
		w.started = true
		return output.CSVWith(w.e.stdout, recs, header)
	}
	for _, rec := range recs {
		for r := 0; r < int(rec.NumRows()); r++ {
			sep := ",\n  "
			if !w.started {
				sep = "[\n  "
			}
			w.started = true
			obj, err := output.JSONObject(rec, r)
			if err != nil {
				return err
			}
			if _, err := io.WriteString(w.e.stdout, sep+obj); err != nil {
				return err
			}
		}
	}
	return nil
}

// finish writes what the scan's end decides: the threshold's verdict,
// the table, a CSV header or JSON array for no members, the null ids.
func (w *memberWriter) finish(res *engine.ScanResult) error {
	defer releaseAll(w.held)
	if err := w.pv.Check(int(res.Count)); err != nil {
		return err
	}
	switch w.format {
	case "count":
		_, err := fmt.Fprintln(w.e.stdout, res.Count)
		return err
	case "table":
		return w.table(res)
	case "ids":
		if w.nulls > 0 {
			fmt.Fprintf(w.e.stderr, "warning: %s members have a null id and are not listed\n", output.Thousands(w.nulls))
		}
	case "csv":
		if !w.started {
			empty := emptyBatch(w.schema)
			defer empty.Release()
			return output.CSVWith(w.e.stdout, []arrow.RecordBatch{empty}, true)
		}
	case "json":
		end := "\n]\n"
		if !w.started {
			end = "[]\n"
		}
		_, err := io.WriteString(w.e.stdout, end)
		return err
	}
	return nil
}

// emptyBatch is a batch of schema with no rows.
func emptyBatch(schema *arrow.Schema) arrow.RecordBatch {
	cols := make([]arrow.Array, schema.NumFields())
	for i, f := range schema.Fields() {
		cols[i] = array.MakeArrayOfNull(memory.DefaultAllocator, f.Type, 0)
		defer cols[i].Release()
	}
	return array.NewRecordBatch(schema, cols, 0)
}

// table prints the summary and the first members.
func (w *memberWriter) table(res *engine.ScanResult) error {
	fmt.Fprintln(w.e.stdout, output.Summary(int(res.Count), int(res.Total), res.Elapsed))
	if res.Count == 0 || w.limit == 0 || len(w.held) == 0 {
		return nil
	}
	rec, err := concatRecords(w.held, w.limit)
	if err != nil {
		return err
	}
	defer rec.Release()
	fmt.Fprintln(w.e.stdout)
	return output.Table(w.e.stdout, rec)
}

// concatRecords joins records of one schema, keeping the first limit
// rows.
func concatRecords(recs []arrow.RecordBatch, limit int) (arrow.RecordBatch, error) {
	schema := recs[0].Schema()
	cols := make([]arrow.Array, schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	n := min(limit, heldRows(recs))
	for c := range cols {
		var parts []arrow.Array
		for _, r := range recs {
			parts = append(parts, r.Column(c))
		}
		all, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		cols[c] = array.NewSlice(all, 0, int64(n))
		all.Release()
	}
	return array.NewRecordBatch(schema, cols, int64(n)), nil
}

// sizesStreamed is segql sizes over a streamed dataset: every segment in
// one pass, each row group read when any segment may need it.
func (e *env) sizesStreamed(ctx context.Context, c *catalogFlags, format string, now time.Time) int {
	ds, cat, ok := e.openStreamed(ctx, "sizes", c)
	if !ok {
		return 1
	}
	defer ds.Close()
	var defs []*catalog.Definition
	var names []string
	for _, d := range cat.Definitions() {
		if c.named[filepath.Clean(d.File)] {
			defs, names = append(defs, d), append(names, d.Name)
		}
	}
	o := e.scanOptions(&c.dataFlags, now, cat)
	o.Unknown = format == "json"
	res, err := engine.ScanSet(ctx, ds, names, o)
	if err != nil {
		return e.fail("sizes", err)
	}
	if format == "json" {
		out := make([]sizeRow, len(defs))
		for i, d := range defs {
			out[i] = sizeRow{d.Name, d.Description, int(res[i].Count), int(res[i].Unknown), int(res[i].Total), d.Deps, d.Expr,
				&scanReport{res[i].RowGroups, res[i].Read, res[i].Skipped}}
		}
		return e.writeSizes(out)
	}
	rows := [][]string{{"segment", "members", "share", "description"}}
	for i, d := range defs {
		share := 100 * float64(res[i].Count) / float64(max(1, res[i].Total))
		rows = append(rows, []string{d.Name, output.Thousands(int(res[i].Count)), fmt.Sprintf("%.2f%%", share), d.Description})
	}
	output.Columns(e.stdout, rows, []bool{false, true, true, false})
	if len(res) > 0 {
		fmt.Fprintln(e.stderr, scanSummary(res[0]))
	}
	return 0
}

// scanReport is a streamed command's row groups in -o json.
type scanReport struct {
	RowGroups int `json:"row_groups"`
	Read      int `json:"row_groups_read"`
	Skipped   int `json:"row_groups_skipped"`
}

// startStreamed opens an analytics command's streamed dataset and its
// scan options; a code >= 0 is the exit status of a failure, reported.
func (e *env) startStreamed(ctx context.Context, cmd string, a *analyticsFlags) (*columnar.Dataset, engine.ScanOptions, int) {
	now, err := a.runNow()
	if err != nil {
		fmt.Fprintf(e.stderr, "segql %s: %v\n", cmd, err)
		return nil, engine.ScanOptions{}, 2
	}
	ds, cat, ok := e.openStreamed(ctx, cmd, &a.catalogFlags)
	if !ok {
		return nil, engine.ScanOptions{}, 1
	}
	return ds, e.scanOptions(&a.dataFlags, now, cat), -1
}

// exportStreamed is segql export over a streamed dataset: a first pass
// counts the members (the privacy threshold is decided before anything
// is written), a second writes them, one row group at a time.
func (e *env) exportStreamed(ctx context.Context, a *analyticsFlags, src, out string, cols []string) int {
	ds, o, code := e.startStreamed(ctx, "export", a)
	if code >= 0 {
		return code
	}
	defer ds.Close()
	counted, err := engine.Scan(ctx, ds, src, o)
	if err != nil {
		return e.fail("export", err)
	}
	an := analytics.New(engine.OpenSchema(ds.Schema))
	var last *engine.ScanResult
	rep, err := an.ExportFrom(ctx, int(counted.Count), out, e.exportOptions(ctx, a, cols, out),
		func(idx []int, schema *arrow.Schema, emit func(arrow.RecordBatch) error) error {
			keep := make([]string, len(idx))
			for i := range idx {
				keep[i] = schema.Field(i).Name
			}
			o.Keep, o.Members = keep, emit
			res, err := engine.Scan(ctx, ds, src, o)
			if err == nil && res.Count != counted.Count {
				err = fmt.Errorf("the data changed while it was exported: %d members, then %d", counted.Count, res.Count)
			}
			last = res
			return err
		})
	code = e.reportExport(rep, err, out)
	if code == 0 && last != nil {
		fmt.Fprintln(e.stderr, scanSummary(last))
	}
	return code
}

// overlapStreamed is segql overlap over a streamed dataset: the segments
// in one pass, their membership combinations counted row group by row
// group.
func (e *env) overlapStreamed(ctx context.Context, a *analyticsFlags, srcs []string, format string) int {
	ds, o, code := e.startStreamed(ctx, "overlap", a)
	if code >= 0 {
		return code
	}
	defer ds.Close()
	counter := analytics.NewOverlapCounter()
	o.Results = func(_ int64, rs []*engine.Result) error {
		counter.Add(rs)
		return nil
	}
	res, err := engine.ScanSet(ctx, ds, srcs, o)
	if err != nil {
		return e.fail("overlap", err)
	}
	sizes := make([]int, len(res))
	for i, r := range res {
		sizes[i] = int(r.Count)
	}
	ov, err := analytics.New(engine.OpenSchema(ds.Schema)).OverlapOf(srcs, sizes, counter, a.privacy())
	if err != nil {
		return e.fail("overlap", err)
	}
	if len(res) > 0 {
		fmt.Fprintln(e.stderr, scanSummary(res[0]))
	}
	if format == "json" {
		return e.writeJSON(ov)
	}
	output.Overlap(e.stdout, ov)
	return 0
}

// splitStreamed is segql split over a streamed dataset: one pass reads the
// members' ids in order and assigns them (writing id and arm with
// --save, atomically: a segment under --min-size leaves no file).
func (e *env) splitStreamed(ctx context.Context, a *analyticsFlags, src string, opts analytics.SplitOptions, save, format string) int {
	ds, o, code := e.startStreamed(ctx, "split", a)
	if code >= 0 {
		return code
	}
	defer ds.Close()
	schemaOnly := columnar.NewTable(ds.Name, ds.Schema, nil)
	id, err := a.idColumn(schemaOnly)
	if err != nil {
		return e.fail("split", err)
	}
	opts.IDColumn = id
	if err := opts.Privacy.Validate(schemaOnly); err != nil {
		return e.fail("split", err)
	}
	sp, err := analytics.New(engine.OpenSchema(ds.Schema)).NewSplitter(opts)
	if err != nil {
		return e.fail("split", err)
	}
	o.Keep = []string{id}
	var res *engine.ScanResult
	scan := func(emit func(arrow.RecordBatch) error) error {
		o.Members = func(rec arrow.RecordBatch) error {
			if emit == nil {
				sp.Assign(rec.Column(0))
				return nil
			}
			out, err := sp.AssignBatch(rec)
			if err != nil {
				return err
			}
			defer out.Release()
			return emit(out)
		}
		var err error
		if res, err = engine.Scan(ctx, ds, src, o); err != nil {
			return err
		}
		return opts.Privacy.Check(int(res.Count))
	}
	if save == "" {
		err = scan(nil)
	} else {
		schema := arrow.NewSchema([]arrow.Field{ds.Schema.Field(ds.Schema.FieldIndices(id)[0]), {Name: "arm", Type: arrow.BinaryTypes.String}}, nil)
		err = columnar.WriteStream(save, schema, scan, nil)
	}
	if err != nil {
		return e.fail("split", err)
	}
	fmt.Fprintln(e.stderr, scanSummary(res))
	if format == "json" {
		return e.writeJSON(sp.Split())
	}
	output.Split(e.stdout, sp.Split())
	return 0
}

// diffStreamed is diff over a streamed dataset: each version's segments
// in one pass, their members kept as bitmaps over the dataset's rows (a
// bit a row and segment); the sample ids are read from the row groups
// that hold them.
func (e *env) diffStreamed(d *dataFlags, oldFiles, newFiles []catalog.File, samples int, now time.Time) ([]segmentChange, int) {
	ctx, stop := e.signalContext()
	defer stop()
	ds, err := d.openDataset(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql diff:", err)
		return nil, 1
	}
	defer ds.Close()
	id, err := d.idColumn(columnar.NewTable(ds.Name, ds.Schema, nil))
	if err != nil {
		fmt.Fprintln(e.stderr, "segql diff:", err)
		return nil, 1
	}
	o := e.scanOptions(d, now, nil)
	old, err := evaluateVersion(ctx, ds, oldFiles, o)
	if err != nil {
		e.printError(err)
		return nil, 1
	}
	cur, err := evaluateVersion(ctx, ds, newFiles, o)
	if err != nil {
		e.printError(err)
		return nil, 1
	}
	var sampleErr error
	sample := func(b *columnar.Bitmap, n int) []string {
		ids, err := idsAt(ctx, ds, id, b, n)
		if err != nil && sampleErr == nil {
			sampleErr = err
		}
		return ids
	}
	changes := changesOver(int(ds.NumRows()), old.defs, cur.defs, old.of, cur.of, sample, samples)
	if sampleErr != nil {
		fmt.Fprintln(e.stderr, "segql diff:", sampleErr)
		return nil, 1
	}
	return changes, 0
}

// streamedVersion is one version of the definitions evaluated over a
// streamed dataset: its segments' members as bitmaps over the dataset's
// rows, and their sizes.
type streamedVersion struct {
	defs  []*catalog.Definition
	bits  map[string]*columnar.Bitmap
	sizes map[string]int
}

func (v streamedVersion) of(name string) (*columnar.Bitmap, int) { return v.bits[name], v.sizes[name] }

// evaluateVersion evaluates one version of the definitions over ds.
func evaluateVersion(ctx context.Context, ds *columnar.Dataset, files []catalog.File, o engine.ScanOptions) (streamedVersion, error) {
	cat, err := catalog.Load(engine.OpenSchema(ds.Schema), files)
	if err != nil {
		return streamedVersion{}, err
	}
	v := streamedVersion{defs: cat.Definitions(), bits: map[string]*columnar.Bitmap{}, sizes: map[string]int{}}
	names := make([]string, len(v.defs))
	bitmaps := make([]*columnar.Bitmap, len(v.defs))
	for i, d := range v.defs {
		names[i], bitmaps[i] = d.Name, columnar.NewBitmap(int(ds.NumRows()))
		v.bits[d.Name] = bitmaps[i]
	}
	if len(names) == 0 {
		return v, nil
	}
	o.Compile = []engine.Option{engine.WithDefinitions(cat.Checked())}
	o.Results = func(first int64, rs []*engine.Result) error {
		for i, r := range rs {
			b := r.Bitmap()
			bitmaps[i].OrAt(int(first), b.Words(), b.Len())
		}
		return nil
	}
	res, err := engine.ScanSet(ctx, ds, names, o)
	if err != nil {
		return streamedVersion{}, err
	}
	for i, r := range res {
		v.sizes[names[i]] = int(r.Count)
	}
	return v, nil
}

// idsAt returns the ids (column id) of the first n rows set in b, reading
// only the row groups that hold them.
func idsAt(ctx context.Context, ds *columnar.Dataset, id string, b *columnar.Bitmap, n int) ([]string, error) {
	var rows []int64
	b.Each(func(row int) bool {
		rows = append(rows, int64(row))
		return len(rows) < n
	})
	col := ds.Schema.FieldIndices(id)[0]
	out := []string{}
	for p, r := 0, 0; r < len(rows); p++ {
		first, size := ds.PieceOffset(p), ds.Piece(p).Rows
		if rows[r] >= first+size {
			continue
		}
		t, err := ds.Read(ctx, p, []int{col})
		if err != nil {
			return nil, err
		}
		for ; r < len(rows) && rows[r] < first+size; r++ {
			bi, i := t.Locate(rows[r] - first)
			s, _ := columnar.FormatValue(t.Batches[bi].Column(0), i)
			out = append(out, s)
		}
		t.Release()
	}
	return out, nil
}

// evalLazily is eval over a large Parquet table without --memory-limit:
// streamed, with the fallback of evalOver; it closes ds.
func (e *env) evalLazily(ctx context.Context, cf *catalogFlags, ds *columnar.Dataset, src, format string, limit int, pv analytics.Privacy, now time.Time) (int, bool) {
	defer ds.Close()
	cat, err := e.streamCatalog(ctx, cf, ds)
	if err != nil {
		e.printError(err)
		return 1, false
	}
	return e.evalOver(ctx, cf, ds, cat, src, format, limit, pv, now, true)
}
