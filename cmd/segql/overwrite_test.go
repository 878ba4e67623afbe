package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOutputsNeverReplaceInputs: every command that writes a file refuses
// the loaded data file under any name (itself, a symlink, a hard link),
// and the data file is left byte for byte as it was.
func TestOutputsNeverReplaceInputs(t *testing.T) {
	data := plantedCSV(t)
	before, err := os.ReadFile(data)
	require.NoError(t, err)
	dir := filepath.Dir(data)
	sym, hard := filepath.Join(dir, "sym.csv"), filepath.Join(dir, "hard.csv")
	require.NoError(t, os.Symlink(data, sym))
	require.NoError(t, os.Link(data, hard))
	for _, out := range []string{data, sym, hard} {
		for _, args := range [][]string{
			{"export", "age > 1", "--data", data, "--out", out},
			{"split", "age > 1", "--arms", "a:50,b:50", "--salt", "s", "--data", data, "--save", out},
			{"cluster", "--k", "2", "--features", "x,y", "--data", data, "--save", out},
		} {
			_, errs, code := segql(t, "", args...)
			require.Equal(t, 1, code, "%v: %s", args, errs)
			require.Contains(t, errs, "the output is an input (it is the data file", "%v", args)
			after, err := os.ReadFile(data)
			require.NoError(t, err)
			require.Equal(t, before, after, "%v changed the data", args)
		}
	}
}

// TestFmtWriteKeepsLinks: fmt -w writes through a symlink to its target,
// keeps hard links and the mode, and refuses a read-only file.
func TestFmtWriteKeepsLinks(t *testing.T) {
	dir := t.TempDir()
	real := writeFile(t, dir, "real.seg", "segment  a=age>1\n", 0o640)
	link := filepath.Join(dir, "link.seg")
	require.NoError(t, os.Symlink("real.seg", link))
	hard := filepath.Join(dir, "hard.seg")
	require.NoError(t, os.Link(real, hard))
	_, errs, code := segql(t, "", "fmt", "-w", link)
	require.Equal(t, 0, code, errs)
	l, _ := os.Lstat(link)
	require.NotZero(t, l.Mode()&os.ModeSymlink)
	for _, p := range []string{real, link, hard} {
		b, _ := os.ReadFile(p)
		require.Equal(t, "segment a = age > 1\n", string(b), p)
	}
	info, _ := os.Stat(real)
	require.Equal(t, os.FileMode(0o640), info.Mode().Perm())

	ro := writeFile(t, dir, "ro.seg", "segment  b=age>2\n", 0o444)
	_, errs, code = segql(t, "", "fmt", "-w", ro)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "read-only")
	b, _ := os.ReadFile(ro)
	require.Equal(t, "segment  b=age>2\n", string(b))
}
