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
	err := atomicfile.Write(path, func(w io.Writer) error { return writeFormat(w, format, t, mem) })
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func writeFormat(w io.Writer, f Format, t *Table, mem memory.Allocator) error {
	switch f {
	case FormatParquet:
		props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy),
			parquet.WithDictionaryDefault(true), parquet.WithAllocator(mem), parquet.WithMaxRowGroupLength(1<<20))
		fw, err := pqarrow.NewFileWriter(t.Schema, w, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			return err
		}
		for _, b := range t.Batches {
			if err := fw.WriteBuffered(b); err != nil {
				return err
			}
		}
		return fw.Close()
	case FormatIPCFile:
		fw, err := ipc.NewFileWriter(w, ipc.WithSchema(t.Schema), ipc.WithAllocator(mem))
		if err != nil {
			return err
		}
		for _, b := range t.Batches {
			if err := fw.Write(b); err != nil {
				return err
			}
		}
		return fw.Close()
	case FormatIPCStream:
		sw := ipc.NewWriter(w, ipc.WithSchema(t.Schema), ipc.WithAllocator(mem))
		for _, b := range t.Batches {
			if err := sw.Write(b); err != nil {
				return err
			}
		}
		return sw.Close()
	case FormatCSV:
		return writeCSV(w, t)
	default:
		return writeNDJSON(w, t)
	}
}

func writeCSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	names := make([]string, t.Schema.NumFields())
	for i, f := range t.Schema.Fields() {
		names[i] = f.Name
	}
	if err := cw.Write(names); err != nil {
		return err
	}
	row := make([]string, len(names))
	for _, b := range t.Batches {
		for i := 0; i < int(b.NumRows()); i++ {
			for c := range row {
				row[c], _ = FormatValue(b.Column(c), i)
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeNDJSON(w io.Writer, t *Table) error {
	enc := json.NewEncoder(w)
	fields := t.Schema.Fields()
	for _, b := range t.Batches {
		for i := 0; i < int(b.NumRows()); i++ {
			if err := enc.Encode(rowObject(fields, b, i)); err != nil {
				return err
			}
		}
	}
	return nil
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
