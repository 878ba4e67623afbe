package columnar

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkLoadParquet10M loads the 10M-row demo table from Parquet.
func BenchmarkLoadParquet10M(b *testing.B) {
	path := filepath.Join(b.TempDir(), "users.parquet")
	t := Demo(DemoOptions{Rows: 10_000_000, Seed: 1, Anchor: anchor})
	if err := WriteFile(path, t, nil); err != nil {
		b.Fatal(err)
	}
	t.Release()
	fi, _ := os.Stat(path)
	b.ReportMetric(float64(fi.Size())/1e6, "MB")
	b.ResetTimer()
	for b.Loop() {
		tbl, err := Load(context.Background(), []string{path}, LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		tbl.Release()
	}
}

func BenchmarkDemo1M(b *testing.B) {
	for b.Loop() {
		Demo(DemoOptions{Rows: DemoRows, Seed: 1, Anchor: anchor}).Release()
	}
}

// BenchmarkReadRowGroup reads the row groups of 1M demo rows (written
// as segql writes Parquet: 128Ki-row row groups, dictionaries for
// strings) with segql's own page decoders ("own") and with arrow-go's
// record readers alone ("arrow", the general path), for the card
// example's columns and for every column. The ratio is the fast path's
// gain over the general one.
func BenchmarkReadRowGroup(b *testing.B) {
	path := filepath.Join(b.TempDir(), "users.parquet")
	t := Demo(DemoOptions{Rows: 1_000_000, Seed: 1, Anchor: anchor})
	if err := WriteFile(path, t, nil); err != nil {
		b.Fatal(err)
	}
	t.Release()
	ds, err := OpenDataset(context.Background(), []string{path}, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer ds.Close()
	f := ds.files[0]
	all := make([]int, ds.own)
	for i := range all {
		all[i] = i
	}
	var card []int
	for _, name := range []string{"age", "purchases_30d", "country"} {
		card = append(card, ds.Schema.FieldIndices(name)[0])
	}
	for _, cols := range []struct {
		name   string
		fields []int
	}{{"card", card}, {"all", all}} {
		for _, own := range []bool{true, false} {
			name := cols.name + "/arrow"
			if own {
				name = cols.name + "/own"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					for g := 0; g < f.rdr.NumRowGroups(); g++ {
						read, err := f.readGroup(context.Background(), g, cols.fields, ds.mem, own)
						if err != nil {
							b.Fatal(err)
						}
						releaseColumns(read)
					}
				}
			})
		}
	}
}
