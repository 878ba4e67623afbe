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
