package exec

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// chunkRows is how many rows the chunked operator computes at a time: its
// registers (8 KB each) stay in the CPU's first-level cache.
const (
	chunkRows  = 1024
	chunkWords = chunkRows / 64
)

// chunkedOp evaluates a comparison of arithmetic over numeric columns and
// constants a chunk of rows at a time, through a small program of
// register instructions compiled from the plan. Over a dense selection,
// chunks with no selected row are skipped; a sparse one is gathered a
// chunk of selected rows at a time (evalGathered). Semantics are the general operators': a null operand
// gives null, division or modulo by zero null, and an integer overflow is
// an error of its row when the row is selected and its operands valid.
type chunkedOp struct {
	slot  int
	node  *plan.Node
	prog  []chunkInstr
	nregs int
	res   int // the register compared
	cmp   kernels.CmpOp
	bound value.Value
}

type chunkInstrKind uint8

const (
	ciLoad chunkInstrKind = iota
	ciConst
	ciArith
	ciNeg
	ciCast
	ciAbs
)

// chunkInstr computes register dst from registers a and b.
type chunkInstr struct {
	kind chunkInstrKind
	dst  int
	a, b int
	col  int
	val  value.Value
	op   kernels.ArithOp
	k    value.Kind
	node *plan.Node // for error positions
}

// chunkReg is one register: a chunk of values with validity and errors.
type chunkReg struct {
	i        []int64
	f        []float64
	ibuf     [chunkRows]int64
	fbuf     [chunkRows]float64
	valid    [chunkWords]uint64
	err      [chunkWords]uint64
	allValid bool
	hasErr   bool
	cause    error
}

// newChunkedOp compiles the comparison's arithmetic into instructions.
func newChunkedOp(n *plan.Node, s int) (*chunkedOp, error) {
	o := &chunkedOp{slot: s, node: n}
	x, y, op := plan.ColumnFirst(n.Logical)
	o.res = o.compile(x)
	o.cmp, o.bound = op, y.Val
	return o, nil
}

func (o *chunkedOp) reg() int {
	o.nregs++
	return o.nregs - 1
}

func (o *chunkedOp) compile(n *plan.Node) int {
	in := chunkInstr{k: n.Kind, node: n}
	switch n.Op {
	case plan.OpConst:
		in.kind, in.val = ciConst, n.Val
	case plan.OpColumn:
		in.kind, in.col = ciLoad, n.Col.Index
	case plan.OpArith:
		in.kind, in.op = ciArith, n.Arith
		in.a, in.b = o.compile(n.Args[0]), o.compile(n.Args[1])
	case plan.OpNeg:
		in.kind, in.a = ciNeg, o.compile(n.Args[0])
	case plan.OpCast:
		in.kind, in.a = ciCast, o.compile(n.Args[0])
	case plan.OpCall: // abs
		in.kind, in.a = ciAbs, o.compile(n.Args[0])
	}
	in.dst = o.reg()
	o.prog = append(o.prog, in)
	return in.dst
}

// chunkedState is one worker's registers and gather scratch.
type chunkedState struct {
	regs []chunkReg
	idx  [chunkRows]int32
}

func (o *chunkedOp) state(c *ctx) *chunkedState {
	st, _ := c.aux[o.slot].(*chunkedState)
	if st == nil {
		st = &chunkedState{regs: make([]chunkReg, o.nregs)}
		c.aux[o.slot] = st
	}
	return st
}

func (o *chunkedOp) eval(c *ctx, sel kernels.Sel) *kernels.Vec {
	if !sel.Dense(c.n, 16) { // few rows, spread over most chunks: gather them
		return o.evalGathered(c, sel)
	}
	regs := o.state(c).regs
	v := c.vec(o.slot, value.KBool)
	bits := v.NewBits()
	valid := v.NewValid()
	for lo := 0; lo < c.n; lo += chunkRows {
		hi := min(lo+chunkRows, c.n)
		w0, nw := lo>>6, kernels.Words(hi-lo)
		var any uint64
		for w := range nw {
			any |= sel.Word(w0+w, c.n)
		}
		if any == 0 {
			continue // no selected row: its bits stay clear, its rows unknown
		}
		for i := range o.prog {
			o.step(c, regs, &o.prog[i], lo, hi, sel, nil)
		}
		o.compare(&regs[o.res], hi-lo, bits[w0:w0+nw], valid[w0:w0+nw])
		if r := &regs[o.res]; r.hasErr {
			for w := range nw {
				if e := r.err[w]; e != 0 {
					for ; e != 0; e &= e - 1 {
						v.Fail(lo+w<<6+trailingZeros(e), r.cause)
					}
				}
			}
		}
	}
	return masked(v)
}

