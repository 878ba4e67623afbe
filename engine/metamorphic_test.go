package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/lang/gen"
	"github.com/segql/segql/lang/printer"
)

// members evaluates src and returns its member bitmap, or nil when it does
// not compile (the generator may produce expressions the checker rejects).
func members(t *testing.T, eng *Engine, src string, opts ...Option) *columnar.Bitmap {
	t.Helper()
	q, err := eng.Compile(src, append(opts, WithNow(testAnchor))...)
	if err != nil {
		return nil
	}
	res, err := q.Run(context.Background())
	require.NoError(t, err, src)
	return res.Bitmap()
}

func randomEngine(t *testing.T, seed uint64, nullP float64) (*Engine, *gen.Gen, []map[string]any) {
	r := rand.New(rand.NewPCG(seed, 7))
	rows := randRows(r, 50+r.IntN(400), nullP)
	tbl := buildTable(nil, rows, []int{1, 7, 64, 65536}[r.IntN(4)])
	t.Cleanup(tbl.Release)
	eng := Open(tbl)
	g := gen.New(r, eng.Schema())
	g.Strings, g.Words = testStrings, testWords
	return eng, g, rows
}

// TestTernaryLogicPartitioning: p, not p and "p is null" split the rows:
// disjoint, and together every row (SQLancer's TLP).
func TestTernaryLogicPartitioning(t *testing.T) {
	checked := 0
	for seed := uint64(1); seed <= 40; seed++ {
		eng, g, rows := randomEngine(t, seed, 0.2)
		for range 25 {
			p := printer.Expr(g.Bool())
			yes := members(t, eng, p)
			if yes == nil {
				continue
			}
			no := members(t, eng, "not ("+p+")")
			unknown := members(t, eng, "("+p+") is null")
			require.NotNil(t, no, p)
			require.NotNil(t, unknown, p)
			require.Equal(t, len(rows), yes.Count()+no.Count()+unknown.Count(), p)
			both := yes.Clone()
			both.Or(no)
			both.Or(unknown)
			require.Equal(t, len(rows), both.Count(), "the three parts are disjoint: %s", p)
			checked++
		}
	}
	require.Greater(t, checked, 500)
}

// TestRewritesKeepMembers: equivalent forms select the same rows, and so
// does every expression compiled without optimizations.
func TestRewritesKeepMembers(t *testing.T) {
	checked := 0
	for seed := uint64(1); seed <= 40; seed++ {
		eng, g, _ := randomEngine(t, seed, 0.2)
		for range 20 {
			a, b := printer.Expr(g.Bool()), printer.Expr(g.Bool())
			pairs := [][2]string{
				{"not ((" + a + ") and (" + b + "))", "not (" + a + ") or not (" + b + ")"},
				{"not ((" + a + ") or (" + b + "))", "not (" + a + ") and not (" + b + ")"},
				{"not not (" + a + ")", a},
				{"(" + a + ") and (" + b + ")", "(" + b + ") and (" + a + ")"},
				{"(" + a + ") or (" + b + ")", "(" + b + ") or (" + a + ")"},
			}
			for _, pr := range pairs {
				x := members(t, eng, pr[0])
				if x == nil {
					continue
				}
				require.Equal(t, x.Words(), members(t, eng, pr[1]).Words(), "%s\n  vs %s", pr[0], pr[1])
				require.Equal(t, x.Words(), members(t, eng, pr[0], WithoutOptimizations()).Words(), "optimizations off: %s", pr[0])
				checked++
			}
		}
		r := rand.New(rand.NewPCG(seed, 3))
		for range 20 {
			col := []string{"a", "b", "f"}[r.IntN(3)]
			lo, hi := r.IntN(20)-8, r.IntN(20)-8
			x := members(t, eng, fmt.Sprintf("%s between %d and %d", col, lo, hi))
			require.Equal(t, x.Words(), members(t, eng, fmt.Sprintf("%s >= %d and %s <= %d", col, lo, col, hi)).Words())
			require.Equal(t, x.Words(), members(t, eng, fmt.Sprintf("%d <= %s and %s <= %d", lo, col, col, hi), WithoutOptimizations()).Words())
			in := members(t, eng, fmt.Sprintf("%s in (%d, %d, %d)", col, lo, hi, lo+hi))
			require.Equal(t, in.Words(), members(t, eng, fmt.Sprintf("%s = %d or %s = %d or %s = %d", col, lo, col, hi, col, lo+hi)).Words())
			checked++
		}
	}
	require.Greater(t, checked, 500)
}

// TestLayoutDoesNotMatter: the same rows give the same members whatever the
// layout: Parquet, Arrow IPC or CSV (where dictionary strings come back
// plain and int32 as int64), with or without nulls, with rows shuffled.
func TestLayoutDoesNotMatter(t *testing.T) {
	dir := t.TempDir()
	for seed := uint64(1); seed <= 6; seed++ {
		r := rand.New(rand.NewPCG(seed, 11))
		nullP := []float64{0, 0.2}[seed%2]
		rows := randRows(r, 300, nullP)
		for _, row := range rows {
			for _, k := range []string{"s", "d"} {
				if row[k] == "" {
					row[k] = "z" // CSV cannot tell an empty string from null
				}
			}
		}
		base := buildTable(nil, rows, 64)
		defer base.Release()
		shuffled := append([]map[string]any(nil), rows...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		layouts := map[string]*columnar.Table{"shuffled": buildTable(nil, shuffled, 7)}
		for _, ext := range []string{"parquet", "arrow", "csv"} {
			path := filepath.Join(dir, fmt.Sprintf("t%d.%s", seed, ext))
			require.NoError(t, columnar.WriteFile(path, base, nil))
			tbl, err := columnar.Load(context.Background(), []string{path}, columnar.LoadOptions{BatchSize: 50})
			require.NoError(t, err)
			layouts[ext] = tbl
		}
		eng := Open(base)
		g := gen.New(r, eng.Schema())
		g.Strings, g.Words = testStrings, testWords
		compared := 0
		for range 60 {
			src := printer.Expr(g.Bool())
			want := members(t, eng, src)
			if want == nil {
				continue
			}
			for name, tbl := range layouts {
				got := members(t, Open(tbl), src)
				require.NotNil(t, got, "%s: %s", name, src)
				require.Equal(t, want.Count(), got.Count(), "%s (nulls %v): %s", name, nullP, src)
			}
			compared++
		}
		require.Greater(t, compared, 30)
		for _, tbl := range layouts {
			tbl.Release()
		}
	}
}
