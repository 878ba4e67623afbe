package columnar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxLineBytes bounds one line of a CSV or NDJSON file: a longer line (a
// file of NUL bytes, a sparse file, a binary file with a text extension)
// is an error naming the line, not an attempt to hold it in memory.
const MaxLineBytes = 16 << 20

// ErrNotRegular is the error of a data path that is not a regular file
// (a FIFO, a device, a directory): every loader seeks, and a FIFO with no
// writer would wait forever.
var ErrNotRegular = errors.New("not a regular file")

// ErrLineTooLong is the error of a line longer than MaxLineBytes.
var ErrLineTooLong = fmt.Errorf("line longer than %d MiB", MaxLineBytes>>20)

// checkRegular refuses a path that is not a regular file (after symlinks),
// before anything opens it: opening a FIFO blocks until a writer appears.
func checkRegular(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Mode().IsRegular() {
		return nil
	}
	kind := "a special file"
	switch {
	case st.IsDir():
		kind = "a directory"
	case st.Mode()&fs.ModeNamedPipe != 0:
		kind = "a FIFO"
	case st.Mode()&fs.ModeDevice != 0:
		kind = "a device"
	case st.Mode()&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Errorf("%w (%s): copy the data to a file first", ErrNotRegular, kind)
}

// lineReader reads a text file for a loader: it fails with ErrLineTooLong
// (naming the line) once a line passes MaxLineBytes, and with the
// context's error once ctx is done, so a load stops within one read of a
// cancellation. Not safe for concurrent use.
type lineReader struct {
	ctx  context.Context
	path string
	r    io.Reader
	run  int   // bytes since the last newline
	line int64 // 1-based number of the line being read
	err  error
}

func newLineReader(ctx context.Context, path string, r io.Reader) *lineReader {
	return &lineReader{ctx: ctx, path: path, r: r, line: 1}
}

func (l *lineReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if err := l.ctx.Err(); err != nil {
		l.err = context.Cause(l.ctx)
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for b := p[:n]; len(b) > 0; {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.run += len(b)
			break
		}
		l.run += i
		if l.run > MaxLineBytes {
			break
		}
		l.run, l.line, b = 0, l.line+1, b[i+1:]
	}
	if l.run > MaxLineBytes {
		l.err = &LoadError{Path: l.path, Row: l.line, Err: ErrLineTooLong}
		return 0, l.err
	}
	return n, err
}
