package columnar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"

	"github.com/segql/segql/internal/atomicfile"
	"github.com/segql/segql/internal/workers"
)

// LoadOptions configure loading.
type LoadOptions struct {
	Mem       memory.Allocator // default memory.DefaultAllocator
	BatchSize int              // rows per batch for Parquet, CSV, NDJSON; default DefaultBatchSize
	// Progress, when set, is told of rows as they are read (a Parquet row
	// group, a CSV batch at a time), from several goroutines at once.
	Progress func(rows int64)
}

func (o LoadOptions) withDefaults() LoadOptions {
	if o.Mem == nil {
		o.Mem = memory.DefaultAllocator
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	return o
}

// Format is a file format, chosen by extension.
type Format int

// Formats.
const (
	FormatUnknown Format = iota
	FormatParquet
	FormatIPCFile
	FormatIPCStream
	FormatCSV
	FormatNDJSON
)

// FormatOf returns the format a path's extension names.
func FormatOf(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet", ".pq":
		return FormatParquet
	case ".arrow", ".feather", ".ipc":
		return FormatIPCFile
	case ".arrows":
		return FormatIPCStream
	case ".csv":
		return FormatCSV
	case ".ndjson", ".jsonl", ".json":
		return FormatNDJSON
	}
	return FormatUnknown
}

// LoadError is a problem with a data file, naming the file and, where
// known, the column or row.
type LoadError struct {
	Path   string
	Column string
	Row    int64 // 0 when unknown; 1-based
	Err    error
}

func (e *LoadError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Row > 0 {
		fmt.Fprintf(&b, ": row %d", e.Row)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %q", e.Column)
	}
	b.WriteString(": " + e.Err.Error())
	return b.String()
}

func (e *LoadError) Unwrap() error { return e.Err }

// Load reads the files into one table, concatenating files of the same
// schema; directories and patterns stand for their data files
// (ExpandPaths). A schema difference is an error naming both files and
// the column. Hive-style partition directories (country=DE/…) add their
// keys as columns after the files' own (typed as inferValueType says).
func Load(ctx context.Context, paths []string, opts LoadOptions) (*Table, error) {
	opts = opts.withDefaults()
	files, parts, err := expandPartitioned(paths)
	if err != nil {
		return nil, err
	}
	var tables []*Table
	release := func() {
		for _, t := range tables {
			t.Release()
		}
	}
	for i, f := range files {
		t, err := LoadFile(ctx, f.Path, opts)
		if err == nil {
			t, err = parts.addPartitions(t, i, opts.Mem)
		}
		if err != nil {
			release()
			return nil, err
		}
		if len(files) > 1 {
			t.Name = f.Path // a mismatch names both files, however alike their base names
		}
		if len(tables) > 0 {
			if err := SameSchema(tables[0], t); err != nil {
				t.Release()
				release()
				return nil, err
			}
		}
		tables = append(tables, t)
	}
	if len(tables) == 1 {
		return tables[0], nil
	}
	name := TableName(files[0].Path)
	return Concat(name, tables)
}

// TableName is the name a data path gives its table: its base name
// without the extension.
func TableName(path string) string {
	return strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
}

// LoadFile reads one file. Any panic inside a reader is turned into an
// error naming the file: malformed input must never crash the caller.
func LoadFile(ctx context.Context, path string, opts LoadOptions) (t *Table, err error) {
	opts = opts.withDefaults()
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, &LoadError{Path: path, Err: fmt.Errorf("malformed file (%v)", r)}
		}
	}()
	if err := checkRegular(path); err != nil {
		return nil, &LoadError{Path: path, Err: err}
	}
	atomicfile.Protect(path, atomicfile.Data) // no output of this process may replace it
	if st, serr := os.Stat(path); serr == nil {
		opts.Mem = boundFor(opts.Mem, st.Size())
	}
	var batches []arrow.RecordBatch
	var schema *arrow.Schema
	switch FormatOf(path) {
	case FormatParquet:
		schema, batches, err = readParquet(ctx, path, opts)
	case FormatIPCFile:
		schema, batches, err = readIPCFile(ctx, path, opts)
	case FormatIPCStream:
		schema, batches, err = readIPCStream(ctx, path, opts)
	case FormatCSV:
		schema, batches, err = readCSV(ctx, path, opts)
	case FormatNDJSON:
		schema, batches, err = readNDJSON(ctx, path, opts)
	default:
		return nil, &LoadError{Path: path, Err: errors.New("unknown file type (use .parquet, .arrow, .feather, .ipc, .arrows, .csv, .ndjson or .jsonl)")}
	}
	if err == nil {
		err = uniqueNames(schema)
	}
	if err == nil && FormatOf(path) != FormatParquet { // readParquet validates as it reads
		err = validateAll(batches)
	}
	if err == nil {
		schema, batches, err = encodeStrings(schema, batches, opts.Mem)
	}
	if err != nil {
		for _, b := range batches {
			b.Release()
		}
		err = misnamed(path, err)
		var le *LoadError
		if errors.As(err, &le) {
			return nil, err
		}
		return nil, &LoadError{Path: path, Err: err}
	}
	batches = compactBatches(batches, opts.Mem)
	name := TableName(path)
	return NewTable(name, schema, batches), nil
}

