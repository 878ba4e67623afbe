package columnar

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/segql/segql/internal/atomicfile"
	"github.com/segql/segql/internal/workers"
)

// ErrNotStreamable: a dataset to stream holds a file of a format without
// row groups to read one at a time.
var ErrNotStreamable = errors.New("only Parquet files can be streamed (load other formats whole, without a memory limit)")

// Dataset is Parquet data opened for streaming: the files' schema and
// every row group's size and statistics, read from the footers without
// decoding a row. Row groups (pieces) are then read one at a time, only
// the columns asked for. Its methods are safe for concurrent use; Close
// it when done.
type Dataset struct {
	Name   string
	Schema *arrow.Schema // the files' columns, then the partition columns
	files  []*dsFile
	pieces []piece
	parts  *Partitioning
	own    int // the files' own columns (the partitions follow)
	mem    memory.Allocator
	rows   int64
	batch  int
	cache  *columnCache // KeepColumns: decoded columns, kept
}

// columnCache holds the columns a dataset has decoded, per row group.
type columnCache struct {
	mu   sync.Mutex
	cols map[pieceColumn][]arrow.Array // one array per batch of the row group
}

type pieceColumn struct{ piece, col int }

type dsFile struct {
	*parquetFile
	path string
	mem  memory.Allocator
}

type piece struct {
	file, group int
	rows        int64
	first       int64 // the dataset row of its first row
}

// Piece names one row group of a dataset.
type Piece struct {
	Path     string
	RowGroup int
	Rows     int64
}

// GroupStats is what a row group's footer says of one column: its rows,
// its nulls (-1 when not recorded) and, when recorded and trustworthy, the
// least and greatest non-null value as a two-element array of the
// column's value type (a dictionary column's values: strings). Floats
// never have them: Parquet's statistics leave NaN out.
//
// Files written by arrow-go's Parquet writer ("parquet-go version …",
// as segql writes them) leave empty strings out of a string column's
// minimum: for them EmptyMayHide says an empty string may occur beside
// the values MinMax bounds.
type GroupStats struct {
	Rows         int64
	Nulls        int64
	MinMax       arrow.Array
	EmptyMayHide bool
}

// streamBatchSize is the default rows per batch of a streamed row group:
// smaller than a loaded table's, as a streamed batch is decoded and then
// evaluated at once, while its columns are still in the cache.
const streamBatchSize = 32 * 1024

// OpenDataset opens the Parquet files the paths name (directories and
// patterns as in Load, Hive partitions included) for streaming. Files of
// different schemas are an error naming both files and the column.
func OpenDataset(ctx context.Context, paths []string, opts LoadOptions) (_ *Dataset, err error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = streamBatchSize
	}
	opts = opts.withDefaults()
	files, parts, err := expandPartitioned(paths)
	if err != nil {
		return nil, err
	}
	if opts.Mem == memory.DefaultAllocator {
		opts.Mem = newPoolAllocator() // row groups come and go: recycle their buffers
	}
	ds := &Dataset{parts: parts, mem: opts.Mem, batch: opts.BatchSize}
	defer func() {
		if err != nil {
			ds.Close()
		}
	}()
	// Footers are read in parallel; files are then checked in order, so
	// the error is the first file's.
	opened := make([]*dsFile, len(files))
	schemas := make([]*arrow.Schema, len(files))
	errs := make([]error, len(files))
	werr := workers.Run(ctx, len(files), 0, func(_, i int) error {
		opened[i], schemas[i], errs[i] = openParquet(files[i].Path, opts)
		return nil
	})
	for _, df := range opened {
		if df != nil {
			ds.files = append(ds.files, df) // closed with the dataset on error
		}
	}
	if werr != nil {
		return nil, werr
	}
	var first *arrow.Schema
	for i, f := range files {
		if errs[i] != nil {
			return nil, errs[i]
		}
		df, schema := opened[i], schemas[i]
		if i == 0 {
			first = schema
		} else if err := sameSchema(first, schema, files[0].Path, f.Path); err != nil {
			return nil, err
		}
		for g := 0; g < df.rdr.NumRowGroups(); g++ {
			n := df.rdr.MetaData().RowGroup(g).NumRows()
			if n < 0 {
				return nil, &LoadError{Path: f.Path, Err: fmt.Errorf("row group %d declares %d rows", g, n)}
			}
			ds.pieces = append(ds.pieces, piece{file: i, group: g, rows: n, first: ds.rows})
			ds.rows += n
		}
	}
	fields := first.Fields()
	ds.own = len(fields)
	for _, pf := range parts.Fields {
		if first.FieldIndices(pf.Name) != nil {
			return nil, &LoadError{Path: files[0].Path, Column: pf.Name, Err: fmt.Errorf("the file has a column named like its partition directory %s=…", pf.Name)}
		}
		fields = append(fields, pf)
	}
	md := first.Metadata()
	ds.Schema = arrow.NewSchema(fields, &md)
	if err := uniqueNames(ds.Schema); err != nil {
		return nil, &LoadError{Path: files[0].Path, Err: err}
	}
	ds.Name = TableName(files[0].Path)
	return ds, nil
}

