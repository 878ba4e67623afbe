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
