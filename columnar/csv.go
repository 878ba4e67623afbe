package columnar

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	acsv "github.com/apache/arrow-go/v18/arrow/csv"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// readCSV reads a CSV file with a header. Column types are inferred from
// the first sampleRows rows (Arrow's own inference looks at one row only);
// list columns are written as JSON arrays of strings.
func readCSV(ctx context.Context, path string, opts LoadOptions) (*arrow.Schema, []arrow.RecordBatch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	schema, lists, err := inferCSV(newLineReader(ctx, path, f))
	if err != nil {
		return nil, nil, csvError(path, err, 0)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	readSchema := schema
	if len(lists) > 0 {
		readSchema = withStringsFor(schema, lists)
	}
	r := acsv.NewReader(newLineReader(ctx, path, f), readSchema, acsv.WithHeader(true), acsv.WithChunk(opts.BatchSize),
		acsv.WithNullReader(true, ""), acsv.WithAllocator(opts.Mem), acsv.WithLazyQuotes(false))
	defer r.Release()
	var batches []arrow.RecordBatch
	var row int64
	for r.Next() {
		if err := ctx.Err(); err != nil {
			return nil, batches, context.Cause(ctx)
		}
		rec := r.RecordBatch()
		if err := r.Err(); err != nil {
			return nil, batches, valueError(path, readSchema, err)
		}
		if len(lists) > 0 {
			if rec, err = decodeLists(rec, schema, lists, opts.Mem, path, row); err != nil {
				return nil, batches, err
			}
		} else {
			rec.Retain()
		}
		batches = append(batches, rec)
		row += rec.NumRows()
		if opts.Progress != nil {
			opts.Progress(rec.NumRows())
		}
	}
	if err := r.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, batches, csvError(path, err, row)
	}
	return schema, batches, nil
}

// csvError names the file and, for malformed records, the line.
func csvError(path string, err error, _ int64) error {
	var le *LoadError
	if errors.As(err, &le) {
		return le
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &LoadError{Path: path, Row: int64(pe.Line), Err: pe.Err}
	}
	return &LoadError{Path: path, Err: err}
}

// valueError re-reads the file to find the first value that does not parse
// as its column's inferred type, so the error names its line and column
// (Arrow's reader reports only the parse error itself).
func valueError(path string, schema *arrow.Schema, cause error) error {
	f, err := os.Open(path)
	if err != nil {
		return &LoadError{Path: path, Err: cause}
	}
	defer f.Close()
	cr := csv.NewReader(newLineReader(context.Background(), path, f))
	cr.ReuseRecord = true
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if err != nil {
			return &LoadError{Path: path, Err: cause}
		}
		if line == 1 {
			continue
		}
		for c, v := range rec {
			if v == "" || c >= schema.NumFields() {
				continue
			}
			var probe inferred
			probe.add(v)
			if !fits(&probe, schema.Field(c).Type) {
				return &LoadError{Path: path, Row: int64(line), Column: schema.Field(c).Name,
					Err: fmt.Errorf("%q does not read as %s (the type inferred from the first %d rows)", v, schema.Field(c).Type, sampleRows)}
			}
		}
	}
}

// fits reports whether a value the probe saw can be read as t.
func fits(p *inferred, t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT64:
		return !p.notInt
	case arrow.UINT64:
		return !p.notUint
	case arrow.FLOAT64:
		return !p.notFloat
	case arrow.BOOL:
		return !p.notBool
	case arrow.DATE32:
		return !p.notDate
	case arrow.TIMESTAMP:
		return !p.notTime
	case arrow.LIST:
		return !p.notList
	}
	return true
}

// inferCSV samples the file and returns its schema and the indexes of
// columns holding JSON lists.
func inferCSV(r io.Reader) (*arrow.Schema, []int, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, errors.New("empty file: a header line is required")
		}
		return nil, nil, err
	}
	header = append([]string(nil), header...)
	cols := make([]inferred, len(header))
	for i := 0; i < sampleRows; i++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, err
		}
		for j, v := range rec {
			cols[j].addAt(v, i+1)
		}
	}
	fields := make([]arrow.Field, len(header))
	var lists []int
	seen := map[string]bool{}
	for i, name := range header {
		if seen[name] {
			return nil, nil, fmt.Errorf("column %q appears twice in the header", name)
		}
		seen[name] = true
		fields[i] = withNote(arrow.Field{Name: name, Type: cols[i].typ(), Nullable: true}, &cols[i])
		if fields[i].Type.ID() == arrow.LIST {
			lists = append(lists, i)
		}
	}
	return arrow.NewSchema(fields, nil), lists, nil
}

func withStringsFor(s *arrow.Schema, cols []int) *arrow.Schema {
	fields := append([]arrow.Field(nil), s.Fields()...)
	for _, i := range cols {
		fields[i].Type = arrow.BinaryTypes.String
	}
	return arrow.NewSchema(fields, nil)
}

// decodeLists turns JSON-array string columns into list<string> columns.
func decodeLists(rec arrow.RecordBatch, schema *arrow.Schema, lists []int, mem memory.Allocator, path string, row int64) (arrow.RecordBatch, error) {
	cols := append([]arrow.Array(nil), rec.Columns()...)
	var made []arrow.Array
	defer func() {
		for _, a := range made {
			a.Release()
		}
	}()
	for _, ci := range lists {
		src := cols[ci].(*array.String)
		elem := schema.Field(ci).Type.(*arrow.ListType).Elem()
		lb := array.NewListBuilder(mem, elem)
		for i := 0; i < src.Len(); i++ {
			if src.IsNull(i) {
				lb.AppendNull()
				continue
			}
			if err := appendJSONList(lb, src.Value(i)); err != nil {
				lb.Release()
				return nil, &LoadError{Path: path, Row: row + int64(i) + 1, Column: schema.Field(ci).Name,
					Err: fmt.Errorf("not a JSON array of %s", elem)}
			}
		}
		cols[ci] = lb.NewArray()
		made = append(made, cols[ci])
		lb.Release()
	}
	return array.NewRecordBatch(schema, cols, rec.NumRows()), nil
}

// appendJSONList appends one JSON array (of strings or integers, nulls
// allowed) to a list builder. Values are appended one by one: Arrow's
// AppendValues reserves exactly and would grow quadratically.
func appendJSONList(lb *array.ListBuilder, text string) error {
	switch vb := lb.ValueBuilder().(type) {
	case *array.StringBuilder:
		var xs []*string
		if err := json.Unmarshal([]byte(text), &xs); err != nil {
			return err
		}
		lb.Append(true)
		for _, x := range xs {
			if x == nil {
				vb.AppendNull()
			} else {
				vb.Append(*x)
			}
		}
	case *array.Int64Builder:
		var xs []*int64
		if err := json.Unmarshal([]byte(text), &xs); err != nil {
			return err
		}
		lb.Append(true)
		for _, x := range xs {
			if x == nil {
				vb.AppendNull()
			} else {
				vb.Append(*x)
			}
		}
	}
	return nil
}
