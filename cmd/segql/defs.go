package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/lang/syntax"
)

// segFiles expands paths: files as given, directories walked for *.seg.
func segFiles(paths []string) ([]string, error) { return catalog.Paths(paths) }

// readDefs reads the .seg files under paths.
func readDefs(ctx context.Context, paths []string) ([]catalog.File, error) {
	return catalog.ReadFiles(ctx, paths)
}

// siblings lists the .seg files of path's directory, path included
// (whatever its name), sorted: a file's definition set, as a Go file's
// package is its directory.
func siblings(path string) ([]string, error) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := []string{path}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".seg") && filepath.Clean(p) != filepath.Clean(path) {
			out = append(out, p)
		}
	}
	sort.Strings(out[1:])
	return out, nil
}

// dirSet reads the definition set of path in the working tree: a file
// with the other .seg files of its directory, or every .seg file under a
// directory.
func dirSet(ctx context.Context, path string, isDir bool) ([]catalog.File, error) {
	if isDir {
		return readDefs(ctx, []string{path})
	}
	paths, err := siblings(path)
	if err != nil {
		return nil, err
	}
	return readDefs(ctx, paths)
}

// readDefSet reads the files the user named (paths: files, or
// directories walked for .seg files) with their context: the other .seg
// files of each named file's directory, and those under extra (--defs).
// A context file is what named files may reference; one that does not
// parse, or that defines a name already defined (an alternative version,
// such as old.seg beside new.seg), is left out. named holds the files the
// user named: check reports their findings only.
func readDefSet(ctx context.Context, paths, extra []string) (files []catalog.File, named map[string]bool, err error) {
	mine, err := segFiles(paths)
	if err != nil {
		return nil, nil, err
	}
	named = map[string]bool{}
	for _, p := range mine {
		named[filepath.Clean(p)] = true
	}
	var context []string
	for _, p := range paths {
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			sib, err := siblings(p)
			if err != nil {
				return nil, nil, err
			}
			context = append(context, sib[1:]...)
		}
	}
	more, err := segFiles(extra)
	if err != nil {
		return nil, nil, err
	}
	context = append(context, more...)
	if files, err = readDefs(ctx, mine); err != nil {
		return nil, nil, err
	}
	defined := map[string]bool{}
	for _, f := range files {
		for _, n := range segmentNames(f) {
			defined[n] = true
		}
	}
	seen := map[string]bool{}
	for _, p := range context {
		c := filepath.Clean(p)
		if named[c] || seen[c] {
			continue
		}
		seen[c] = true
		cf, err := readDefs(ctx, []string{p})
		if err != nil {
			return nil, nil, err
		}
		names := segmentNames(cf[0])
		if names == nil || slices.ContainsFunc(names, func(n string) bool { return defined[n] }) {
			continue
		}
		for _, n := range names {
			defined[n] = true
		}
		files = append(files, cf[0])
	}
	return files, named, nil
}

// segmentNames lists the names a file defines; nil when it does not
// parse (or defines none).
func segmentNames(f catalog.File) []string {
	parsed, err := syntax.ParseFile(f.Name, f.Text, syntax.Limits{})
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range parsed.Segments {
		out = append(out, s.Name)
	}
	return out
}
