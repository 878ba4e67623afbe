package syntax

import "testing"

const cardExample = `age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`

func BenchmarkParseCard(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseExpr("", cardExample, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
