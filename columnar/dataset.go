package columnar

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/segql/segql/internal/walk"
)

// ExpandPaths turns data paths into files: a directory stands for the
// data files under it (walked; files whose extension is no data format,
// and those whose name starts with "." or "_", such as _SUCCESS or .crc,
// are left out), a pattern with * ? or [ for the files it matches; each
// expansion is in path order. A directory or pattern that yields no file
// is an error, as is a pattern that is malformed. Other paths are kept as
// they are (LoadFile reports what is wrong with them).
func ExpandPaths(paths []string) ([]string, error) {
	files, err := ExpandDataset(paths)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Path
	}
	return out, nil
}

// ExpandDataset is ExpandPaths with each file's Hive-style partition
// values: the key=value directories between a directory (or a pattern's
// part before its first wildcard) and the file. Files named one by one
// have none.
func ExpandDataset(paths []string) ([]DataFile, error) {
	var out []DataFile
	for _, p := range paths {
		files, err := expandPath(p)
		if err != nil {
			return nil, err
		}
		root := ""
		if strings.ContainsAny(p, "*?[") {
			root = staticPrefix(p)
		} else if st, err := os.Stat(p); err == nil && st.IsDir() {
			root = p
		}
		for _, f := range files {
			df := DataFile{Path: f}
			if root != "" && f != p {
				df.Parts = partitionsOf(root, f)
			}
			out = append(out, df)
		}
	}
	return out, nil
}

func expandPath(p string) ([]string, error) {
	if strings.ContainsAny(p, "*?[") {
		if _, err := os.Stat(p); err == nil {
			return []string{p}, nil // a file whose name holds * ? or [
		}
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, &LoadError{Path: p, Err: fmt.Errorf("malformed pattern: %w", err)}
		}
		var files []string
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil && st.IsDir() {
				continue
			}
			files = append(files, m)
		}
		if len(files) == 0 {
			return nil, &LoadError{Path: p, Err: fmt.Errorf("no file matches the pattern")}
		}
		sort.Strings(files)
		return files, nil
	}
	st, err := os.Stat(p)
	if err != nil || !st.IsDir() {
		return []string{p}, nil
	}
	files, err := walk.Files(p, func(path string) bool { return FormatOf(path) != FormatUnknown },
		func(name string) bool { return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") })
	if err != nil {
		return nil, &LoadError{Path: p, Err: err}
	}
	if len(files) == 0 {
		return nil, &LoadError{Path: p, Err: fmt.Errorf("the directory holds no data file (.parquet, .arrow, .feather, .ipc, .arrows, .csv, .ndjson, .jsonl)")}
	}
	return files, nil
}
