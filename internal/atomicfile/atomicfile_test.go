package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.seg")
	require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o640))

	failing := errors.New("disk full")
	err := Write(path, func(w io.Writer) error {
		_, _ = io.WriteString(w, "half of the new")
		return failing
	})
	require.ErrorIs(t, err, failing)
	b, _ := os.ReadFile(path)
	require.Equal(t, "old\n", string(b), "a failed write leaves the file untouched")

	require.NoError(t, WriteString(path, "new\n"))
	b, _ = os.ReadFile(path)
	require.Equal(t, "new\n", string(b))
	info, _ := os.Stat(path)
	require.Equal(t, os.FileMode(0o640), info.Mode().Perm(), "permissions kept")

	fresh := filepath.Join(dir, "new.seg")
	require.NoError(t, WriteString(fresh, "x"))
	info, _ = os.Stat(fresh)
	require.Equal(t, os.FileMode(0o644), info.Mode().Perm())

	entries, _ := os.ReadDir(dir)
	require.Len(t, entries, 2, "no temporary files left behind")
}

// TestLinksAndModes: a symlink is written through (the link stays), hard
// links all see the new content, a read-only file is refused.
func TestLinksAndModes(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.seg")
	require.NoError(t, os.WriteFile(target, []byte("old\n"), 0o600))
	link := filepath.Join(dir, "link.seg")
	require.NoError(t, os.Symlink("real.seg", link))
	require.NoError(t, WriteString(link, "new\n"))
	l, err := os.Lstat(link)
	require.NoError(t, err)
	require.NotZero(t, l.Mode()&os.ModeSymlink, "the symlink stays a symlink")
	b, _ := os.ReadFile(target)
	require.Equal(t, "new\n", string(b), "the target is written")
	info, _ := os.Stat(target)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	hard := filepath.Join(dir, "hard.seg")
	require.NoError(t, os.Link(target, hard))
	require.NoError(t, WriteString(hard, "newer\n"))
	for _, p := range []string{target, hard, link} {
		b, _ := os.ReadFile(p)
		require.Equal(t, "newer\n", string(b), p)
	}
	a, _ := os.Stat(target)
	h, _ := os.Stat(hard)
	require.True(t, os.SameFile(a, h), "the hard link is kept")

	ro := filepath.Join(dir, "ro.seg")
	require.NoError(t, os.WriteFile(ro, []byte("keep\n"), 0o444))
	require.ErrorIs(t, WriteString(ro, "x"), ErrReadOnly)
	b, _ = os.ReadFile(ro)
	require.Equal(t, "keep\n", string(b))

	dangling := filepath.Join(dir, "dangling.seg")
	require.NoError(t, os.Symlink("made.seg", dangling))
	require.NoError(t, WriteString(dangling, "made\n"))
	b, _ = os.ReadFile(filepath.Join(dir, "made.seg"))
	require.Equal(t, "made\n", string(b))

	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		require.NotContains(t, e.Name(), ".tmp", "no temporary files left behind")
	}
}

// TestInputsAreNeverOutputs: a protected input is refused under any name
// that reaches it; definitions may be rewritten by WriteDefinitions only.
func TestInputsAreNeverOutputs(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "users.csv")
	require.NoError(t, os.WriteFile(data, []byte("id\n1\n"), 0o644))
	defs := filepath.Join(dir, "s.seg")
	require.NoError(t, os.WriteFile(defs, []byte("segment a = id > 0\n"), 0o644))
	Protect(data, Data)
	Protect(defs, Definitions)
	sym, hard := filepath.Join(dir, "sym.csv"), filepath.Join(dir, "hard.csv")
	require.NoError(t, os.Symlink(data, sym))
	require.NoError(t, os.Link(data, hard))
	for _, p := range []string{data, sym, hard, filepath.Join(dir, ".", "users.csv")} {
		require.ErrorIs(t, WriteString(p, "x"), ErrIsInput, p)
		require.ErrorIs(t, WriteDefinitions(p, "x"), ErrIsInput, p)
		require.ErrorIs(t, CheckOutput(p, 0), ErrIsInput, p)
	}
	b, _ := os.ReadFile(data)
	require.Equal(t, "id\n1\n", string(b))
	require.ErrorIs(t, WriteString(defs, "x"), ErrIsInput)
	require.NoError(t, WriteDefinitions(defs, "segment a = id > 1\n"))
	require.ErrorIs(t, CheckOutput(defs, 0), ErrIsInput, "still protected after its rewrite")

	// Once the input's name is gone, a new file on its inode is free.
	require.NoError(t, os.Remove(data))
	require.NoError(t, os.Remove(sym))
	require.NoError(t, os.Remove(hard))
	fresh := filepath.Join(dir, "fresh.csv")
	require.NoError(t, WriteString(fresh, "y"))
	require.NoError(t, WriteString(fresh, "z"))
}

// TestProtectAfterDeletes: files protected one after another, each deleted
// before the next is made (so inodes may be reused), are each protected.
func TestProtectAfterDeletes(t *testing.T) {
	dir := t.TempDir()
	for i := range 50 {
		p := filepath.Join(dir, "in.csv")
		if i%2 == 1 {
			p = filepath.Join(dir, "other.csv")
		}
		require.NoError(t, os.WriteFile(p, []byte("id\n"), 0o644))
		Protect(p, Data)
		require.ErrorIs(t, CheckOutput(p, 0), ErrIsInput, "round %d", i)
		require.NoError(t, os.Remove(p))
	}
}

// TestProtectManyFiles: a dataset's thousands of files are each
// protected, also when files protected earlier were deleted and their
// inodes reused by later ones, with no check between.
func TestProtectManyFiles(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 600 {
		p := filepath.Join(dir, fmt.Sprintf("part-%04d.parquet", i))
		require.NoError(t, os.WriteFile(p, []byte("x"), 0o644))
		Protect(p, Data)
		if i%3 == 0 {
			require.NoError(t, os.Remove(p)) // its inode may go to the next file
			continue
		}
		paths = append(paths, p)
	}
	for _, p := range paths {
		require.ErrorIs(t, CheckOutput(p, 0), ErrIsInput, p)
	}
}
