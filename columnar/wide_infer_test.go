package columnar

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"
)

// TestInferWideIntegers: integers above int64 read as uint64, integers
// beyond 64 bits stay exact as strings, in CSV and NDJSON alike; and
// JSON output writes non-finite floats as strings and every integer
// exactly.
func TestInferWideIntegers(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"w.csv":    "id,u,huge,f\n1,18446744073709551615,123456789012345678901234567890,NaN\n2,3,-5,Inf\n3,,7,-Inf\n",
		"w.ndjson": `{"id":1,"u":18446744073709551615,"huge":123456789012345678901234567890,"f":1.5}` + "\n" + `{"id":2,"u":3,"huge":-5,"f":2}` + "\n",
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		tbl, err := LoadFile(context.Background(), path, LoadOptions{})
		require.NoError(t, err, name)
		types := map[string]arrow.Type{}
		for _, f := range tbl.Schema.Fields() {
			types[f.Name] = f.Type.ID()
			if d, ok := f.Type.(*arrow.DictionaryType); ok {
				types[f.Name] = d.ValueType.ID()
			}
		}
		require.Equal(t, arrow.UINT64, types["u"], name)
		require.Equal(t, arrow.STRING, types["huge"], name)
		require.Equal(t, arrow.FLOAT64, types["f"], name)
		rec := tbl.Batches[0]
		b, err := json.Marshal(JSONValue(rec.Column(1), 0))
		require.NoError(t, err)
		require.Equal(t, "18446744073709551615", string(b), name)
		s, _ := FormatValue(rec.Column(2), 0)
		require.Equal(t, "123456789012345678901234567890", s, name)
		tbl.Release()
	}
	tbl, err := LoadFile(context.Background(), filepath.Join(dir, "w.csv"), LoadOptions{})
	require.NoError(t, err)
	defer tbl.Release()
	var got []string
	for i := 0; i < 3; i++ {
		b, err := json.Marshal(JSONValue(tbl.Batches[0].Column(3), i))
		require.NoError(t, err)
		got = append(got, string(b))
	}
	require.Equal(t, []string{`"NaN"`, `"Infinity"`, `"-Infinity"`}, got)
}

// TestNDJSONShapes: nested objects and mixed kinds load as strings holding
// each value's JSON text; a key first seen after thousands of rows is a
// column; broken lines and repeated keys are errors naming the line and
// key; a line over MaxLineBytes is refused without reading it whole.
func TestNDJSONShapes(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, `{"id":%d,"mixed":%s,"nested":{"a":[1,%d]},"listy":%s}`+"\n", i, []string{`1`, `"x"`, `true`, `2.5`}[i%4], i, []string{`["a"]`, `"b"`}[i%2])
	}
	b.WriteString(`{"id":5000,"late":"only here"}` + "\n")
	path := filepath.Join(dir, "shapes.ndjson")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	tbl, err := LoadFile(context.Background(), path, LoadOptions{})
	require.NoError(t, err)
	defer tbl.Release()
	require.EqualValues(t, 5001, tbl.NumRows())
	for _, name := range []string{"mixed", "nested", "listy", "late"} {
		i := tbl.ColumnIndex(name)
		require.GreaterOrEqual(t, i, 0, name)
		typ := tbl.Schema.Field(i).Type
		if d, ok := typ.(*arrow.DictionaryType); ok {
			typ = d.ValueType
		}
		require.Equal(t, arrow.STRING, typ.ID(), name)
	}
	cell := func(name string, row int64) string {
		bi, r := tbl.Locate(row)
		s, _ := FormatValue(tbl.Batches[bi].Column(tbl.ColumnIndex(name)), r)
		return s
	}
	require.Equal(t, `{"a":[1,7]}`, cell("nested", 7))
	require.Equal(t, "x", cell("mixed", 1))
	require.Equal(t, "true", cell("mixed", 2))
	require.Equal(t, `["a"]`, cell("listy", 0))
	require.Equal(t, "only here", cell("late", 5000))

	for _, c := range []struct{ text, want string }{
		{`{"a":1}` + "\n" + `{"a":2,` + "\n", "row 2: not a JSON object"},
		{`{"a":1}` + "\n" + `[1,2]` + "\n", "row 2: not a JSON object"},
		{`{"a":1}` + "\n\n" + `{"a":2,"a":3}` + "\n", `row 3: column "a": key appears twice`},
		{`{"a":1} {"a":2}` + "\n", "row 1: not a JSON object: text after the object"},
		{`{"a":"` + strings.Repeat("x", MaxLineBytes+10) + `"}` + "\n", "row 1: line longer than 16 MiB"},
	} {
		p := filepath.Join(dir, "bad.ndjson")
		require.NoError(t, os.WriteFile(p, []byte(c.text), 0o644))
		_, err := LoadFile(context.Background(), p, LoadOptions{})
		require.ErrorContains(t, err, c.want)
		require.ErrorContains(t, err, p)
	}
}
