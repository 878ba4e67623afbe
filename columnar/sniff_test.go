package columnar

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMisnamedFiles: a file whose content is another format than its
// extension says fails with what it looks like; a malformed file of the
// right format gets no such guess.
func TestMisnamedFiles(t *testing.T) {
	dir := t.TempDir()
	pq := filepath.Join(dir, "real.parquet")
	require.NoError(t, WriteFile(pq, Demo(DemoOptions{Rows: 50, Seed: 1}), nil))
	pqBytes, err := os.ReadFile(pq)
	require.NoError(t, err)
	csv := []byte("a,b\n1,x\n2,y\n")
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"users.csv", pqBytes, "(the file looks like Parquet, not CSV: is its extension right?)"},
		{"users.parquet", csv, "(the file looks like CSV, not Parquet: is its extension right?)"},
		{"users.ndjson", csv, "(the file looks like CSV, not NDJSON: is its extension right?)"},
		{"users.arrow", csv, "(the file looks like CSV, not an Arrow IPC file (.arrow): is its extension right?)"},
		{"users.json", []byte("{\"a\": 1}\n{\"a\": \n"), ""},
		{"users2.csv", []byte("a,b\n1,\"x\n"), ""},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name)
		require.NoError(t, os.WriteFile(path, c.data, 0o644))
		_, err := Load(context.Background(), []string{path}, LoadOptions{})
		require.Error(t, err, c.name)
		if c.want == "" {
			require.NotContains(t, err.Error(), "looks like", c.name)
		} else {
			require.Contains(t, err.Error(), c.want, c.name)
		}
	}
}

// TestTextColumnNotes: a column most of whose values are numbers but read
// as text carries a note naming the first value that forced it (and its
// row, in CSV); columns of text or of numbers carry none.
func TestTextColumnNotes(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "u.csv")
	require.NoError(t, os.WriteFile(csvPath, []byte("id,n,c\n1,5,DE\n2,6,FR\n3,seven,5\n4,8,US\n"), 0o644))
	jsonPath := filepath.Join(dir, "u.ndjson")
	require.NoError(t, os.WriteFile(jsonPath, []byte(`{"n": 5}`+"\n"+`{"n": "n/a"}`+"\n"+`{"n": 7}`+"\n"), 0o644))
	notes := func(path string) map[string]string {
		tbl, err := Load(context.Background(), []string{path}, LoadOptions{})
		require.NoError(t, err)
		defer tbl.Release()
		out := map[string]string{}
		for _, f := range tbl.Schema.Fields() {
			if n, ok := f.Metadata.GetValue(NoteKey); ok {
				out[f.Name] = n
			}
		}
		return out
	}
	require.Equal(t, map[string]string{"n": `read as text because row 3 holds "seven"`}, notes(csvPath))
	require.Equal(t, map[string]string{"n": `read as text because it holds "n/a"`}, notes(jsonPath))
}
