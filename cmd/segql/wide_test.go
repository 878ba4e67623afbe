package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWideValuesFromTheCommandLine: a CSV's integers above int64 load as
// uint64 and compare exactly (they wrapped negative), arithmetic on them
// fails naming the limit, constants move across comparisons without
// overflow, and JSON output writes them and non-finite floats faithfully.
func TestWideValuesFromTheCommandLine(t *testing.T) {
	data := filepath.Join(t.TempDir(), "wide.csv")
	require.NoError(t, os.WriteFile(data, []byte("id,u,f\n1,18446744073709551615,NaN\n2,9223372036854775808,Inf\n3,5,1.5\n4,,-Inf\n"), 0o644))
	count := func(expr string) (string, string, int) {
		return segql(t, "", "eval", "--data", data, "--min-size", "0", "-o", "count", expr)
	}
	for expr, want := range map[string]string{
		"u > 9223372036854775807": "2\n", "u < 0": "0\n", "u in (5, 9223372036854775807)": "1\n", "u >= 0": "3\n",
		"u + 1 > 0": "3\n", "u - 5 = 0": "1\n", "f > 1e308": "2\n", // NaN sorts above +Inf, as in DuckDB
	} {
		out, errs, code := count(expr)
		require.Equal(t, 0, code, "%s: %s", expr, errs)
		require.Equal(t, want, out, expr)
	}
	_, errs, code := count("u = 18446744073709551615") // literals are int64: refused with a caret, not wrapped
	require.Equal(t, 1, code)
	require.Contains(t, errs, "integer 18446744073709551615 is out of range")

	_, errs, code = count("u % 7 = 1")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "uint64 value above 9223372036854775807 in arithmetic")

	out, errs, code := segql(t, "", "eval", "--data", data, "--min-size", "0", "-o", "json", "id <= 2")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, `{"id": 1, "u": 18446744073709551615, "f": "NaN"}`)
	require.Contains(t, out, `{"id": 2, "u": 9223372036854775808, "f": "Infinity"}`)
}
