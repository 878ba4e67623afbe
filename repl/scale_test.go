package repl

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
)

// within fails the test if f has not returned after limit: the shapes
// below take seconds when linear and hours when quadratic, so the limit
// is a watchdog, not a timing assertion.
func within(t *testing.T, limit time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(limit):
		t.Fatalf("%s did not finish within %s: quadratic work?", what, limit)
	}
}

// TestShellScalesLinearly: statements spread over 100,000 lines, .open of
// 100,000 segments and 10,000 segment statements typed one by one (each
// is checked, compiled and sized on its own) all finish; each of them
// took minutes or hours when every line rescanned the statement or every
// definition re-checked the whole set.
func TestShellScalesLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test; runs without -short")
	}
	const n = 100_000
	s := New("users", columnar.Demo(columnar.DemoOptions{Rows: 100, Seed: 1, Anchor: anchor}), Options{Now: anchor})
	defer s.Close()

	var script strings.Builder
	script.WriteString("age > 1 and (\n")
	for i := range n {
		fmt.Fprintf(&script, "  -- line %d of a comment inside a statement\n", i)
	}
	script.WriteString("  age < 99)\n")
	var out, errs strings.Builder
	within(t, 60*time.Second, "a 100,000-line statement", func() {
		RunScript(s, strings.NewReader(script.String()), &out, &errs, false)
	})
	require.Contains(t, errs.String(), "over the limit of 1048576", "the statement is read whole, then refused by its length")

	var defs strings.Builder
	for i := range n {
		fmt.Fprintf(&defs, "segment s%d = age > %d and s%d\n", i, i%90, (i+1)%n) // forward references
	}
	defs.WriteString(fmt.Sprintf("segment s%d = age > 5\n", n-1))
	path := filepath.Join(t.TempDir(), "many.seg")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(defs.String(), fmt.Sprintf("segment s%d = age > %d and s0\n", n-1, (n-1)%90), "", 1)), 0o644))
	within(t, 120*time.Second, ".open of 100,000 segments", func() {
		require.Contains(t, exec(t, s, ".open "+path), fmt.Sprintf("%d segments from", n))
	})

	s2 := New("users", columnar.Demo(columnar.DemoOptions{Rows: 100, Seed: 1, Anchor: anchor}), Options{Now: anchor})
	defer s2.Close()
	var lines strings.Builder
	const typed = 10_000
	for i := range typed {
		fmt.Fprintf(&lines, "segment t%d = age > %d\n", i, i%90)
	}
	lines.WriteString("segment t5 = age > 50\n.segments\n") // a redefinition stays where it stands
	out.Reset()
	errs.Reset()
	within(t, 120*time.Second, "10,000 segment statements", func() {
		require.Zero(t, RunScript(s2, strings.NewReader(lines.String()), &out, &errs, true), errs.String())
	})
	require.Contains(t, out.String(), "segment t4 = age > 4\nsegment t5 = age > 50\nsegment t6 = age > 6\n")
	require.Len(t, s2.defs, typed)
}
