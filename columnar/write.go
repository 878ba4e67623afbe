package columnar

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/segql/segql/internal/atomicfile"
)

// WriteFile writes t to path in the format its extension names, atomically
// (see atomicfile.Write): a failure never leaves a truncated file behind.
func WriteFile(path string, t *Table, mem memory.Allocator) error {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	format := FormatOf(path)
	if format == FormatUnknown {
		return fmt.Errorf("%s: unknown file type (use .parquet, .arrow, .arrows, .csv or .ndjson)", path)
	}
	err := atomicfile.Write(path, func(w io.Writer) error { return writeFormat(w, format, t.Schema, t.Each, mem) })
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// BatchSource produces record batches by calling emit with each in turn,
// stopping at emit's first error. emit does not take ownership.
type BatchSource func(emit func(arrow.RecordBatch) error) error

// WriteStream writes the batches src produces (all with schema) to path,
// in the format its extension names, one batch at a time and atomically:
// the file appears complete or not at all, whatever src or the writer
// fail with.
func WriteStream(path string, schema *arrow.Schema, src BatchSource, mem memory.Allocator) error {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	format := FormatOf(path)
	if format == FormatUnknown {
		return fmt.Errorf("%s: unknown file type (use .parquet, .arrow, .arrows, .csv or .ndjson)", path)
	}
	err := atomicfile.Write(path, func(w io.Writer) error { return writeFormat(w, format, schema, src, mem) })
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Each emits the table's batches in order: the table as a BatchSource.
func (t *Table) Each(emit func(arrow.RecordBatch) error) error {
	for _, b := range t.Batches {
		if err := emit(b); err != nil {
			return err
		}
	}
	return nil
}

// ParquetRowGroupRows is the rows of a row group in the Parquet files
// segql writes: small enough that a streamed scan skips data by its
// statistics at a fine grain and holds little at a time, large enough
// that a row group's overhead is negligible (DuckDB writes 122,880).
const ParquetRowGroupRows = 128 * 1024

// parquetWriterProps are how segql writes Parquet: Snappy, row groups of
// ParquetRowGroupRows, and dictionary encoding for string columns only
// (numbers and times are written plain: a dictionary of mostly distinct
// ids or amounts costs readers far more than it saves).
func parquetWriterProps(schema *arrow.Schema, mem memory.Allocator) []parquet.WriterProperty {
	props := []parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Snappy), parquet.WithDictionaryDefault(false),
		parquet.WithAllocator(mem), parquet.WithMaxRowGroupLength(ParquetRowGroupRows)}
	for _, f := range schema.Fields() {
		t := f.Type
		if d, ok := t.(*arrow.DictionaryType); ok {
			t = d.ValueType
		}
		if l, ok := t.(*arrow.ListType); ok && l.Elem().ID() == arrow.STRING {
			props = append(props, parquet.WithDictionaryFor(f.Name+".list."+l.ElemField().Name, true))
		}
		if t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING {
			props = append(props, parquet.WithDictionaryFor(f.Name, true))
		}
	}
	return props
}

func writeFormat(w io.Writer, f Format, schema *arrow.Schema, src BatchSource, mem memory.Allocator) error {
	switch f {
	case FormatParquet:
		props := parquet.NewWriterProperties(parquetWriterProps(schema, mem)...)
		fw, err := pqarrow.NewFileWriter(schema, w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			return err
		}
		if err := src(fw.WriteBuffered); err != nil {
			fw.Close()
			return err
		}
		return fw.Close()
	case FormatIPCFile:
		fw, err := ipc.NewFileWriter(w, ipc.WithSchema(schema), ipc.WithAllocator(mem))
		if err != nil {
			return err
		}
		if err := src(fw.Write); err != nil {
			fw.Close()
			return err
		}
		return fw.Close()
	case FormatIPCStream:
		sw := ipc.NewWriter(w, ipc.WithSchema(schema), ipc.WithAllocator(mem))
		if err := src(sw.Write); err != nil {
			sw.Close()
			return err
		}
		return sw.Close()
	case FormatCSV:
		return writeCSV(w, schema, src)
	default:
		return writeNDJSON(w, schema, src)
	}
}

func writeCSV(w io.Writer, schema *arrow.Schema, src BatchSource) error {
	cw := csv.NewWriter(w)
	names := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i] = f.Name
	}
	if err := cw.Write(names); err != nil {
		return err
	}
	row := make([]string, len(names))
	err := src(func(b arrow.RecordBatch) error {
		for i := 0; i < int(b.NumRows()); i++ {
			for c := range row {
				row[c], _ = FormatValue(b.Column(c), i)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func writeNDJSON(w io.Writer, schema *arrow.Schema, src BatchSource) error {
	enc := json.NewEncoder(w)
	fields := schema.Fields()
	return src(func(b arrow.RecordBatch) error {
		for i := 0; i < int(b.NumRows()); i++ {
			if err := enc.Encode(rowObject(fields, b, i)); err != nil {
				return err
			}
		}
		return nil
	})
}

// orderedRow encodes a row's fields in schema order.
type orderedRow struct {
	names []string
	vals  []any
}

func (o orderedRow) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, n := range o.names {
		if i > 0 {
			buf = append(buf, ',')
		}
		k, _ := json.Marshal(n)
		v, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		buf = append(append(append(buf, k...), ':'), v...)
	}
	return append(buf, '}'), nil
}

func rowObject(fields []arrow.Field, b arrow.RecordBatch, i int) orderedRow {
	o := orderedRow{names: make([]string, len(fields)), vals: make([]any, len(fields))}
	for c, f := range fields {
		o.names[c] = f.Name
		o.vals[c] = JSONValue(b.Column(c), i)
	}
	return o
}
