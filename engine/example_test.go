package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

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

// user is one user's values for MatchRecord: no map, no boxing.
type user struct {
	age, purchases       int64
	country              string
	ageCol, purchCol, cc int
}

func (u *user) Int(col int) (int64, bool) {
	switch col {
	case u.ageCol:
		return u.age, true
	case u.purchCol:
		return u.purchases, true
	}
	return 0, false
}
func (u *user) Float(int) (float64, bool)  { return 0, false }
func (u *user) Str(col int) (string, bool) { return u.country, col == u.cc }
func (u *user) Bool(int) (bool, bool)      { return false, false }
func (u *user) Time(int) (int64, bool)     { return 0, false }

// ExampleQuery_MatchRecord checks single users without allocating: the
// record answers by column position, resolved once with ColumnIndex.
func ExampleQuery_MatchRecord() {
	table := columnar.Demo(columnar.DemoOptions{Rows: 1000, Seed: 1})
	defer table.Release()
	eng := engine.Open(table)
	q, err := eng.Compile(`age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`)
	if err != nil {
		fmt.Println(err)
		return
	}
	u := &user{age: 31, purchases: 5, country: "DE",
		ageCol: eng.ColumnIndex("age"), purchCol: eng.ColumnIndex("purchases_30d"), cc: eng.ColumnIndex("country")}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ok, err := q.MatchRecord(u, now)
	fmt.Println(ok, err)
	u.country = "US"
	ok, err = q.MatchRecord(u, now)
	fmt.Println(ok, err)
	// Output:
	// true <nil>
	// false <nil>
}

// ExampleScan streams a Parquet dataset larger than memory: only the
// columns the segment reads are decoded, row group by row group, and the
// row groups whose statistics rule out every member are skipped.
func ExampleScan() {
	today := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	dir, err := os.MkdirTemp("", "segql-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	table := columnar.Demo(columnar.DemoOptions{Rows: 300_000, Seed: 42, Anchor: today})
	err = columnar.WriteFile(filepath.Join(dir, "users.parquet"), table, nil) // row groups of 128Ki rows
	table.Release()
	if err != nil {
		fmt.Println(err)
		return
	}

	ds, err := columnar.OpenDataset(context.Background(), []string{dir}, columnar.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer ds.Close()
	res, err := engine.Scan(context.Background(), ds, `user_id > 290000 and age > 40`, engine.ScanOptions{
		Now:         today,
		MemoryLimit: 256 << 20,
		Keep:        []string{"user_id"},
		Members: func(rec arrow.RecordBatch) error {
			ids, _ := columnar.FormatValue(rec.Column(0), 0)
			fmt.Println("first member of a row group:", ids)
			return nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Count, "members; row groups read", res.Read, "of", res.RowGroups)
	// Output:
	// first member of a row group: 290004
	// 2993 members; row groups read 1 of 3
}
