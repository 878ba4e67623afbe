package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
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
// well-typed expressions, the vectorized engine, single-user Match and the
// reference evaluator agree on every row.
func TestDifferential(t *testing.T) {
	iterations := 150
	if testing.Short() {
		iterations = 30
	}
	compared, skipped := 0, 0
	for seed := uint64(1); seed <= uint64(iterations); seed++ {
		c, s := differentialRound(t, seed)
		compared += c
		skipped += s
	}
	t.Logf("compared %d expressions, skipped %d the checker rejected", compared, skipped)
	require.Greater(t, compared, 10*skipped, "most generated expressions must type-check")
}

func differentialRound(t *testing.T, seed uint64) (compared, skipped int) {
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
	for range 40 {
		src := printer.Expr(g.Bool())
		q, err := eng.Compile(src, WithNow(testAnchor))
		if err != nil {
			var l *diag.List
			require.True(t, errors.As(err, &l), "seed %d: %s: %v", seed, src, err)
			skipped++
			continue
		}
		compared++
		checkAgainstReference(t, eng, q, rows, fmt.Sprintf("seed %d batch %d: %s", seed, batch, src))
	}
	return compared, skipped
}

func checkAgainstReference(t *testing.T, eng *Engine, q *Query, rows []map[string]any, what string) {
	tree, err := syntax.ParseExpr("", q.Source(), syntax.Limits{})
	require.NoError(t, err)
	info, err := check.Check(tree, diag.Source{Text: q.Source()}, check.Config{Schema: eng.Schema()})
	require.NoError(t, err)
	ref := &refEval{info: info, now: testAnchor.UnixMicro()}
	want := make([]bool, len(rows))
	for i, row := range rows {
		m, err := ref.member(tree, row)
		if err != nil {
			return // integer overflow in the reference: the engine must not crash, checked below
		}
		want[i] = m
	}
	res, err := q.Run(context.Background(), Workers(2))
	require.NoError(t, err, what)
	got := res.Bitmap()
	for i := range rows {
		require.Equal(t, want[i], got.Get(i), "%s\nrow %d: %v", what, i, rows[i])
	}
	readsList := slices.ContainsFunc(q.Columns(), func(c string) bool { return c == "l" || c == "li" })
	for i := 0; i < min(len(rows), 40); i++ {
		m, err := q.MatchAt(MapRow(matchRow(rows[i])), testAnchor)
		require.NoError(t, err, what)
		require.Equal(t, want[i], m, "Match: %s\nrow %d: %v", what, i, rows[i])
		if readsList { // a Record has no list columns
			continue
		}
		m, err = q.MatchRecord(&refRecord{row: rows[i], fields: eng.fields}, testAnchor)
		require.NoError(t, err, what)
		require.Equal(t, want[i], m, "MatchRecord: %s\nrow %d: %v", what, i, rows[i])
	}
}

// refRecord is a Record over a reference row.
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
