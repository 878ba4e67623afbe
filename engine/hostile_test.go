package engine

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/lang/syntax"
)

// bounded fails the test if f does not return within a generous limit: a
// guard against hangs, not a speed assertion.
func bounded(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not return", what)
	}
}

// TestHostileExpressions: every hostile expression gets a clear error, no
// panic, in bounded time, and the error echoes a capped snippet.
func TestHostileExpressions(t *testing.T) {
	tbl := demo(t, 1000, nil)
	defer tbl.Release()
	eng := Open(tbl)
	big := Limits{Parse: syntax.Limits{MaxSource: 32 << 20}} // let the deeper limits speak
	nested := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "age > 1" + strings.Repeat(close, n)
	}
	tests := []struct {
		name, src, msg string
		limits         Limits
	}{
		{"a million nested parentheses", nested("(", ")", 1_000_000), "expression is 2000007 bytes long, over the limit of 1048576", Limits{}},
		{"a million nested parentheses, size allowed", nested("(", ")", 1_000_000), "nests deeper than the limit of 256", big},
		{"a million nots", nested("not ", "", 1_000_000), "nests deeper than the limit of 256", big},
		{"a 10 MB expression", "age > 1 or " + strings.Repeat("city = \"x\" or ", 700_000) + "age < 0", "over the limit of 1048576", Limits{}},
		{"an in list of a million items", "age in (" + strings.Repeat("1, ", 1_000_000) + "2)", "list has more than 100000 items", big},
		{"20,000 flat and terms", strings.Repeat("age > 1 and ", 20_000) + "age < 5", "over the node limit", Limits{}},
		{"invalid UTF-8", "city = \"\xc3\x28\"", "invalid UTF-8 encoding", Limits{}},
		{"a NUL byte", "city = \"a\x00b\"", "NUL byte is not allowed", Limits{}},
		{"bidi override", "city = \"\u202eabc\"", "bidirectional control character U+202E", Limits{}},
		{"unterminated string", "city = \"" + strings.Repeat("x", 100_000), "string literal not terminated", Limits{}},
		{"unterminated list", "age in (1, 2, 3" + strings.Repeat(", 4", 50_000), "unexpected end of input", Limits{}},
		{"integer beyond int64", "age > 99999999999999999999", "out of range", Limits{}},
		{"float beyond float64", "income > 1e999", "out of range for a 64-bit float", Limits{}},
		{"a regex with 1,000 nested groups", "city matches \"" + strings.Repeat("(", 1001) + "a" + strings.Repeat(")", 1001) + "\"", "invalid regular expression: expression nests too deeply", Limits{}},
		{"a{1001}", "city matches \"a{1001}\"", "invalid regular expression: invalid repeat count", Limits{}},
		{"a backreference", `city matches "(a)\\1"`, "invalid regular expression: invalid escape sequence", Limits{}},
		{"unknown column", "agee > 1", `unknown column "agee"`, Limits{}},
		{"unknown function", "lenght(city) > 1", `unknown function "lenght"`, Limits{}},
		{"type mismatch", `age > "25"`, "mismatched types int32 and string", Limits{}},
		{"over the cost budget", `city matches "^(a|b)+c$" and lower(occupation) like "%x%"`, "over the budget of 1e+03", Limits{MaxCost: 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bounded(t, tt.name, func() {
				_, err := eng.Compile(tt.src, WithLimitsOf(tt.limits))
				require.Error(t, err)
				require.Contains(t, err.Error(), tt.msg)
				for _, line := range strings.Split(err.Error(), "\n") {
					require.LessOrEqual(t, len(line), 300, "error lines are capped, not the whole input")
				}
			})
		})
	}
	// A BOM at the start is accepted.
	_, err := eng.Compile("\ufeffage > 1")
	require.NoError(t, err)
}

