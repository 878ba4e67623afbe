package columnar

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// TestPoolAllocator: buffers come zeroed and 64-byte aligned, whether new
// or recycled; growing keeps the contents and zeroes the rest; foreign
// buffers are not recycled.
func TestPoolAllocator(t *testing.T) {
	p := newPoolAllocator()
	for _, size := range []int{0, 1, 100, poolMin - 1, poolMin, poolMin + 1, 1 << 20, 3<<20 + 7} {
		for range 3 {
			b := p.Allocate(size)
			require.Len(t, b, size)
			if size > 0 {
				require.Zero(t, uintptr(unsafe.Pointer(&b[0]))%alignment, "size %d", size)
			}
			for i := range b {
				require.Zero(t, b[i], "size %d byte %d", size, i)
				b[i] = 0xff
			}
			p.Free(b)
		}
	}
	b := p.Allocate(poolMin)
	for i := range b {
		b[i] = byte(i)
	}
	g := p.Reallocate(3*poolMin, b)
	require.Len(t, g, 3*poolMin)
	for i := range g {
		if i < poolMin {
			require.Equal(t, byte(i), g[i])
		} else {
			require.Zero(t, g[i])
		}
	}
	s := p.Reallocate(10, g)
	s = p.Reallocate(3*poolMin, s) // within capacity: what was cut is zeroed again
	require.Zero(t, s[10])
	p.Free(make([]byte, 3*poolMin)) // not the pool's: ignored
}
