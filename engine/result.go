package engine

import (
	"fmt"
	"math/bits"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/exec"
)

// Result is the membership of a segment in a table: which rows the
// expression is TRUE for, FALSE for and UNKNOWN for. It is immutable and
// safe for concurrent reads.
type Result struct {
	table   *columnar.Table
	batches [][]uint64 // member bits per batch, tail-masked
	known   [][]uint64 // known (not UNKNOWN) bits per batch, tail-masked; nil: all known
	counts  []int
	Elapsed time.Duration
	Now     time.Time // the now() the run used
	query   *Query
	stats   []exec.NodeStats
	errs    [][]uint64 // failed rows per batch (tests' keepErrors runs only)
}

// Batch is one record batch's share of a result. Its bitmaps hold one bit
// per row of the batch, 64 rows per word, bits past the last row zero;
// they belong to the result and must not be modified.
type Batch struct {
	Index   int
	Offset  int64 // the table row of the batch's first row
	Rows    int
	Members []uint64 // TRUE rows
	Known   []uint64 // rows that are TRUE or FALSE; nil: every row
	Count   int      // members in the batch
	Record  arrow.RecordBatch
}

// NumBatches returns the number of record batches the result covers.
func (r *Result) NumBatches() int { return len(r.batches) }

// Batch returns batch i's share of the result. The record is the table's,
// valid for as long as the table.
func (r *Result) Batch(i int) Batch {
	rec := r.table.Batches[i]
	return Batch{Index: i, Offset: r.table.BatchOffset(i), Rows: int(rec.NumRows()), Members: r.batches[i],
		Known: r.known[i], Count: r.counts[i], Record: rec}
}

// Query returns the query the result is of.
func (r *Result) Query() *Query { return r.query }

// Count returns the number of members.
func (r *Result) Count() int {
	n := 0
	for _, c := range r.counts {
		n += c
	}
	return n
}

// Total returns the number of rows in the table.
func (r *Result) Total() int { return int(r.table.NumRows()) }

// Bitmap returns the members as a bitmap over table rows.
func (r *Result) Bitmap() *columnar.Bitmap {
	b := columnar.NewBitmap(r.Total())
	for i, w := range r.batches {
		b.OrAt(int(r.table.BatchOffset(i)), w, int(r.table.Batches[i].NumRows()))
	}
	return b
}

// Each calls f with the table row index of every member, in order, until f
// returns false.
func (r *Result) Each(f func(row int64) bool) {
	for i, w := range r.batches {
		off := r.table.BatchOffset(i)
		stop := false
		eachBit(w, func(j int) bool {
			if !f(off + int64(j)) {
				stop = true
				return false
			}
			return true
		})
		if stop {
			return
		}
	}
}

func eachBit(w []uint64, f func(int) bool) {
	for wi, x := range w {
		for x != 0 {
			t := bits.TrailingZeros64(x)
			if !f(wi<<6 + t) {
				return
			}
			x &= x - 1
		}
	}
}

// IDs returns the ids of up to limit members (all when limit < 0) as
// strings, leaving out members whose id is null; see MemberIDs.
func (r *Result) IDs(idColumn string, limit int) ([]string, error) {
	ids, _, err := r.MemberIDs(idColumn, limit)
	return ids, err
}

// MemberIDs returns the ids of up to limit members with a non-null id
// (all when limit < 0), in row order, and how many members (of all, not
// only the first limit) have a null id. The id column must pass
// CheckIDColumn.
func (r *Result) MemberIDs(idColumn string, limit int) (ids []string, nulls int, err error) {
	if err := CheckIDColumn(r.table, idColumn); err != nil {
		return nil, 0, err
	}
	ci := r.table.ColumnIndex(idColumn)
	r.Each(func(row int64) bool {
		b, i := r.table.Locate(row)
		col := r.table.Batches[b].Column(ci)
		if col.IsNull(i) {
			nulls++
			return true
		}
		if limit < 0 || len(ids) < limit {
			s, _ := columnar.FormatValue(col, i)
			ids = append(ids, s)
		}
		return true
	})
	return ids, nulls, nil
}

// CheckIDColumn returns an ErrIDColumn error unless the table has a column
// of that name holding integers or strings (dictionary-encoded or not):
// ids must identify users as text, exactly.
func CheckIDColumn(t *columnar.Table, name string) error {
	ci := t.ColumnIndex(name)
	if ci < 0 {
		return fmt.Errorf("%w: no column %q in the table", ErrIDColumn, name)
	}
	typ := t.Schema.Field(ci).Type
	if d, ok := typ.(*arrow.DictionaryType); ok {
		typ = d.ValueType
	}
	switch typ.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.STRING, arrow.LARGE_STRING:
		return nil
	}
	return fmt.Errorf("%w: %q is %s; ids are integers or strings", ErrIDColumn, name, typ)
}

// Rows returns up to limit member rows (all when limit < 0) with the named
// columns (all when none are given) as one Arrow record. The caller owns
// and must release it.
func (r *Result) Rows(columns []string, limit int, mem memory.Allocator) (arrow.RecordBatch, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	idx, schema, err := r.table.Project(columns)
	if err != nil {
		return nil, err
	}
	var parts [][]arrow.Array
	taken := 0
	for bi, w := range r.batches {
		if limit >= 0 && taken >= limit {
			break
		}
		sel := array.NewInt64Builder(mem)
		eachBit(w, func(j int) bool {
			if limit >= 0 && taken >= limit {
				return false
			}
			sel.Append(int64(j))
			taken++
			return true
		})
		indices := sel.NewArray()
		sel.Release()
		if indices.Len() > 0 {
			cols, err := columnar.TakeColumns(r.table.Batches[bi], idx, indices, mem)
			if err != nil {
				indices.Release()
				return nil, err
			}
			parts = append(parts, cols)
		}
		indices.Release()
	}
	return concatParts(schema, parts, taken, mem)
}

// concatParts joins per-batch column pieces into one record, releasing
// the pieces.
func concatParts(schema *arrow.Schema, parts [][]arrow.Array, rows int, mem memory.Allocator) (arrow.RecordBatch, error) {
	defer func() {
		for _, p := range parts {
			for _, a := range p {
				a.Release()
			}
		}
	}()
	cols := make([]arrow.Array, schema.NumFields())
	for c := range cols {
		pieces := make([]arrow.Array, len(parts))
		for i, p := range parts {
			pieces[i] = p[c]
		}
		if len(pieces) == 0 {
			cols[c] = array.MakeArrayOfNull(mem, schema.Field(c).Type, 0)
			continue
		}
		a, err := array.Concatenate(pieces, mem)
		if err != nil {
			for _, x := range cols[:c] {
				x.Release()
			}
			return nil, err
		}
		cols[c] = a
	}
	rec := array.NewRecordBatch(schema, cols, int64(rows))
	for _, a := range cols {
		a.Release()
	}
	return rec, nil
}

// Table returns the table the result is about.
func (r *Result) Table() *columnar.Table { return r.table }

// Unknown returns the number of rows for which the expression is UNKNOWN
// (neither TRUE nor FALSE because of a null).
func (r *Result) Unknown() int {
	n := 0
	for i, k := range r.known {
		if k != nil {
			n += int(r.table.Batches[i].NumRows()) - popcount(k)
		}
	}
	return n
}

func popcount(w []uint64) int {
	c := 0
	for _, x := range w {
		c += bits.OnesCount64(x)
	}
	return c
}
