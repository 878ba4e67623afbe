package columnar

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// bufferSizes adds up the lengths of d's buffers (with its children's and
// dictionary's) and the capacities of the allocations behind them, each
// allocation once.
func bufferSizes(d arrow.ArrayData, seen map[*byte]bool, length, capacity *int64) {
	for _, b := range d.Buffers() {
		if b == nil || b.Len() == 0 {
			continue
		}
		full := b.Buf()
		if seen[&full[0]] {
			continue
		}
		seen[&full[0]] = true
		*length += int64(b.Len())
		*capacity += int64(cap(full))
	}
	for _, c := range d.Children() {
		bufferSizes(c, seen, length, capacity)
	}
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil {
		bufferSizes(dict, seen, length, capacity)
	}
}

// TestLoadedTableHasNoSlack: a loaded Parquet table holds its data without
// the doubled capacity the reader builds it in, and releases every byte.
func TestLoadedTableHasNoSlack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.parquet")
	demo := Demo(DemoOptions{Rows: 100_000, Seed: 1, Anchor: anchor})
	require.NoError(t, WriteFile(path, demo, nil))
	demo.Release()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl, err := Load(context.Background(), []string{path}, LoadOptions{Mem: mem})
	require.NoError(t, err)
	defer tbl.Release()
	var length, capacity int64
	seen := map[*byte]bool{}
	for _, rec := range tbl.Batches {
		for _, col := range rec.Columns() {
			bufferSizes(col.Data(), seen, &length, &capacity)
		}
	}
	require.Less(t, float64(capacity), 1.15*float64(length), "capacity %d for %d bytes of data", capacity, length)
	require.Less(t, int64(mem.CurrentAlloc()), 2*length)
}
