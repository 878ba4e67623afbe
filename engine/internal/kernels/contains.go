package kernels

import (
	"bytes"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/engine/internal/value"
)

// Contains tests list rows against constant needles: `l contains v` and
// `l contains any (…)` hold where some element equals some needle,
// `l contains all (…)` where every needle is equal to some element. Null
// elements equal nothing. Immutable and safe for concurrent use.
type Contains struct {
	All     bool
	Kind    value.Kind // KStr, KInt or KFloat: how elements and needles compare
	Needles []value.Value
	Bytes   [][]byte // string needles as bytes (set by WithNeedles)
}

// WithNeedles returns c with its needles set (non-null constants).
func (c Contains) WithNeedles(needles []value.Value) *Contains {
	c.Needles, c.Bytes = needles, nil
	for _, v := range needles {
		c.Bytes = append(c.Bytes, []byte(v.S))
	}
	return &c
}

// MaxContainsAll is the most needles `contains all` takes (a bit each).
const MaxContainsAll = 64

// ContainsScratch is one worker's reusable memory for Contains.
type ContainsScratch struct {
	masks, elems, prefix, rows []uint64
}

// Eval sets bit i of out where list row i of l (n rows) holds. Bits of
// null rows are arbitrary: callers mask by validity.
func (c *Contains) Eval(l *ListVec, n int, sel Sel, out []uint64, s *ContainsScratch) {
	if sel.Dense(n, 2) && len(c.Needles) > 0 {
		if sa, ok := l.Values.(*array.String); ok && c.Kind == value.KStr {
			c.denseStrings(l, sa, n, out, s)
			return
		}
	}
	s.masks = c.elementMasks(l.Values, s.masks)
	full := uint64(1)<<uint(len(c.Needles)) - 1
	if len(c.Needles) == 64 {
		full = ^uint64(0)
	}
	for w := 0; w < Words(n); w++ {
		var b uint64
		for x := sel.Word(w, n); x != 0; x &= x - 1 {
			j := trailingZeros(x)
			lo, hi := l.Bounds(w<<6 + j)
			var m uint64
			for _, e := range s.masks[lo:hi] {
				m |= e
			}
			hit := m != 0
			if c.All {
				hit = m == full
			}
			b |= B2U(hit) << uint(j)
		}
		out[w] = b
	}
}

// elementMasks computes, for every element of a list column's values, the
// set of needles it equals (bit j for needle j). For dictionary-encoded
// elements the work is done once per dictionary entry.
func (c *Contains) elementMasks(values arrow.Array, buf []uint64) []uint64 {
	out := Grow(buf, values.Len())
	if d, ok := values.(*array.Dictionary); ok {
		entries := c.elementMasks(d.Dictionary(), nil)
		for i := range out {
			out[i] = 0
			if d.IsValid(i) {
				if code := d.GetValueIndex(i); code >= 0 && code < len(entries) {
					out[i] = entries[code]
				}
			}
		}
		return out
	}
	for i := range out {
		out[i] = 0
		if values.IsNull(i) {
			continue
		}
		for j, nd := range c.Needles {
			if c.elementEquals(values, i, nd) {
				out[i] |= 1 << uint(j)
			}
		}
	}
	return out
}

// elementEquals compares element i with a needle.
func (c *Contains) elementEquals(values arrow.Array, i int, nd value.Value) bool {
	switch a := values.(type) {
	case *array.String:
		return a.Value(i) == nd.S
	case *array.LargeString:
		return a.Value(i) == nd.S
	case *array.Float64:
		return value.CmpFloat(a.Value(i), nd.AsFloat()) == 0
	case *array.Float32:
		return value.CmpFloat(float64(a.Value(i)), nd.AsFloat()) == 0
	case *array.Uint64:
		x := a.Value(i)
		if c.Kind == value.KFloat {
			return value.CmpFloat(float64(x), nd.AsFloat()) == 0
		}
		return x <= math.MaxInt64 && int64(x) == nd.I
	}
	if x, ok := intAt(values, i); ok {
		if c.Kind == value.KFloat {
			return value.CmpFloat(float64(x), nd.AsFloat()) == 0
		}
		return x == nd.I
	}
	return false
}

