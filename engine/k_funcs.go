package engine

import (
	"bytes"
	"math"
	"math/bits"
)

// call evaluates built-in functions vectorized; every kernel applies the
// same per-element helper as the scalar evaluator.
func (cp *compiler) call(n *node) evalFn {
	if n.rank != nil {
		return rankFunc(n, cp.table, cp.slot())
	}
	args := make([]evalFn, len(n.kids))
	for i, k := range n.kids {
		args[i] = cp.compile(k)
	}
	s := cp.slot()
	switch n.fn {
	case "coalesce":
		return cp.coalesce(n, args, s)
	case "lower", "upper":
		return strFunc(n, args[0], s)
	case "starts_with", "ends_with":
		return affixFunc(n, args, s)
	case "bucket":
		return bucketFunc(n, args[0], s)
	}
	return func(c *ectx) *vec {
		a := args[0](c)
		v := c.out(s, n.k)
		if a.c {
			return constCall(c, v, n, args)
		}
		var d int64
		if len(args) > 1 {
			b := args[1](c)
			if !b.c {
				return rowCall(c, v, n, args)
			}
			if b.cv.Null {
				v.c, v.cv = true, null(n.k)
				return v
			}
			d = b.cv.I
		}
		v.valid = a.valid
		if err := numericCall(v, n.fn, a, d, c.now); err != nil {
			c.fail(err)
		}
		return v
	}
}

// numericCall runs the one-argument numeric and time functions.
func numericCall(v *vec, fn string, a *vec, d, now int64) error {
	switch {
	case fn == "len" && a.k == kList:
		out := v.ownInts()
		for i := range out {
			lo, hi := a.list.bounds(i)
			out[i] = int64(hi - lo)
		}
	case fn == "len":
		out := v.ownInts()
		for i := range out {
			if a.isValid(i) {
				out[i] = runeLen(a.str.at(i))
			}
		}
	case v.k == kFloat:
		out, x := v.ownFloats(), a.f64
		f := map[string]func(float64) float64{"abs": math.Abs, "floor": math.Floor, "ceil": math.Ceil,
			"round": func(x float64) float64 { return roundFloat(x, d) }}[fn]
		for i := range out {
			out[i] = f(x[i])
		}
	default:
		return intCall(v, fn, a, d, now)
	}
	return nil
}

func intCall(v *vec, fn string, a *vec, d, now int64) error {
	out, x := v.ownInts(), a.i64
	for i := range out {
		if !a.isValid(i) {
			out[i] = 0
			continue
		}
		switch fn {
		case "abs":
			if x[i] == math.MinInt64 {
				return errOverflow
			}
			out[i] = abs64(x[i])
		case "round":
			r, ok := roundInt(x[i], d)
			if !ok {
				return errOverflow
			}
			out[i] = r
		case "floor", "ceil":
			out[i] = x[i]
		case "days_since":
			out[i] = daysSince(now, x[i])
		case "year":
			out[i] = yearOf(x[i])
		case "month":
			out[i] = monthOf(x[i])
		case "day_of_week":
			out[i] = isoDOW(x[i])
		}
	}
	return nil
}

// constCall evaluates a call whose first argument is constant.
func constCall(c *ectx, v *vec, n *node, args []evalFn) *vec {
	vals := make([]Value, len(args))
	for i, a := range args {
		av := a(c)
		if !av.c {
			return rowCall(c, v, n, args)
		}
		vals[i] = av.cv
	}
	r, err := callScalar(n, vals, c.now)
	if err != nil {
		c.fail(err)
	}
	v.c, v.cv = true, r
	return v
}

// rowCall is the general path: evaluate the arguments as vectors and apply
// the scalar function row by row. Used for rare shapes such as a
// non-constant second argument to round.
func rowCall(c *ectx, v *vec, n *node, args []evalFn) *vec {
	vecs := make([]*vec, len(args))
	for i, a := range args {
		vecs[i] = a(c)
	}
	results := make([]Value, c.n)
	vals := make([]Value, len(args))
	for i := 0; i < c.n; i++ {
		for j, a := range vecs {
			vals[j] = valueAt(a, i)
		}
		r, err := callScalar(n, vals, c.now)
		if err != nil {
			c.fail(err)
			break
		}
		results[i] = r
	}
	storeValues(v, results)
	return v
}

// valueAt reads row i of a vector as a Value (general paths only).
func valueAt(v *vec, i int) Value {
	if v.c {
		return v.cv
	}
	if !v.isValid(i) {
		return null(v.k)
	}
	switch v.k {
	case kBool:
		return boolVal(bitAt(v.bits, i))
	case kFloat:
		return floatVal(v.f64[i])
	case kStr:
		return strVal(string(v.str.at(i)))
	case kList:
		lo, hi := v.list.bounds(i)
		return Value{K: kList, L: listValues(v.list.values, lo, hi)}
	}
	return Value{K: v.k, I: v.i64[i]}
}

