package engine

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// dictCandidate reports whether n is a boolean predicate over exactly one
// top-level string column (and no now()), which can be evaluated once per
// dictionary entry instead of once per row.
func dictCandidate(n *node) (int, bool) {
	if n.k != kBool || n.op == opConst || n.op == opCol {
		return 0, false
	}
	col, ok := -1, true
	var walk func(*node)
	walk = func(m *node) {
		switch m.op {
		case opNow, opSegResult:
			ok = false
		case opCol:
			if m.k != kStr || len(m.fields) > 0 || (col >= 0 && col != m.col) {
				ok = false
			}
			col = m.col
		}
		for _, k := range m.kids {
			walk(k)
		}
	}
	walk(n)
	return col, ok && col >= 0
}

// dictPredicate evaluates n over the dictionary of a dictionary-encoded
// column (cached per worker while batches share a dictionary) and gathers
// the per-entry results by the row codes. Plain string columns take the
// row-by-row path.
func (cp *compiler) dictPredicate(n *node, col int) evalFn {
	inner := &compiler{}
	sub := inner.compileNode(n)
	plain := cp.compileNode(n)
	s, d := cp.slot(), cp.ndicts
	cp.ndicts++
	subSlots := inner.nslots
	return func(c *ectx) *vec {
		dict, ok := c.cols[col].(*array.Dictionary)
		if !ok {
			return plain(c)
		}
		st := c.subs[d]
		if st == nil {
			st = &dictState{sub: &ectx{slots: make([]vec, subSlots), tmp: make([][]uint64, subSlots),
				tmp2: make([][]uint64, subSlots), tmp3: make([][]uint64, subSlots), now: c.now}}
			c.subs[d] = st
		}
		if st.dict != dict.Dictionary() {
			st.table = dictTable(st, sub, dict.Dictionary(), col, len(c.cols))
			st.dict = dict.Dictionary()
			st.onNull = nullResult(n, c.now)
			st.runs, st.runsOK = trueRuns(st.table, st.runs)
			if st.sub.err != nil {
				c.fail(st.sub.err)
			}
		}
		v := c.boolOut(s)
		gatherDict(v, dict, st)
		return v
	}
}

// dictTable evaluates the predicate over the dictionary's values.
func dictTable(st *dictState, sub evalFn, values arrow.Array, col, ncols int) []uint8 {
	sc := st.sub
	sc.cols = grow(sc.cols, ncols)
	sc.cols[col] = values
	sc.n = values.Len()
	r := sub(sc)
	table := grow(st.table, sc.n)
	for i := range table {
		table[i] = truthCode(valueAt(r, i))
	}
	return table
}

// truthCode encodes a boolean Value: 0 FALSE, 1 TRUE, 2 UNKNOWN.
func truthCode(v Value) uint8 {
	switch {
	case v.Null:
		return 2
	case v.B:
		return 1
	}
	return 0
}

// nullResult is the predicate's value where the column is null: not always
// UNKNOWN (`is null`, `or true`), so it is computed, not assumed.
func nullResult(n *node, now int64) uint8 {
	v, err := n.eval(&rowSource{nulls: true}, now)
	if err != nil {
		return 2
	}
	return truthCode(v)
}

// codeRun is an inclusive range of dictionary codes.
type codeRun struct{ lo, hi int64 }

// maxCodeRuns bounds the range passes a dictionary predicate makes over a
// batch's codes before the per-row lookup is cheaper.
const maxCodeRuns = 8

// trueRuns returns the runs of TRUE entries of a per-entry table (reusing
// dst); ok is false when an entry is UNKNOWN or there are more than
// maxCodeRuns runs.
func trueRuns(table []uint8, dst []codeRun) (runs []codeRun, ok bool) {
	runs = dst[:0]
	for i := 0; i < len(table); {
		switch table[i] {
		case 2:
			return runs, false
		case 0:
			i++
			continue
		}
		j := i
		for j+1 < len(table) && table[j+1] == 1 {
			j++
		}
		if len(runs) == maxCodeRuns {
			return runs, false
		}
		runs = append(runs, codeRun{int64(i), int64(j)})
		i = j + 1
	}
	return runs, true
}

// selectRuns sets the bits of rows whose value (of an integer, time or
// date column, or a dictionary's codes) lies in one of the runs; bits must
// be zeroed. A null row may get any bit: callers mask or replace it.
func selectRuns(bits []uint64, idx arrow.Array, runs []codeRun, scratch []uint64) []uint64 {
	for i, r := range runs {
		if i == 0 {
			rangeArray(idx, r.lo, r.hi, bits)
			continue
		}
		scratch = grow(scratch, len(bits))
		rangeArray(idx, r.lo, r.hi, scratch)
		for w := range bits {
			bits[w] |= scratch[w]
		}
	}
	return scratch
}

