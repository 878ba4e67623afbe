package engine

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/internal/testtables"
)

// naiveRanks ranks column col of rows the slow, obvious way: a row's rank
// is the number of non-null values strictly below its value.
func naiveRanks(rows []map[string]any, col string) (ranks []int64, n int64) {
	ranks = make([]int64, len(rows))
	for _, r := range rows {
		if r[col] != nil {
			n++
		}
	}
	for i, r := range rows {
		ranks[i] = -1
		if r[col] == nil {
			continue
		}
		ranks[i] = 0
		for _, o := range rows {
			if o[col] != nil && refOrder(o[col], r[col]) < 0 {
				ranks[i]++
			}
		}
	}
	return ranks, n
}

// membersOf runs src and returns its members; it also checks that
// single-user evaluation of every row agrees with the run.
func membersOf(t *testing.T, eng *Engine, rows []map[string]any, src string) []bool {
	t.Helper()
	q, err := eng.Compile(src, WithNow(testAnchor))
	require.NoError(t, err, src)
	res, err := q.Run(context.Background())
	require.NoError(t, err, src)
	got := make([]bool, len(rows))
	res.Each(func(row int64) bool { got[row] = true; return true })
	for i := range rows {
		m, err := q.Match(RowAt(eng.Table(), int64(i)))
		require.NoError(t, err)
		require.Equal(t, got[i], m, "%s: Match disagrees with Run on row %d", src, i)
	}
	return got
}

// TestRankFunctions compares percent_rank, ntile and the RFM scores, run
// over the table and matched per row, with ranks computed naively, over
// columns with ties, nulls, NaN, ±Inf, -0.0, timestamps and dates.
func TestRankFunctions(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	rows := randRows(r, 1500, 0.1)
	tbl := buildTable(nil, rows, 257)
	defer tbl.Release()
	eng := Open(tbl)
	for _, col := range []string{"a", "b", "f", "t", "dt"} {
		ranks, n := naiveRanks(rows, col)
		check := func(src string, want func(rank int64) bool) {
			got := membersOf(t, eng, rows, src)
			for i, rk := range ranks {
				require.Equal(t, rk >= 0 && want(rk), got[i], "%s, row %d (rank %d of %d)", src, i, rk, n)
			}
		}
		for _, tiles := range []int64{1, 3, 7, 10, 2000} {
			for _, j := range []int64{1, 2, tiles} {
				check(fmt.Sprintf("ntile(%s, %d) = %d", col, tiles, j), func(rk int64) bool { return 1+tiles*rk/n == j })
			}
		}
		for _, q := range []float64{0, 0.25, 0.5, 0.999, 1} {
			check(fmt.Sprintf("percent_rank(%s) >= %v", col, q), func(rk int64) bool { return float64(rk)/float64(n-1) >= q })
		}
		temporal := col == "t" || col == "dt"
		for s := int64(1); s <= 5; s++ {
			check(fmt.Sprintf("r_score(%s) = %d", col, s), func(rk int64) bool {
				if temporal {
					return 1+5*rk/n == s
				}
				return 6-(1+5*rk/n) == s
			})
			check(fmt.Sprintf("f_score(%s) = %d and m_score(%s) = %d", col, s, col, s), func(rk int64) bool { return 1+5*rk/n == s })
		}
		// Unknown where the column is null: the negation excludes them too.
		check(fmt.Sprintf("not (ntile(%s, 4) = 1)", col), func(rk int64) bool { return 1+4*rk/n != 1 })
	}
}

func plantedTable(t *testing.T, n, nullEvery int) *columnar.Table {
	t.Helper()
	return testtables.Planted(n, nullEvery)
}

func idsOf(t *testing.T, eng *Engine, src string) []string {
	t.Helper()
	q, err := eng.Compile(src)
	require.NoError(t, err, src)
	res, err := q.Run(context.Background())
	require.NoError(t, err, src)
	ids, err := res.IDs("id", -1)
	require.NoError(t, err)
	return ids
}