// TestEvaluationEdgeValues: the documented results for division and
// modulo by zero, MinInt64 % -1 (an overflow, as in DuckDB), and overflow.
func TestEvaluationEdgeValues(t *testing.T) {
	tbl := demo(t, 100, nil)
	defer tbl.Release()
	eng := Open(tbl)
	count := func(src string) int {
		q, err := eng.Compile(src)
		require.NoError(t, err, src)
		res, err := q.Run(context.Background())
		require.NoError(t, err, src)
		return res.Count()
	}
	require.Equal(t, 100, count(`(user_id / 0) is null and (user_id % 0) is null and (revenue_total % 0) is null`))
	require.Equal(t, 100, count(`(user_id - user_id - 9223372036854775806) % -1 = 0`))
	for _, src := range []string{`-(user_id - user_id - 9223372036854775807 - 1) > 0`,
		`(user_id - user_id - 9223372036854775807 - 1) % -1 = 0`} { // as DuckDB: -2⁶³ % -1 divides first
		q, err := eng.Compile(src)
		require.NoError(t, err)
		_, err = q.Run(context.Background())
		require.ErrorIs(t, err, ErrOverflow, src)
	}
}

// TestWorkerPanicBecomesError: a kernel panic inside a worker goroutine (here
// forced by a batch whose column does not match the table's schema) is
// recovered and returned as an error.
func TestWorkerPanicBecomesError(t *testing.T) {
	mem := memory.NewGoAllocator()
	b := array.NewFloat64Builder(mem)
	b.AppendValues([]float64{1, 2, 3}, nil)
	arr := b.NewArray()
	rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Float64}}, nil), []arrow.Array{arr}, 3)
	lying := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	tbl := columnar.NewTable("lying", lying, []arrow.RecordBatch{rec})
	defer tbl.Release()
	q, err := Open(tbl).Compile("x > 1")
	require.NoError(t, err)
	_, err = q.Run(context.Background())
	require.ErrorContains(t, err, "internal error evaluating")
}

// TestCancelNoLeak: cancelling a run leaves no goroutine and no Arrow
// memory behind.
func TestCancelNoLeak(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := demo(t, 200_000, mem)
	defer tbl.Release()
	q, err := Open(tbl).Compile(`coalesce(occupation, city) matches "(a|e)n$"`)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	_, err = q.Run(ctx)
	if err != nil {
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	q, err = Open(tbl).Compile(`coalesce(occupation, city) matches "(a|e)n$"`, WithLimitsOf(Limits{MaxRunTime: time.Nanosecond}))
	require.NoError(t, err)
	_, err = q.Run(context.Background()) // a budget any run exceeds: not a timed assertion
	require.ErrorContains(t, err, "over the run-time budget of 1ns")
}

// FuzzEval compiles arbitrary input against a small random table; whatever
// compiles must evaluate without error or panic (overflow aside) and agree
// with single-user evaluation on every row (Match, and MatchRecord where no
// list column is read).
func FuzzEval(f *testing.F) {
	for _, s := range []string{`a > 1 and s like "a%"`, `not (d in ("ab", null)) or p`, `l contains any ("a", "yoga")`,
		`t within 30d and days_since(dt) > 3`, `coalesce(f, a) / b >= 0.5`, `upper(s) = "AB" or len(li) = 2`,
		`ntile(f, 4) = 2 or percent_rank(t) > 50%`, `sample(a, 30%, "x") and bucket(s, "y") < 5000`, `r_score(dt) >= 3`} {
		f.Add(s)
	}
	rows := randRows(rand.New(rand.NewPCG(1, 1)), 64, 0.2)
	tbl := buildTable(nil, rows, 16)
	eng := Open(tbl)
	f.Fuzz(func(t *testing.T, src string) {
		q, err := eng.Compile(src, WithNow(testAnchor))
		if err != nil {
			return
		}
		res, err := q.Run(context.Background())
		if err != nil {
			if strings.Contains(err.Error(), "integer overflow") {
				return
			}
			t.Fatalf("%q: %v", src, err)
		}
		bm := res.Bitmap()
		for i := range rows {
			m, err := q.MatchAt(MapRow(matchRow(rows[i])), testAnchor)
			if err != nil {
				t.Fatalf("%q row %d: %v", src, i, err)
			}
			if m != bm.Get(i) {
				t.Fatalf("%q row %d: batch %v, single-user %v", src, i, bm.Get(i), m)
			}
			if slices.ContainsFunc(q.Columns(), func(c string) bool { return c == "l" || c == "li" }) {
				continue
			}
			if m, err := q.MatchRecord(&refRecord{row: rows[i], fields: eng.fields}, testAnchor); err != nil || m != bm.Get(i) {
				t.Fatalf("%q row %d: batch %v, MatchRecord %v (%v)", src, i, bm.Get(i), m, err)
			}
		}
	})
}
