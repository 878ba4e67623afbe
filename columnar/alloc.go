package columnar

import (
	"fmt"
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Loading allocates what a file's headers declare. A malformed header can
// declare terabytes, and the Go runtime cannot recover from running out of
// memory, so loaders allocate through a bound: one buffer may be at most
// allocFloor or allocRatio times the file's size, whichever is larger.
// Well-formed files stay far below it (the ratio allows for compression).
const (
	allocFloor = 1 << 30
	allocRatio = 64
)

// boundedAllocator refuses (by panicking with *AllocLimitError, which
// LoadFile recovers into an error) single allocations above max.
type boundedAllocator struct {
	memory.Allocator
	max int
}

// AllocLimitError reports a buffer larger than a file can hold.
type AllocLimitError struct{ Size, Max int }

func (e *AllocLimitError) Error() string {
	return fmt.Sprintf("it declares a buffer of %d bytes, more than its size allows (limit %d)", e.Size, e.Max)
}

func boundFor(mem memory.Allocator, fileSize int64) memory.Allocator {
	limit := int64(allocFloor)
	if fileSize < (1<<62)/allocRatio {
		limit = max(limit, fileSize*allocRatio)
	}
	return boundedAllocator{Allocator: mem, max: int(min(limit, int64(^uint(0)>>1)))}
}

func (b boundedAllocator) Allocate(size int) []byte {
	b.check(size)
	return b.Allocator.Allocate(size)
}

func (b boundedAllocator) Reallocate(size int, old []byte) []byte {
	b.check(size)
	return b.Allocator.Reallocate(size, old)
}

func (b boundedAllocator) check(size int) {
	if size > b.max || size < 0 {
		panic(&AllocLimitError{Size: size, Max: b.max})
	}
}

// poolAllocator recycles the buffers of streamed row groups: a scan reads
// row group after row group of the same shape, and fresh buffers cost
// page faults, zeroing of new memory, garbage collection and returning
// pages to the system, each time. Buffers of at least poolMin bytes come
// from a free list per power-of-two size and go back to it on Free;
// smaller ones are Go's. Every buffer is zeroed and 64-byte aligned, as
// Arrow's Go allocator gives them. Safe for concurrent use.
type poolAllocator struct {
	classes [64]sync.Pool // class c holds *[]byte of capacity 1<<c
}

const (
	poolMin   = 4 << 10
	alignment = 64
)

func newPoolAllocator() *poolAllocator { return &poolAllocator{} }

func (p *poolAllocator) Allocate(size int) []byte {
	if size < poolMin {
		return memory.DefaultAllocator.Allocate(size)
	}
	c := bits.Len(uint(size - 1))
	if v := p.classes[c].Get(); v != nil {
		b := (*v.(*[]byte))[:size]
		clear(b)
		return b
	}
	buf := make([]byte, 1<<c+alignment)
	shift := (alignment - int(uintptr(unsafe.Pointer(unsafe.SliceData(buf)))%alignment)) % alignment
	return buf[shift : shift+size : shift+1<<c]
}

func (p *poolAllocator) Reallocate(size int, b []byte) []byte {
	if cap(b) >= size {
		old := len(b)
		b = b[:size]
		if size > old {
			clear(b[old:])
		}
		return b
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

func (p *poolAllocator) Free(b []byte) {
	c := cap(b)
	if c < poolMin || c&(c-1) != 0 || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%alignment != 0 {
		return // not one of the pool's
	}
	b = b[:c]
	p.classes[bits.Len(uint(c-1))].Put(&b)
}
