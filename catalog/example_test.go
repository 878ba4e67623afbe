package catalog_test

import (
	"context"
	"fmt"
	"time"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// ExampleLoadPaths loads a directory of .seg files against a table, sizes
// every segment in one pass, and compiles an expression that uses their
// names.
func ExampleLoadPaths() {
	today := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	table := columnar.Demo(columnar.DemoOptions{Rows: 20_000, Seed: 1, Anchor: today})
	defer table.Release()
	cat, err := catalog.LoadPaths(context.Background(), engine.Open(table), "../examples")
	if err != nil {
		fmt.Println(err)
		return
	}
	sizes, err := cat.Sizes(context.Background(), engine.At(today))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range sizes[:3] {
		fmt.Printf("%s: %d members\n", s.Name, s.Result.Count())
	}
	q, err := cat.Compile("frequent_shoppers and not deal_seekers", engine.WithNow(today))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, _ := q.Run(context.Background())
	fmt.Println("frequent shoppers who are not deal seekers:", res.Count())
	// Output:
	// frequent_shoppers: 456 members
	// occasional_shoppers: 9450 members
	// deal_seekers: 3757 members
	// frequent shoppers who are not deal seekers: 278
}
