// Package layout holds the test that keeps segql's import directions:
// lang sees neither Arrow nor the engine, columnar never sees lang, only
// repl imports liner, and nothing imports repl or cmd.
package layout

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/segql/segql"

// deps returns the packages matching pattern mapped to their dependencies.
func deps(t *testing.T, pattern string) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}:{{join .Deps " "}}`, pattern).Output()
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
	rules := []struct {
		pattern   string
		forbidden []string
	}{
		{module + "/lang/...", []string{"github.com/apache/arrow-go", module + "/engine", module + "/columnar", module + "/repl", module + "/cmd", "github.com/peterh/liner"}},
		{module + "/columnar/...", []string{module + "/lang", module + "/engine", module + "/repl", module + "/cmd", "github.com/peterh/liner"}},
		{module + "/engine/...", []string{module + "/repl", module + "/cmd", "github.com/peterh/liner"}},
		{module + "/internal/output", []string{module + "/repl", module + "/cmd", "github.com/peterh/liner"}},
	}
	for _, r := range rules {
		for pkg, ds := range deps(t, r.pattern) {
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
