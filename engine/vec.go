package engine

import (
	"math/bits"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
)

// vec is a column of values for one batch (or a broadcast constant). It is
// owned by the worker that evaluates the batch and reused across batches.
type vec struct {
	k     kind
	n     int
	c     bool     // constant: every row is cv
	cv    Value    //
	valid []uint64 // validity bits; nil means no nulls
	bits  []uint64 // kBool: TRUE bits, always cleared where null
	i64   []int64  // kInt, kTime, kDur
	f64   []float64
	str   strVec
	list  listVec
	// Owned scratch: the slices above may alias a batch's Arrow buffers,
	// which must never be written, so kernels write only into these.
	ownI  []int64
	ownF  []float64
	ownB  []byte
	ownO  []int64
	ownW  []uint64
	ownW2 []uint64
}

// ownInts returns owned int64 scratch of length v.n and points i64 at it.
func (v *vec) ownInts() []int64 {
	v.ownI = grow(v.ownI, v.n)
	v.i64 = v.ownI
	return v.i64
}

// ownFloats returns owned float64 scratch of length v.n and points f64 at it.
func (v *vec) ownFloats() []float64 {
	v.ownF = grow(v.ownF, v.n)
	v.f64 = v.ownF
	return v.f64
}

// ownValid returns owned validity words (all valid) and points valid at them.
func (v *vec) ownValid() []uint64 {
	v.ownW = grow(v.ownW, words(v.n))
	for i := range v.ownW {
		v.ownW[i] = ^uint64(0)
	}
	tailMask(v.ownW, v.n)
	v.valid = v.ownW
	return v.valid
}

// strVec is a view of string values: Arrow offsets into data, or offsets
// written by a string function into scratch.
type strVec struct {
	offs32 []int32
	offs64 []int64
	data   []byte
}

func (s *strVec) at(i int) []byte {
	if s.offs64 != nil {
		return s.data[s.offs64[i]:s.offs64[i+1]]
	}
	return s.data[s.offs32[i]:s.offs32[i+1]]
}

// listVec is a view of a list column: row i's elements are
// values[offs[i]:offs[i+1]].
type listVec struct {
	offs32 []int32
	offs64 []int64
	values arrow.Array
}

func (l *listVec) bounds(i int) (int, int) {
	if l.offs64 != nil {
		return int(l.offs64[i]), int(l.offs64[i+1])
	}
	return int(l.offs32[i]), int(l.offs32[i+1])
}

func words(n int) int { return (n + 63) >> 6 }

// grow returns s resized to n, reusing its storage when it is large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, n+n/4)
}

// tailMask clears the bits past n in the last word.
func tailMask(w []uint64, n int) {
	if r := n & 63; r != 0 && len(w) > 0 {
		w[len(w)-1] &= (1 << uint(r)) - 1
	}
}

// validityOf copies an Arrow validity bitmap (which may start at any bit
// offset) into word-aligned bits; nil when the array has no nulls.
func validityOf(a arrow.Array, dst []uint64) []uint64 {
	if a.NullN() == 0 {
		return nil
	}
	n := a.Len()
	dst = grow(dst, words(n))
	copyBits(dst, a.NullBitmapBytes(), a.Data().Offset(), n)
	return dst
}

// bitmapOf is validityOf for arrays other goroutines may be reading: it
// never calls NullN, which computes and stores an unknown null count. It
// copies the validity buffer whenever there is one (nil when there is
// none, so every row is valid).
func bitmapOf(a arrow.Array, dst []uint64) []uint64 {
	b := a.NullBitmapBytes()
	if len(b) == 0 {
		return nil
	}
	n := a.Len()
	dst = grow(dst, words(n))
	copyBits(dst, b, a.Data().Offset(), n)
	return dst
}

// copyBits copies n bits starting at bit off of src into dst.
func copyBits(dst []uint64, src []byte, off, n int) {
	nw := words(n)
	if off&7 == 0 {
		b := src[off>>3:]
		full := min(len(b)/8, nw)
		if full > 0 {
			copy(dst, unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), full))
		}
		for w := full; w < nw; w++ {
			var x uint64
			for k := 0; k < 8 && w*8+k < len(b); k++ {
				x |= uint64(b[w*8+k]) << (8 * k)
			}
			dst[w] = x
		}
		tailMask(dst[:nw], n)
		return
	}
	for w := 0; w < nw; w++ {
		dst[w] = 0
	}
	for i := 0; i < n; i++ {
		j := off + i
		if src[j>>3]&(1<<uint(j&7)) != 0 {
			dst[i>>6] |= 1 << uint(i&63)
		}
	}
}

// andValid returns the validity of a row needing both a and b.
func andValid(dst, a, b []uint64, n int) []uint64 {
	switch {
	case a == nil && b == nil:
		return nil
	case a == nil:
		return append(dst[:0], b[:words(n)]...)
	case b == nil:
		return append(dst[:0], a[:words(n)]...)
	}
	dst = grow(dst, words(n))
	for i := range dst {
		dst[i] = a[i] & b[i]
	}
	return dst
}

// wordMask has the bits of word w that are rows below n.
func wordMask(w, n int) uint64 {
	if rem := n - w<<6; rem < 64 {
		return 1<<uint(rem) - 1
	}
	return ^uint64(0)
}

func popcount(w []uint64) int {
	c := 0
	for _, x := range w {
		c += bits.OnesCount64(x)
	}
	return c
}

func bitAt(w []uint64, i int) bool { return w[i>>6]&(1<<uint(i&63)) != 0 }
func setBit(w []uint64, i int)     { w[i>>6] |= 1 << uint(i&63) }
func clearBit(w []uint64, i int)   { w[i>>6] &^= 1 << uint(i&63) }

// isValid reports whether row i of v is non-null.
func (v *vec) isValid(i int) bool {
	if v.c {
		return !v.cv.Null
	}
	return v.valid == nil || bitAt(v.valid, i)
}
