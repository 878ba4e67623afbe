package engine

import (
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/lang/ast"
)

// anyStringContains evaluates `list contains v` and `contains any (…)` over
// a list of plain strings without a mask per element: the elements equal
// to a wanted value become a bitmap (a length test on the offsets first,
// bytes compared only on equal lengths), and a row is TRUE when its
// element range holds a set bit, read from running bit counts with no
// branch per row. It reports false (and does nothing) for other shapes.
// elems and prefix are scratch, returned for reuse.
func anyStringContains(n *node, a *vec, out, elems, prefix []uint64) (ok bool, _, _ []uint64) {
	sa, isStr := a.list.values.(*array.String)
	if !isStr || n.mode == ast.ContainsAll {
		return false, elems, prefix
	}
	var lo, hi int
	if a.list.offs32 != nil {
		lo, hi = int(a.list.offs32[0]), int(a.list.offs32[a.n])
	} else {
		lo, hi = int(a.list.offs64[0]), int(a.list.offs64[a.n])
	}
	m := hi - lo
	elems = grow(elems, words(m)+1)
	clear(elems)
	offs, data := sa.ValueOffsets()[lo:hi+1], bufferBytes(sa, 2)
	for _, v := range n.vals {
		if !v.Null {
			markEqualStrings(elems, offs, data, v.S)
		}
	}
	prefix = grow(prefix, len(elems))
	if sa.NullN() > 0 { // a null element equals nothing: AND the validity, a word at a time
		copyBits(prefix, sa.NullBitmapBytes(), sa.Data().Offset()+lo, m)
		for w := range words(m) {
			elems[w] &= prefix[w]
		}
	}
	var run uint64
	for w, e := range elems {
		prefix[w] = run
		run += uint64(bits.OnesCount64(e))
	}
	if a.list.offs32 != nil {
		coverAny(out, a.list.offs32, lo, elems, prefix)
	} else {
		coverAny(out, a.list.offs64, lo, elems, prefix)
	}
	return true, elems, prefix
}

// markEqualStrings sets bit i of elems where string i (offs[i]:offs[i+1]
// in data) equals want: elements of want's length are found first (by the
// vector kernel where available), then only they are compared.
func markEqualStrings(elems []uint64, offs []int32, data []byte, want string) {
	n := len(offs) - 1
	l := int32(len(want))
	done := 0
	if useSIMD && n >= 64 && len(want) <= math.MaxInt32 {
		nw := n >> 6
		cand := elems[len(elems)-1:] // one scratch word past the elements' own
		for w := 0; w < nw; w++ {
			eqLenWords32(&cand[0], &offs[w<<6], 1, l)
			for c := cand[0]; c != 0; c &= c - 1 {
				i := w<<6 + bits.TrailingZeros64(c)
				if string(data[offs[i]:offs[i+1]]) == want {
					elems[w] |= 1 << uint(i&63)
				}
			}
		}
		cand[0] = 0
		done = nw << 6
	}
	for i := done; i < n; i++ {
		s, e := offs[i], offs[i+1]
		if e-s == l && string(data[s:e]) == want {
			elems[i>>6] |= 1 << uint(i&63)
		}
	}
}

// coverAny sets bit i of out where list i's elements (offs[i]-base up to
// offs[i+1]-base in elems) include a set bit: the count of set bits
// before its end exceeds the count before its start.
func coverAny[O int32 | int64](out []uint64, offs []O, base int, elems, prefix []uint64) {
	upTo := func(k int) uint64 {
		w := k >> 6
		return prefix[w] + uint64(bits.OnesCount64(elems[w]&(1<<uint(k&63)-1)))
	}
	n := len(offs) - 1
	prev := upTo(int(offs[0]) - base)
	for w := 0; w < words(n); w++ {
		end := min(w<<6+64, n)
		var b uint64
		for i := w << 6; i < end; i++ {
			next := upTo(int(offs[i+1]) - base)
			b |= b2u(next > prev) << uint(i&63)
			prev = next
		}
		out[w] = b
	}
}
