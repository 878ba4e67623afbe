package analytics_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// ExampleAnalyzer_Profile compares a segment with all users and prints
// the column that distinguishes it most.
func ExampleAnalyzer_Profile() {
	today := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	table := columnar.Demo(columnar.DemoOptions{Rows: 20_000, Seed: 1, Anchor: today})
	defer table.Release()
	eng := engine.Open(table)
	q, err := eng.Compile(`plan = "premium" and age < 30`, engine.WithNow(today))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := q.Run(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := analytics.New(eng).Profile(context.Background(), res, analytics.ProfileOptions{Privacy: analytics.Privacy{MinSize: 10}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d of %d users; most distinguishing: %s\n", p.Size, p.Base, p.Columns[0].Name)
	// Output:
	// 2242 of 20000 users; most distinguishing: plan
}

// ExampleAnalyzer_Export writes a segment's members to a Parquet file,
// atomically, leaving out personal-data columns unless allowed.
func ExampleAnalyzer_Export() {
	table := columnar.Demo(columnar.DemoOptions{Rows: 20_000, Seed: 1})
	defer table.Release()
	eng := engine.Open(table)
	q, err := eng.Compile(`country = "DE" and purchases_30d > 3`)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := q.Run(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "segql-example")
	defer os.RemoveAll(dir)
	rep, err := analytics.New(eng).Export(context.Background(), res, filepath.Join(dir, "members.parquet"),
		analytics.ExportOptions{Columns: []string{"user_id", "age", "country"}, Privacy: analytics.Privacy{MinSize: 10}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Rows == res.Count(), rep.Columns)
	// Output:
	// true [user_id age country]
}
