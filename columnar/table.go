package columnar

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Table is an immutable sequence of record batches sharing one schema.
type Table struct {
	Name    string
	Schema  *arrow.Schema
	Batches []arrow.RecordBatch
	rows    int64
	offsets []int64 // first row of each batch
}

// NewTable takes ownership of batches (which must all have schema) and
// returns a table over them. Values Arrow computes lazily and stores in
// an array on first use (null counts of sliced arrays, dictionary arrays)
// are computed here, once, so that concurrent readers of the table never
// write to it.
func NewTable(name string, schema *arrow.Schema, batches []arrow.RecordBatch) *Table {
	t := &Table{Name: name, Schema: schema, Batches: batches, offsets: make([]int64, len(batches))}
	for i, b := range batches {
		t.offsets[i] = t.rows
		t.rows += b.NumRows()
		for _, c := range b.Columns() {
			Settle(c)
		}
	}
	return t
}

// Settle computes what an array computes lazily on first use — its null
// count, its dictionary array, the same for its children and list values —
// so that later reads from several goroutines write nothing.
func Settle(a arrow.Array) {
	a.NullN()
	switch x := a.(type) {
	case *array.Dictionary:
		Settle(x.Dictionary())
		Settle(x.Indices())
	case array.ListLike:
		Settle(x.ListValues())
	case *array.Struct:
		for i := 0; i < x.NumField(); i++ {
			Settle(x.Field(i))
		}
	}
}

// NumRows returns the number of rows.
func (t *Table) NumRows() int64 { return t.rows }

// BatchOffset returns the table row index of the first row of batch i.
func (t *Table) BatchOffset(i int) int64 { return t.offsets[i] }

// Locate maps a table row index to its batch and the row within it.
func (t *Table) Locate(row int64) (batch, i int) {
	lo, hi := 0, len(t.offsets)
	for lo < hi {
		m := (lo + hi) / 2
		if t.offsets[m] <= row {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1, int(row - t.offsets[lo-1])
}

// Release releases the batches. The table must not be used afterwards.
func (t *Table) Release() {
	for _, b := range t.Batches {
		b.Release()
	}
	t.Batches = nil
}

// ColumnIndex returns the index of a top-level column, or -1.
func (t *Table) ColumnIndex(name string) int {
	idx := t.Schema.FieldIndices(name)
	if len(idx) == 0 {
		return -1
	}
	return idx[0]
}

// Concat joins tables of identical schemas into one that takes over their
// batches. A schema difference is an error naming the table and column.
func Concat(name string, tables []*Table) (*Table, error) {
	if len(tables) == 0 {
		return nil, fmt.Errorf("no tables to concatenate")
	}
	first := tables[0]
	var batches []arrow.RecordBatch
	for _, t := range tables {
		if err := SameSchema(first, t); err != nil {
			return nil, err
		}
		batches = append(batches, t.Batches...)
	}
	return NewTable(name, first.Schema, batches), nil
}

// SameSchema reports how t's schema differs from want's, naming the column.
func SameSchema(want, t *Table) error {
	return sameSchema(want.Schema, t.Schema, want.Name, t.Name)
}

// sameSchema reports how b (of the table or file bName) differs from a
// (of aName), naming the column.
func sameSchema(a, b *arrow.Schema, aName, bName string) error {
	want, t := struct{ Name string }{aName}, struct{ Name string }{bName}
	for i, f := range a.Fields() {
		if i >= b.NumFields() {
			return fmt.Errorf("%s: column %q is missing (present in %s)", t.Name, f.Name, want.Name)
		}
		g := b.Field(i)
		if g.Name != f.Name {
			return fmt.Errorf("%s: column %d is %q, but %s has %q there", t.Name, i+1, g.Name, want.Name, f.Name)
		}
		if !arrow.TypeEqual(f.Type, g.Type) {
			got, wantName := valueTypeName(g.Type), valueTypeName(f.Type)
			if got == wantName { // the same values, encoded differently
				got, wantName = g.Type.String(), f.Type.String()
			}
			return fmt.Errorf("%s: column %q has type %s, but %s has %s", t.Name, f.Name, got, want.Name, wantName)
		}
	}
	if b.NumFields() > a.NumFields() {
		return fmt.Errorf("%s: extra column %q (not in %s)", t.Name, b.Field(a.NumFields()).Name, want.Name)
	}
	return nil
}

// valueTypeName names a type as people know it: a dictionary-encoded
// column by its values' type (how it is encoded is not theirs to know).
func valueTypeName(t arrow.DataType) string {
	if d, ok := t.(*arrow.DictionaryType); ok {
		return d.ValueType.String()
	}
	return t.String()
}

// WithColumn returns a new table holding t's columns plus f, whose values
// for batch i are cols[i] (which must have that batch's length); a column
// of t with f's name is replaced. The new table shares t's arrays (t may
// be released independently) and takes ownership of cols.
func (t *Table) WithColumn(f arrow.Field, cols []arrow.Array) (*Table, error) {
	if len(cols) != len(t.Batches) {
		return nil, fmt.Errorf("column %s: %d arrays for %d batches", f.Name, len(cols), len(t.Batches))
	}
	fields := append([]arrow.Field(nil), t.Schema.Fields()...)
	pos := t.ColumnIndex(f.Name)
	if pos < 0 {
		pos = len(fields)
		fields = append(fields, f)
	} else {
		fields[pos] = f
	}
	meta := t.Schema.Metadata()
	schema := arrow.NewSchema(fields, &meta)
	batches := make([]arrow.RecordBatch, len(t.Batches))
	for i, b := range t.Batches {
		if int64(cols[i].Len()) != b.NumRows() {
			for _, nb := range batches[:i] {
				nb.Release()
			}
			return nil, fmt.Errorf("column %s: batch %d has %d rows, the array %d", f.Name, i, b.NumRows(), cols[i].Len())
		}
		arrs := append([]arrow.Array(nil), b.Columns()...)
		if pos == len(arrs) {
			arrs = append(arrs, cols[i])
		} else {
			arrs[pos] = cols[i]
		}
		batches[i] = array.NewRecordBatch(schema, arrs, b.NumRows())
	}
	for _, c := range cols {
		c.Release()
	}
	return NewTable(t.Name, schema, batches), nil
}