// evalGathered runs the program over only the selected rows, up to a
// chunk of them at a time: their column values are gathered into the
// registers, computed densely, and the comparison's bits, validity and
// errors scattered back to the rows. A sparse selection then costs one
// read per selected row and column, not a pass over the batch per
// operator.
func (o *chunkedOp) evalGathered(c *ctx, sel kernels.Sel) *kernels.Vec {
	st := o.state(c)
	v := c.vec(o.slot, value.KBool)
	bits := v.NewBits()
	valid := v.NewValid()
	k := 0
	flush := func() {
		if k == 0 {
			return
		}
		idx, all := st.idx[:k], kernels.All(k)
		for i := range o.prog {
			o.step(c, st.regs, &o.prog[i], 0, k, all, idx)
		}
		var cb, cv [chunkWords]uint64
		r := &st.regs[o.res]
		o.compare(r, k, cb[:kernels.Words(k)], cv[:kernels.Words(k)])
		for j, row := range idx {
			w, bit := j>>6, uint64(1)<<uint(j&63)
			rw, rbit := row>>6, uint64(1)<<uint(row&63)
			if cb[w]&bit != 0 {
				bits[rw] |= rbit
			}
			if cv[w]&bit == 0 {
				valid[rw] &^= rbit
			}
			if r.hasErr && r.err[w]&bit != 0 {
				v.Fail(int(row), r.cause)
			}
		}
		k = 0
	}
	for w := range kernels.Words(c.n) {
		for x := sel.Word(w, c.n); x != 0; x &= x - 1 {
			st.idx[k] = int32(w<<6 + trailingZeros(x))
			if k++; k == chunkRows {
				flush()
			}
		}
	}
	flush()
	return masked(v)
}

// compare writes the chunk's comparison bits and validity.
func (o *chunkedOp) compare(r *chunkReg, n int, bits, valid []uint64) {
	if r.f != nil {
		kernels.FloatRange(r.f[:n], kernels.FloatCmpPred(o.cmp, o.bound.AsFloat()), kernels.All(n), bits)
	} else {
		kernels.RangeInts(r.i[:n], kernels.CmpRange(o.cmp, o.bound.I), kernels.All(n), bits)
	}
	for w := range valid {
		m := kernels.WordMask(w, n)
		if !r.allValid {
			m &= r.valid[w]
		}
		if r.hasErr {
			m &^= r.err[w]
		}
		valid[w] = m
	}
}

// step runs one instruction over rows [lo, hi), or, with idx, over
// positions [lo, hi) of the gathered rows idx (columns read at idx).
func (o *chunkedOp) step(c *ctx, regs []chunkReg, in *chunkInstr, lo, hi int, sel kernels.Sel, idx []int32) {
	r := &regs[in.dst]
	n := hi - lo
	switch in.kind {
	case ciLoad:
		if idx != nil {
			gatherChunk(r, c.cols[in.col], idx)
		} else {
			loadChunk(r, c.cols[in.col], lo, hi)
		}
		return
	case ciConst:
		constChunk(r, in.val, n)
		return
	}
	a := &regs[in.a]
	r.allValid, r.hasErr, r.cause = a.allValid, a.hasErr, a.cause
	r.valid, r.err = a.valid, a.err
	switch in.kind {
	case ciArith:
		b := &regs[in.b]
		andReg(r, b)
		if in.k == value.KFloat {
			floatChunk(r, in.op, a.f[:n], b.f[:n])
		} else {
			o.intChunk(r, in, a.i[:n], b.i[:n], lo, sel, c.n)
		}
	case ciNeg, ciAbs:
		o.unaryChunk(r, in, a, n, lo, sel, c.n)
	case ciCast:
		r.f, r.i = r.fbuf[:n], nil
		for j, x := range a.i[:n] {
			r.f[j] = float64(x)
		}
	}
}

// andReg combines b's validity and errors into r.
func andReg(r, b *chunkReg) {
	if !b.allValid {
		if r.allValid {
			r.valid, r.allValid = b.valid, false
		} else {
			for w := range r.valid {
				r.valid[w] &= b.valid[w]
			}
		}
	}
	if b.hasErr {
		if !r.hasErr {
			r.err, r.hasErr, r.cause = b.err, true, b.cause
		} else {
			for w := range r.err {
				r.err[w] |= b.err[w]
			}
		}
	}
}

