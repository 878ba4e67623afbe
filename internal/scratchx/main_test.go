package scratchx

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

func TestX(t *testing.T) {
	anchor := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	tbl := columnar.Demo(columnar.DemoOptions{Rows: 10_000_000, Seed: 1, Anchor: anchor})
	eng := engine.Open(tbl)
	for _, src := range []string{`age between 25 and 54 and purchases_30d > 3`, `age >= 75 and is_premium and revenue_total / purchases_30d > 200`} {
		q, err := eng.Compile(src, engine.WithNow(anchor))
		if err != nil {
			t.Fatal(err)
		}
		var res *engine.Result
		for i := 0; i < 5; i++ {
			res, _ = q.Run(context.Background())
		}
		fmt.Println(res.Explain())
		q1, _ := eng.Compile(src, engine.WithNow(anchor))
		for i := 0; i < 5; i++ {
			res, _ = q1.Run(context.Background(), engine.Workers(1))
		}
		fmt.Println(res.Explain())
	}
}
