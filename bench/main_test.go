package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/segql/segql/internal/pgtest"
)

// TestCasesAreTheCorpus: every expression the bench program runs, except
// those made of named segments, is a line of the shared corpus
// testdata/expressions/shapes.txt, which the engine's benchmarks and plan
// goldens run: the three lists cannot drift apart.
func TestCasesAreTheCorpus(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "expressions", "shapes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	corpus := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if _, src, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, "#") {
			corpus[src] = true
		}
	}
	named := map[string]bool{"named segment": true, "shared segments": true}
	for _, c := range cases {
		if !named[c.name] && !corpus[c.segql] {
			t.Errorf("bench case %q (%s) is not in testdata/expressions/shapes.txt", c.name, c.segql)
		}
	}
	if len(corpus) < len(cases)-len(named) {
		t.Errorf("the corpus has %d expressions, the bench %d", len(corpus), len(cases))
	}
}

// TestWarehouseSizesAgree runs -warehouse small: segql, DuckDB and
// PostgreSQL must agree on every example segment's size (runWarehouse
// fails otherwise). Skipped without SEGQL_POSTGRES_URL, unless
// SEGQL_REQUIRE_POSTGRES is set (CI).
func TestWarehouseSizesAgree(t *testing.T) {
	if err := runWarehouse(5000, 1, pgtest.URL(t)); err != nil {
		t.Fatal(err)
	}
}
