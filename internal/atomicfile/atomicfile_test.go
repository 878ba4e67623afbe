package atomicfile

import (
	"errors"
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