// loadChunk reads rows [lo, hi) of a numeric column: int64 and float64
// values are viewed, narrower ones widened.
func loadChunk(r *chunkReg, a arrow.Array, lo, hi int) {
	n := hi - lo
	r.hasErr, r.cause, r.i, r.f = false, nil, nil, nil
	r.allValid = a.NullN() == 0
	if !r.allValid {
		kernels.CopyBits(r.valid[:], a.NullBitmapBytes(), a.Data().Offset()+lo, n)
	}
	switch x := a.(type) {
	case *array.Int64:
		r.i = x.Int64Values()[lo:hi]
	case *array.Float64:
		r.f = x.Float64Values()[lo:hi]
	case *array.Int32:
		r.i = widenChunk(r.ibuf[:n], x.Int32Values()[lo:hi])
	case *array.Int16:
		r.i = widenChunk(r.ibuf[:n], x.Int16Values()[lo:hi])
	case *array.Int8:
		r.i = widenChunk(r.ibuf[:n], x.Int8Values()[lo:hi])
	case *array.Uint32:
		r.i = widenChunk(r.ibuf[:n], x.Uint32Values()[lo:hi])
	case *array.Uint16:
		r.i = widenChunk(r.ibuf[:n], x.Uint16Values()[lo:hi])
	case *array.Uint8:
		r.i = widenChunk(r.ibuf[:n], x.Uint8Values()[lo:hi])
	case *array.Float32:
		r.f = r.fbuf[:n]
		for j, v := range x.Float32Values()[lo:hi] {
			r.f[j] = float64(v)
		}
	}
}

// gatherChunk reads the rows idx of a numeric column into the register.
func gatherChunk(r *chunkReg, a arrow.Array, idx []int32) {
	n := len(idx)
	r.hasErr, r.cause, r.i, r.f = false, nil, nil, nil
	r.allValid = a.NullN() == 0
	if !r.allValid {
		r.valid = [chunkWords]uint64{}
		for j, row := range idx {
			r.valid[j>>6] |= kernels.B2U(a.IsValid(int(row))) << uint(j&63)
		}
	}
	switch x := a.(type) {
	case *array.Int64:
		r.i = gatherInts(r.ibuf[:n], x.Int64Values(), idx)
	case *array.Float64:
		r.f = r.fbuf[:n]
		for j, row := range idx {
			r.f[j] = x.Float64Values()[row]
		}
	case *array.Int32:
		r.i = gatherInts(r.ibuf[:n], x.Int32Values(), idx)
	case *array.Int16:
		r.i = gatherInts(r.ibuf[:n], x.Int16Values(), idx)
	case *array.Int8:
		r.i = gatherInts(r.ibuf[:n], x.Int8Values(), idx)
	case *array.Uint32:
		r.i = gatherInts(r.ibuf[:n], x.Uint32Values(), idx)
	case *array.Uint16:
		r.i = gatherInts(r.ibuf[:n], x.Uint16Values(), idx)
	case *array.Uint8:
		r.i = gatherInts(r.ibuf[:n], x.Uint8Values(), idx)
	case *array.Float32:
		r.f = r.fbuf[:n]
		vals := x.Float32Values()
		for j, row := range idx {
			r.f[j] = float64(vals[row])
		}
	}
}

func gatherInts[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](dst []int64, src []T, idx []int32) []int64 {
	for j, row := range idx {
		dst[j] = int64(src[row])
	}
	return dst
}

func widenChunk[T int8 | int16 | int32 | uint8 | uint16 | uint32](dst []int64, src []T) []int64 {
	for j, v := range src {
		dst[j] = int64(v)
	}
	return dst
}

// constChunk broadcasts a constant (float constants as floats), filling
// the register's buffer once: it is never overwritten.
func constChunk(r *chunkReg, v value.Value, n int) {
	r.allValid, r.hasErr, r.cause = true, false, nil
	if v.K == value.KFloat {
		if r.f == nil {
			for j := range r.fbuf {
				r.fbuf[j] = v.F
			}
		}
		r.f, r.i = r.fbuf[:n], nil
		return
	}
	if r.i == nil {
		for j := range r.ibuf {
			r.ibuf[j] = v.I
		}
	}
	r.i, r.f = r.ibuf[:n], nil
}