// denseStrings evaluates Contains over lists of plain strings without a
// mask per element. `contains` and `contains any` are one pass of
// anyStrings over all needles; `contains all` is one pass per needle,
// the rows holding each needle ANDed together.
func (c *Contains) denseStrings(l *ListVec, sa *array.String, n int, out []uint64, s *ContainsScratch) {
	if !c.All {
		anyStrings(l, sa, n, c.Needles, out, s)
		return
	}
	s.rows = Grow(s.rows, Words(n))
	for j := range c.Needles {
		if j == 0 {
			anyStrings(l, sa, n, c.Needles[:1], out, s)
			continue
		}
		anyStrings(l, sa, n, c.Needles[j:j+1], s.rows, s)
		for w := range Words(n) {
			out[w] &= s.rows[w]
		}
	}
}

// anyStrings sets bit i of out where list i holds one of needles: the
// elements equal to a needle become a bitmap (a length test on the
// offsets first, bytes compared only on equal lengths), and a row is TRUE
// when its element range holds a set bit, read from running bit counts
// with no branch per row.
func anyStrings(l *ListVec, sa *array.String, n int, needles []value.Value, out []uint64, s *ContainsScratch) {
	if n == 0 {
		return
	}
	lo, _ := l.Bounds(0)
	_, hi := l.Bounds(n - 1)
	m := hi - lo
	s.elems = Grow(s.elems, Words(m)+1)
	clear(s.elems)
	offs, data := sa.ValueOffsets()[lo:hi+1], bufferBytes(sa, 2)
	for _, nd := range needles {
		markEqualStrings(s.elems, offs, data, nd.S)
	}
	s.prefix = Grow(s.prefix, len(s.elems))
	if sa.NullN() > 0 { // a null element equals nothing: AND the validity a word at a time
		CopyBits(s.prefix, sa.NullBitmapBytes(), sa.Data().Offset()+lo, m)
		for w := range Words(m) {
			s.elems[w] &= s.prefix[w]
		}
	}
	var run uint64
	for w, e := range s.elems {
		s.prefix[w] = run
		run += uint64(bits.OnesCount64(e))
	}
	if l.Offs32 != nil {
		coverAny(out, l.Offs32[:n+1], lo, s.elems, s.prefix)
	} else {
		coverAny(out, l.Offs64[:n+1], lo, s.elems, s.prefix)
	}
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
	for w := 0; w < Words(n); w++ {
		end := min(w<<6+64, n)
		var b uint64
		for i := w << 6; i < end; i++ {
			next := upTo(int(offs[i+1]) - base)
			b |= B2U(next > prev) << uint(i&63)
			prev = next
		}
		out[w] = b
	}
}

// bufferBytes returns buffer i of an array, or nil.
func bufferBytes(a arrow.Array, i int) []byte {
	if b := a.Data().Buffers()[i]; b != nil {
		return b.Bytes()
	}
	return nil
}

// ContainsString is the substring form: s contains one, any or all needles.
func ContainsString(s []byte, needles [][]byte, all bool) bool {
	for _, nd := range needles {
		has := bytes.Contains(s, nd)
		switch {
		case has && !all:
			return true
		case !has && all:
			return false
		}
	}
	return all
}

// ListHolds is Contains for one list row of values (the row evaluator's
// form): null elements equal nothing.
func (c *Contains) ListHolds(elems []value.Value) bool {
	var need uint64
	for _, e := range elems {
		if e.Null {
			continue
		}
		for j, nd := range c.Needles {
			if c.valueEquals(e, nd) {
				if !c.All {
					return true
				}
				need |= 1 << uint(j)
			}
		}
	}
	if !c.All {
		return false
	}
	return need == uint64(1)<<uint(len(c.Needles))-1 || (len(c.Needles) == 64 && need == ^uint64(0))
}

func (c *Contains) valueEquals(e, nd value.Value) bool {
	if c.Kind == value.KFloat {
		return value.CmpFloat(e.AsFloat(), nd.AsFloat()) == 0
	}
	return value.Compare(e, nd) == 0
}
