package columnar

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"
)

var anchor = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// TestRoundTrip writes the demo table in every format and reads it back:
// same rows, same values (as text), same column types up to the encodings
// a format cannot keep (dictionaries in CSV and NDJSON).
func TestRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	src := Demo(DemoOptions{Rows: 3_000, Seed: 5, Anchor: anchor, Mem: mem, BatchSize: 1000})
	defer src.Release()
	dir := t.TempDir()
	for _, ext := range []string{"parquet", "arrow", "arrows", "csv", "ndjson"} {
		t.Run(ext, func(t *testing.T) {
			path := filepath.Join(dir, "users."+ext)
			require.NoError(t, WriteFile(path, src, mem))
			got, err := Load(context.Background(), []string{path}, LoadOptions{Mem: mem, BatchSize: 700})
			require.NoError(t, err)
			defer got.Release()
			require.Equal(t, src.NumRows(), got.NumRows())
			require.Equal(t, src.Schema.NumFields(), got.Schema.NumFields())
			for _, row := range []int64{0, 1, 999, 1000, 2999} {
				for c := 0; c < src.Schema.NumFields(); c++ {
					want := cell(src, row, c)
					have := cell(got, row, c)
					if ext == "csv" && want == "" {
						continue // CSV cannot tell an empty list from null
					}
					require.Equal(t, want, have, "%s row %d column %s", ext, row, src.Schema.Field(c).Name)
				}
			}
		})
	}
}

func cell(t *Table, row int64, c int) string {
	b, i := t.Locate(row)
	s, ok := FormatValue(t.Batches[b].Column(c), i)
	if !ok {
		return "NULL"
	}
	return s
}

func TestConcatAndSchemaMismatch(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	c := filepath.Join(dir, "c.csv")
	require.NoError(t, os.WriteFile(a, []byte("id,age\n1,30\n2,40\n"), 0o644))
	require.NoError(t, os.WriteFile(b, []byte("id,age\n3,50\n"), 0o644))
	require.NoError(t, os.WriteFile(c, []byte("id,age\n4,old\n"), 0o644))
	tbl, err := Load(context.Background(), []string{a, b}, LoadOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 3, tbl.NumRows())
	tbl.Release()
	_, err = Load(context.Background(), []string{a, c}, LoadOptions{})
	require.EqualError(t, err, c+`: column "age" has type utf8, but `+a+` has int64`)
}