// TestTopDecile: ntile(x, 10) = 10 is exactly the top 100 of 1,000 values,
// and nulls are in no tile.
func TestTopDecile(t *testing.T) {
	tbl := plantedTable(t, 1000, 0)
	defer tbl.Release()
	ids := idsOf(t, Open(tbl), "ntile(x, 10) = 10")
	require.Len(t, ids, 100)
	for _, id := range ids {
		v, _ := strconv.Atoi(id)
		require.Greater(t, v, 900)
	}
	withNulls := plantedTable(t, 1100, 11) // 100 nulls, 1,000 values
	defer withNulls.Release()
	eng := Open(withNulls)
	top := idsOf(t, eng, "ntile(x, 10) = 10")
	require.Len(t, top, 100)
	require.Len(t, idsOf(t, eng, "ntile(x, 10) is null"), 100)
	require.Len(t, idsOf(t, eng, "not (ntile(x, 10) = 10)"), 900)
	require.Equal(t, []string{"1"}, idsOf(t, eng, "percent_rank(x) = 0"))
	require.Equal(t, []string{"1099"}, idsOf(t, eng, "percent_rank(x) = 1")) // 1100 is null

	// A single user outside the table is ranked against it.
	q, err := eng.Compile("ntile(x, 10) = 10 and percent_rank(x) = 1")
	require.NoError(t, err)
	for _, c := range []struct {
		x    any
		want bool
	}{{5000.0, true}, {1099, true}, {1097.5, false}, {nil, false}} {
		m, err := q.Match(MapRow{"x": c.x})
		require.NoError(t, err)
		require.Equal(t, c.want, m, "x = %v", c.x)
	}
}

// TestBucketVectors pins bucket() to the documented formula: the first 8
// hex digits of md5(salt || ':' || id) as an integer, mod 10000 (the
// vectors are in SPEC.md).
func TestBucketVectors(t *testing.T) {
	for _, v := range []struct {
		salt, id string
		want     int64
	}{{"exp1", "42", 1747}, {"exp1", "1", 7670}, {"homepage-2026", "1000000", 2414}, {"s", "user-7", 2044}, {"", "0", 754}} {
		sum := md5.Sum([]byte(v.salt + ":" + v.id))
		n, err := strconv.ParseUint(hex.EncodeToString(sum[:])[:8], 16, 64)
		require.NoError(t, err)
		require.Equal(t, v.want, int64(n%10000), "test vector %+v", v)
		b, ok := Bucket(v.salt, v.id)
		require.True(t, ok)
		require.Equal(t, v.want, b)
		if i, err := strconv.ParseInt(v.id, 10, 64); err == nil {
			b, _ := Bucket(v.salt, i)
			require.Equal(t, v.want, b)
		}
	}
	tbl := plantedTable(t, 1_000_000/50, 0)
	defer tbl.Release()
	eng := Open(tbl)
	require.Equal(t, []string{"42"}, filterIDs(idsOf(t, eng, `bucket(id, "exp1") = 1747`), "42"))
	require.Equal(t, []string{"7"}, filterIDs(idsOf(t, eng, `bucket(name, "s") = 2044`), "7"))
	// The vectorized and single-user paths agree on every row.
	for _, src := range []string{`bucket(id, "a") < 2500`, `sample(name, 12.5%, "b")`, `sample(id, 0%, "c")`, `sample(id, 100%, "c")`} {
		rows := make([]map[string]any, tbl.NumRows())
		membersOf(t, eng, rows, src)
	}
	n := len(idsOf(t, eng, `sample(id, 10%, "exp1")`))
	require.InDelta(t, 2000, n, 150, "a 10%% sample of 20,000 ids") // 3.7 standard deviations
	require.Empty(t, idsOf(t, eng, `sample(id, 0%, "exp1")`))
	require.Len(t, idsOf(t, eng, `sample(id, 100%, "exp1")`), 20000)
	inA := idsOf(t, eng, `sample(id, 10%, "exp1")`)
	inB := idsOf(t, eng, `bucket(id, "exp1") < 1000`)
	require.Equal(t, inB, inA, "sample(id, p, s) is bucket(id, s) < p × 10000")
}

func filterIDs(ids []string, keep string) []string {
	var out []string
	for _, id := range ids {
		if id == keep {
			out = append(out, id)
		}
	}
	return out
}

