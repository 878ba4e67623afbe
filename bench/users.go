package main

import (
	"fmt"
	"time"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// user is the Go struct expr-lang evaluates over. Nulls become zero
// values (expr-lang has no three-valued logic), times microseconds.
type user struct {
	Age           int64    `expr:"age"`
	Purchases30   int64    `expr:"purchases_30d"`
	City          string   `expr:"city"`
	Country       string   `expr:"country"`
	Income        float64  `expr:"income"`
	IsPremium     bool     `expr:"is_premium"`
	Occupation    string   `expr:"occupation"`
	Gender        string   `expr:"gender"`
	DiscountShare float64  `expr:"discount_share"`
	LastSeen      int64    `expr:"last_seen"`
	LastPurchase  int64    `expr:"last_purchase"`
	Interests     []string `expr:"interests"`
	Now           int64    `expr:"now"`
}

// exprUsers converts the first n rows of the table.
func exprUsers(t *columnar.Table, n int) ([]user, error) {
	out := make([]user, n)
	for i := range out {
		r := engine.RowAt(t, int64(i))
		u := &out[i]
		u.Age, u.Purchases30 = asInt(r["age"]), asInt(r["purchases_30d"])
		u.City, u.Country, u.Occupation, u.Gender = asStr(r["city"]), asStr(r["country"]), asStr(r["occupation"]), asStr(r["gender"])
		u.Income, u.DiscountShare = asFloat(r["income"]), asFloat(r["discount_share"])
		u.IsPremium, _ = r["is_premium"].(bool)
		u.LastSeen, u.LastPurchase = asTime(r["last_seen"]), asTime(r["last_purchase"])
		u.Now = anchor.UnixMicro()
		if list, ok := r["interests"].([]any); ok {
			for _, x := range list {
				if s, ok := x.(string); ok {
					u.Interests = append(u.Interests, s)
				}
			}
		}
	}
	return out, nil
}

func asInt(v any) int64 {
	i, _ := v.(int64)
	return i
}
func asStr(v any) string {
	s, _ := v.(string)
	return s
}
func asFloat(v any) float64 {
	f, _ := v.(float64)
	return f
}
func asTime(v any) int64 {
	if t, ok := v.(time.Time); ok {
		return t.UnixMicro()
	}
	return 0
}

func printResults(rs []result, rows, sample int) {
	fmt.Printf("%d rows; expr-lang runs row at a time over %d Go structs and is extrapolated; floor = reading the referenced columns' bytes\n\n", rows, sample)
	fmt.Println(pad("expression", 22) + pad("members", 11) + pad("agree", 7) + pad("segql", 11) + pad("duckdb", 11) +
		pad("expr-lang", 12) + pad("floor", 11) + pad("segql/duckdb", 14) + "GB/s")
	var ratios []float64
	worst, worstName := 0.0, ""
	for _, r := range rs {
		agree := "yes"
		if r.members != r.duckMembers {
			agree = fmt.Sprintf("NO %d", r.duckMembers)
		}
		ratio := r.segql.Seconds() / r.duck.Seconds()
		ratios = append(ratios, ratio)
		if ratio > worst {
			worst, worstName = ratio, r.c.name
		}
		exprCol := "—"
		if r.expr > 0 {
			exprCol = round(time.Duration(float64(r.expr) * float64(rows) / float64(sample))).String()
		}
		fmt.Println(pad(r.c.name, 22) + pad(fmt.Sprint(r.members), 11) + pad(agree, 7) + pad(round(r.segql).String(), 11) +
			pad(round(r.duck).String(), 11) + pad(exprCol, 12) + pad(round(r.floor).String(), 11) +
			pad(fmt.Sprintf("%.3f", ratio), 14) + fmt.Sprintf("%.1f", float64(r.bytes)/r.segql.Seconds()/1e9))
	}
	fmt.Printf("\ngeomean segql/duckdb = %.3f (%d expressions), worst = %.3f (%s)\n", geomean(ratios), len(ratios), worst, worstName)
}
