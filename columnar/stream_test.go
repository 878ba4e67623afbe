package columnar

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"
)

// TestDatasetReadsWhatLoadLoads: a partitioned dataset streamed row group
// by row group, any subset of columns in any order, gives the cells Load
// gives; the footers' row counts and statistics are those of the rows.
func TestDatasetReadsWhatLoadLoads(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := Demo(DemoOptions{Rows: 5_000, Seed: 2, Anchor: anchor, BatchSize: 1000})
	defer src.Release()
	dir := t.TempDir()
	for i, part := range []string{"shard=eu", "shard=us"} {
		path := filepath.Join(dir, part, "p.parquet")
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		writeRowGroups(t, path, src, int64(700+i*300))
	}
	ctx := context.Background()
	whole, err := Load(ctx, []string{dir}, LoadOptions{Mem: mem})
	require.NoError(t, err)
	defer whole.Release()
	ds, err := OpenDataset(ctx, []string{dir}, LoadOptions{Mem: mem, BatchSize: 256})
	require.NoError(t, err)
	defer ds.Close()
	require.True(t, whole.Schema.Equal(ds.Schema), "%s\n%s", whole.Schema, ds.Schema)
	require.Equal(t, whole.NumRows(), ds.NumRows())
	require.Equal(t, 8+5, ds.NumPieces())
	region := ds.Schema.NumFields() - 1
	age := whole.ColumnIndex("age")
	cols := []int{region, age, whole.ColumnIndex("country"), 0}
	var row int64
	for i := 0; i < ds.NumPieces(); i++ {
		tbl, err := ds.Read(ctx, i, cols)
		require.NoError(t, err)
		require.Equal(t, ds.Piece(i).Rows, tbl.NumRows())
		st := ds.Stats(i, age)
		require.NotNil(t, st.MinMax)
		lo, hi := cell(tbl, 0, 1), cell(tbl, 0, 1)
		for r := int64(0); r < tbl.NumRows(); r++ {
			for k, c := range cols {
				require.Equal(t, cell(whole, row+r, c), cell(tbl, r, k), "piece %d row %d column %d", i, r, c)
			}
			if v := cell(tbl, r, 1); v != "NULL" && (lo == "NULL" || atoi(v) < atoi(lo)) {
				lo = v
			}
			if v := cell(tbl, r, 1); v != "NULL" && (hi == "NULL" || atoi(v) > atoi(hi)) {
				hi = v
			}
		}
		gotLo, _ := FormatValue(st.MinMax, 0)
		gotHi, _ := FormatValue(st.MinMax, 1)
		require.Equal(t, []string{lo, hi}, []string{gotLo, gotHi}, "piece %d: age statistics", i)
		st.MinMax.Release()
		rs := ds.Stats(i, region)
		require.EqualValues(t, 0, rs.Nulls)
		want, _ := FormatValue(rs.MinMax, 0)
		require.Equal(t, cell(tbl, 0, 0), want)
		rs.MinMax.Release()
		row += tbl.NumRows()
		tbl.Release()
	}
}

func atoi(s string) int {
	n := 0
	neg := s != "" && s[0] == '-'
	for _, c := range s {
		if c >= '0' && c <= '9' {
			n = n*10 + int(c-'0')
		}
	}
	if neg {
		return -n
	}
	return n
}

func writeRowGroups(t *testing.T, path string, src *Table, rows int64) {
	f, err := os.Create(path)
	require.NoError(t, err)
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(rows))
	fw, err := pqarrow.NewFileWriter(src.Schema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	require.NoError(t, err)
	require.NoError(t, src.Each(fw.WriteBuffered))
	require.NoError(t, fw.Close())
}

// TestDatasetErrors: files of different schemas name both files and the
// column; other formats cannot be streamed; a truncated file is an error
// naming it.
func TestDatasetErrors(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
	one := Demo(DemoOptions{Rows: 10, Seed: 1, Anchor: anchor})
	defer one.Release()
	require.NoError(t, WriteFile(a, one, nil))
	small, err := Load(ctx, []string{writeUnder(t, dir, "small.csv", "user_id,age\n1,30\n")}, LoadOptions{})
	require.NoError(t, err)
	other := filepath.Join(dir, "other.parquet")
	require.NoError(t, WriteFile(other, small, nil))
	small.Release()
	_, err = OpenDataset(ctx, []string{a, other}, LoadOptions{})
	require.ErrorContains(t, err, other+": ")
	require.ErrorContains(t, err, " "+a)
	csv := writeUnder(t, dir, "c.csv", "id\n1\n")
	_, err = OpenDataset(ctx, []string{csv}, LoadOptions{})
	require.ErrorIs(t, err, ErrNotStreamable)
	require.ErrorContains(t, err, csv)

	data, err := os.ReadFile(a)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(b, data[:len(data)/2], 0o644))
	_, err = OpenDataset(ctx, []string{a, b}, LoadOptions{})
	var le *LoadError
	require.True(t, errors.As(err, &le), "%v", err)
	require.Equal(t, b, le.Path)
}

// TestDatasetKeepColumns: with KeepColumns, reads of overlapping column
// sets, in any order and concurrently, give the cells of reads without
// it, each column decoded once.
func TestDatasetKeepColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := Demo(DemoOptions{Rows: 6_000, Seed: 3, Anchor: anchor, BatchSize: 1000})
	defer src.Release()
	path := filepath.Join(t.TempDir(), "u.parquet")
	writeRowGroups(t, path, src, 2500)
	ctx := context.Background()
	plain, err := OpenDataset(ctx, []string{path}, LoadOptions{Mem: mem, BatchSize: 700})
	require.NoError(t, err)
	defer plain.Close()
	kept, err := OpenDataset(ctx, []string{path}, LoadOptions{Mem: mem, BatchSize: 700})
	require.NoError(t, err)
	kept.KeepColumns()
	defer kept.Close()
	age, country, id := src.ColumnIndex("age"), src.ColumnIndex("country"), src.ColumnIndex("user_id")
	for _, cols := range [][]int{{age}, {country, age}, {id, age, country}, {age}, {country}} {
		var wg sync.WaitGroup
		for i := 0; i < kept.NumPieces(); i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := plain.Read(ctx, i, cols)
				require.NoError(t, err)
				defer a.Release()
				b, err := kept.Read(ctx, i, cols)
				require.NoError(t, err)
				defer b.Release()
				requireSameCells(t, a, b)
			}()
		}
		wg.Wait()
	}
	require.Len(t, kept.cache.cols, 3*kept.NumPieces(), "each column of each row group decoded once")
}
