package engine

import (
	"bufio"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// withoutSIMD drops the vector instruction set from kernel descriptions.
func withoutSIMD(s *Step) {
	s.Kernel = strings.ReplaceAll(s.Kernel, ", AVX2", "")
	for _, c := range s.Steps {
		withoutSIMD(c)
	}
}

// readCorpus reads NAME<TAB>EXPRESSION lines from a testdata corpus.
func readCorpus(t testing.TB, name string) [][2]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "expressions", name))
	require.NoError(t, err)
	defer f.Close()
	var out [][2]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n, src, ok := strings.Cut(line, "\t")
		require.True(t, ok, "a corpus line is NAME<TAB>EXPRESSION: %q", line)
		out = append(out, [2]string{n, src})
	}
	require.NoError(t, sc.Err())
	return out
}

// TestPlanGolden: the plan of every corpus expression on a fixed demo
// table — rules applied, steps in their estimated order, kernels and
// sampled selectivities — matches testdata/plans/shapes.golden, and each
// plan selects what the unoptimized one selects. Vector instruction sets
// are left out of the text, so the golden holds with and without AVX2.
func TestPlanGolden(t *testing.T) {
	tbl := columnar.Demo(columnar.DemoOptions{Rows: 50_000, Seed: 7, Anchor: testAnchor, BatchSize: 8192})
	defer tbl.Release()
	eng := Open(tbl)
	var b strings.Builder
	for _, c := range readCorpus(t, "shapes.txt") {
		q := requireSameAsPlain(t, eng, c[1], WithNow(testAnchor))
		p := q.Explain()
		withoutSIMD(p.Root)
		b.WriteString("== " + c[0] + "\n" + p.String() + "\n")
	}
	golden := filepath.Join("..", "testdata", "plans", "shapes.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), b.String(), "go test ./engine -run PlanGolden -update rewrites the golden")
}