// TestDatasets: a directory stands for its data files (walked, in path
// order, hidden and underscore files left out), a pattern for its
// matches; one that yields nothing is an error, and so is a file whose
// schema differs, naming both files.
func TestDatasets(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) string { return writeUnder(t, dir, rel, text) }
	write("users/country=FR/part-0.csv", "id,age\n3,50\n")
	write("users/country=DE/part-0.csv", "id,age\n1,30\n2,40\n")
	write("users/_SUCCESS", "")
	write("users/.part-0.csv.crc", "x")
	write("users/_tmp/part-9.csv", "id,age\n9,99\n")
	write("users/notes.txt", "not data")
	ctx := context.Background()
	tbl, err := Load(ctx, []string{filepath.Join(dir, "users")}, LoadOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 3, tbl.NumRows())
	require.Equal(t, "1", namedCell(t, tbl, "id", 0), "country=DE sorts before country=FR")
	require.Equal(t, "3", namedCell(t, tbl, "id", 2))
	tbl.Release()

	tbl, err = Load(ctx, []string{filepath.Join(dir, "users", "*", "part-0.csv")}, LoadOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 3, tbl.NumRows())
	tbl.Release()

	_, err = Load(ctx, []string{filepath.Join(dir, "users", "*", "*.parquet")}, LoadOptions{})
	require.ErrorContains(t, err, "no file matches the pattern")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "empty"), 0o755))
	_, err = Load(ctx, []string{filepath.Join(dir, "empty")}, LoadOptions{})
	require.ErrorContains(t, err, "holds no data file")
	_, err = Load(ctx, []string{filepath.Join(dir, "users", "[")}, LoadOptions{})
	require.ErrorContains(t, err, "malformed pattern")

	odd := write("users/country=ES/part-0.csv", "id,age\n5,old\n")
	_, err = Load(ctx, []string{filepath.Join(dir, "users")}, LoadOptions{})
	require.ErrorContains(t, err, odd+`: column "age" has type utf8, but `+filepath.Join(dir, "users/country=DE/part-0.csv")+` has int64`)
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	tests := []struct{ path, msg string }{
		{write("empty.csv", ""), "empty.csv: empty file: a header line is required"},
		{write("dup.csv", "a,a\n1,2\n"), `dup.csv: column "a" appears twice in the header`},
		{write("short.csv", "a,b\n1,2\n3\n"), "short.csv: row 3: wrong number of fields"},
		{write("late.csv", "a,b\n"+strings.Repeat("1,x\n", 2100)+"y,z\n"), `late.csv: row 2102: column "a": "y" does not read as int64 (the type inferred from the first 2000 rows)`},
		{write("bad.ndjson", "{\"a\": 1}\n[1,2]\n"), "bad.ndjson: row 2: not a JSON object"},
		{write("users.txt", "x"), "users.txt: unknown file type"},
		{write("trunc.parquet", "PAR1\x00\x00"), "trunc.parquet: "},
		{write("trunc.arrow", "ARROW1\x00\x00"), "trunc.arrow: "},
		{filepath.Join(dir, "missing.parquet"), "missing.parquet: "},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			_, err := Load(context.Background(), []string{tt.path}, LoadOptions{})
			require.Error(t, err)
			require.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestBitmap(t *testing.T) {
	a, b := NewBitmap(130), NewBitmap(130)
	for _, i := range []int{0, 5, 64, 129} {
		a.Set(i)
	}
	for _, i := range []int{5, 64, 100} {
		b.Set(i)
	}
	and := a.Clone()
	and.And(b)
	or := a.Clone()
	or.Or(b)
	not := a.Clone()
	not.AndNot(b)
	require.Equal(t, 2, and.Count())
	require.Equal(t, 5, or.Count())
	require.Equal(t, 2, not.Count())
	var seen []int
	or.Each(func(i int) bool { seen = append(seen, i); return len(seen) < 4 })
	require.Equal(t, []int{0, 5, 64, 100}, seen)
	c := NewBitmap(200)
	c.OrAt(3, []uint64{0b101}, 3)
	require.True(t, c.Get(3) && !c.Get(4) && c.Get(5))
}

func TestDemoIsDeterministic(t *testing.T) {
	a := Demo(DemoOptions{Rows: 2_000, Seed: 9, Anchor: anchor, BatchSize: 300})
	b := Demo(DemoOptions{Rows: 2_000, Seed: 9, Anchor: anchor, BatchSize: 300})
	defer a.Release()
	defer b.Release()
	for row := int64(0); row < 2_000; row += 97 {
		for c := 0; c < a.Schema.NumFields(); c++ {
			require.Equal(t, cell(a, row, c), cell(b, row, c))
		}
	}
}

// TestStringsLoadDictionaryEncoded: top-level plain string columns are
// held dictionary-encoded whatever the format, with their values, nulls
// and field metadata unchanged; list elements stay as they are.
func TestStringsLoadDictionaryEncoded(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	md := arrow.NewMetadata([]string{"segql.pii"}, []string{"true"})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: md},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	emails := []string{"a@x", "", "b@x", "a@x"}
	for i, e := range emails {
		if i == 2 {
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.StringBuilder).Append(e)
		}
		lb := b.Field(1).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.StringBuilder).Append(e)
	}
	rec := b.NewRecordBatch()
	b.Release()
	src := NewTable("plain", schema, []arrow.RecordBatch{rec})
	defer src.Release()
	dir := t.TempDir()
	for _, ext := range []string{"arrow", "arrows", "ndjson", "parquet"} {
		path := filepath.Join(dir, "plain."+ext)
		require.NoError(t, WriteFile(path, src, mem))
		got, err := Load(context.Background(), []string{path}, LoadOptions{Mem: mem})
		require.NoError(t, err, ext)
		f := got.Schema.Field(0)
		require.Equal(t, arrow.DICTIONARY, f.Type.ID(), ext)
		require.True(t, arrow.TypeEqual(arrow.BinaryTypes.String, f.Type.(*arrow.DictionaryType).ValueType), ext)
		if ext != "ndjson" && ext != "parquet" {
			require.Equal(t, md, f.Metadata, "%s keeps field metadata", ext)
		}
		require.Equal(t, arrow.LIST, got.Schema.Field(1).Type.ID(), ext)
		for row := range emails {
			require.Equal(t, cell(src, int64(row), 0), cell(got, int64(row), 0), "%s row %d", ext, row)
			require.Equal(t, cell(src, int64(row), 1), cell(got, int64(row), 1), "%s row %d", ext, row)
		}
		got.Release()
	}
}

