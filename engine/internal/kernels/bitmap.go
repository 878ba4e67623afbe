package kernels

import (
	"math/bits"
	"unsafe"
)

// Words is the number of 64-bit words holding n bits.
func Words(n int) int { return (n + 63) >> 6 }

// Grow returns s resized to n, reusing its storage when it is large enough.
// The contents are not cleared.
func Grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, n+n/4)
}

// TailMask clears the bits past n in the last word of w.
func TailMask(w []uint64, n int) {
	if r := n & 63; r != 0 && len(w) > 0 {
		w[len(w)-1] &= (1 << uint(r)) - 1
	}
}

// WordMask has the bits of word w that are rows below n.
func WordMask(w, n int) uint64 {
	if rem := n - w<<6; rem < 64 {
		return 1<<uint(rem) - 1
	}
	return ^uint64(0)
}

// Fill sets every bit of w.
func Fill(w []uint64) {
	for i := range w {
		w[i] = ^uint64(0)
	}
}

// FillN sets the first n bits of w (which has Words(n) words) and clears
// the rest.
func FillN(w []uint64, n int) {
	Fill(w)
	TailMask(w, n)
}

// Popcount counts the set bits of w.
func Popcount(w []uint64) int {
	c := 0
	for _, x := range w {
		c += bits.OnesCount64(x)
	}
	return c
}

// BitAt reports bit i of w.
func BitAt(w []uint64, i int) bool { return w[i>>6]&(1<<uint(i&63)) != 0 }

// SetBit sets bit i of w.
func SetBit(w []uint64, i int) { w[i>>6] |= 1 << uint(i&63) }

// ClearBit clears bit i of w.
func ClearBit(w []uint64, i int) { w[i>>6] &^= 1 << uint(i&63) }

// B2U converts a comparison result without a branch (the compiler emits
// SETcc), so unpredictable data costs no mispredictions.
func B2U(b bool) uint64 {
	var u uint64
	if b {
		u = 1
	}
	return u
}

// EachBit calls f with the index of every set bit of w, in order, until f
// returns false.
func EachBit(w []uint64, f func(int) bool) {
	for wi, x := range w {
		for x != 0 {
			if !f(wi<<6 + bits.TrailingZeros64(x)) {
				return
			}
			x &= x - 1
		}
	}
}

// CopyBits copies n bits starting at bit off of src (an Arrow bitmap)
// into dst (Words(n) words), tail-masked.
func CopyBits(dst []uint64, src []byte, off, n int) {
	nw := Words(n)
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
		TailMask(dst[:nw], n)
		return
	}
	shift := uint(off & 7) // 1…7: each word spans nine source bytes
	base := off >> 3
	byteAt := func(j int) uint64 {
		if j < len(src) {
			return uint64(src[j])
		}
		return 0
	}
	for w := 0; w < nw; w++ {
		var lo uint64
		for k := 0; k < 8; k++ {
			lo |= byteAt(base+w*8+k) << (8 * uint(k))
		}
		dst[w] = lo>>shift | byteAt(base+w*8+8)<<(64-shift)
	}
	TailMask(dst[:nw], n)
}

// And sets dst = a & b word by word (all of length n words).
func And(dst, a, b []uint64) {
	for i := range dst {
		dst[i] = a[i] & b[i]
	}
}

// AndNot sets dst = a &^ b.
func AndNot(dst, a, b []uint64) {
	for i := range dst {
		dst[i] = a[i] &^ b[i]
	}
}

// Or sets dst = a | b.
func Or(dst, a, b []uint64) {
	for i := range dst {
		dst[i] = a[i] | b[i]
	}
}

// IsSubset reports whether every bit of a is set in b.
func IsSubset(a, b []uint64) bool {
	for i, x := range a {
		if x&^b[i] != 0 {
			return false
		}
	}
	return true
}

// AnySet reports whether any bit of w is set.
func AnySet(w []uint64) bool {
	for _, x := range w {
		if x != 0 {
			return true
		}
	}
	return false
}
