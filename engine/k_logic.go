package engine

import "github.com/apache/arrow-go/v18/arrow"

// not: TRUE ↔ FALSE, UNKNOWN stays UNKNOWN.
func (cp *compiler) not(n *node) evalFn {
	x, s := cp.compile(n.kids[0]), cp.slot()
	return func(c *ectx) *vec {
		a := x(c)
		v := c.boolOut(s)
		if a.c {
			v.c, v.cv = true, a.cv
			if !a.cv.Null {
				v.cv = boolVal(!a.cv.B)
			}
			return v
		}
		if a.valid != nil {
			v.valid = append(v.ownW[:0], a.valid...)
			v.ownW = v.valid
		}
		for i := range v.bits {
			w := ^a.bits[i]
			if a.valid != nil {
				w &= a.valid[i]
			}
			v.bits[i] = w
		}
		tailMask(v.bits, c.n)
		return v
	}
}

// logic evaluates an n-ary Kleene and/or word by word: for and, TRUE needs
// every term TRUE and FALSE needs any term FALSE; or is the dual.
func (cp *compiler) logic(n *node) evalFn {
	var terms []evalFn
	kids := n.kids
	if n.op == opAnd && !cp.plain {
		terms, kids = cp.fuseRanges(kids)
	}
	for _, k := range kids {
		terms = append(terms, cp.compile(k))
	}
	if len(terms) == 1 {
		return terms[0]
	}
	s, isAnd := cp.slot(), n.op == opAnd
	return func(c *ectx) *vec {
		v := c.boolOut(s)
		nw := words(c.n)
		T, F := grow(v.ownW, nw), grow(c.tmp[s], nw)
		t, f := c.tmp2[s], c.tmp3[s]
		for i, term := range terms {
			a := term(c)
			if i == 0 {
				T, F = a.truth(T, F)
				continue
			}
			t, f = a.truth(t, f)
			combine(T, F, t, f, isAnd)
		}
		copy(v.bits, T)
		for i := range T {
			T[i] |= F[i]
		}
		v.ownW, c.tmp[s], c.tmp2[s], c.tmp3[s] = T, F, t, f
		v.valid = T
		return v
	}
}

func combine(T, F, t, f []uint64, isAnd bool) {
	if isAnd {
		for i := range T {
			T[i] &= t[i]
			F[i] |= f[i]
		}
		return
	}
	for i := range T {
		T[i] |= t[i]
		F[i] &= f[i]
	}
}

// isNull never yields UNKNOWN. A top-level column's test reads only its
// validity bitmap, never its values.
func (cp *compiler) isNull(n *node) evalFn {
	x, s, not := cp.compile(n.kids[0]), cp.slot(), n.not
	if k := n.kids[0]; k.op == opCol && len(k.fields) == 0 && k.atype.ID() != arrow.DICTIONARY && !cp.plain {
		x = cp.validityOnly(k.col, k.k)
	}
	return func(c *ectx) *vec {
		a := x(c)
		v := c.boolOut(s)
		if a.c {
			v.c, v.cv = true, boolVal(a.cv.Null != not)
			return v
		}
		for i := range v.bits {
			w := uint64(0) // the null bits
			if a.valid != nil {
				w = ^a.valid[i]
			}
			if not {
				w = ^w
			}
			v.bits[i] = w
		}
		tailMask(v.bits, c.n)
		return v
	}
}

// validityOnly returns a column's validity as a vector of kind k whose
// values are not loaded (only isNull reads it).
func (cp *compiler) validityOnly(col int, k kind) evalFn {
	s := cp.slot()
	return func(c *ectx) *vec {
		v := c.out(s, k)
		v.valid = validityOf(c.cols[col], v.ownW)
		if v.valid != nil {
			v.ownW = v.valid
		}
		return v
	}
}