// TestSharedDataFiles loads the hand-written fixtures testdata/data/users.csv
// and users.ndjson — quoted commas and quotes, non-ASCII text, nulls in
// every column, an empty field, int64's maximum, an exponent — and checks
// that both formats give the same types and values, and that writing
// either to every format and reading it back changes nothing.
func TestSharedDataFiles(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join("..", "testdata", "data")
	csvT, err := LoadFile(ctx, filepath.Join(dir, "users.csv"), LoadOptions{})
	require.NoError(t, err)
	defer csvT.Release()
	jsonT, err := LoadFile(ctx, filepath.Join(dir, "users.ndjson"), LoadOptions{})
	require.NoError(t, err)
	defer jsonT.Release()
	require.Equal(t, int64(10), csvT.NumRows())
	requireSameCells(t, csvT, jsonT)
	require.Equal(t, "Köln \"Altstadt\"", namedCell(t, csvT, "city", 6))
	require.Equal(t, "9223372036854775807", namedCell(t, csvT, "age", 8))
	require.Equal(t, "NULL", namedCell(t, csvT, "city", 9), "an empty CSV field is null")

	for _, ext := range []string{"parquet", "arrow", "arrows", "csv", "ndjson"} {
		path := filepath.Join(t.TempDir(), "users."+ext)
		require.NoError(t, WriteFile(path, csvT, nil))
		back, err := LoadFile(ctx, path, LoadOptions{})
		require.NoError(t, err, ext)
		requireSameCells(t, csvT, back)
		back.Release()
	}
}

// requireSameCells compares two tables' column names, types and every
// cell's text (null cells as null).
func requireSameCells(t *testing.T, a, b *Table) {
	t.Helper()
	require.Equal(t, a.NumRows(), b.NumRows())
	require.Equal(t, len(a.Schema.Fields()), len(b.Schema.Fields()))
	for i, f := range a.Schema.Fields() {
		g := b.Schema.Field(i)
		require.Equal(t, f.Name, g.Name)
		require.Equal(t, f.Type.String(), g.Type.String(), f.Name)
		for row := range a.NumRows() {
			x, xok := cellAt(a, i, row)
			y, yok := cellAt(b, i, row)
			require.Equal(t, xok, yok, "%s row %d null", f.Name, row)
			require.Equal(t, x, y, "%s row %d", f.Name, row)
		}
	}
}

func cellAt(t *Table, col int, row int64) (string, bool) {
	b, i := t.Locate(row)
	return FormatValue(t.Batches[b].Column(col), i)
}

func namedCell(t *testing.T, tbl *Table, name string, row int64) string {
	i := tbl.ColumnIndex(name)
	require.GreaterOrEqual(t, i, 0, name)
	return cell(tbl, row, i)
}

// TestParquetRowGroupsInOrder: a file of many row groups, read in
// parallel, loads the same cells in the same order as one of a single
// row group.
func TestParquetRowGroupsInOrder(t *testing.T) {
	src := Demo(DemoOptions{Rows: 20_000, Seed: 3, Anchor: anchor, BatchSize: 3000})
	defer src.Release()
	dir := t.TempDir()
	one := filepath.Join(dir, "one.parquet")
	require.NoError(t, WriteFile(one, src, nil))
	many := filepath.Join(dir, "many.parquet")
	f, err := os.Create(many)
	require.NoError(t, err)
	props := parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(1700), parquet.WithDictionaryDefault(true))
	fw, err := pqarrow.NewFileWriter(src.Schema, f, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	require.NoError(t, err)
	require.NoError(t, src.Each(fw.WriteBuffered))
	require.NoError(t, fw.Close())

	ctx := context.Background()
	a, err := LoadFile(ctx, one, LoadOptions{})
	require.NoError(t, err)
	defer a.Release()
	b, err := LoadFile(ctx, many, LoadOptions{})
	require.NoError(t, err)
	defer b.Release()
	requireSameCells(t, a, b)
}