// openParquet opens one file's footer and maps its top-level columns to
// their leaves.
func openParquet(path string, opts LoadOptions) (df *dsFile, schema *arrow.Schema, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &LoadError{Path: path, Err: fmt.Errorf("malformed file (%v)", r)}
		}
		if err != nil && df != nil {
			df.rdr.Close()
			df = nil
		}
	}()
	if FormatOf(path) != FormatParquet {
		return nil, nil, &LoadError{Path: path, Err: ErrNotStreamable}
	}
	if err := checkRegular(path); err != nil {
		return nil, nil, &LoadError{Path: path, Err: err}
	}
	atomicfile.Protect(path, atomicfile.Data)
	mem := opts.Mem
	if st, err := os.Stat(path); err == nil {
		mem = boundFor(mem, st.Size())
	}
	props := parquet.NewReaderProperties(mem)
	setStreamReads(props)
	rdr, err := file.OpenParquetFile(path, false, file.WithReadProps(props))
	if err != nil {
		return nil, nil, &LoadError{Path: path, Err: misnamed(path, err)}
	}
	df = &dsFile{path: path, mem: mem, parquetFile: &parquetFile{rdr: rdr}}
	pf, err := newParquetFile(rdr, int64(opts.BatchSize), mem)
	if err != nil {
		return df, nil, &LoadError{Path: path, Err: err}
	}
	df.parquetFile = pf
	if err := uniqueNames(pf.schema); err != nil {
		return df, nil, &LoadError{Path: path, Err: err}
	}
	return df, pf.schema, nil
}

// KeepColumns makes the dataset keep every column it decodes (per row
// group, shared by later reads and released by Close): a column costs one
// decoding, on first use, however many reads use it. Call it before the
// first Read.
func (d *Dataset) KeepColumns() { d.cache = &columnCache{cols: map[pieceColumn][]arrow.Array{}} }

