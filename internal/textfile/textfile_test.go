package textfile

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReadBounds(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "s.seg")
	require.NoError(t, os.WriteFile(small, []byte("segment a = x > 1\n"), 0o644))
	b, err := Read(context.Background(), small, 1<<20)
	require.NoError(t, err)
	require.Equal(t, "segment a = x > 1\n", string(b))

	// A sparse file far over the limit fails before a byte is read.
	sparse := filepath.Join(dir, "sparse.seg")
	f, err := os.Create(sparse)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(4<<30))
	require.NoError(t, f.Close())
	_, err = Read(context.Background(), sparse, 16<<20)
	require.ErrorIs(t, err, ErrTooLarge)

	// A device that never ends fails at the limit.
	if _, serr := os.Stat("/dev/zero"); serr == nil {
		_, err = Read(context.Background(), "/dev/zero", 1<<20)
		require.ErrorIs(t, err, ErrTooLarge)
	}

	_, err = Read(context.Background(), dir, 1<<20)
	require.ErrorContains(t, err, "is a directory")
}

// TestReadFIFOWithoutWriter: the open that would wait forever for a writer
// ends with the context.
func TestReadFIFOWithoutWriter(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "p.seg")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := Read(ctx, fifo, 1<<20)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// With a writer that sends and closes, a FIFO reads. (A fresh one: the
	// abandoned open above still waits on the first and would take its
	// writer.)
	fifo = filepath.Join(filepath.Dir(fifo), "q.seg")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			w.WriteString("segment b = y < 2\n")
			w.Close()
		}
	}()
	b, err := Read(context.Background(), fifo, 1<<20)
	require.NoError(t, err)
	require.Equal(t, "segment b = y < 2\n", string(b))
}
