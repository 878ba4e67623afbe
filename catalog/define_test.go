package catalog

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// TestDefineOneByOne: 100,000 definitions added one at a time, each
// referencing the one before (a chain as long as the set), are each
// checked on their own; a redefinition stays in place, and one that would
// close a cycle, use an unknown name or fail to type-check leaves the
// catalog unchanged.
func TestDefineOneByOne(t *testing.T) {
	eng := engine.Open(columnar.Demo(columnar.DemoOptions{Rows: 100, Seed: 1}))
	cat, err := Load(eng, nil)
	require.NoError(t, err)
	n := 100_000
	if testing.Short() { // the race detector's run
		n = 10_000
	}
	_, err = cat.Define(File{Text: "segment d0 = age > 1"})
	require.NoError(t, err)
	for i := 1; i < n; i++ {
		_, err := cat.Define(File{Text: fmt.Sprintf("segment d%d = d%d and age > %d", i, i-1, i%90)})
		require.NoError(t, err, i)
	}
	require.Len(t, cat.Definitions(), n)

	for _, bad := range []struct{ text, want string }{
		{fmt.Sprintf("segment d0 = d%d or age > 3", n-1), fmt.Sprintf("reference cycle: d0 -> d%d -> d%d", n-1, n-2)},
		{"segment d5 = d5", "reference cycle: d5 -> d5"},
		{"segment d7 = nope > 1", `unknown`},
		{"segment d7 = age > \"x\"", "mismatched types"},
		{"segment age = true", "column"},
		{"segment x1 = age > 1\nsegment x1 = age > 2", "defined twice"},
	} {
		_, err := cat.Define(File{Text: bad.text})
		require.ErrorContains(t, err, bad.want, bad.text)
	}
	d0, _ := cat.Definition("d0")
	require.Equal(t, "age > 1", d0.Expr, "unchanged by the refused redefinitions")
	_, ok := cat.Definition("x1")
	require.False(t, ok)

	warnings, err := cat.Define(File{Text: "segment d3 = age between 9 and 2"})
	require.NoError(t, err)
	require.Len(t, warnings, 1)
	require.Equal(t, "d3", cat.Definitions()[3].Name, "redefined where it stands")
	q, err := cat.Compile("d4")
	require.NoError(t, err)
	res, err := q.Run(context.Background())
	require.NoError(t, err)
	require.Zero(t, res.Count(), "d4 reads the new d3, an empty range")
}