// readCached is Read with KeepColumns: the columns of cols not decoded
// yet are decoded (together) and kept; the table is assembled from the
// kept arrays.
func (d *Dataset) readCached(ctx context.Context, i int, cols []int) (*Table, error) {
	c := d.cache
	var missing []int
	c.mu.Lock()
	for _, col := range cols {
		if _, ok := c.cols[pieceColumn{i, col}]; !ok && !slices.Contains(missing, col) {
			missing = append(missing, col)
		}
	}
	c.mu.Unlock()
	if len(missing) > 0 {
		t, err := d.read(ctx, i, missing)
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		for k, col := range missing {
			key := pieceColumn{i, col}
			if _, ok := c.cols[key]; ok {
				continue // decoded meanwhile by another read
			}
			arrs := make([]arrow.Array, len(t.Batches))
			for b, rec := range t.Batches {
				arrs[b] = rec.Column(k)
				arrs[b].Retain()
			}
			c.cols[key] = arrs
		}
		c.mu.Unlock()
		t.Release()
	}
	fields := make([]arrow.Field, len(cols))
	per := make([][]arrow.Array, len(cols))
	c.mu.Lock()
	for k, col := range cols {
		fields[k], per[k] = d.Schema.Field(col), c.cols[pieceColumn{i, col}]
	}
	c.mu.Unlock()
	schema := arrow.NewSchema(fields, nil)
	var batches []arrow.RecordBatch
	for b := range per[0] {
		arrs := make([]arrow.Array, len(cols))
		for k := range cols {
			if len(per[k]) != len(per[0]) || per[k][b].Len() != per[0][b].Len() {
				for _, rec := range batches {
					rec.Release()
				}
				return nil, &LoadError{Path: d.files[d.pieces[i].file].path, Err: fmt.Errorf("row group %d: columns read in batches that differ", d.pieces[i].group)}
			}
			arrs[k] = per[k][b]
		}
		batches = append(batches, array.NewRecordBatch(schema, arrs, int64(per[0][b].Len())))
	}
	return NewTable(d.Name, schema, batches), nil
}

// Close closes the files (and releases the kept columns).
func (d *Dataset) Close() error {
	if d.cache != nil {
		d.cache.mu.Lock()
		for _, arrs := range d.cache.cols {
			for _, a := range arrs {
				a.Release()
			}
		}
		d.cache.cols = nil
		d.cache.mu.Unlock()
	}
	var errs []error
	for _, f := range d.files {
		errs = append(errs, f.rdr.Close())
	}
	d.files = nil
	return errors.Join(errs...)
}

// NumRows returns the rows of all row groups, as the footers declare them.
func (d *Dataset) NumRows() int64 { return d.rows }

// NumPieces returns the number of row groups.
func (d *Dataset) NumPieces() int { return len(d.pieces) }

// Piece describes row group i.
func (d *Dataset) Piece(i int) Piece {
	p := d.pieces[i]
	return Piece{Path: d.files[p.file].path, RowGroup: p.group, Rows: p.rows}
}

// PieceOffset returns the dataset row (counting from 0 over all row
// groups in order) of piece i's first row.
func (d *Dataset) PieceOffset(i int) int64 { return d.pieces[i].first }

// Files returns the dataset's file paths.
func (d *Dataset) Files() []string {
	out := make([]string, len(d.files))
	for i, f := range d.files {
		out[i] = f.path
	}
	return out
}

// EstimateBytes is about what reading columns cols of piece i holds in
// memory: the column chunks' uncompressed sizes, twice over for the
// readers' growing buffers, and the partition columns' values.
func (d *Dataset) EstimateBytes(i int, cols []int) int64 {
	p := d.pieces[i]
	f := d.files[p.file]
	rg := f.rdr.MetaData().RowGroup(p.group)
	var n int64
	for _, c := range cols {
		if c >= d.own {
			n += 8 * p.rows
			continue
		}
		for _, leaf := range f.leaves[c] {
			if cc, err := rg.ColumnChunk(leaf); err == nil {
				n += 2 * max(cc.TotalUncompressedSize(), 0)
			}
		}
	}
	return n
}

