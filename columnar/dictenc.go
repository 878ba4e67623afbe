package columnar

import (
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// stringDictType is how loaders hold top-level string columns: int32 codes
// into a dictionary per batch, as Arrow's Parquet reader returns them.
var stringDictType = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}

// encodeStrings replaces every top-level plain string column of the
// batches by a dictionary-encoded one (one dictionary per batch), so that
// string predicates run once per distinct value, whatever format the data
// came from. The values, nulls and field metadata are unchanged. Batches
// are encoded in parallel; on success the originals are released, on
// error the batches are returned as they were.
func encodeStrings(schema *arrow.Schema, batches []arrow.RecordBatch, mem memory.Allocator) (*arrow.Schema, []arrow.RecordBatch, error) {
	var cols []int
	fields := schema.Fields()
	for i, f := range fields {
		if f.Type.ID() == arrow.STRING {
			cols = append(cols, i)
			fields[i].Type = stringDictType
		}
	}
	if len(cols) == 0 {
		return schema, batches, nil
	}
	md := schema.Metadata()
	out := arrow.NewSchema(fields, &md)
	encoded := make([]arrow.RecordBatch, len(batches))
	errs := make([]error, len(batches))
	parallel(len(batches), func(i int) { encoded[i], errs[i] = encodeBatch(out, batches[i], cols, mem) })
	if err := errors.Join(errs...); err != nil {
		for _, b := range encoded {
			if b != nil {
				b.Release()
			}
		}
		return schema, batches, err
	}
	for _, b := range batches {
		b.Release()
	}
	return out, encoded, nil
}

// encodeBatch returns rec under schema with columns cols encoded.
func encodeBatch(schema *arrow.Schema, rec arrow.RecordBatch, cols []int, mem memory.Allocator) (arrow.RecordBatch, error) {
	arrs := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, a := range arrs {
			if a != nil {
				a.Release()
			}
		}
	}()
	for i, a := range rec.Columns() {
		a.Retain()
		arrs[i] = a
	}
	for _, c := range cols {
		enc, err := encodeStringArray(rec.Column(c).(*array.String), mem)
		if err != nil {
			return nil, err
		}
		arrs[c].Release()
		arrs[c] = enc
	}
	return array.NewRecordBatch(schema, arrs, rec.NumRows()), nil
}

func encodeStringArray(s *array.String, mem memory.Allocator) (arrow.Array, error) {
	b := array.NewDictionaryBuilder(mem, stringDictType).(*array.BinaryDictionaryBuilder)
	defer b.Release()
	b.Reserve(s.Len())
	for i := 0; i < s.Len(); i++ {
		if s.IsNull(i) {
			b.AppendNull()
			continue
		}
		if err := b.AppendString(s.Value(i)); err != nil {
			return nil, err
		}
	}
	return b.NewArray(), nil
}
