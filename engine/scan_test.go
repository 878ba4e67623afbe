package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/lang/gen"
	"github.com/segql/segql/lang/printer"
)

// TestScanPruning: over random data sorted by a random column, written
// as Parquet files of random row-group sizes in Hive partitions, random
// predicates give the same members, UNKNOWN count and errors streamed
// with pruning, streamed without, and run over the data loaded whole.
// Pruning must also skip row groups, or the test proves nothing.
func TestScanPruning(t *testing.T) {
	seeds := 8
	if testing.Short() {
		seeds = 3
	}
	var skipped, read, compared int
	for seed := range uint64(seeds) {
		s, r, c := scanRound(t, seed)
		skipped, read, compared = skipped+s, read+r, compared+c
	}
	t.Logf("%d expressions, %d row groups read, %d skipped", compared, read, skipped)
	require.Greater(t, skipped, read/10, "pruning skipped too few row groups")
}

func scanRound(t *testing.T, seed uint64) (skipped, read, compared int) {
	r := rand.New(rand.NewPCG(seed, 17))
	rows := randRows(r, 1+r.IntN(400), 0.15)
	for i, row := range rows {
		row["id"] = int64(i)
	}
	sortBy := []string{"a", "b", "s", "t", "dt", "id"}[r.IntN(6)]
	slices.SortStableFunc(rows, func(x, y map[string]any) int { return compareAny(x[sortBy], y[sortBy]) })
	dir := t.TempDir()
	groupRows := []int64{2, 9, 17, 64}[r.IntN(4)]
	writeScanParts(t, dir, rows, groupRows, r)
	ctx := context.Background()
	whole, err := columnar.Load(ctx, []string{dir}, columnar.LoadOptions{})
	require.NoError(t, err)
	defer whole.Release()
	ds, err := columnar.OpenDataset(ctx, []string{dir}, columnar.LoadOptions{})
	require.NoError(t, err)
	defer ds.Close()
	require.Equal(t, whole.NumRows(), ds.NumRows())
	eng := Open(whole)
	g := gen.New(r, eng.Schema())
	g.Strings, g.Words = testStrings, testWords
	var setSrcs []string
	var setWant []int
	for i := range 40 {
		src := scanPredicate(r, 3)
		if i%4 == 3 {
			src = printer.Expr(g.Bool())
		}
		what := fmt.Sprintf("seed %d, sorted by %s, %d-row groups: %s", seed, sortBy, groupRows, src)
		want, wantUnknown, wantErr := wholeMembers(eng, src)
		if wantErr != nil && !errors.As(wantErr, new(*EvalError)) {
			_, err := Scan(ctx, ds, src, ScanOptions{Now: testAnchor})
			require.Error(t, err, what)
			continue
		}
		compared++
		if wantErr == nil {
			setSrcs, setWant = append(setSrcs, src), append(setWant, len(want))
		}
		for _, mode := range []struct{ noPrune, unknown bool }{{false, false}, {false, true}, {true, true}} {
			noPrune := mode.noPrune
			var got []string
			res, err := Scan(ctx, ds, src, ScanOptions{Now: testAnchor, NoPruning: noPrune, Unknown: mode.unknown, Keep: []string{"id"}, Workers: 1 + r.IntN(3),
				Members: func(rec arrow.RecordBatch) error {
					for i := 0; i < int(rec.NumRows()); i++ {
						s, _ := columnar.FormatValue(rec.Column(0), i)
						got = append(got, s)
					}
					return nil
				}})
			if wantErr != nil {
				require.Error(t, err, "%s (pruning off: %v): the whole table fails with %v", what, noPrune, wantErr)
				continue
			}
			require.NoError(t, err, "%s (pruning off: %v)", what, noPrune)
			require.Equal(t, want, got, "%s (pruning off: %v)", what, noPrune)
			require.EqualValues(t, len(want), res.Count, what)
			if mode.unknown {
				require.EqualValues(t, wantUnknown, res.Unknown, "%s: unknown (pruning off: %v)", what, noPrune)
			} else {
				require.EqualValues(t, -1, res.Unknown, what)
			}
			if !noPrune && !mode.unknown {
				skipped += res.Skipped
				read += res.Read
			}
		}
	}
	// All of them in one pass: each its own count.
	rs, err := ScanSet(ctx, ds, setSrcs, ScanOptions{Now: testAnchor})
	require.NoError(t, err, "seed %d", seed)
	for i, r := range rs {
		require.EqualValues(t, setWant[i], r.Count, "seed %d, in a set: %s", seed, setSrcs[i])
	}
	return skipped, read, compared
}