// gatherDict maps each row's code through the per-entry table (by range
// passes over the codes when st.runsOK); rows whose code is null take
// st.onNull.
func gatherDict(v *vec, d *array.Dictionary, st *dictState) {
	table, onNull := st.table, st.onNull
	idx := d.Indices()
	rowValid := validityOf(idx, v.ownW2)
	if rowValid != nil {
		v.ownW2 = rowValid
	}
	unknown := v.ownValid()
	if st.runsOK && rangeType(idx.DataType()) {
		st.scratch = selectRuns(v.bits, idx, st.runs, st.scratch)
		clear(unknown)
	} else if len(table) <= 64 {
		gatherSmall(v.bits, unknown, idx, table)
	} else {
		gatherTable(v.bits, unknown, idx, table)
	}
	nullT, nullU := uint64(0), uint64(0)
	if onNull == 1 {
		nullT = ^uint64(0)
	}
	if onNull == 2 {
		nullU = ^uint64(0)
	}
	for w := range v.bits {
		rv := ^uint64(0)
		if rowValid != nil {
			rv = rowValid[w]
		}
		v.bits[w] = v.bits[w]&rv | nullT&^rv
		unknown[w] = unknown[w]&rv | nullU&^rv
		unknown[w] = ^unknown[w] // now the validity
	}
	tailMask(unknown, v.n)
	maskByValid(v)
}

// gatherTable looks each row's code up in the per-entry table.
func gatherTable(t, unknown []uint64, idx arrow.Array, table []uint8) {
	switch a := idx.(type) {
	case *array.Int8:
		gather(t, unknown, a.Int8Values(), table)
	case *array.Int16:
		gather(t, unknown, a.Int16Values(), table)
	case *array.Int32:
		gather(t, unknown, a.Int32Values(), table)
	case *array.Int64:
		gather(t, unknown, a.Int64Values(), table)
	case *array.Uint8:
		gather(t, unknown, a.Uint8Values(), table)
	case *array.Uint16:
		gather(t, unknown, a.Uint16Values(), table)
	case *array.Uint32:
		gather(t, unknown, a.Uint32Values(), table)
	}
}

// gather sets TRUE and UNKNOWN bits from each row's code.
func gather[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](t, unknown []uint64, codes []T, table []uint8) {
	for w := 0; w < words(len(codes)); w++ {
		chunk := codes[w<<6 : min(w<<6+64, len(codes))]
		var tw, uw uint64
		for j, code := range chunk {
			if int(code) < 0 || int(code) >= len(table) {
				continue // a null row's code may be anything; masked later
			}
			r := table[code]
			tw |= uint64(r&1) << uint(j)
			uw |= uint64(r>>1) << uint(j)
		}
		t[w], unknown[w] = tw, uw
	}
}

// gatherSmall handles dictionaries of at most 64 entries: the per-entry
// results become two 64-bit masks, and each row costs two shifts with no
// table lookup and no branch.
func gatherSmall(t, unknown []uint64, idx arrow.Array, table []uint8) {
	var maskT, maskU uint64
	for i, r := range table {
		maskT |= uint64(r&1) << uint(i)
		maskU |= uint64(r>>1) << uint(i)
	}
	switch a := idx.(type) {
	case *array.Int8:
		gatherMask(t, unknown, a.Int8Values(), maskT, maskU)
	case *array.Int16:
		gatherMask(t, unknown, a.Int16Values(), maskT, maskU)
	case *array.Int32:
		gatherMask(t, unknown, a.Int32Values(), maskT, maskU)
	case *array.Int64:
		gatherMask(t, unknown, a.Int64Values(), maskT, maskU)
	case *array.Uint8:
		gatherMask(t, unknown, a.Uint8Values(), maskT, maskU)
	case *array.Uint16:
		gatherMask(t, unknown, a.Uint16Values(), maskT, maskU)
	case *array.Uint32:
		gatherMask(t, unknown, a.Uint32Values(), maskT, maskU)
	}
}

// gatherMask reads bit `code` of each mask per row. A code of 64 or more
// can only belong to a null row (valid codes index a dictionary of at most
// 64 entries), whose bits are replaced by the null result afterwards.
func gatherMask[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](t, unknown []uint64, codes []T, maskT, maskU uint64) {
	for w := 0; w < words(len(codes)); w++ {
		chunk := codes[w<<6 : min(w<<6+64, len(codes))]
		var tw, uw uint64
		for j, code := range chunk {
			c := uint64(code) & 63
			tw |= (maskT >> c & 1) << uint(j)
			uw |= (maskU >> c & 1) << uint(j)
		}
		t[w], unknown[w] = tw, uw
	}
}
