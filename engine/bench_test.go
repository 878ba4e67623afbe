package engine

import (
	"context"
	"sync"
	"testing"

	"github.com/segql/segql/columnar"
)

var (
	benchOnce  sync.Once
	benchTable *columnar.Table
)

// bench10M is the 10,000,000-row demo table, built once per test binary.
func bench10M() *columnar.Table {
	benchOnce.Do(func() {
		benchTable = columnar.Demo(columnar.DemoOptions{Rows: 10_000_000, Seed: 1, Anchor: testAnchor})
	})
	return benchTable
}

func benchRun(b *testing.B, src string) {
	q, err := Open(bench10M()).Compile(src, WithNow(testAnchor))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// One run before timing, as the bench program warms up: the first run
	// measures the terms on a sample and computes per-batch ranges.
	if _, err := q.Run(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var n int
	for b.Loop() {
		res, err := q.Run(ctx)
		if err != nil {
			b.Fatal(err)
		}
		n = res.Count()
	}
	b.ReportMetric(float64(n), "members")
}

// BenchmarkShapes10M runs the bench program's expressions
// (testdata/expressions/shapes.txt: the tuned ones and those nobody tuned
// for) without DuckDB: go test ./engine -run '^$' -bench 'Shapes10M/year'.
func BenchmarkShapes10M(b *testing.B) {
	for _, c := range readCorpus(b, "shapes.txt") {
		b.Run(c[0], func(b *testing.B) { benchRun(b, c[1]) })
	}
}

func BenchmarkCompileCard(b *testing.B) {
	eng := Open(columnar.Demo(columnar.DemoOptions{Rows: 1000, Anchor: testAnchor}))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eng.Compile(`age between 25 and 54 and purchases_30d > 3`); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatchCard(b *testing.B) {
	eng := Open(columnar.Demo(columnar.DemoOptions{Rows: 1000, Anchor: testAnchor}))
	q, err := eng.Compile(`age between 25 and 54 and purchases_30d > 3`, WithNow(testAnchor))
	if err != nil {
		b.Fatal(err)
	}
	row := MapRow{"age": 31, "purchases_30d": 5}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := q.MatchAt(row, testAnchor); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// cardUser is a Record of the two columns the card example reads.
type cardUser struct {
	age, purchases   int64
	ageCol, purchCol int
}

func (u *cardUser) Int(col int) (int64, bool) {
	switch col {
	case u.ageCol:
		return u.age, true
	case u.purchCol:
		return u.purchases, true
	}
	return 0, false
}
func (u *cardUser) Float(int) (float64, bool) { return 0, false }
func (u *cardUser) Str(int) (string, bool)    { return "", false }
func (u *cardUser) Bool(int) (bool, bool)     { return false, false }
func (u *cardUser) Time(int) (int64, bool)    { return 0, false }

// BenchmarkMatchRecordCard is single-user evaluation of the card example
// over a typed Record.
func BenchmarkMatchRecordCard(b *testing.B) {
	eng := Open(columnar.Demo(columnar.DemoOptions{Rows: 1000, Anchor: testAnchor}))
	q, err := eng.Compile(`age between 25 and 54 and purchases_30d > 3`, WithNow(testAnchor))
	if err != nil {
		b.Fatal(err)
	}
	u := &cardUser{age: 31, purchases: 5, ageCol: eng.ColumnIndex("age"), purchCol: eng.ColumnIndex("purchases_30d")}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := q.MatchRecord(u, testAnchor); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkProfile10M profiles the card example against all 10M users
// over every column of the demo table.
