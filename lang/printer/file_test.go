package printer_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/syntax"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestFormatGolden formats testdata/fmt/*.seg, compares with the .golden
// files (rewritten with -update), and checks that formatting the result
// changes nothing and loses no comment.
func TestFormatGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/fmt/*.seg")
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			require.NoError(t, err)
			f, err := syntax.ParseFile(in, string(src), syntax.Limits{})
			require.NoError(t, err)
			got := printer.File(f)
			golden := strings.TrimSuffix(in, ".seg") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.Equal(t, string(want), got)

			again, err := syntax.ParseFile(in, got, syntax.Limits{})
			require.NoError(t, err)
			require.Equal(t, got, printer.File(again), "formatting is idempotent")
			for _, c := range f.Comments {
				require.Contains(t, got, c.Text, "no comment is lost")
			}
			require.Equal(t, len(f.Segments), len(again.Segments))
			for i := range f.Segments {
				require.Equal(t, printer.Expr(f.Segments[i].Expr), printer.Expr(again.Segments[i].Expr))
				require.Equal(t, f.Segments[i].Description(), again.Segments[i].Description())
			}
		})
	}
}

// TestSharedCorpora formats every file of the standard library
// (examples/, which must already be canonical) and of the shared edge
// corpus (CRLF lines, odd spacing): formatting twice changes nothing, no
// comment is lost, and each definition keeps its expression and
// description.
func TestSharedCorpora(t *testing.T) {
	var inputs []string
	for _, d := range []string{"examples", "testdata/segments/edge"} {
		got, err := filepath.Glob(filepath.Join("..", "..", d, "*.seg"))
		require.NoError(t, err)
		require.NotEmpty(t, got, d)
		inputs = append(inputs, got...)
	}
	for _, in := range inputs {
		t.Run(in, func(t *testing.T) {
			b, err := os.ReadFile(in)
			require.NoError(t, err)
			src := string(b)
			f, err := syntax.ParseFile(in, src, syntax.Limits{})
			require.NoError(t, err)
			got := printer.File(f)
			if strings.Contains(in, "examples") {
				require.Equal(t, src, got, "the standard library is formatted")
			}
			again, err := syntax.ParseFile(in, got, syntax.Limits{})
			require.NoError(t, err)
			require.Equal(t, got, printer.File(again), "formatting is idempotent")
			for _, c := range f.Comments {
				require.Contains(t, got, strings.TrimRight(c.Text, "\r"), "no comment is lost")
			}
			require.Equal(t, len(f.Segments), len(again.Segments))
			for i := range f.Segments {
				require.Equal(t, printer.Expr(f.Segments[i].Expr), printer.Expr(again.Segments[i].Expr))
				require.Equal(t, f.Segments[i].Description(), again.Segments[i].Description())
			}
		})
	}
}
