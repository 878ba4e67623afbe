package engine_test

import (
	"context"
	"fmt"
	"time"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// ExampleEngine compiles a segment once, sizes it over a table, and checks
// single users against it.
func ExampleEngine() {
	today := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	table := columnar.Demo(columnar.DemoOptions{Rows: 50_000, Seed: 42, Anchor: today})
	defer table.Release()
	eng := engine.Open(table)

	q, err := eng.Compile(`age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`, engine.WithNow(today))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := q.Run(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	ids, _ := res.IDs("user_id", 3)
	fmt.Println(res.Count(), "of", res.Total(), "users, first ids", ids)

	ok, _ := q.Match(engine.MapRow{"age": 31, "purchases_30d": 5, "country": "DE"})
	fmt.Println("a 31-year-old German with 5 purchases:", ok)
	ok, _ = q.Match(engine.MapRow{"age": nil, "purchases_30d": 5, "country": "DE"})
	fmt.Println("the same user with an unknown age:", ok)

	_, err = eng.Compile(`agee > 30`)
	fmt.Println(err)
	// Output:
	// 172 of 50000 users, first ids [546 739 1164]
	// a 31-year-old German with 5 purchases: true
	// the same user with an unknown age: false
	// 1:1: unknown column "agee"
	//     agee > 30
	//     ^^^^
	//     did you mean "age"?
}
