package columnar

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"
)

// TestHivePartitions: key=value directories below a dataset's root become
// typed columns after the files' own, null for the writers' null names;
// keys that differ between files, or that name a file column, are errors
// naming the file.
func TestHivePartitions(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) string { return writeUnder(t, dir, rel, text) }
	write("ds/country=DE/year=2024/day=2024-03-01/part-0.csv", "id,age\n1,30\n2,40\n")
	write("ds/country=FR%2FX/year=2025/day=2024-03-02/part-0.csv", "id,age\n3,50\n")
	write("ds/country=__HIVE_DEFAULT_PARTITION__/year=NULL/day=2024-03-03/part-0.csv", "id,age\n4,60\n")
	ctx := context.Background()
	for _, path := range []string{filepath.Join(dir, "ds"), filepath.Join(dir, "ds", "*", "*", "*", "*.csv")} {
		tbl, err := Load(ctx, []string{path}, LoadOptions{})
		require.NoError(t, err, path)
		require.Equal(t, []string{"id", "age", "country", "year", "day"}, fieldNames(tbl.Schema))
		require.Equal(t, stringDictType, tbl.Schema.Field(2).Type)
		require.Equal(t, arrow.PrimitiveTypes.Int64, tbl.Schema.Field(3).Type)
		require.Equal(t, arrow.FixedWidthTypes.Date32, tbl.Schema.Field(4).Type)
		var got []string
		for r := int64(0); r < tbl.NumRows(); r++ {
			got = append(got, namedCell(t, tbl, "id", r)+" "+namedCell(t, tbl, "country", r)+" "+namedCell(t, tbl, "year", r)+" "+namedCell(t, tbl, "day", r))
		}
		require.Equal(t, []string{"1 DE 2024 2024-03-01", "2 DE 2024 2024-03-01", "3 FR/X 2025 2024-03-02", "4 NULL NULL 2024-03-03"}, got)
		tbl.Release()
	}
	// The schema alone: every file's metadata, then the partitions.
	s, err := ReadSchema(filepath.Join(dir, "ds"))
	require.NoError(t, err)
	require.Equal(t, []string{"id", "age", "country", "year", "day"}, fieldNames(s))
	require.Equal(t, arrow.FixedWidthTypes.Date32, s.Field(4).Type)
	// A file named directly has no partitions.
	tbl, err := Load(ctx, []string{filepath.Join(dir, "ds/country=DE/year=2024/day=2024-03-01/part-0.csv")}, LoadOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"id", "age"}, fieldNames(tbl.Schema))
	tbl.Release()

	odd := write("ds/country=ES/part-0.csv", "id,age\n5,70\n")
	_, err = Load(ctx, []string{filepath.Join(dir, "ds")}, LoadOptions{})
	require.ErrorContains(t, err, odd+": its partition directories (country=…) differ from those of ")
	_, err = ReadSchema(filepath.Join(dir, "ds"))
	require.ErrorContains(t, err, odd+": its partition directories")
	require.NoError(t, os.Remove(odd))

	clash := write("clash/age=3/part-0.csv", "id,age\n5,70\n")
	_, err = Load(ctx, []string{filepath.Join(dir, "clash")}, LoadOptions{})
	require.EqualError(t, err, clash+`: column "age": the file has a column named like its partition directory age=3`)

	write("mixed/k=1/a.csv", "id\n1\n")
	write("mixed/k=x/a.csv", "id\n2\n")
	tbl, err = Load(ctx, []string{filepath.Join(dir, "mixed")}, LoadOptions{})
	require.NoError(t, err)
	require.Equal(t, stringDictType, tbl.Schema.Field(1).Type, "1 and x make a string key")
	tbl.Release()
}

func fieldNames(s *arrow.Schema) []string {
	var out []string
	for _, f := range s.Fields() {
		out = append(out, f.Name)
	}
	return out
}

// writeUnder writes text to dir/rel, making its directories.
func writeUnder(t *testing.T, dir, rel, text string) string {
	p := filepath.Join(dir, rel)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}