// BenchmarkRanking10M builds the ranking of a float, a timestamp and a
// small-integer column of the 10M-row demo table.
func BenchmarkRanking10M(b *testing.B) {
	tbl := columnar.Demo(columnar.DemoOptions{Rows: 10_000_000, Anchor: testAnchor})
	defer tbl.Release()
	for _, col := range []string{"revenue_total", "last_purchase", "orders_total"} {
		b.Run(col, func(b *testing.B) {
			i := tbl.Schema.FieldIndices(col)[0]
			for b.Loop() {
				if _, err := Open(tbl).Ranking(i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDaysSinceRewrite: `days_since(col) op c`, run as a timestamp range,
// selects exactly what computing every row's day count selects, at
// boundaries too (dates at midnight with now() at midnight).
func TestDaysSinceRewrite(t *testing.T) {
	rows := randRows(rand.New(rand.NewPCG(5, 6)), 3000, 0.1)
	tbl := buildTable(nil, rows, 500)
	defer tbl.Release()
	eng := Open(tbl)
	midnight := testAnchor.Truncate(24 * time.Hour)
	for _, now := range []time.Time{testAnchor, midnight} {
		for _, col := range []string{"t", "dt"} {
			for _, op := range []string{"=", "!=", "<", "<=", ">", ">="} {
				for c := -2; c <= 125; c += 9 {
					src := fmt.Sprintf("days_since(%s) %s %d", col, op, c)
					fast := requireSameAsPlain(t, eng, src, WithNow(now))
					require.Equal(t, "days_since_range", fast.Explain().Root.Rule, "%s is rewritten", src)
				}
			}
		}
	}
}

// TestFloatRangeFusion: two bounds on one float column, fused into one
// pass, select what the separate comparisons select, with NaN, ±Inf, -0.0
// and nulls in the column and at the bounds.
func TestFloatRangeFusion(t *testing.T) {
	rows := randRows(rand.New(rand.NewPCG(8, 9)), 4000, 0.1)
	tbl := buildTable(nil, rows, 777)
	defer tbl.Release()
	eng := Open(tbl)
	bounds := []string{"(-1e308 * 10)", "-12.5", "-0.0", "0.0", "0.25", "3.0", "12.25", "(1e308 * 10)"} // ±Inf by folding
	for _, lo := range bounds {
		for _, hi := range bounds {
			for _, ops := range [][2]string{{">=", "<="}, {">", "<"}, {">=", "<"}, {">", "<="}} {
				src := fmt.Sprintf("f %s %s and f %s %s", ops[0], lo, ops[1], hi)
				q := requireSameAsPlain(t, eng, src)
				require.Equal(t, "range", q.Explain().Root.Op, "%s is fused into one range", src)
			}
		}
	}
}

// TestRunBoundRangeFusion: bounds relative to now() (within, and explicit
// comparisons) fuse into one range pass that selects what the separate
// comparisons select.
func TestRunBoundRangeFusion(t *testing.T) {
	rows := randRows(rand.New(rand.NewPCG(10, 11)), 3000, 0.1)
	tbl := buildTable(nil, rows, 613)
	defer tbl.Release()
	eng := Open(tbl)
	srcs := []string{
		"t within 30d", "t within 0s", "t within 1w", "t within 100000d",
		"t > now() - 3d and t < now()", "t >= now() - 45d and t <= now() - 40d",
		"t > now() and t < now() - 1d", "a > 3 and t within 10d and a < 9",
		"now() - 3d < t and now() >= t", // the fixed side written first
	}
	for _, now := range []time.Time{testAnchor, testAnchor.Add(-50 * 24 * time.Hour)} {
		for _, src := range srcs {
			q := requireSameAsPlain(t, eng, src, WithNow(now))
			steps := []*Step{q.Explain().Root}
			steps = append(steps, steps[0].Steps...)
			fused := 0
			for _, s := range steps {
				if s.Op == "range" && strings.Contains(s.Kernel, "fixed per run") && strings.Contains(s.Text, " and ") {
					fused++
				}
			}
			require.Equal(t, 1, fused, "%s has its two bounds fixed per run in one range:\n%s", src, q.Explain())
		}
	}
	// A bound that overflows falls back to the separate comparisons, which
	// report the overflow as the unfused plan does.
	src := "t > now() - 1d and t < now() + 106751991d"
	for _, opts := range [][]Option{nil, {WithoutOptimizations()}} {
		q, err := eng.Compile(src, append(opts, WithNow(testAnchor))...)
		require.NoError(t, err)
		_, err = q.Run(context.Background())
		require.ErrorContains(t, err, "overflow", "%v", opts)
	}
}

// TestNarrowRangeClamp: ranges on narrow and unsigned integer columns run
// in the column's own width, with bounds beyond the type clamped, and
// select what the separate comparisons select.
func TestNarrowRangeClamp(t *testing.T) {
	tbl := typesTable(t, memory.DefaultAllocator)
	defer tbl.Release()
	eng := Open(tbl)
	bounds := []string{"-9223372036854775808", "-70000", "-129", "-128", "-1", "0", "1", "2", "127", "128", "255", "256", "65536", "4294967296", "9223372036854775807"}
	for _, col := range []string{"i8", "i16", "u8", "u16", "u32", "id"} {
		for _, lo := range bounds {
			for _, hi := range bounds {
				requireSameAsPlain(t, eng, fmt.Sprintf("%s >= %s and %s <= %s", col, lo, col, hi))
			}
		}
	}
}

// requireSameAsPlain runs src optimized and unoptimized (with opts) and
// requires the same members and unknowns; it returns the optimized query.
func requireSameAsPlain(t *testing.T, eng *Engine, src string, opts ...Option) *Query {
	t.Helper()
	q, err := eng.Compile(src, opts...)
	require.NoError(t, err, src)
	plain, err := eng.Compile(src, append(opts, WithoutOptimizations())...)
	require.NoError(t, err, src)
	a, err := q.Run(context.Background())
	require.NoError(t, err, src)
	b, err := plain.Run(context.Background())
	require.NoError(t, err, src)
	require.Equal(t, b.Bitmap(), a.Bitmap(), src)
	require.Equal(t, b.Unknown(), a.Unknown(), src)
	return q
}

// TestDateKernels: date32 columns compared with times (midnight and not,
// one microsecond either side), in fused ranges, `within` and `days_since`
// run as comparisons of days and select what the unoptimized plan selects.
func TestDateKernels(t *testing.T) {
	rows := randRows(rand.New(rand.NewPCG(12, 13)), 3000, 0.1)
	tbl := buildTable(nil, rows, 613)
	defer tbl.Release()
	eng := Open(tbl)
	var srcs []string
	for _, c := range []string{`"2025-05-01"`, `"2025-05-01T00:00:00.000001Z"`, `"2025-04-30T23:59:59.999999Z"`, `"2025-05-01T12:00:00Z"`, `"1900-01-01"`} {
		for _, op := range []string{"=", "!=", "<", "<=", ">", ">="} {
			srcs = append(srcs, fmt.Sprintf("dt %s %s", op, c), fmt.Sprintf("%s %s dt", c, op))
		}
		srcs = append(srcs, fmt.Sprintf("dt > %s and dt <= \"2025-06-01T06:00:00Z\"", c))
	}
	srcs = append(srcs, "dt within 30d", "dt within 0s", "dt within 36h", "days_since(dt) < 30", "days_since(dt) = 10",
		"days_since(dt) >= 0", "dt > now() - 3d and dt <= now()")
	for _, now := range []time.Time{testAnchor, testAnchor.Truncate(24 * time.Hour), testAnchor.Add(-time.Microsecond)} {
		for _, src := range srcs {
			requireSameAsPlain(t, eng, src, WithNow(now))
		}
	}
}

// TestIntegerInRuns: `in` lists over integer, time and date columns that
// form few runs of consecutive values run as range passes, with values
// beyond the column's type, nulls in the list and too many runs (the set
// lookup) selecting what the unoptimized plan selects.
func TestIntegerInRuns(t *testing.T) {
	tbl := typesTable(t, memory.DefaultAllocator)
	defer tbl.Release()
	eng := Open(tbl)
	lists := []string{"(0)", "(1, 2, 3)", "(-1, 0, 1, 127, 128, 255, 256)", "(-129, -128, 65535, 65536, 4294967295)",
		"(9223372036854775807, -9223372036854775808)", "(1, 3, 5, 7, 9, 11, 13, 15, 17, 19)", "(2, null)", "(null)"}
	for _, col := range []string{"i8", "i16", "u8", "u16", "u32", "id"} {
		for _, l := range lists {
			requireSameAsPlain(t, eng, fmt.Sprintf("%s in %s", col, l))
			if !strings.Contains(l, "null") { // not in with a null is a compile error
				requireSameAsPlain(t, eng, fmt.Sprintf("%s not in %s", col, l))
			}
		}
	}
	rows := randRows(rand.New(rand.NewPCG(14, 15)), 2000, 0.1)
	rt := buildTable(nil, rows, 613)
	defer rt.Release()
	reng := Open(rt)
	for _, src := range []string{`b in (0, 1, 2, 5, 6)`, `a not in (-3, -2, 7)`, `b in (1, null)`,
		`dt in ("2025-05-01", "2025-05-02", "2025-05-03T00:00:00.000001Z")`, `dt not in ("2025-05-10")`,
		`t in ("2025-06-15T12:00:00Z", "2025-06-14T12:00:00Z")`} {
		requireSameAsPlain(t, reng, src)
	}
}

// TestInRunsIgnoresNullSlots: a null row whose slot holds a listed value
// (Arrow leaves null slots undefined) is never found.
func TestInRunsIgnoresNullSlots(t *testing.T) {
	vals := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes([]int32{2, 2, 2, 2, 3}))
	valid := memory.NewBufferBytes([]byte{0b10101}) // rows 1 and 3 are null
	data := array.NewData(arrow.PrimitiveTypes.Int32, 5, []*memory.Buffer{valid, vals}, nil, 2, 0)
	col := array.NewInt32Data(data)
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int32, Nullable: true}}, nil)
	tbl := columnar.NewTable("slots", schema, []arrow.RecordBatch{array.NewRecordBatch(schema, []arrow.Array{col}, 5)})
	defer tbl.Release()
	eng := Open(tbl)
	for _, src := range []string{"x in (2, null)", "x in (2)", "x in (2, 3)"} {
		requireSameAsPlain(t, eng, src)
	}
	q, err := eng.Compile("x in (2, null)")
	require.NoError(t, err)
	res, err := q.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, 2, res.Count())
	require.Equal(t, 3, res.Unknown(), "rows 1 and 3 (null) and row 4 (3 is not 2, and the list has a null)")
}
