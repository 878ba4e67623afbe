package columnar

import (
	"fmt"

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
