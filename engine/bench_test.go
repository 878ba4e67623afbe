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

// benchShapes are the bench program's expressions (bench/main.go), the
// tuned ones and those nobody tuned for, run here without DuckDB:
// go test ./engine -run '^$' -bench 'Shapes10M/year'.
var benchShapes = []struct{ name, src string }{
	{"numeric", `age > 40`},
	{"card", `age between 25 and 54 and purchases_30d > 3`},
	{"string_eq", `city = "Paris"`},
	{"in5", `country in ("DE", "FR", "US", "GB", "ES")`},
	{"mix", `(age > 30 and income > 50000) or (not is_premium and purchases_30d >= 2 and country = "DE")`},
	{"like_prefix", `occupation like "eng%"`},
	{"is_null", `gender is null`},
	{"float_range", `discount_share between 0.2 and 0.4`},
	{"within", `last_seen within 30d`},
	{"list_contains", `interests contains "meditation"`},
	{"days_since", `days_since(last_purchase) > 90`},
	{"rare_then_expensive", `age >= 75 and is_premium and revenue_total / purchases_30d > 200`},
	{"year", `year(signup_date) = 2023`},
	{"month_weekday", `month(last_seen) = 10 and day_of_week(last_seen) in (6, 7)`},
	{"days_since_between", `days_since(signup_date) between 30 and 365`},
	{"weighted_sum", `sessions_30d + 10 * purchases_30d >= 60`},
	{"division", `revenue_total / purchases_30d > 50`},
	{"float_arith", `revenue_total * 1.1 - income / 100 > 500`},
	{"abs", `abs(nps - 5) >= 4`},
	{"coalesce_int", `coalesce(nps, 0) >= 9`},
	{"coalesce_float", `coalesce(discount_share, 0) < 0.1`},
	{"regex", `city matches "^(San|New|Los) |o$"`},
	{"ilike", `occupation ilike "%MAN%"`},
	{"lower_eq", `lower(city) = "paris"`},
	{"not_in", `country not in ("US", "DE", "FR", "GB")`},
	{"string_range", `city > "M" and city < "S"`},
	{"contains_any", `interests contains any ("yoga", "running", "fitness")`},
	{"contains_all", `interests contains all ("yoga", "meditation")`},
	{"list_len", `len(interests) >= 4`},
	{"very_common", `churn_risk < 0.99`},
	{"very_rare", `income > 150000 and age < 21`},
	{"sorted_id", `user_id between 5000000 and 5100000`},
	{"or_of_ands", `(age < 25 and device = "ios") or (age > 60 and device = "web") or (country = "JP" and is_premium)`},
	{"preds8", `age between 25 and 54 and income > 40000 and country in ("DE", "FR", "GB", "US") and device != "web" and sessions_30d >= 5 and churn_risk < 0.5 and email_opt_in and plan in ("basic", "premium")`},
	{"preds12", `age >= 18 and age <= 70 and income > 20000 and gender != "male" and education in ("bachelor", "master", "phd") and region in ("Europe", "North America") and climate != "arid" and last_seen within 60d and purchases_90d >= 1 and discount_share < 0.8 and nps >= 5 and not is_premium`},
	{"deep", `not (not (age > 30 and (income > 50000 or (nps >= 7 and not (country = "US" or (churn_risk > 0.8 and sessions_30d < 3))))))`},
}

func BenchmarkShapes10M(b *testing.B) {
	for _, c := range benchShapes {
		b.Run(c.name, func(b *testing.B) { benchRun(b, c.src) })
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
