package columnar

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// Arrow's Go IPC reader trusts the FlatBuffers metadata of a file: a
// corrupted vector length makes it allocate, say, 200 GB for a schema's
// fields, and running out of memory is fatal in Go. Before a file reaches
// the reader, verifyIPC walks its messages and checks that every table,
// vector and string the reader will use lies inside its message, and that
// every body lies inside the file. The layouts are those of Arrow's
// Message.fbs, Schema.fbs and File.fbs.

// maxIPCMetadata bounds one message's metadata (a schema of thousands of
// fields needs a few megabytes).
const maxIPCMetadata = 256 << 20

var errIPCFraming = errors.New("malformed Arrow IPC metadata")

// fbuf is a FlatBuffers buffer whose reads are all bounds-checked.
type fbuf []byte

func (b fbuf) u16(p int) (int, bool) {
	if p < 0 || p+2 > len(b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint16(b[p:])), true
}

func (b fbuf) u32(p int) (int, bool) {
	if p < 0 || p+4 > len(b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint32(b[p:])), true
}

// table checks the table at p and returns a field accessor: the absolute
// position of field i, or 0 when absent.
func (b fbuf) table(p int) (func(i int) int, bool) {
	so, ok := b.u32(p)
	if !ok {
		return nil, false
	}
	vt := p - int(int32(uint32(so)))
	vsize, ok1 := b.u16(vt)
	tsize, ok2 := b.u16(vt + 2)
	if !ok1 || !ok2 || vsize < 4 || vt+vsize > len(b) || p+tsize > len(b) {
		return nil, false
	}
	return func(i int) int {
		if 4+2*i+2 > vsize {
			return 0
		}
		off, _ := b.u16(vt + 4 + 2*i)
		if off == 0 {
			return 0
		}
		return p + off
	}, true
}

// deref follows the offset stored at p (a table, vector or string field).
func (b fbuf) deref(p int) (int, bool) {
	off, ok := b.u32(p)
	if !ok || p+off > len(b) {
		return 0, false
	}
	return p + off, true
}

// vector checks the vector whose offset is stored at field position f
// (0: absent) with elements of size elem, returning its element count and
// first element's position.
func (b fbuf) vector(f, elem int) (n, start int, ok bool) {
	if f == 0 {
		return 0, 0, true
	}
	p, ok := b.deref(f)
	if !ok {
		return 0, 0, false
	}
	n, ok = b.u32(p)
	if !ok || n > (len(b)-p-4)/elem {
		return 0, 0, false
	}
	return n, p + 4, true
}

// tables checks a vector of tables with check.
func (b fbuf) tables(f int, check func(p int) bool) bool {
	n, start, ok := b.vector(f, 4)
	for i := 0; ok && i < n; i++ {
		var p int
		p, ok = b.deref(start + 4*i)
		ok = ok && check(p)
	}
	return ok
}

// subtable checks the table referenced at field position f, if present.
func (b fbuf) subtable(f int, check func(p int) bool) bool {
	if f == 0 {
		return true
	}
	p, ok := b.deref(f)
	return ok && check(p)
}

func (b fbuf) keyValue(p int) bool {
	field, ok := b.table(p)
	if !ok {
		return false
	}
	_, _, ok1 := b.vector(field(0), 1)
	_, _, ok2 := b.vector(field(1), 1)
	return ok1 && ok2
}

// Arrow type union tags with vectors or strings in their tables.
const (
	typeTimestamp = 10
	typeUnion     = 14
)

func (b fbuf) field(p int, depth int) bool {
	f, ok := b.table(p)
	if !ok || depth > 64 {
		return false
	}
	if _, _, ok := b.vector(f(0), 1); !ok { // name
		return false
	}
	kind := 0
	if tp := f(2); tp != 0 && tp < len(b) {
		kind = int(b[tp])
	}
	okType := b.subtable(f(3), func(tp int) bool {
		t, ok := b.table(tp)
		switch {
		case !ok:
			return false
		case kind == typeTimestamp:
			_, _, ok = b.vector(t(1), 1) // timezone
		case kind == typeUnion:
			_, _, ok = b.vector(t(1), 4) // typeIds
		}
		return ok
	})
	okDict := b.subtable(f(4), func(dp int) bool {
		d, ok := b.table(dp)
		return ok && b.subtable(d(1), func(ip int) bool { _, ok := b.table(ip); return ok })
	})
	return okType && okDict &&
		b.tables(f(5), func(c int) bool { return b.field(c, depth+1) }) &&
		b.tables(f(6), b.keyValue)
}

func (b fbuf) schema(p int) bool {
	s, ok := b.table(p)
	if !ok {
		return false
	}
	_, _, okFeatures := b.vector(s(3), 8)
	return okFeatures && b.tables(s(1), func(fp int) bool { return b.field(fp, 0) }) && b.tables(s(2), b.keyValue)
}

