// Package walk lists the files under a directory that a caller keeps, in
// path order: the one directory walk of .seg definition sets and data
// directories.
package walk

import (
	"io/fs"
	"path/filepath"
	"sort"
)

// Files walks root and returns, sorted, the files for which keep is
// true. Entries below root for which skip is true are left out (a skipped
// directory is not entered); skip may be nil.
func Files(root string, keep func(path string) bool, skip func(name string) bool) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != root && skip != nil && skip(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && keep(path) {
			out = append(out, path)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