func readParquet(ctx context.Context, path string, opts LoadOptions) (*arrow.Schema, []arrow.RecordBatch, error) {
	// Pages are read into recycled buffers; the columns' own buffers are
	// opts.Mem's.
	props := parquet.NewReaderProperties(boundedLike(opts.Mem, loadPages))
	setStreamReads(props)
	rdr, err := file.OpenParquetFile(path, false, file.WithReadProps(props))
	if err != nil {
		return nil, nil, err
	}
	defer rdr.Close()
	pf, err := newParquetFile(rdr, int64(opts.BatchSize), opts.Mem)
	if err != nil {
		return nil, nil, err
	}
	schema := pf.schema
	fields := make([]int, schema.NumFields())
	for i := range fields {
		fields[i] = i
	}
	ng := rdr.NumRowGroups()
	groups := make([][]arrow.RecordBatch, ng)
	release := func() {
		for _, bs := range groups {
			for _, b := range bs {
				b.Release()
			}
		}
	}
	// Each row group is a work item of segql's pool, with its own
	// recover: a decoder's panic on a malformed file is an error naming
	// the row group. Each batch is validated as it is read, in parallel
	// too.
	err = workers.Run(ctx, ng, 0, func(_, g int) error {
		var err error
		groups[g], err = readRowGroup(ctx, pf, g, fields, opts.Mem)
		if err != nil {
			return fmt.Errorf("row group %d: %w", g, err)
		}
		if opts.Progress != nil {
			opts.Progress(rdr.MetaData().RowGroup(g).NumRows())
		}
		return nil
	})
	if err != nil {
		release()
		return nil, nil, err
	}
	var batches []arrow.RecordBatch
	for _, bs := range groups {
		batches = append(batches, bs...)
	}
	return schema, batches, nil
}

// loadPages recycles the page buffers of Parquet loads.
var loadPages = newPoolAllocator()

// boundedLike is pool with mem's allocation bound, if it has one.
func boundedLike(mem memory.Allocator, pool memory.Allocator) memory.Allocator {
	if b, ok := mem.(boundedAllocator); ok {
		return boundedAllocator{Allocator: pool, max: b.max}
	}
	return pool
}

// readRowGroup reads one row group's record batches (each validated), a
// decoder's panic on a malformed file becoming the error.
func readRowGroup(ctx context.Context, pf *parquetFile, g int, fields []int, mem memory.Allocator) (batches []arrow.RecordBatch, err error) {
	var cols [][]arrow.Array
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = fmt.Errorf("malformed data: %w", e)
			} else {
				err = fmt.Errorf("malformed data (%v)", r)
			}
		}
		releaseColumns(cols)
		if err != nil {
			for _, b := range batches {
				b.Release()
			}
			batches = nil
		}
	}()
	cols, err = pf.readGroup(ctx, g, fields, mem, true)
	if err != nil || len(cols) == 0 {
		return nil, err
	}
	for b := range cols[0] {
		arrs := make([]arrow.Array, len(cols))
		for k := range cols {
			arrs[k] = cols[k][b]
		}
		rec := array.NewRecordBatch(pf.schema, arrs, int64(arrs[0].Len()))
		batches = append(batches, rec)
		if err := validate(rec); err != nil {
			return batches, fmt.Errorf("record batch %d: %w", b, err)
		}
	}
	return batches, nil
}

func readIPCFile(ctx context.Context, path string, opts LoadOptions) (*arrow.Schema, []arrow.RecordBatch, error) {
	if err := verifyIPCPath(path, true); err != nil {
		return nil, nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r, err := ipc.NewFileReader(f, ipc.WithAllocator(opts.Mem))
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var batches []arrow.RecordBatch
	for i := 0; i < r.NumRecords(); i++ {
		if err := ctx.Err(); err != nil {
			return nil, batches, context.Cause(ctx)
		}
		rec, err := r.RecordAt(i)
		if err != nil {
			return nil, batches, fmt.Errorf("record batch %d: %w", i, err)
		}
		batches = append(batches, rec)
	}
	return r.Schema(), batches, nil
}

func readIPCStream(ctx context.Context, path string, opts LoadOptions) (*arrow.Schema, []arrow.RecordBatch, error) {
	if err := verifyIPCPath(path, false); err != nil {
		return nil, nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r, err := ipc.NewReader(f, ipc.WithAllocator(opts.Mem))
	if err != nil {
		return nil, nil, err
	}
	defer r.Release()
	var batches []arrow.RecordBatch
	for r.Next() {
		if err := ctx.Err(); err != nil {
			return nil, batches, context.Cause(ctx)
		}
		rec := r.RecordBatch()
		rec.Retain()
		batches = append(batches, rec)
	}
	if err := r.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, batches, err
	}
	return r.Schema(), batches, nil
}

// validateAll validates every batch; see validate.
func validateAll(batches []arrow.RecordBatch) error {
	for i, b := range batches {
		if err := validate(b); err != nil {
			return fmt.Errorf("record batch %d: %w", i, err)
		}
	}
	return nil
}

// validate checks every column fully: corrupt offsets in untrusted files
// would otherwise panic later, far from the reader.
func validate(rec arrow.RecordBatch) error {
	for i, c := range rec.Columns() {
		if err := validateColumn(c); err != nil {
			return fmt.Errorf("column %q: %w", rec.ColumnName(i), err)
		}
	}
	return nil
}

// validateColumn runs Arrow's full validation, which itself can panic on
// some corruptions (non-monotonic offsets), turning that into an error.
func validateColumn(c arrow.Array) (err error) {
	if c.DataType().ID() == arrow.NULL {
		return nil // no buffers to corrupt (and IPC reads them with none, which ValidateFull rejects)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("corrupt data (%v)", r)
		}
	}()
	return validateFull(c)
}

// uniqueNames refuses a schema with a repeated column name: expressions
// name columns, and one of the two would silently win.
func uniqueNames(s *arrow.Schema) error {
	seen := make(map[string]bool, s.NumFields())
	for _, f := range s.Fields() {
		if seen[f.Name] {
			return fmt.Errorf("column %q appears twice", f.Name)
		}
		seen[f.Name] = true
	}
	return nil
}
