package check_test

import (
	"testing"

	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/syntax"
)

const cardExample = `age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`

// BenchmarkParseCheckCard measures the front end on the design card's example.
func BenchmarkParseCheckCard(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		e, err := syntax.ParseExpr("", cardExample, syntax.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := check.Check(e, diag.Source{Text: cardExample}, check.Config{Schema: users}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckCard(b *testing.B) {
	e, _ := syntax.ParseExpr("", cardExample, syntax.Limits{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := check.Check(e, diag.Source{Text: cardExample}, check.Config{Schema: users}); err != nil {
			b.Fatal(err)
		}
	}
}
