package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/gen"
	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/syntax"
)

// TestDifferential: for random tables (nulls, NaN, ±Inf, -0.0, plain and
// dictionary strings, lists, sliced batches of 1 to 65,536 rows) and random
// well-typed expressions (some with integers at the edges of int64, so
// that evaluation errors occur), the vectorized engine with and without
// optimizations, single-user Match, MatchRecord and TruthAt all agree
// with the reference evaluator on every row: the same truth value, and an
// error exactly where the reference raises one.
func TestDifferential(t *testing.T) {
	iterations := 150
	if testing.Short() {
		iterations = 30
	}
	if n, err := strconv.Atoi(os.Getenv("SEGQL_DIFF_ROUNDS")); err == nil {
		iterations = n // a longer soak: SEGQL_DIFF_ROUNDS=2000
	}
	var total diffCounts
	for seed := uint64(1); seed <= uint64(iterations); seed++ {
		total.add(differentialRound(t, seed))
	}
	t.Logf("compared %d expressions (%d with evaluation errors), skipped %d the checker rejected",
		total.compared, total.withErrors, total.skipped)
	require.Greater(t, total.compared, 10*total.skipped, "most generated expressions must type-check")
	require.Greater(t, total.withErrors, 0, "some expressions must raise evaluation errors")
}

type diffCounts struct{ compared, skipped, withErrors int }

func (d *diffCounts) add(o diffCounts) {
	d.compared += o.compared
	d.skipped += o.skipped
	d.withErrors += o.withErrors
}

func differentialRound(t *testing.T, seed uint64) (out diffCounts) {
	r := rand.New(rand.NewPCG(seed, 99))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rows := randRows(r, 1+r.IntN(300), 0.15)
	batch := []int{1, 7, 64, 100, 65536}[r.IntN(5)]
	tbl := buildTable(mem, rows, batch)
	defer tbl.Release()
	eng := Open(tbl)
	g := gen.New(r, eng.Schema())
	g.Strings, g.Words = testStrings, testWords
	g.EdgeInts = true
	for range 40 {
		src := printer.Expr(g.Bool())
		q, err := eng.Compile(src, WithNow(testAnchor))
		if err != nil {
			var l *diag.List
			require.True(t, errors.As(err, &l), "seed %d: %s: %v", seed, src, err)
			skipped, why := expectedCompileError(t, eng, src, rows)
			require.True(t, skipped, "seed %d: %s: compile error %v, but %s", seed, src, err, why)
			out.skipped++
			continue
		}
		out.compared++
		what := fmt.Sprintf("seed %d batch %d: %s", seed, batch, src)
		if checkAgainstReference(t, eng, q, rows, what) {
			out.withErrors++
		}
		plain, err := eng.Compile(src, WithNow(testAnchor), WithoutOptimizations())
		require.NoError(t, err, what)
		checkAgainstReference(t, eng, plain, rows, what+" (without optimizations)")
	}
	return out
}

// expectedCompileError reports whether a compile error is legitimate: the
// checker rejected the expression, or every row's value is an error (a
// constant overflow the compiler reports at once).
func expectedCompileError(t *testing.T, eng *Engine, src string, rows []map[string]any) (bool, string) {
	tree, err := syntax.ParseExpr("", src, syntax.Limits{})
	require.NoError(t, err)
	info, err := check.Check(tree, diag.Source{Text: src}, check.Config{Schema: eng.Schema()})
	if err != nil {
		return true, ""
	}
	ref := &refEval{info: info, now: testAnchor.UnixMicro()}
	for _, row := range rows {
		if _, err := ref.eval(tree, nullRow(row)); err == nil {
			return false, "the reference evaluates it without error"
		}
	}
	return true, ""
}

// nullRow is a row with every column null: an expression that fails even
// there fails for every row.
func nullRow(row map[string]any) map[string]any {
	out := make(map[string]any, len(row))
	for k := range row {
		out[k] = nil
	}
	return out
}

