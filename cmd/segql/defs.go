package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/internal/atomicfile"
	"github.com/segql/segql/internal/textfile"
	"github.com/segql/segql/lang/syntax"
)

// segFiles expands paths: files as given, directories walked for *.seg.
func segFiles(paths []string) ([]string, error) {
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
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".seg") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// readDefs reads the .seg files under paths.
func readDefs(ctx context.Context, paths []string) ([]catalog.File, error) {
	files, err := segFiles(paths)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .seg files in %s", strings.Join(paths, ", "))
	}
	out := make([]catalog.File, 0, len(files))
	for _, f := range files {
		atomicfile.Protect(f, atomicfile.Definitions)
		b, err := textfile.Read(ctx, f, syntax.MaxFileSource)
		if err != nil {
			return nil, err
		}
		out = append(out, catalog.File{Name: f, Text: string(b)})
	}
	return out, nil
}