// Stats returns what piece i's footer says of column col (an index into
// Schema): see GroupStats. A partition column's statistics are exact.
func (d *Dataset) Stats(i, col int) (cs GroupStats) {
	p := d.pieces[i]
	cs = GroupStats{Rows: p.rows, Nulls: -1}
	if col >= d.own {
		k := col - d.own
		pv := d.parts.files[p.file].Parts[k]
		if pv.Null {
			cs.Nulls = p.rows
			return cs
		}
		cs.Nulls = 0
		one := constArray(memory.DefaultAllocator, d.parts.Fields[k], pv, 2)
		defer one.Release()
		cs.MinMax = plainValues(one)
		return cs
	}
	defer func() {
		if r := recover(); r != nil { // malformed statistics say nothing
			cs = GroupStats{Rows: p.rows, Nulls: -1}
		}
	}()
	f := d.files[p.file]
	if len(f.leaves[col]) != 1 {
		return cs
	}
	leaf := f.leaves[col][0]
	if f.rdr.MetaData().Schema.Column(leaf).ColumnPath().String() != d.Schema.Field(col).Name {
		return cs // a nested column's single leaf
	}
	cc, err := f.rdr.MetaData().RowGroup(p.group).ColumnChunk(leaf)
	if err != nil {
		return cs
	}
	st, err := cc.Statistics()
	if err != nil || st == nil {
		return cs
	}
	if st.HasNullCount() && st.NullCount() >= 0 && st.NullCount() <= p.rows {
		cs.Nulls = st.NullCount()
	}
	if st.HasMinMax() {
		cs.MinMax = minMaxArray(d.Schema.Field(col).Type, st)
		_, bytes := st.(*metadata.ByteArrayStatistics)
		cs.EmptyMayHide = bytes && strings.HasPrefix(f.rdr.MetaData().GetCreatedBy(), "parquet-go")
	}
	return cs
}

// plainValues returns a dictionary array's values in row order (other
// arrays as they are), retained.
func plainValues(a arrow.Array) arrow.Array {
	d, ok := a.(*array.Dictionary)
	if !ok {
		a.Retain()
		return a
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	dict := d.Dictionary().(*array.String)
	for i := 0; i < d.Len(); i++ {
		if d.IsNull(i) {
			b.AppendNull()
		} else {
			b.Append(dict.Value(d.GetValueIndex(i)))
		}
	}
	return b.NewArray()
}

// minMaxArray turns a column chunk's physical min and max into values of
// the column's Arrow type, for the types whose Parquet order is the
// value order segql compares by: booleans, signed integers, dates,
// timestamps and strings (bytewise). Others give nil.
func minMaxArray(t arrow.DataType, st metadata.TypedStatistics) arrow.Array {
	if d, ok := t.(*arrow.DictionaryType); ok {
		t = d.ValueType
	}
	b := array.NewBuilder(memory.DefaultAllocator, t)
	defer b.Release()
	switch s := st.(type) {
	case *metadata.BooleanStatistics:
		bb, ok := b.(*array.BooleanBuilder)
		if !ok {
			return nil
		}
		bb.AppendValues([]bool{s.Min(), s.Max()}, nil)
	case *metadata.Int32Statistics:
		switch bb := b.(type) {
		case *array.Int8Builder:
			bb.AppendValues([]int8{int8(s.Min()), int8(s.Max())}, nil)
		case *array.Int16Builder:
			bb.AppendValues([]int16{int16(s.Min()), int16(s.Max())}, nil)
		case *array.Int32Builder:
			bb.AppendValues([]int32{s.Min(), s.Max()}, nil)
		case *array.Date32Builder:
			bb.AppendValues([]arrow.Date32{arrow.Date32(s.Min()), arrow.Date32(s.Max())}, nil)
		default:
			return nil
		}
	case *metadata.Int64Statistics:
		switch bb := b.(type) {
		case *array.Int64Builder:
			bb.AppendValues([]int64{s.Min(), s.Max()}, nil)
		case *array.TimestampBuilder:
			if !sameTimestampUnit(s.Descr().LogicalType(), t.(*arrow.TimestampType).Unit) {
				return nil
			}
			bb.AppendValues([]arrow.Timestamp{arrow.Timestamp(s.Min()), arrow.Timestamp(s.Max())}, nil)
		default:
			return nil
		}
	case *metadata.ByteArrayStatistics:
		bb, ok := b.(*array.StringBuilder)
		if !ok {
			return nil
		}
		bb.AppendValues([]string{string(s.Min()), string(s.Max())}, nil)
	default:
		return nil
	}
	return b.NewArray()
}

// Read reads columns cols (indexes into Schema, in that order) of piece
// i. A decoder's panic on a malformed file becomes an error naming the
// file, row group and column; every batch is validated.
func (d *Dataset) Read(ctx context.Context, i int, cols []int) (*Table, error) {
	if d.cache == nil || len(cols) == 0 {
		return d.read(ctx, i, cols)
	}
	return d.readCached(ctx, i, cols)
}

func (d *Dataset) read(ctx context.Context, i int, cols []int) (t *Table, err error) {
	p := d.pieces[i]
	f := d.files[p.file]
	var fileCols []int // in the order of cols
	fields := make([]arrow.Field, len(cols))
	for k, c := range cols {
		fields[k] = d.Schema.Field(c)
		if c < d.own {
			fileCols = append(fileCols, c)
		}
	}
	schema := arrow.NewSchema(fields, nil)
	var batches []arrow.RecordBatch
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed data (%v)", r)
		}
		if err != nil {
			for _, b := range batches {
				b.Release()
			}
			var le *LoadError
			if !errors.As(err, &le) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				err = &LoadError{Path: f.path, Err: fmt.Errorf("row group %d: %w", p.group, err)}
			}
			t = nil
		}
	}()
	if len(fileCols) == 0 {
		batches, err = d.partitionOnly(p, schema, cols)
		if err != nil {
			return nil, err
		}
		return NewTable(d.Name, schema, batches), nil
	}
	read, err := f.readGroup(ctx, p.group, fileCols, d.mem, true)
	defer releaseColumns(read)
	if err != nil {
		return nil, err
	}
	var rows int64
	for b := range read[0] {
		out, err := d.arrange(read, b, schema, cols, p)
		if err != nil {
			return nil, err
		}
		batches = append(batches, out)
		if err := validate(out); err != nil {
			return nil, err
		}
		rows += out.NumRows()
	}
	if rows != p.rows {
		return nil, fmt.Errorf("%d rows read, %d declared", rows, p.rows)
	}
	return NewTable(d.Name, schema, batches), nil
}