// wholeMembers runs src over the loaded table: the members' ids in
// order, the UNKNOWN count, or the error.
func wholeMembers(eng *Engine, src string) ([]string, int, error) {
	q, err := eng.Compile(src, WithNow(testAnchor))
	if err != nil {
		return nil, 0, err
	}
	res, err := q.Run(context.Background())
	if err != nil {
		return nil, 0, err
	}
	ids, _, err := res.MemberIDs("id", -1)
	return ids, res.Unknown(), err
}

// scanPredicate draws a predicate of the shapes statistics decide:
// comparisons, lists, nulls and betweens of columns with constants near
// their values, under and, or and not.
func scanPredicate(r *rand.Rand, depth int) string {
	if depth > 0 && r.IntN(3) > 0 {
		a, b := scanPredicate(r, depth-1), scanPredicate(r, depth-1)
		switch r.IntN(3) {
		case 0:
			return "(" + a + " and " + b + ")"
		case 1:
			return "(" + a + " or " + b + ")"
		}
		return "not (" + a + ")"
	}
	type col struct {
		name string
		val  func() string
	}
	cols := []col{
		{"a", func() string { return fmt.Sprint(r.IntN(35) - 12) }},
		{"b", func() string { return fmt.Sprint(r.IntN(35) - 12) }},
		{"id", func() string { return fmt.Sprint(r.IntN(620) - 10) }},
		{"part", func() string { return fmt.Sprint(r.IntN(5)) }},
		{"f", func() string { return fmt.Sprint(float64(r.IntN(200)-50) / 4) }},
		{"s", func() string { return fmt.Sprintf("%q", testStrings[r.IntN(len(testStrings))]) }},
		{"d", func() string { return fmt.Sprintf("%q", testStrings[r.IntN(len(testStrings))]) }},
		{"p", func() string { return []string{"true", "false"}[r.IntN(2)] }},
		{"t", func() string {
			return fmt.Sprintf("%q", testAnchor.AddDate(0, 0, -r.IntN(110)).Format("2006-01-02T15:04:05Z"))
		}},
		{"dt", func() string { return fmt.Sprintf("%q", testAnchor.AddDate(0, 0, -r.IntN(125)).Format("2006-01-02")) }},
	}
	c := cols[r.IntN(len(cols))]
	switch r.IntN(8) {
	case 0:
		return c.name + []string{" is null", " is not null"}[r.IntN(2)]
	case 1:
		items := []string{c.val(), c.val()}
		if r.IntN(4) == 0 {
			items = append(items, "null")
		}
		return c.name + []string{" in (", " not in ("}[r.IntN(2)] + strings.Join(items, ", ") + ")"
	case 2:
		return c.name + " between " + c.val() + " and " + c.val()
	case 3:
		if c.name == "t" || c.name == "dt" {
			return fmt.Sprintf("%s > now() - %dd", c.name, r.IntN(120))
		}
	}
	if c.name == "p" {
		return []string{"p", "not p", "p = " + c.val()}[r.IntN(3)]
	}
	return c.name + " " + []string{"=", "!=", "<", "<=", ">", ">="}[r.IntN(6)] + " " + c.val()
}

// writeScanParts writes rows in order as Parquet files under dir, in
// partitions part=0…3 and a null one, each file of row groups of
// groupRows rows.
func writeScanParts(t *testing.T, dir string, rows []map[string]any, groupRows int64, r *rand.Rand) {
	schema := arrow.NewSchema(append([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, randSchema.Fields()...), nil)
	// Consecutive runs of rows go to one partition, so a file's rows stay
	// in the sort order; each partition directory holds files in order.
	part, file := 0, 0
	for start := 0; start < len(rows); {
		n := min(len(rows)-start, 1+r.IntN(150))
		pdir := fmt.Sprintf("part=%d", part)
		if part == 4 {
			pdir = "part=__HIVE_DEFAULT_PARTITION__"
		}
		path := filepath.Join(dir, pdir, fmt.Sprintf("f%04d.parquet", file))
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		tbl := buildTableOf(schema, rows[start:start+n])
		f, err := os.Create(path)
		require.NoError(t, err)
		props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(groupRows), parquet.WithDictionaryDefault(r.IntN(2) == 0))
		fw, err := pqarrow.NewFileWriter(schema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		require.NoError(t, err)
		require.NoError(t, tbl.Each(fw.WriteBuffered))
		require.NoError(t, fw.Close())
		tbl.Release()
		start += n
		file++
		part = r.IntN(5)
	}
}

// buildTableOf is buildTable for another schema of the same columns.
func buildTableOf(schema *arrow.Schema, rows []map[string]any) *columnar.Table {
	b := buildRecordBuilder(schema)
	defer b.Release()
	for _, row := range rows {
		for i, f := range schema.Fields() {
			appendValue(b.Field(i), row[f.Name])
		}
	}
	rec := b.NewRecordBatch()
	return columnar.NewTable("rows", schema, []arrow.RecordBatch{rec})
}

func buildRecordBuilder(schema *arrow.Schema) *array.RecordBuilder {
	return array.NewRecordBuilder(memory.DefaultAllocator, schema)
}

// compareAny orders the sortable values of random rows, nulls first.
func compareAny(x, y any) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return -1
	case y == nil:
		return 1
	}
	switch x := x.(type) {
	case int64:
		return cmp.Compare(x, y.(int64))
	case string:
		return cmp.Compare(x, y.(string))
	case refTime:
		return cmp.Compare(x, y.(refTime))
	}
	return 0
}