// storeValues writes row values into v's owned scratch.
func storeValues(v *vec, vals []Value) {
	v.ownValid()
	switch v.k {
	case kFloat:
		out := v.ownFloats()
		for i, x := range vals {
			out[i] = x.F
		}
	case kStr:
		v.ownO = grow(v.ownO, v.n+1)
		v.ownB = v.ownB[:0]
		v.ownO[0] = 0
		for i, x := range vals {
			v.ownB = append(v.ownB, x.S...)
			v.ownO[i+1] = int64(len(v.ownB))
		}
		v.str = strVec{offs64: v.ownO, data: v.ownB}
	case kBool:
		v.bits = grow(v.bits, words(v.n))
		clear(v.bits)
		for i, x := range vals {
			if !x.Null && x.B {
				setBit(v.bits, i)
			}
		}
	default:
		out := v.ownInts()
		for i, x := range vals {
			out[i] = x.I
		}
	}
	for i, x := range vals {
		if x.Null {
			clearBit(v.valid, i)
		}
	}
}

// strFunc evaluates lower and upper into the slot's byte scratch.
func strFunc(n *node, arg evalFn, s int) evalFn {
	upper := n.fn == "upper"
	return func(c *ectx) *vec {
		a := arg(c)
		v := c.out(s, kStr)
		if a.c {
			r, _ := callScalar(n, []Value{a.cv}, c.now)
			v.c, v.cv = true, r
			return v
		}
		v.valid = a.valid
		v.ownO = grow(v.ownO, c.n+1)
		v.ownB = v.ownB[:0]
		v.ownO[0] = 0
		for i := 0; i < c.n; i++ {
			if a.isValid(i) {
				if upper {
					v.ownB = upperBytes(v.ownB, a.str.at(i))
				} else {
					v.ownB = lowerBytes(v.ownB, a.str.at(i))
				}
			}
			v.ownO[i+1] = int64(len(v.ownB))
		}
		v.str = strVec{offs64: v.ownO, data: v.ownB}
		return v
	}
}

func affixFunc(n *node, args []evalFn, s int) evalFn {
	prefix := n.fn == "starts_with"
	return func(c *ectx) *vec {
		a, b := args[0](c), args[1](c)
		v := c.boolOut(s)
		v.valid = andValid(v.ownW, a.validity(), b.validity(), c.n)
		if v.valid != nil {
			v.ownW = v.valid
		}
		sa, sb := stringsOf(a), stringsOf(b)
		for i := 0; i < c.n; i++ {
			if !a.isValid(i) || !b.isValid(i) {
				continue
			}
			x, y := sa(i), sb(i)
			if (prefix && bytes.HasPrefix(x, y)) || (!prefix && bytes.HasSuffix(x, y)) {
				setBit(v.bits, i)
			}
		}
		if a.c && b.c {
			v.c, v.cv = true, valueAt(v, 0)
		}
		return v
	}
}

// coalesce picks, per row, the first non-null argument. Numbers, times and
// booleans are copied in typed loops; strings go through Values.
func (cp *compiler) coalesce(n *node, args []evalFn, s int) evalFn {
	return func(c *ectx) *vec {
		vecs := make([]*vec, len(args))
		for i, a := range args {
			vecs[i] = a(c)
		}
		v := c.out(s, n.k)
		switch n.k {
		case kInt, kTime, kDur, kFloat:
			coalesceNumbers(v, vecs)
		default:
			coalesceValues(v, vecs)
		}
		return v
	}
}

func coalesceNumbers(v *vec, vecs []*vec) {
	valid := v.ownValid()
	clear(valid)
	isFloat := v.k == kFloat
	var fo []float64
	var io []int64
	if isFloat {
		fo = v.ownFloats()
	} else {
		io = v.ownInts()
	}
	for _, a := range vecs {
		av := a.validity()
		var af []float64
		var ai []int64
		if isFloat {
			af = a.floats()
		} else {
			ai = a.ints()
		}
		for w := range valid {
			take := ^valid[w] & wordMask(w, v.n)
			if av != nil {
				take &= av[w]
			}
			for take != 0 {
				j := w<<6 + bits.TrailingZeros64(take)
				if isFloat {
					fo[j] = af[j]
				} else {
					io[j] = ai[j]
				}
				take &= take - 1
			}
			if av == nil {
				valid[w] = ^uint64(0)
			} else {
				valid[w] |= av[w]
			}
		}
	}
	tailMask(valid, v.n)
}

func coalesceValues(v *vec, vecs []*vec) {
	results := make([]Value, v.n)
	for i := range results {
		results[i] = null(v.k)
		for _, a := range vecs {
			if a.isValid(i) {
				results[i] = valueAt(a, i)
				break
			}
		}
	}
	storeValues(v, results)
}
