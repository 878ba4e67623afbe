package analytics

import "math/bits"

// eachBit calls f with the index of every set bit of w, in order, until f
// returns false.
func eachBit(w []uint64, f func(int) bool) {
	for wi, x := range w {
		for x != 0 {
			if !f(wi<<6 + bits.TrailingZeros64(x)) {
				return
			}
			x &= x - 1
		}
	}
}

func words(n int) int { return (n + 63) >> 6 }

// grow returns s resized to n, reusing its storage when it is large enough.
func grow[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n, n+n/4)
}

func popcount(w []uint64) int {
	c := 0
	for _, x := range w {
		c += bits.OnesCount64(x)
	}
	return c
}