// checkAgainstReference compares every path with the reference on every
// row; it reports whether some row's value is an evaluation error.
func checkAgainstReference(t *testing.T, eng *Engine, q *Query, rows []map[string]any, what string) bool {
	tree, err := syntax.ParseExpr("", q.Source(), syntax.Limits{})
	require.NoError(t, err)
	info, err := check.Check(tree, diag.Source{Text: q.Source()}, check.Config{Schema: eng.Schema()})
	require.NoError(t, err)
	ref := &refEval{info: info, now: testAnchor.UnixMicro()}
	want := make([]any, len(rows))
	wantErr := make([]bool, len(rows))
	anyErr := false
	for i, row := range rows {
		want[i], err = ref.eval(tree, row)
		if wantErr[i] = err != nil; wantErr[i] {
			want[i] = nil // a failed row is no member
		}
		anyErr = anyErr || wantErr[i]
	}
	_, err = q.Run(context.Background(), Workers(2))
	if anyErr {
		require.Error(t, err, "%s: the reference raises an error on some row", what)
		var ee *EvalError
		require.True(t, errors.As(err, &ee), "%s: %v is an *EvalError", what, err)
	} else {
		require.NoError(t, err, what)
	}
	res, err := q.Run(context.Background(), Workers(2), keepErrors())
	require.NoError(t, err, what)
	got := res.Bitmap()
	for i := range rows {
		require.Equal(t, wantErr[i], res.failed(int64(i)), "%s\nrow %d fails: %v", what, i, rows[i])
		require.Equal(t, want[i] == true, got.Get(i), "%s\nrow %d: %v", what, i, rows[i])
	}
	if !anyErr {
		unknown := 0
		for i := range rows {
			if want[i] == nil {
				unknown++
			}
		}
		require.Equal(t, unknown, res.Unknown(), "%s: UNKNOWN rows", what)
	}
	checkRows(t, eng, q, rows, want, wantErr, what)
	return anyErr
}

// checkRows compares single-user evaluation row by row.
func checkRows(t *testing.T, eng *Engine, q *Query, rows []map[string]any, want []any, wantErr []bool, what string) {
	readsList := slices.ContainsFunc(q.Columns(), func(c string) bool { return c == "l" || c == "li" })
	for i := 0; i < min(len(rows), 60); i++ {
		truth, err := q.TruthAt(MapRow(matchRow(rows[i])), testAnchor)
		if wantErr[i] {
			require.Error(t, err, "TruthAt: %s\nrow %d: %v", what, i, rows[i])
		} else {
			require.NoError(t, err, "TruthAt: %s\nrow %d", what, i)
			require.Equal(t, refTruth(want[i]), truth, "TruthAt: %s\nrow %d: %v", what, i, rows[i])
		}
		tr, err := q.TruthRecord(&refRowRecord{refRecord{row: rows[i], fields: eng.fields}, MapRow(matchRow(rows[i]))}, testAnchor)
		if wantErr[i] {
			require.Error(t, err, "TruthRecord: %s\nrow %d: %v", what, i, rows[i])
		} else {
			require.NoError(t, err, "TruthRecord: %s\nrow %d", what, i)
			require.Equal(t, refTruth(want[i]), tr, "TruthRecord: %s\nrow %d: %v", what, i, rows[i])
		}
		if readsList { // a Record that is no Row has no list columns
			continue
		}
		m, err := q.MatchRecord(&refRecord{row: rows[i], fields: eng.fields}, testAnchor)
		if wantErr[i] {
			require.Error(t, err, "MatchRecord: %s\nrow %d: %v", what, i, rows[i])
			continue
		}
		require.NoError(t, err, what)
		require.Equal(t, want[i] == true, m, "MatchRecord: %s\nrow %d: %v", what, i, rows[i])
	}
}

func refTruth(v any) Truth {
	switch v {
	case true:
		return True
	case false:
		return False
	}
	return Unknown
}

// refRecord is a Record over a reference row.
// refRowRecord is a Record that is also a Row, for its list columns.
type refRowRecord struct {
	refRecord
	MapRow
}

type refRecord struct {
	row    map[string]any
	fields []arrow.Field
}

func (r *refRecord) get(col int) (any, bool) {
	v := r.row[r.fields[col].Name]
	return v, v != nil
}
func (r *refRecord) Int(col int) (int64, bool) {
	v, ok := r.get(col)
	if !ok {
		return 0, false
	}
	return v.(int64), true
}
func (r *refRecord) Float(col int) (float64, bool) {
	v, ok := r.get(col)
	if !ok {
		return 0, false
	}
	return v.(float64), true
}
func (r *refRecord) Str(col int) (string, bool) {
	v, ok := r.get(col)
	if !ok {
		return "", false
	}
	return v.(string), true
}
func (r *refRecord) Bool(col int) (bool, bool) {
	v, ok := r.get(col)
	if !ok {
		return false, false
	}
	return v.(bool), true
}
func (r *refRecord) Time(col int) (int64, bool) {
	v, ok := r.get(col)
	if !ok {
		return 0, false
	}
	return int64(v.(refTime)), true
}

// matchRow converts a reference row to the Go values Match accepts.
func matchRow(row map[string]any) map[string]any {
	out := make(map[string]any, len(row))
	for k, v := range row {
		if tv, ok := v.(refTime); ok {
			out[k] = time.UnixMicro(int64(tv)).UTC()
			continue
		}
		out[k] = v
	}
	return out
}