// floatChunk computes a float operation; a zero divisor makes its row null.
func floatChunk(r *chunkReg, op kernels.ArithOp, x, y []float64) {
	out := r.fbuf[:len(x)]
	switch op {
	case kernels.Add:
		for j := range out {
			out[j] = x[j] + y[j]
		}
	case kernels.Sub:
		for j := range out {
			out[j] = x[j] - y[j]
		}
	case kernels.Mul:
		for j := range out {
			out[j] = x[j] * y[j]
		}
	case kernels.Div, kernels.Mod:
		anyZero := false
		if op == kernels.Div {
			for j := range out {
				out[j] = x[j] / y[j]
			}
		} else {
			for j := range out {
				out[j] = math.Mod(x[j], y[j])
			}
		}
		for _, d := range y {
			anyZero = anyZero || d == 0
		}
		if anyZero {
			var zero [chunkWords]uint64
			for j, d := range y {
				zero[j>>6] |= kernels.B2U(d == 0) << uint(j&63)
			}
			if r.allValid {
				for w := range r.valid {
					r.valid[w] = ^uint64(0)
				}
				r.allValid = false
			}
			for w := range r.valid {
				r.valid[w] &^= zero[w]
			}
		}
	}
	r.f, r.i = out, nil
}

// intChunk computes an integer operation; an overflow is an error of its
// row when the row is selected and valid.
func (o *chunkedOp) intChunk(r *chunkReg, in *chunkInstr, x, y []int64, lo int, sel kernels.Sel, n int) {
	out := r.ibuf[:len(x)]
	y = y[:len(out)]
	x = x[:len(out)]
	bad := false
	switch in.op {
	case kernels.Add:
		for j := range out {
			v := x[j] + y[j]
			out[j] = v
			bad = bad || kernels.AddOverflows(x[j], y[j], v)
		}
	case kernels.Sub:
		for j := range out {
			v := x[j] - y[j]
			out[j] = v
			bad = bad || kernels.SubOverflows(x[j], y[j], v)
		}
	case kernels.Mul:
		for j := range out {
			v := x[j] * y[j]
			out[j] = v
			bad = bad || kernels.MulOverflows(x[j], y[j], v)
		}
	default: // modulo
		for j := range out {
			v, res := kernels.IntArith(in.op, x[j], y[j])
			out[j] = v
			bad = bad || res != kernels.IntOK
		}
	}
	r.i, r.f = out, nil
	if bad {
		o.intOutcomes(r, in, x, y, lo, sel, n)
	}
}

// intOutcomes marks the rows an integer operation made null or failed.
func (o *chunkedOp) intOutcomes(r *chunkReg, in *chunkInstr, x, y []int64, lo int, sel kernels.Sel, n int) {
	if r.allValid {
		for w := range r.valid {
			r.valid[w] = ^uint64(0)
		}
		r.allValid = false
	}
	for j := range x {
		_, res := kernels.IntArith(in.op, x[j], y[j])
		w, bit := j>>6, uint64(1)<<uint(j&63)
		switch {
		case res == kernels.IntNull:
			r.valid[w] &^= bit
		case res == kernels.IntOverflow && r.valid[w]&bit != 0 && sel.Word((lo>>6)+w, n)&bit != 0:
			o.fail(r, in, w, bit)
		}
	}
}

func (o *chunkedOp) fail(r *chunkReg, in *chunkInstr, w int, bit uint64) {
	if !r.hasErr {
		r.err = [chunkWords]uint64{}
		r.hasErr = true
		r.cause = in.node.Positioned(value.ErrOverflow)
	}
	r.err[w] |= bit
	r.valid[w] &^= bit
}

// unaryChunk computes negation and abs.
func (o *chunkedOp) unaryChunk(r *chunkReg, in *chunkInstr, a *chunkReg, n, lo int, sel kernels.Sel, rows int) {
	if a.f != nil {
		out := r.fbuf[:n]
		for j, x := range a.f[:n] {
			if in.kind == ciNeg {
				out[j] = -x
			} else {
				out[j] = math.Abs(x)
			}
		}
		r.f, r.i = out, nil
		return
	}
	out := r.ibuf[:n]
	overflow := false
	for j, x := range a.i[:n] {
		if in.kind == ciNeg {
			out[j] = -x
		} else {
			out[j] = kernels.Abs64(x)
		}
		overflow = overflow || x == math.MinInt64
	}
	r.i, r.f = out, nil
	if !overflow {
		return
	}
	if r.allValid {
		for w := range r.valid {
			r.valid[w] = ^uint64(0)
		}
		r.allValid = false
	}
	for j, x := range a.i[:n] {
		w, bit := j>>6, uint64(1)<<uint(j&63)
		if x == math.MinInt64 && r.valid[w]&bit != 0 && sel.Word((lo>>6)+w, rows)&bit != 0 {
			o.fail(r, in, w, bit)
		}
	}
}
