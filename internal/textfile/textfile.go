// Package textfile reads definition files (.seg) and other text inputs
// within a size limit: a path naming /dev/zero, a huge sparse file or a
// FIFO fails or waits cancellably instead of exhausting memory or hanging.
package textfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrTooLarge is the error of an input longer than the limit given.
var ErrTooLarge = errors.New("file too large")

// Read returns the contents of path, at most limit bytes. A regular file
// longer than limit fails before it is read; any other input (a FIFO, a
// device) fails once limit+1 bytes have arrived. Opening a FIFO waits for
// a writer, and reading waits for data, only until ctx is done: the error
// is then ctx's cause. A directory is an error.
func Read(ctx context.Context, path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", path)
	}
	if st.Mode().IsRegular() && st.Size() > limit {
		return nil, tooLarge(path, limit)
	}
	f, err := open(ctx, path, st.Mode().IsRegular())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	stop := context.AfterFunc(ctx, func() { f.Close() }) // unblocks a read from a pipe
	defer stop()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%s: %w", path, context.Cause(ctx))
	}
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(path, limit)
	}
	return b, nil
}

func tooLarge(path string, limit int64) error {
	return fmt.Errorf("%s: %w (over the limit of %d MiB)", path, ErrTooLarge, limit>>20)
}

// open opens path for reading; for anything but a regular file the open
// (which blocks on a FIFO until a writer appears) runs aside, so that ctx
// can end the wait. The abandoned open then finishes or not; its file, if
// any, is closed.
func open(ctx context.Context, path string, regular bool) (*os.File, error) {
	if regular {
		return os.Open(path)
	}
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(path)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		return o.f, o.err
	case <-ctx.Done():
		go func() {
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, fmt.Errorf("%s: %w", path, context.Cause(ctx))
	}
}
