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
	// on a column also computes its per-batch ranges (engine/zones.go).
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

func BenchmarkCard10M(b *testing.B) {
	benchRun(b, `age between 25 and 54 and purchases_30d > 3`)
}
func BenchmarkCardCountries10M(b *testing.B) {
	benchRun(b, `age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`)
}
func BenchmarkStringEq10M(b *testing.B)     { benchRun(b, `city = "Paris"`) }
func BenchmarkListContains10M(b *testing.B) { benchRun(b, `interests contains "meditation"`) }
func BenchmarkWithin10M(b *testing.B)       { benchRun(b, `last_seen within 30d`) }
func BenchmarkNumeric10M(b *testing.B)      { benchRun(b, `age > 40`) }
func BenchmarkIsNull10M(b *testing.B)       { benchRun(b, `gender is null`) }
func BenchmarkIn5_10M(b *testing.B)         { benchRun(b, `country in ("DE", "FR", "US", "GB", "ES")`) }
func BenchmarkLikePrefix10M(b *testing.B)   { benchRun(b, `occupation like "eng%"`) }
func BenchmarkFloatRange10M(b *testing.B)   { benchRun(b, `discount_share between 0.2 and 0.4`) }
func BenchmarkDaysSince10M(b *testing.B)    { benchRun(b, `days_since(last_purchase) > 90`) }
func BenchmarkMix10M(b *testing.B) {
	benchRun(b, `(age > 30 and income > 50000) or (not is_premium and purchases_30d >= 2 and country = "DE")`)
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
func BenchmarkProfile10M(b *testing.B) {
	eng := Open(bench10M())
	q, err := eng.Compile(`age between 25 and 54 and purchases_30d > 3`, WithNow(testAnchor))
	if err != nil {
		b.Fatal(err)
	}
	res, err := q.Run(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := eng.Profile(context.Background(), res, ProfileOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCluster10M is issue 8's target: k-means with k = 5 over three
// features of 10M users.
func BenchmarkCluster10M(b *testing.B) {
	eng := Open(bench10M())
	for b.Loop() {
		c, err := eng.Cluster(context.Background(), ClusterOptions{K: 5, Seed: 1, Features: []string{"sessions_30d", "orders_total", "revenue_total"}})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(c.Iterations), "iterations")
	}
}

// BenchmarkOverlap10M intersects four segments of 10M users.
func BenchmarkOverlap10M(b *testing.B) {
	eng := Open(bench10M())
	srcs := []string{`age < 30`, `country in ("DE", "FR")`, `is_premium`, `churn_risk > 0.5`}
	var results []*Result
	for _, s := range srcs {
		q, err := eng.Compile(s)
		if err != nil {
			b.Fatal(err)
		}
		r, err := q.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		results = append(results, r)
	}
	for b.Loop() {
		if _, err := eng.Overlap(srcs, results, Privacy{}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchResult(b *testing.B, eng *Engine, src string) *Result {
	q, err := eng.Compile(src, WithNow(testAnchor))
	if err != nil {
		b.Fatal(err)
	}
	res, err := q.Run(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkSplit10M assigns the ~5M users of a segment to two arms.
func BenchmarkSplit10M(b *testing.B) {
	eng := Open(bench10M())
	res := benchResult(b, eng, `age < 35`)
	arms := []Arm{{"control", 50}, {"treatment", 50}}
	for b.Loop() {
		if _, err := eng.Split(res, SplitOptions{Arms: arms, Salt: "s", IDColumn: "user_id"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Count()), "members")
}

// BenchmarkExport10M writes the ~1M members of a segment to Parquet.
func BenchmarkExport10M(b *testing.B) {
	eng := Open(bench10M())
	res := benchResult(b, eng, `country in ("DE", "FR")`)
	path := b.TempDir() + "/members.parquet"
	for b.Loop() {
		if _, err := eng.Export(context.Background(), res, path, ExportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Count()), "members")
}
func BenchmarkDateWithin10M(b *testing.B) { benchRun(b, `signup_date within 90d`) }
func BenchmarkDateCompare10M(b *testing.B) {
	benchRun(b, `signup_date >= "2024-01-01"`)
}
func BenchmarkDateDaysSince10M(b *testing.B) { benchRun(b, `days_since(signup_date) < 30`) }
func BenchmarkSortedIDRange10M(b *testing.B) {
	benchRun(b, `user_id between 5000000 and 5100000`)
}

// BenchmarkZones10M is the one-time cost of deciding that the randomly
// ordered age column (10M rows) gets no per-batch ranges.
func BenchmarkZones10M(b *testing.B) {
	tbl := bench10M()
	col := tbl.ColumnIndex("age")
	for b.Loop() {
		if Open(tbl).batchZones(col) != nil {
			b.Fatal("zones for a column in no order")
		}
	}
}

// BenchmarkZonesSorted10M is the same cost for the sorted user_id column,
// whose zones are computed in full.
func BenchmarkZonesSorted10M(b *testing.B) {
	tbl := bench10M()
	col := tbl.ColumnIndex("user_id")
	for b.Loop() {
		if Open(tbl).batchZones(col) == nil {
			b.Fatal("no zones")
		}
	}
}
