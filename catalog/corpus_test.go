package catalog

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/engine"
)

// readSeg reads every .seg file of the shared corpus folders, relative to
// the repository root.
func readSeg(t *testing.T, dirs ...string) []File {
	t.Helper()
	var files []File
	for _, d := range dirs {
		paths, err := filepath.Glob(filepath.Join("..", d, "*.seg"))
		require.NoError(t, err)
		require.NotEmpty(t, paths, d)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			files = append(files, File{Name: p, Text: string(b)})
		}
	}
	return files
}

// TestCorpora loads the standard library (examples/) and the edge corpus
// (CRLF lines, a 30-link chain defined backwards, references across
// files) on the demo data: every definition compiles, and the one-pass
// sizes equal each definition run alone, members and unknowns.
func TestCorpora(t *testing.T) {
	tbl := demo(t, 40_000, nil)
	defer tbl.Release()
	eng := engine.Open(tbl)
	cat, err := Load(eng, readSeg(t, "examples", "testdata/segments/edge"))
	require.NoError(t, err)
	require.Greater(t, len(cat.Definitions()), 60)
	d, ok := cat.Definition("link_29")
	require.True(t, ok)
	require.Equal(t, []string{"link_28"}, d.Deps)
	e, ok := cat.Definition("europe_buyers")
	require.True(t, ok)
	require.Equal(t, "Europeans who buy", e.Description, "CRLF descriptions lose their CR")

	sizes, err := cat.Sizes(context.Background(), engine.At(testAnchor))
	require.NoError(t, err)
	require.Len(t, sizes, len(cat.Definitions()))
	nonEmpty := 0
	for _, s := range sizes {
		q, err := cat.Compile(s.Name, engine.WithNow(testAnchor))
		require.NoError(t, err, s.Name)
		res, err := q.Run(context.Background())
		require.NoError(t, err, s.Name)
		require.Equal(t, res.Count(), s.Result.Count(), "sizes and eval agree for %s", s.Name)
		require.Equal(t, res.Unknown(), s.Result.Unknown(), "unknowns agree for %s", s.Name)
		if res.Count() > 0 {
			nonEmpty++
		}
	}
	require.Greater(t, nonEmpty, len(sizes)*3/4, "the corpus selects users")
}

// TestInvalidCorpus: the invalid corpus is refused with one diagnostic per
// mistake, each naming its file.
func TestInvalidCorpus(t *testing.T) {
	tbl := demo(t, 100, nil)
	defer tbl.Release()
	_, err := Load(engine.Open(tbl), readSeg(t, "testdata/segments/invalid"))
	var errs Errors
	require.True(t, errors.As(err, &errs), "%v", err)
	msg := err.Error()
	for _, want := range []string{
		"reference cycle: loop_a -> loop_b -> loop_c -> loop_a",
		`segment "adults" is defined twice`,
		"mismatched types float64 and string",
		`unknown function "lenght"`,
		`unknown name "buyer": neither a column nor a segment`,
	} {
		require.Contains(t, msg, want)
	}
	for _, d := range errs.Diagnostics() {
		require.True(t, strings.Contains(d.Src.Name, "invalid"), "%v", d)
	}
}
