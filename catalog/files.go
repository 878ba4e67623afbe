package catalog

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/atomicfile"
	"github.com/segql/segql/internal/textfile"
	"github.com/segql/segql/internal/walk"
	"github.com/segql/segql/lang/syntax"
)

// Paths expands paths to .seg files: files as given, directories walked
// for *.seg (sorted within each directory).
func Paths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		found, err := walk.Files(p, func(path string) bool { return strings.HasSuffix(path, ".seg") }, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

// ReadFiles reads the .seg files under paths (files, or directories
// walked), each at most syntax.MaxFileSource bytes; none found is an
// error. No output of this process may later replace them.
func ReadFiles(ctx context.Context, paths []string) ([]File, error) {
	files, err := Paths(paths)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .seg files in %s", strings.Join(paths, ", "))
	}
	out := make([]File, 0, len(files))
	for _, f := range files {
		atomicfile.Protect(f, atomicfile.Definitions)
		b, err := textfile.Read(ctx, f, syntax.MaxFileSource)
		if err != nil {
			return nil, err
		}
		out = append(out, File{Name: f, Text: string(b)})
	}
	return out, nil
}

// LoadPaths reads the .seg files under paths and loads them together, as
// Load does.
func LoadPaths(ctx context.Context, eng *engine.Engine, paths ...string) (*Catalog, error) {
	files, err := ReadFiles(ctx, paths)
	if err != nil {
		return nil, err
	}
	return Load(eng, files)
}