func (b fbuf) recordBatch(p int) bool {
	r, ok := b.table(p)
	if !ok {
		return false
	}
	_, _, ok1 := b.vector(r(1), 16) // nodes
	_, _, ok2 := b.vector(r(2), 16) // buffers
	_, _, ok3 := b.vector(r(4), 8)  // variadic buffer counts
	return ok1 && ok2 && ok3 && b.subtable(r(3), func(cp int) bool { _, ok := b.table(cp); return ok })
}

// message checks a Message and returns its body length.
func (b fbuf) message() (int64, bool) {
	root, ok := b.u32(0)
	if !ok {
		return 0, false
	}
	m, ok := b.table(root)
	if !ok {
		return 0, false
	}
	kind := 0
	if tp := m(1); tp != 0 && tp < len(b) {
		kind = int(b[tp])
	}
	okHeader := b.subtable(m(2), func(hp int) bool {
		switch kind {
		case 1:
			return b.schema(hp)
		case 2: // DictionaryBatch
			d, ok := b.table(hp)
			return ok && b.subtable(d(1), b.recordBatch)
		case 3:
			return b.recordBatch(hp)
		}
		return true // tensors: the reader refuses them itself
	})
	var body int64
	if bp := m(3); bp != 0 {
		if bp+8 > len(b) {
			return 0, false
		}
		body = int64(binary.LittleEndian.Uint64(b[bp:]))
	}
	return body, okHeader && b.tables(m(4), b.keyValue) && body >= 0
}

// verifyIPCStream walks the messages of an IPC stream starting at offset
// off of a file of size size.
func verifyIPCStream(r io.ReaderAt, off, size int64) error {
	var word [4]byte
	for off < size {
		if _, err := r.ReadAt(word[:], off); err != nil {
			return nil // a truncated tail: the reader reports it
		}
		off += 4
		n := int64(binary.LittleEndian.Uint32(word[:]))
		if n == 0xFFFFFFFF { // continuation marker, then the length
			if _, err := r.ReadAt(word[:], off); err != nil {
				return nil
			}
			off += 4
			n = int64(binary.LittleEndian.Uint32(word[:]))
		}
		if n == 0 {
			return nil // end of stream
		}
		if n > maxIPCMetadata || off+n > size {
			return fmt.Errorf("%w: a message of %d bytes at offset %d overruns the file", errIPCFraming, n, off)
		}
		meta := make(fbuf, n)
		if _, err := r.ReadAt(meta, off); err != nil {
			return err
		}
		body, ok := meta.message()
		if !ok {
			return fmt.Errorf("%w at offset %d", errIPCFraming, off)
		}
		off += n
		if body > size-off {
			return fmt.Errorf("%w: a message body of %d bytes at offset %d overruns the file", errIPCFraming, body, off)
		}
		off += body
	}
	return nil
}

var arrowMagic = []byte("ARROW1")

// verifyIPCFile checks an IPC file: its footer (schema and blocks) and
// every message the blocks point at.
func verifyIPCFile(r io.ReaderAt, size int64) error {
	if size < 2*int64(len(arrowMagic))+4 {
		return nil // the reader reports a file this short
	}
	tail := make([]byte, 10)
	if _, err := r.ReadAt(tail, size-10); err != nil || !bytes.Equal(tail[4:], arrowMagic) {
		return nil
	}
	n := int64(int32(binary.LittleEndian.Uint32(tail)))
	if n <= 0 || n > maxIPCMetadata || n > size-10 {
		return fmt.Errorf("%w: a footer of %d bytes", errIPCFraming, n)
	}
	footer := make(fbuf, n)
	if _, err := r.ReadAt(footer, size-10-n); err != nil {
		return err
	}
	root, ok := footer.u32(0)
	f, ok2 := footer.table(root)
	if !ok || !ok2 || !footer.subtable(f(1), footer.schema) || !footer.tables(f(4), footer.keyValue) {
		return fmt.Errorf("%w in the footer", errIPCFraming)
	}
	for _, field := range []int{f(2), f(3)} { // dictionary and record batch blocks
		count, start, ok := footer.vector(field, 24)
		if !ok {
			return fmt.Errorf("%w in the footer's blocks", errIPCFraming)
		}
		for i := 0; i < count; i++ {
			blk := footer[start+24*i:]
			off := int64(binary.LittleEndian.Uint64(blk))
			meta := int64(int32(binary.LittleEndian.Uint32(blk[8:])))
			body := int64(binary.LittleEndian.Uint64(blk[16:]))
			if off < 0 || meta < 0 || body < 0 || off > size || meta > size-off || body > size-off-meta {
				return fmt.Errorf("%w: block %d overruns the file", errIPCFraming, i)
			}
			if err := verifyIPCStream(io.NewSectionReader(r, off, meta+body), 0, meta+body); err != nil {
				return err
			}
		}
	}
	return nil
}

// verifyIPCPath runs the check matching a file's format.
func verifyIPCPath(path string, file bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if file {
		return verifyIPCFile(f, st.Size())
	}
	return verifyIPCStream(f, 0, st.Size())
}
