package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIDsOutput: ids are integers or strings; null ids are left out and
// counted in a warning; an id that one-per-line output cannot show is
// refused, naming it, while csv carries it.
func TestIDsOutput(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "u.csv")
	require.NoError(t, os.WriteFile(data, []byte("id,name,score,tags,ok\n1,a,0.5,\"[\"\"x\"\"]\",true\n,b,1.5,\"[]\",false\n3,\"multi\nline\",2.5,\"[]\",true\n4,d,,\"[]\",\n"), 0o644))
	run := func(args ...string) (string, string, int) {
		return segql(t, "", append([]string{"eval", "--data", data, "--min-size", "0"}, args...)...)
	}
	out, errs, code := run("-o", "ids", "score < 2")
	require.Equal(t, 0, code, errs)
	require.Equal(t, "1\n", out)
	require.Contains(t, errs, "warning: 1 members have a null id and are not listed")

	out, errs, code = run("-o", "ids", "--id", "name", "score > 0")
	require.Equal(t, 1, code)
	require.Empty(t, out, "nothing is written before the refusal")
	require.Contains(t, errs, `id cannot be written one per line: "multi\nline" (use -o csv or -o json)`)
	out, _, code = run("-o", "csv", "--id", "name", "score > 2")
	require.Equal(t, 0, code)
	require.Contains(t, out, "\"multi\nline\"")

	for _, col := range []string{"score", "tags", "ok"} {
		_, errs, code := run("-o", "ids", "--id", col, "score > 0")
		require.Equal(t, 1, code, col)
		require.Contains(t, errs, "ids are integers or strings", col)
	}
	_, errs, code = run("-o", "ids", "--id", "nope", "score > 0")
	require.Equal(t, 1, code)
	require.Contains(t, errs, `no column "nope"`)
}
