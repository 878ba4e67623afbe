package main

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"cel.dev/cel-go/cel"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// result is one expression's measurements.
type result struct {
	c                        benchCase
	members, duckMembers     int
	segql, duck, expr, floor time.Duration
	bytes                    int64
}

func measureAll(cat *catalog.Catalog, db *sql.DB, users []user, tbl *columnar.Table, runs int) ([]result, error) {
	ctx := context.Background()
	var out []result
	for _, c := range cases {
		q, err := cat.Compile(c.segql, engine.WithNow(anchor))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		r := result{c: c}
		runtime.GC() // leftover garbage (building expr-lang's rows) must not be collected during a measurement
		r.segql, err = median(runs, func() error {
			res, err := q.Run(ctx)
			if err == nil {
				r.members = res.Count()
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		r.duck, err = median(runs, func() error {
			return db.QueryRow("SELECT count(*) FROM users WHERE " + c.sql).Scan(&r.duckMembers)
		})
		if err != nil {
			return nil, fmt.Errorf("%s: DuckDB: %w", c.name, err)
		}
		if c.expr != "" {
			prog, err := expr.Compile(c.expr, expr.Env(user{}), expr.AsBool())
			if err != nil {
				return nil, fmt.Errorf("%s: expr-lang: %w", c.name, err)
			}
			r.expr, err = median(max(1, runs/3), func() error { return runExpr(prog, users) })
			if err != nil {
				return nil, err
			}
		}
		cols := columnIndexes(tbl, q.Columns())
		r.bytes = columnBytes(tbl, cols)
		r.floor, _ = median(runs, func() error { readColumns(tbl, cols); return nil })
		out = append(out, r)
	}
	return out, nil
}

func runExpr(prog *vm.Program, users []user) error {
	var machine vm.VM
	for i := range users {
		if _, err := machine.Run(prog, users[i]); err != nil {
			return err
		}
	}
	return nil
}

func columnIndexes(t *columnar.Table, names []string) []int {
	var out []int
	for _, n := range names {
		out = append(out, t.ColumnIndex(n))
	}
	return out
}

// columnBytes is the size of the columns' Arrow buffers.
func columnBytes(t *columnar.Table, cols []int) int64 {
	var n int64
	for _, rec := range t.Batches {
		for _, c := range cols {
			for _, b := range buffersOf(rec.Column(c)) {
				n += int64(len(b))
			}
		}
	}
	return n
}

// buffersOf lists an array's buffers (a slice's view of them), its
// children's and its dictionary's.
func buffersOf(a arrow.Array) [][]byte {
	return dataBuffers(a.Data())
}

func dataBuffers(d arrow.ArrayData) [][]byte {
	var out [][]byte
	for _, b := range d.Buffers() {
		if b != nil {
			out = append(out, b.Bytes())
		}
	}
	for _, c := range d.Children() {
		out = append(out, dataBuffers(c)...)
	}
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil { // a typed nil when there is none
		out = append(out, dataBuffers(dict)...)
	}
	return out
}

// bufferBytes sums every buffer of the table.
func bufferBytes(t *columnar.Table) int64 {
	var all []int
	for i := range t.Schema.Fields() {
		all = append(all, i)
	}
	return columnBytes(t, all)
}

var sink uint64

// readColumns reads every byte of the columns' buffers, a word at a time,
// on all cores: the floor under any evaluation of them.
func readColumns(t *columnar.Table, cols []int) {
	var wg sync.WaitGroup
	sums := make([]uint64, len(t.Batches))
	sem := make(chan struct{}, 2)
	for i, rec := range t.Batches {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			for _, c := range cols {
				for _, b := range buffersOf(rec.Column(c)) {
					sums[i] += sumWords(b)
				}
			}
		}(i)
	}
	wg.Wait()
	for _, s := range sums {
		sink += s
	}
}

func sumWords(b []byte) uint64 {
	if len(b) < 8 {
		return 0
	}
	words := unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), len(b)/8)
	var s uint64
	for _, w := range words {
		s += w
	}
	return s
}

// cardRecord is an engine.Record over the card example's two columns, the
// counterpart of expr-lang's struct environment.
type cardRecord struct {
	age, purchases   int64
	ageCol, purchCol int
}

func (u *cardRecord) Int(col int) (int64, bool) {
	switch col {
	case u.ageCol:
		return u.age, true
	case u.purchCol:
		return u.purchases, true
	}
	return 0, false
}
func (u *cardRecord) Float(int) (float64, bool) { return 0, false }
func (u *cardRecord) Str(int) (string, bool)    { return "", false }
func (u *cardRecord) Bool(int) (bool, bool)     { return false, false }
func (u *cardRecord) Time(int) (int64, bool)    { return 0, false }

// singleUser compares one-user evaluation and compile time.
func singleUser(eng *engine.Engine) error {
	const card = `age between 25 and 54 and purchases_30d > 3`
	q, err := eng.Compile(card, engine.WithNow(anchor))
	if err != nil {
		return err
	}
	row := engine.MapRow{"age": 31, "purchases_30d": 5}
	segql := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = q.MatchAt(row, anchor)
		}
	})
	rec := &cardRecord{age: 31, purchases: 5, ageCol: eng.ColumnIndex("age"), purchCol: eng.ColumnIndex("purchases_30d")}
	segqlRecord := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = q.MatchRecord(rec, anchor)
		}
	})
	prog, err := expr.Compile(`age >= 25 && age <= 54 && purchases_30d > 3`, expr.Env(user{}), expr.AsBool())
	if err != nil {
		return err
	}
	u := user{Age: 31, Purchases30: 5}
	exprRes := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		var machine vm.VM
		for b.Loop() {
			_, _ = machine.Run(prog, u)
		}
	})
	env, err := cel.NewEnv(cel.Variable("age", cel.IntType), cel.Variable("purchases_30d", cel.IntType))
	if err != nil {
		return err
	}
	ast, iss := env.Compile(`age >= 25 && age <= 54 && purchases_30d > 3`)
	if iss.Err() != nil {
		return iss.Err()
	}
	prg, err := env.Program(ast)
	if err != nil {
		return err
	}
	act := map[string]any{"age": 31, "purchases_30d": 5}
	celRes := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _, _ = prg.Eval(act)
		}
	})
	compile := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = eng.Compile(card)
		}
	})
	fmt.Println("\nsingle user, card example:")
	fmt.Printf("  segql Match   %8d ns/op %4d allocs/op (a map of Go values)\n", segql.NsPerOp(), segql.AllocsPerOp())
	fmt.Printf("  segql Record  %8d ns/op %4d allocs/op (MatchRecord over a struct)\n", segqlRecord.NsPerOp(), segqlRecord.AllocsPerOp())
	fmt.Printf("  expr-lang     %8d ns/op %4d allocs/op\n", exprRes.NsPerOp(), exprRes.AllocsPerOp())
	fmt.Printf("  cel-go        %8d ns/op %4d allocs/op\n", celRes.NsPerOp(), celRes.AllocsPerOp())
	fmt.Printf("compile of the card example: %d ns/op, %d allocs/op\n", compile.NsPerOp(), compile.AllocsPerOp())
	return nil
}
