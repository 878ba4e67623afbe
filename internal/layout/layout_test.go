// Package layout holds the test that keeps segql's import directions:
// lang sees neither Arrow nor the engine, columnar never sees lang, the
// engine's stages import only the stages below them, catalog and
// analytics use only the engine's public API, only repl imports liner,
// the HTTP server (with its metrics library) serves only the public API,
// and nothing imports repl or cmd.
package layout

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/segql/segql"

// deps returns the packages matching pattern mapped to their dependencies
// (direct imports only, when direct).
func deps(t *testing.T, pattern string, direct bool) map[string][]string {
	t.Helper()
	field := ".Deps"
	if direct {
		field = ".Imports"
	}
	out, err := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}:{{join `+field+` " "}}`, pattern).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pattern, err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, ds, _ := strings.Cut(line, ":")
		m[pkg] = strings.Fields(ds)
	}
	return m
}

func TestImportDirections(t *testing.T) {
	const eng = module + "/engine/internal/"
	ui := []string{module + "/repl", module + "/cmd", "github.com/peterh/liner"}
	const pgx = "github.com/jackc/pgx"
	const prom = "github.com/prometheus/"
	rules := []struct {
		pattern   string
		forbidden []string
		direct    bool // forbid direct imports only (the engine's own packages are below it)
	}{
		{module + "/lang/...", append([]string{"github.com/apache/arrow-go", module + "/engine", module + "/columnar",
			module + "/catalog", module + "/analytics"}, ui...), false},
		{module + "/columnar/...", append([]string{module + "/lang", module + "/engine", module + "/catalog", module + "/analytics"}, ui...), false},
		{module + "/engine/...", append([]string{module + "/catalog", module + "/analytics"}, ui...), false},
		// The engine's stages, bottom up: value, kernels, stats, funcs,
		// plan, rowexec, prune and optimizer, exec; kernels own their operator
		// enums and see no syntax tree.
		{eng + "value", []string{module + "/lang", eng + "kernels", eng + "plan", eng + "exec"}, false},
		{eng + "kernels", []string{module + "/lang", eng + "stats", eng + "funcs", eng + "plan", eng + "optimizer", eng + "rowexec", eng + "exec"}, false},
		{eng + "stats", []string{module + "/lang", eng + "funcs", eng + "plan", eng + "optimizer", eng + "rowexec", eng + "exec"}, false},
		{eng + "funcs", []string{module + "/lang", eng + "plan", eng + "optimizer", eng + "rowexec", eng + "exec"}, false},
		{eng + "plan", []string{eng + "optimizer", eng + "rowexec", eng + "exec"}, false},
		{eng + "rowexec", []string{eng + "optimizer", eng + "exec"}, false},
		{eng + "optimizer", []string{eng + "exec"}, false},
		// The pruner reads plans over statistics, and runs nothing.
		{eng + "prune", []string{eng + "optimizer", eng + "exec"}, false},
		{module + "/catalog/...", append([]string{module + "/analytics"}, ui...), false},
		{module + "/analytics/...", append([]string{module + "/catalog"}, ui...), false},
		// Above the engine, only its public API.
		{module + "/catalog/...", []string{module + "/engine/internal"}, true},
		{module + "/analytics/...", []string{module + "/engine/internal"}, true},
		{module + "/repl/...", []string{module + "/engine/internal"}, true},
		{module + "/cmd/...", []string{module + "/engine/internal"}, true},
		{module + "/internal/output", ui, false},
		// The PostgreSQL driver stays in the warehouse package; the
		// warehouse runs segments, it does not analyse them.
		{module + "/warehouse/...", append([]string{module + "/catalog", module + "/analytics"}, ui...), false},
		{module + "/warehouse/...", []string{module + "/engine/internal"}, true},
		// The HTTP server serves the engine's public API and nothing else;
		// metrics are its own.
		{module + "/server/...", append([]string{pgx}, ui...), false},
		{module + "/server/...", []string{module + "/engine/internal"}, true},
		{module + "/lang/...", []string{pgx, prom}, false},
		{module + "/columnar/...", []string{prom}, false},
		{module + "/engine/...", []string{prom}, false},
		{module + "/catalog/...", []string{prom}, false},
		{module + "/analytics/...", []string{prom}, false},
		{module + "/warehouse/...", []string{prom}, false},
		{module + "/repl/...", []string{prom}, false},
		{module + "/columnar/...", []string{pgx}, false},
		{module + "/engine/...", []string{pgx}, false},
		{module + "/catalog/...", []string{pgx}, false},
		{module + "/analytics/...", []string{pgx}, false},
	}
	for _, r := range rules {
		for pkg, ds := range deps(t, r.pattern, r.direct) {
			for _, d := range ds {
				for _, f := range r.forbidden {
					if strings.HasPrefix(d, f) {
						t.Errorf("%s imports %s, which its layer must not", pkg, d)
					}
				}
			}
		}
	}
}

// TestLinerInOneFile: only repl/terminal.go imports liner.
func TestLinerInOneFile(t *testing.T) {
	var importers []string
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if strings.Trim(imp.Path.Value, `"`) == "github.com/peterh/liner" {
				importers = append(importers, filepath.ToSlash(path))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(importers) != 1 || !strings.HasSuffix(importers[0], "repl/terminal.go") {
		t.Errorf("liner is imported by %v; only repl/terminal.go may", importers)
	}
}

// TestMinimumGo: every module states the minimum Go as the first 1.26
// release, with no toolchain line, so any installed 1.26.x builds it
// without downloading another toolchain. (golang.org/x/sys and liner
// require 1.26.0, which is why the line reads 1.26.0 and not 1.26.)
func TestMinimumGo(t *testing.T) {
	for _, mod := range []string{"../../go.mod", "../../bench/go.mod", "../../conformance/go.mod"} {
		data, err := os.ReadFile(mod)
		if err != nil {
			t.Fatal(err)
		}
		var goLine string
		for _, line := range strings.Split(string(data), "\n") {
			switch f := strings.Fields(line); {
			case len(f) == 2 && f[0] == "go":
				goLine = f[1]
			case len(f) > 0 && f[0] == "toolchain":
				t.Errorf("%s: %q pins a toolchain; any 1.26.x must do", mod, line)
			}
		}
		if goLine != "1.26" && goLine != "1.26.0" {
			t.Errorf("%s: go %s; the minimum must be 1.26 or 1.26.0 so every 1.26.x builds it", mod, goLine)
		}
	}
}
