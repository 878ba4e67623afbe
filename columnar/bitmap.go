package columnar

import "math/bits"

// Bitmap is a fixed-size set of row indexes [0, Len), 64 rows a word.
// Bits past Len are always zero. A Bitmap is not safe for concurrent
// mutation; concurrent reads are fine.
type Bitmap struct {
	words []uint64
	n     int
}

// NewBitmap returns an empty bitmap of n rows.
func NewBitmap(n int) *Bitmap { return &Bitmap{words: make([]uint64, (n+63)/64), n: n} }

// Len returns the number of rows the bitmap covers.
func (b *Bitmap) Len() int { return b.n }

// Words exposes the backing words for bulk operations.
func (b *Bitmap) Words() []uint64 { return b.words }

// Set adds row i.
func (b *Bitmap) Set(i int) { b.words[i>>6] |= 1 << (uint(i) & 63) }

// Get reports whether row i is in the set.
func (b *Bitmap) Get(i int) bool { return b.words[i>>6]&(1<<(uint(i)&63)) != 0 }

// Count returns the number of rows in the set.
func (b *Bitmap) Count() int {
	n := 0
	for _, w := range b.words {
		n += bits.OnesCount64(w)
	}
	return n
}

// And keeps rows also in o (same length).
func (b *Bitmap) And(o *Bitmap) {
	for i := range b.words {
		b.words[i] &= o.words[i]
	}
}

// Or adds the rows of o (same length).
func (b *Bitmap) Or(o *Bitmap) {
	for i := range b.words {
		b.words[i] |= o.words[i]
	}
}

// AndNot removes the rows of o (same length).
func (b *Bitmap) AndNot(o *Bitmap) {
	for i := range b.words {
		b.words[i] &^= o.words[i]
	}
}

// Clone returns a copy.
func (b *Bitmap) Clone() *Bitmap {
	return &Bitmap{words: append([]uint64(nil), b.words...), n: b.n}
}

// Each calls f for every row in the set, in increasing order, until f
// returns false.
func (b *Bitmap) Each(f func(i int) bool) {
	for wi, w := range b.words {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			if !f(wi<<6 + t) {
				return
			}
			w &= w - 1
		}
	}
}

// OrAt ORs n rows of bits (src, starting at bit 0) into b at row start:
// word by word when start is a multiple of 64, else bit by bit.
func (b *Bitmap) OrAt(start int, src []uint64, n int) {
	if start%64 == 0 {
		base := start / 64
		for i := 0; i < (n+63)/64; i++ {
			b.words[base+i] |= src[i]
		}
		return
	}
	for i := 0; i < n; i++ {
		if src[i>>6]&(1<<(uint(i)&63)) != 0 {
			b.Set(start + i)
		}
	}
}