// scanDataset writes the demo table as one Parquet file of row groups of
// groupRows rows.
func scanDataset(t *testing.T, rows int, groupRows int64) *columnar.Dataset {
	src := columnar.Demo(columnar.DemoOptions{Rows: rows, Seed: 9, Anchor: testAnchor})
	defer src.Release()
	path := filepath.Join(t.TempDir(), "users.parquet")
	f, err := os.Create(path)
	require.NoError(t, err)
	fw, err := pqarrow.NewFileWriter(src.Schema, f, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(groupRows)), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	require.NoError(t, err)
	require.NoError(t, src.Each(fw.WriteBuffered))
	require.NoError(t, fw.Close())
	ds, err := columnar.OpenDataset(context.Background(), []string{path}, columnar.LoadOptions{BatchSize: 1000})
	require.NoError(t, err)
	t.Cleanup(func() { ds.Close() })
	return ds
}

// TestScanMemoryBound: the row groups held at once stay under the limit
// (as their footers estimate them), whatever the workers; a row group
// larger than the limit is read alone.
func TestScanMemoryBound(t *testing.T) {
	ds := scanDataset(t, 40_000, 2_000)
	cols := []int{ds.Schema.FieldIndices("age")[0], ds.Schema.FieldIndices("country")[0]}
	var largest int64
	for i := 0; i < ds.NumPieces(); i++ {
		largest = max(largest, ds.EstimateBytes(i, cols))
	}
	for _, limit := range []int64{largest / 2, largest, 3 * largest} {
		res, err := Scan(context.Background(), ds, `age > 30 and country = "DE"`, ScanOptions{Now: testAnchor, MemoryLimit: limit, Workers: 4})
		require.NoError(t, err)
		require.Equal(t, 20, res.Read)
		require.LessOrEqual(t, res.PeakBytes, max(limit, largest), "limit %d", limit)
		require.Greater(t, res.PeakBytes, int64(0))
	}
}

// TestScanCancel: cancelling mid-scan stops it: the scan returns the
// cancellation, and no row group starts after it.
func TestScanCancel(t *testing.T) {
	ds := scanDataset(t, 40_000, 1_000)
	ctx, cancel := context.WithCancel(context.Background())
	calls, progress := 0, 0
	_, err := Scan(ctx, ds, `age > 30`, ScanOptions{Now: testAnchor, Keep: []string{"user_id"}, Workers: 2,
		Members: func(arrow.RecordBatch) error {
			calls++
			if calls == 3 {
				cancel()
			}
			return nil
		},
		Progress: func(ScanProgress) { progress++ }})
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, progress, 3+2*2+2, "row groups finished after the cancellation")
	require.Equal(t, 3, calls)

	stop := errors.New("the reader is gone")
	_, err = Scan(context.Background(), ds, `age > 30`, ScanOptions{Now: testAnchor, Keep: []string{"user_id"},
		Members: func(arrow.RecordBatch) error { return stop }})
	require.ErrorIs(t, err, stop)
}

// TestScanCancelCounting: cancelling a count (no members kept) while row
// groups finish out of order leaves nothing behind that fails: the scan
// returns the cancellation, never an internal error.
func TestScanCancelCounting(t *testing.T) {
	ds := scanDataset(t, 40_000, 500)
	for i := range 40 {
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		_, err := Scan(ctx, ds, `age > 30 or bucket(user_id, "s") = 3`, ScanOptions{Now: testAnchor, Workers: 4,
			Progress: func(ScanProgress) {
				if n++; n == 1+i%7 {
					cancel()
				}
			}})
		require.ErrorIs(t, err, context.Canceled, "cancelled after %d row groups", 1+i%7)
		cancel()
	}
}
