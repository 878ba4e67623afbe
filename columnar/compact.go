package columnar

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Arrow's Parquet reader builds each column in buffers that grow by
// doubling, so a loaded table holds about twice its data. compactBatches
// copies every buffer with more than an eighth of slack into one of its
// exact size, so a table costs what its data needs.

// compactSlack is the unused capacity, as a fraction of the length, that
// makes a buffer worth copying.
const compactSlack = 8

// compactBatches returns the batches with slack-free buffers, releasing
// the originals, on all cores. Batches without slack are returned as they
// are.
func compactBatches(batches []arrow.RecordBatch, mem memory.Allocator) []arrow.RecordBatch {
	parallel(len(batches), func(i int) { batches[i] = compactBatch(batches[i], mem) })
	return batches
}

// parallel calls f(0) … f(n-1) on all cores and returns when all are done.
func parallel(n int, f func(int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// compactBatch returns rec with slack-free buffers (releasing rec), or rec
// itself when it has none.
func compactBatch(rec arrow.RecordBatch, mem memory.Allocator) arrow.RecordBatch {
	memo := map[arrow.ArrayData]arrow.ArrayData{}
	defer func() {
		for _, d := range memo {
			d.Release()
		}
	}()
	cols := make([]arrow.Array, rec.NumCols())
	changed := false
	for c, col := range rec.Columns() {
		d := compactData(col.Data(), mem, memo)
		if d == col.Data() {
			col.Retain()
			cols[c] = col
			continue
		}
		changed = true
		cols[c] = array.MakeFromData(d)
	}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	if !changed {
		return rec
	}
	out := array.NewRecordBatch(rec.Schema(), cols, rec.NumRows())
	rec.Release()
	return out
}

// compactData returns d, or a copy of it whose buffers (and children's and
// dictionary's) have no slack; the copy is recorded in memo, which owns a
// reference. Sliced data (offset ≠ 0) is kept as it is.
func compactData(d arrow.ArrayData, mem memory.Allocator, memo map[arrow.ArrayData]arrow.ArrayData) arrow.ArrayData {
	if c, ok := memo[d]; ok {
		return c
	}
	if d.Offset() != 0 {
		return d
	}
	changed := false
	bufs := make([]*memory.Buffer, len(d.Buffers()))
	for i, b := range d.Buffers() {
		bufs[i] = b
		if b == nil || cap(b.Buf()) <= b.Len()+b.Len()/compactSlack+64 {
			continue
		}
		nb := memory.NewResizableBuffer(mem)
		nb.Resize(b.Len())
		copy(nb.Bytes(), b.Bytes())
		bufs[i] = nb
		changed = true
	}
	children := make([]arrow.ArrayData, len(d.Children()))
	for i, c := range d.Children() {
		children[i] = compactData(c, mem, memo)
		changed = changed || children[i] != c
	}
	var dict arrow.ArrayData
	if dd, ok := d.Dictionary().(*array.Data); ok && dd != nil {
		dict = compactData(dd, mem, memo)
		changed = changed || dict != arrow.ArrayData(dd)
	}
	if !changed {
		return d
	}
	out := array.NewData(d.DataType(), d.Len(), bufs, children, d.NullN(), 0)
	if dict != nil {
		out.SetDictionary(dict)
	}
	for i, b := range bufs {
		if b != d.Buffers()[i] {
			b.Release() // out holds its own reference
		}
	}
	memo[d] = out
	return out
}
