package engine

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// stringPredicate evaluates like, matches and substring contains row by row
// over the string bytes (no per-row allocation).
func (cp *compiler) stringPredicate(n *node) evalFn {
	x, s := cp.compile(n.kids[0]), cp.slot()
	var test func([]byte) bool
	switch n.op {
	case opLike:
		test = n.like.match
	case opMatches:
		test = n.re.Match
	default:
		test = func(b []byte) bool { return strContains(n, b) }
	}
	return func(c *ectx) *vec {
		a := x(c)
		v := c.boolOut(s)
		if a.c {
			v.c, v.cv = true, null(kBool)
			if !a.cv.Null {
				v.cv = boolVal(test([]byte(a.cv.S)))
			}
			return v
		}
		v.valid = a.valid
		for i := 0; i < c.n; i++ {
			if a.isValid(i) && test(a.str.at(i)) {
				setBit(v.bits, i)
			}
		}
		return v
	}
}

// inSet tests membership in a constant list: TRUE when found, else UNKNOWN
// if the list holds null, else FALSE.
func (cp *compiler) inSet(n *node) evalFn {
	if f := cp.inIntRuns(n); f != nil {
		return f
	}
	x, s, set := cp.compile(n.kids[0]), cp.slot(), n.set
	return func(c *ectx) *vec {
		a := x(c)
		v := c.boolOut(s)
		if a.c {
			r, _ := n.applyPredicate([]Value{a.cv}, c.now)
			v.c, v.cv = true, r
			return v
		}
		found := v.bits
		switch set.k {
		case kInt, kTime, kDur:
			for i, x := range a.i64 {
				if set.hasInt(x) {
					setBit(found, i)
				}
			}
		case kFloat:
			for i, x := range a.f64 {
				if set.hasFloat(x) {
					setBit(found, i)
				}
			}
		case kStr:
			for i := 0; i < c.n; i++ {
				if a.isValid(i) && set.hasStr(a.str.at(i)) {
					setBit(found, i)
				}
			}
		case kBool:
			for i := range found {
				var w uint64
				if set.bools[1] {
					w |= a.bits[i]
				}
				if set.bools[0] {
					w |= ^a.bits[i]
				}
				found[i] = w
			}
		}
		if a.valid != nil {
			for i := range found {
				found[i] &= a.valid[i] // a null value is never found
			}
		}
		inSetValidity(v, a, set.hasNull)
		return v
	}
}

// inSetValidity: a row is known if its value is non-null and either found
// or the list has no null.
func inSetValidity(v, a *vec, listHasNull bool) {
	if listHasNull {
		v.valid = grow(v.ownW, words(v.n))
		copy(v.valid, v.bits)
		v.ownW = v.valid
	} else if a.valid != nil {
		v.valid = append(v.ownW[:0], a.valid...)
		v.ownW = v.valid
	}
	maskByValid(v)
}

// listContains tests list elements against constant values. Each element
// gets a bit mask of the values it equals; a row is TRUE when its elements
// cover one value (one, any) or all of them (all). Null elements are
// ignored; a null list is UNKNOWN.
func (cp *compiler) listContains(n *node) evalFn {
	x, s := cp.compile(n.kids[0]), cp.slot()
	full := uint64(1)<<uint(len(n.vals)) - 1
	all, fast := n.mode == 2, !cp.plain
	return func(c *ectx) *vec {
		a := x(c)
		v := c.boolOut(s)
		v.valid = a.valid
		if fast {
			var ok bool
			if ok, c.tmp2[s], c.tmp3[s] = anyStringContains(n, a, v.bits, c.tmp2[s], c.tmp3[s]); ok {
				maskByValid(v) // a null list is UNKNOWN
				return v
			}
		}
		masks := elementMasks(n, a.list.values, c.tmp[s])
		c.tmp[s] = masks
		if a.list.offs32 != nil {
			coverRows(v.bits, a.list.offs32, masks, full, all)
		} else {
			coverRows(v.bits, a.list.offs64, masks, full, all)
		}
		maskByValid(v) // a null list is UNKNOWN whatever its offsets say
		return v
	}
}

// coverRows sets bit i where row i's elements cover one value (any) or all
// of them (all), a word of rows at a time.
func coverRows[O int32 | int64](out []uint64, offs []O, masks []uint64, full uint64, all bool) {
	n := len(offs) - 1
	for w := 0; w < words(n); w++ {
		base := w << 6
		end := min(base+64, n)
		var bits uint64
		for i := base; i < end; i++ {
			var m uint64
			for _, e := range masks[offs[i]:offs[i+1]] {
				m |= e
			}
			hit := m != 0
			if all {
				hit = m == full
			}
			bits |= b2u(hit) << uint(i-base)
		}
		out[w] = bits
	}
}

// elementMasks computes, for every element of a list column's values, the
// set of constants it equals (bit j for n.vals[j]). For dictionary-encoded
// elements the work is done once per dictionary entry.
func elementMasks(n *node, values arrow.Array, buf []uint64) []uint64 {
	out := grow(buf, values.Len())
	if d, ok := values.(*array.Dictionary); ok {
		entries := elementMasks(n, d.Dictionary(), nil)
		for i := range out {
			out[i] = 0
			if d.IsValid(i) {
				out[i] = entries[d.GetValueIndex(i)]
			}
		}
		return out
	}
	if sa, ok := values.(*array.String); ok {
		return stringElementMasks(n, sa, out)
	}
	probe := &vec{n: values.Len(), k: n.set.k}
	if err := loadColumn(probe, values); err != nil {
		clear(out)
		return out
	}
	probe.valid = validityOf(values, nil)
	for i := range out {
		out[i] = 0
		if !probe.isValid(i) {
			continue
		}
		for j, val := range n.vals {
			if !val.Null && elementEquals(probe, i, val) {
				out[i] |= 1 << uint(j)
			}
		}
	}
	return out
}

func elementEquals(p *vec, i int, val Value) bool {
	switch p.k {
	case kStr:
		return string(p.str.at(i)) == val.S
	case kFloat:
		return cmpFloat(p.f64[i], val.float()) == 0
	}
	return p.i64[i] == val.I
}

// stringElementMasks is elementMasks for plain string elements: a direct
// loop over the offsets and bytes, comparing lengths first.
func stringElementMasks(n *node, a *array.String, out []uint64) []uint64 {
	offs, data := a.ValueOffsets(), bufferBytes(a, 2)
	wants := make([][]byte, len(n.vals))
	for j, v := range n.vals {
		if !v.Null {
			wants[j] = []byte(v.S)
		}
	}
	hasNulls := a.NullN() > 0
	for i := range out {
		e := data[offs[i]:offs[i+1]]
		var m uint64
		for j, w := range wants {
			if w != nil && len(e) == len(w) && string(e) == string(w) {
				m |= 1 << uint(j)
			}
		}
		if hasNulls && a.IsNull(i) {
			m = 0
		}
		out[i] = m
	}
	return out
}
