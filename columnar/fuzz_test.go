package columnar

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// fuzzLoader feeds mutated files of one format to the loader: it must never
// panic, and whatever it accepts must be valid Arrow data whose every cell
// can be read.
func fuzzLoader(f *testing.F, ext string) {
	addSeeds(f, ext, 20)
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "in."+ext)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		tbl, err := LoadFile(context.Background(), p, LoadOptions{BatchSize: 16})
		if err != nil {
			return
		}
		defer tbl.Release()
		requireReadable(t, tbl)
	})
}

// addSeeds adds a demo table of rows rows in format ext to the corpus:
// whole, cut in half, and with bytes changed.
func addSeeds(f *testing.F, ext string, rows int) {
	seed := Demo(DemoOptions{Rows: rows, Seed: 1, Anchor: anchor, BatchSize: 8})
	path := filepath.Join(f.TempDir(), "seed."+ext)
	if err := WriteFile(path, seed, nil); err != nil {
		f.Fatal(err)
	}
	seed.Release()
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add(bytes.ReplaceAll(data, []byte("a"), []byte("\xff")))
}

// requireReadable fails unless every column of t is valid Arrow data
// whose every cell reads.
func requireReadable(t *testing.T, tbl *Table) {
	for _, rec := range tbl.Batches {
		for c, col := range rec.Columns() {
			if err := array.ValidateFull(col); err != nil {
				t.Fatalf("accepted invalid column %s: %v", rec.ColumnName(c), err)
			}
			for i := 0; i < col.Len(); i++ {
				FormatValue(col, i)
			}
		}
	}
}

func FuzzParquet(f *testing.F)   { fuzzLoader(f, "parquet") }
func FuzzIPCFile(f *testing.F)   { fuzzLoader(f, "arrow") }
func FuzzIPCStream(f *testing.F) { fuzzLoader(f, "arrows") }
func FuzzCSV(f *testing.F)       { fuzzLoader(f, "csv") }
func FuzzNDJSON(f *testing.F)    { fuzzLoader(f, "ndjson") }

// FuzzDataset feeds mutated Parquet files to the streamed reader: opening
// (footers and statistics) and reading every row group's columns, one at
// a time and all at once, must never panic, and what it accepts must be
// valid.
func FuzzDataset(f *testing.F) {
	addSeeds(f, "parquet", 40)
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "in.parquet")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		ds, err := OpenDataset(ctx, []string{p}, LoadOptions{BatchSize: 16})
		if err != nil {
			return
		}
		defer ds.Close()
		all := make([]int, ds.Schema.NumFields())
		for i := range all {
			all[i] = i
		}
		for i := 0; i < ds.NumPieces(); i++ {
			for c := range all {
				if st := ds.Stats(i, c); st.MinMax != nil {
					st.MinMax.Release()
				}
			}
			for _, cols := range [][]int{all, {i % len(all)}} {
				tbl, err := ds.Read(ctx, i, cols)
				if err != nil {
					continue
				}
				requireReadable(t, tbl)
				tbl.Release()
			}
		}
	})
}