// arrange builds batch b of schema from the file columns read (in the
// order of cols, partition columns left out) and the partition values.
func (d *Dataset) arrange(read [][]arrow.Array, b int, schema *arrow.Schema, cols []int, p piece) (arrow.RecordBatch, error) {
	arrs := make([]arrow.Array, len(cols))
	defer func() {
		for _, a := range arrs {
			if a != nil {
				a.Release()
			}
		}
	}()
	n := read[0][b].Len()
	next := 0
	for k, c := range cols {
		if c >= d.own {
			arrs[k] = constArray(d.mem, d.parts.Fields[c-d.own], d.parts.files[p.file].Parts[c-d.own], n)
			continue
		}
		a := read[next][b]
		next++
		if !arrow.TypeEqual(a.DataType(), schema.Field(k).Type) {
			return nil, fmt.Errorf("column %q: read as %s, declared %s", schema.Field(k).Name, a.DataType(), schema.Field(k).Type)
		}
		a.Retain()
		arrs[k] = a
	}
	return array.NewRecordBatch(schema, arrs, int64(n)), nil
}

// partitionOnly builds the batches of a piece whose columns are all
// partition columns (no file column is decoded).
func (d *Dataset) partitionOnly(p piece, schema *arrow.Schema, cols []int) ([]arrow.RecordBatch, error) {
	var out []arrow.RecordBatch
	for lo := int64(0); lo < p.rows; lo += int64(d.batch) {
		n := int(min(int64(d.batch), p.rows-lo))
		arrs := make([]arrow.Array, len(cols))
		for k, c := range cols {
			arrs[k] = constArray(d.mem, d.parts.Fields[c-d.own], d.parts.files[p.file].Parts[c-d.own], n)
		}
		out = append(out, array.NewRecordBatch(schema, arrs, int64(n)))
		for _, a := range arrs {
			a.Release()
		}
	}
	return out, nil
}
