package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
)

func demo(t testing.TB, rows int, mem memory.Allocator) *columnar.Table {
	t.Helper()
	return columnar.Demo(columnar.DemoOptions{Rows: rows, Seed: 3, Anchor: testAnchor, Mem: mem, BatchSize: 4096})
}

// TestConcurrentRuns: one compiled query run by 64 goroutines at once gives
// identical results (run with -race to prove no shared state is written).
func TestConcurrentRuns(t *testing.T) {
	tbl := demo(t, 40_000, nil)
	defer tbl.Release()
	q, err := Open(tbl).Compile(`(country in ("DE", "FR") or city like "S%") and age > 30 and not (interests contains "deals") and coalesce(nps, 0) < 9`, WithNow(testAnchor))
	require.NoError(t, err)
	want, err := q.Run(context.Background())
	require.NoError(t, err)
	require.Greater(t, want.Count(), 0)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := q.Run(context.Background(), Workers(2))
			switch {
			case err != nil:
				errs <- err
			case res.Count() != want.Count():
				errs <- errors.New("count differs between concurrent runs")
			}
			if _, err := q.Match(MapRow{"country": "DE", "age": 40, "interests": []string{"yoga"}, "nps": 3}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestCancel(t *testing.T) {
	tbl := demo(t, 200_000, nil)
	defer tbl.Release()
	q, err := Open(tbl).Compile(`city matches "^(S|B).*[aeiou]n$"`)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	before := runtime.NumGoroutine()
	_, err = q.Run(ctx)
	require.ErrorIs(t, err, context.Canceled)
	ctx, cancel = context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	_, err = q.Run(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	time.Sleep(10 * time.Millisecond)
	require.LessOrEqual(t, runtime.NumGoroutine(), before+1, "workers must not outlive Run")
}

// TestNoLeaks: loading, evaluating and taking rows leaves no Arrow memory
// allocated once everything is released.
func TestNoLeaks(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := demo(t, 10_000, mem)
	defer tbl.Release()
	q, err := Open(tbl).Compile(`city = "Paris" and interests contains "yoga"`, WithNow(testAnchor))
	require.NoError(t, err)
	res, err := q.Run(context.Background())
	require.NoError(t, err)
	rec, err := res.Rows([]string{"user_id", "city", "interests"}, 5, mem)
	require.NoError(t, err)
	require.EqualValues(t, min(5, res.Count()), rec.NumRows())
	rec.Release()
}

func TestResultAccessors(t *testing.T) {
	tbl := demo(t, 20_000, nil)
	defer tbl.Release()
	q, err := Open(tbl).Compile(`user_id % 1000 = 7`, WithNow(testAnchor))
	require.NoError(t, err)
	res, err := q.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, 20, res.Count())
	ids, err := res.IDs("user_id", -1)
	require.NoError(t, err)
	require.Equal(t, "7", ids[0])
	require.Equal(t, "19007", ids[19])
	require.Equal(t, 20, res.Bitmap().Count())
	require.True(t, res.Bitmap().Get(6)) // row 6 holds user 7
	rec, err := res.Rows([]string{"user_id", "age"}, -1, nil)
	require.NoError(t, err)
	defer rec.Release()
	require.EqualValues(t, 20, rec.NumRows())
	require.Equal(t, "age", rec.ColumnName(1))
	_, err = res.Rows([]string{"nope"}, 1, nil)
	require.ErrorContains(t, err, `no column "nope"`)
	require.Equal(t, []string{"user_id"}, q.Columns())
}

func TestEvaluationErrors(t *testing.T) {
	tbl := demo(t, 1_000, nil)
	defer tbl.Release()
	eng := Open(tbl)
	q, err := eng.Compile(`user_id * 9223372036854775807 > 1`)
	require.NoError(t, err)
	_, err = q.Run(context.Background())
	require.ErrorContains(t, err, "integer overflow")
	_, err = eng.Compile(`9223372036854775807 + 1 > 0`)
	require.ErrorContains(t, err, "integer overflow")
	q, err = eng.Compile(`orders_total % 0 is null and income / 0 is null`)
	require.NoError(t, err)
	res, err := q.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1_000, res.Count(), "division and modulo by zero give null")
}

// TestBatchAndMatchAgreeOnDemo: single-user evaluation equals the batch
// result row for row on the demo table, for the examples.
func TestBatchAndMatchAgreeOnDemo(t *testing.T) {
	tbl := demo(t, 3_000, nil)
	defer tbl.Release()
	eng := Open(tbl)
	r := rand.New(rand.NewPCG(1, 1))
	for _, src := range []string{
		`age between 25 and 54 and purchases_30d > 3`, `country in ("DE", "FR") and city != "Paris"`,
		`last_seen within 30d`, `days_since(last_purchase) > 90`, `revenue_total / orders_total > 120`,
		`interests contains any ("yoga", "running")`, `not (interests contains "deals")`, `gender is null`,
		`signup_date < "2024-06-01" and lower(occupation) like "%er"`,
	} {
		q, err := eng.Compile(src, WithNow(testAnchor))
		require.NoError(t, err)
		res, err := q.Run(context.Background())
		require.NoError(t, err)
		bm := res.Bitmap()
		for range 300 {
			row := r.Int64N(tbl.NumRows())
			m, err := q.MatchAt(rowOf(tbl, row), testAnchor)
			require.NoError(t, err)
			require.Equal(t, bm.Get(int(row)), m, "%s row %d", src, row)
		}
	}
}

// rowOf reads a table row into a MapRow.
func rowOf(t *columnar.Table, row int64) MapRow { return RowAt(t, row) }

// TestErrorsOnlyWhereNeeded: an operand's evaluation error counts only for
// rows whose result needs it — in `and`, rows no other term makes FALSE —
// whatever the order of the terms, in Run, Match, MatchRecord and TruthAt
// alike (SPEC.md, "Evaluation errors").
func TestErrorsOnlyWhereNeeded(t *testing.T) {
	tbl := demo(t, 5_000, nil)
	defer tbl.Release()
	eng := Open(tbl)
	for _, src := range []string{
		`age > 200 and age * 9223372036854775807 > 1`,
		`age * 9223372036854775807 > 1 and age > 200`,
		`not (age <= 200 or age * 9223372036854775807 > 1)`,
		`age is null and age * 9223372036854775807 > 1`,
	} {
		for _, opts := range [][]Option{nil, {WithoutOptimizations()}} {
			q, err := eng.Compile(src, append(opts, WithNow(testAnchor))...)
			require.NoError(t, err, src)
			res, err := q.Run(context.Background())
			require.NoError(t, err, src)
			require.Zero(t, res.Count(), src)
			m, err := q.MatchAt(MapRow{"age": 40}, testAnchor)
			require.NoError(t, err, src)
			require.False(t, m, src)
			m, err = q.MatchRecord(&cardUser{age: 40, purchases: 1, ageCol: eng.ColumnIndex("age")}, testAnchor)
			require.NoError(t, err, src)
			require.False(t, m, src)
		}
	}
	// Where the failing operand is needed, every path raises the error,
	// with its position.
	q, err := eng.Compile(`age > 20 and age * 9223372036854775807 > 1`, WithNow(testAnchor))
	require.NoError(t, err)
	_, err = q.Run(context.Background())
	require.ErrorIs(t, err, ErrOverflow)
	var ee *EvalError
	require.ErrorAs(t, err, &ee)
	require.Contains(t, err.Error(), "1:14: integer overflow")
	require.Contains(t, err.Error(), "^^^^^^^^^^^^^^^^^^^^^^^^^")
	_, err = q.MatchAt(MapRow{"age": 40}, testAnchor)
	require.ErrorIs(t, err, ErrOverflow)
	_, err = q.MatchRecord(&cardUser{age: 40, ageCol: eng.ColumnIndex("age"), purchCol: eng.ColumnIndex("purchases_30d")}, testAnchor)
	require.ErrorIs(t, err, ErrOverflow)
}

// TestCatalogCompileLimits: a named segment compiles through the engine's
// one compile path, with the same cost limit as an expression.
func TestCatalogCompileLimits(t *testing.T) {
	tbl := demo(t, 1_000, nil)
	defer tbl.Release()
	eng := Open(tbl)
	defs := checkedDefs(t, eng, "segment adults = age between 25 and 54\n")
	lim := WithLimitsOf(Limits{MaxCost: 1})
	_, err := eng.Compile(`age between 25 and 54`, lim)
	require.ErrorIs(t, err, ErrCost)
	_, err = eng.Compile(`adults`, lim, WithDefinitions(defs))
	require.ErrorIs(t, err, ErrCost)
	q, err := eng.Compile(`adults`, WithDefinitions(defs))
	require.NoError(t, err)
	require.Greater(t, q.Cost(), 1.0)
}
