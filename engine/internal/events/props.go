package events

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/value"
)

// props is one property column in entry order (the order of the index),
// so that an aggregate reads it sequentially. Strings are held as their
// rank among the column's distinct values (so that min, max and distinct
// work on integers) and decoded through dict.
type props struct {
	kind   value.Kind
	valid  []bool
	ints   []int64 // integers, times (µs), durations, booleans (0, 1), string ranks
	floats []float64
	dict   []string // strings: the distinct values, sorted
}

// prop returns property column col in entry order, built on first use
// and kept.
func (s *Store) prop(col int) (*props, error) {
	s.mu.Lock()
	e, ok := s.props[col]
	if !ok {
		e = &propEntry{}
		s.props[col] = e
	}
	s.mu.Unlock()
	e.once.Do(func() { e.vals, e.err = s.buildProp(col) })
	return e.vals, e.err
}

// buildProp reads the column by table row, then orders it as the entries.
func (s *Store) buildProp(col int) (*props, error) {
	if s.cell != nil {
		return s.userProp(col), nil
	}
	f := s.table.Schema.Field(col)
	k := kernels.KindOf(f.Type)
	p := &props{kind: k, valid: make([]bool, len(s.codes))}
	switch k {
	case value.KFloat:
		p.floats = make([]float64, len(s.codes))
		if s.gatherFloat64(col, p) {
			return p, nil
		}
		n := s.table.NumRows()
		valid, vals := make([]bool, n), make([]float64, n)
		if err := s.eachBatch(col, func(off int, a arrow.Array) error { return readFloats(a, vals[off:], valid[off:]) }); err != nil {
			return nil, fmt.Errorf("events column %q: %w", f.Name, err)
		}
		for j := range p.floats {
			r := s.rowAt(int64(j))
			p.floats[j], p.valid[j] = vals[r], valid[r]
		}
		return p, nil
	case value.KStr:
		return s.stringProp(col, f.Name, p)
	}
	n := s.table.NumRows()
	valid := make([]bool, n)
	vals := make([]int64, n)
	if err := s.eachBatch(col, func(off int, a arrow.Array) error { return readInts(a, vals[off:], valid[off:]) }); err != nil {
		return nil, fmt.Errorf("events column %q: %w", f.Name, err)
	}
	p.ints = make([]int64, len(s.codes))
	for j := range p.ints {
		r := s.rowAt(int64(j))
		p.ints[j], p.valid[j] = vals[r], valid[r]
	}
	return p, nil
}

// gatherFloat64 lays out a float64 column straight from its batches (an
// entry's row is usually in the batch of the entry before it: a user's
// events are near each other in most tables). It reports false for
// other column types.
func (s *Store) gatherFloat64(col int, p *props) bool {
	arrs := make([]*array.Float64, len(s.table.Batches))
	for b, batch := range s.table.Batches {
		a, ok := batch.Column(col).(*array.Float64)
		if !ok {
			return false
		}
		arrs[b] = a
	}
	b, lo, hi := -1, int64(0), int64(0)
	var vals []float64
	var cur *array.Float64
	for j := range p.floats {
		r := s.rowAt(int64(j))
		if int64(r) < lo || int64(r) >= hi {
			b, _ = s.table.Locate(int64(r))
			cur, lo = arrs[b], s.table.BatchOffset(b)
			hi, vals = lo+int64(cur.Len()), cur.Float64Values()
		}
		i := int(int64(r) - lo)
		if p.valid[j] = cur.IsValid(i); p.valid[j] {
			p.floats[j] = vals[i]
		}
	}
	return true
}

// eachBatch calls f with each batch's column col and its first row.
func (s *Store) eachBatch(col int, f func(off int, a arrow.Array) error) error {
	for b, batch := range s.table.Batches {
		if err := f(int(s.table.BatchOffset(b)), batch.Column(col)); err != nil {
			return err
		}
	}
	return nil
}

// readFloats reads a float column.
func readFloats(a arrow.Array, dst []float64, valid []bool) error {
	readValid(a, valid)
	switch x := a.(type) {
	case *array.Float64:
		copy(dst, x.Float64Values())
		return nil
	case *array.Float32:
		for i, f := range x.Float32Values() {
			dst[i] = float64(f)
		}
		return nil
	}
	for i := 0; i < a.Len(); i++ {
		if !valid[i] {
			continue
		}
		v, err := kernels.ArrowValue(a, i)
		if err != nil {
			return fmt.Errorf("row %d: %w", i+1, err)
		}
		dst[i] = v.AsFloat()
	}
	return nil
}

// readValid reads an array's validity.
func readValid(a arrow.Array, valid []bool) {
	n := a.Len()
	if a.NullN() == 0 {
		for i := range n {
			valid[i] = true
		}
		return
	}
	for i := range n {
		valid[i] = a.IsValid(i)
	}
}

// readInts reads an integer, time, duration or boolean column.
func readInts(a arrow.Array, dst []int64, valid []bool) error {
	if x, ok := a.(*array.Int64); ok {
		copy(dst, x.Int64Values())
		readValid(a, valid)
		return nil
	}
	for i := 0; i < a.Len(); i++ {
		if valid[i] = a.IsValid(i); !valid[i] {
			continue
		}
		v, err := kernels.ArrowValue(a, i)
		if err != nil {
			return fmt.Errorf("row %d: %w", i+1, err)
		}
		if v.U {
			return fmt.Errorf("row %d: %w", i+1, kernels.ErrUintRange)
		}
		dst[i] = v.I
		if v.K == value.KBool && v.B {
			dst[i] = 1
		}
	}
	return nil
}

// stringProp codes a string column by the rank of each value among the
// column's distinct values.
func (s *Store) stringProp(col int, name string, p *props) (*props, error) {
	n := s.table.NumRows()
	codes := make([]int32, n) // by row: an index into seen order
	valid := make([]bool, n)
	index := map[string]int32{}
	var values []string
	err := s.eachBatch(col, func(off int, a arrow.Array) error {
		dict, isDict := a.(*array.Dictionary)
		var entries []int32
		if isDict {
			entries = make([]int32, dict.Dictionary().Len())
			for e := range entries {
				entries[e] = -1
			}
		}
		code := func(v string) int32 {
			c, ok := index[v]
			if !ok {
				c = int32(len(values))
				index[v] = c
				values = append(values, v)
			}
			return c
		}
		for i := 0; i < a.Len(); i++ {
			if valid[off+i] = a.IsValid(i); !valid[off+i] {
				continue
			}
			if isDict {
				e := dict.GetValueIndex(i)
				if entries[e] < 0 {
					entries[e] = code(stringAt(dict.Dictionary(), e))
				}
				codes[off+i] = entries[e]
				continue
			}
			codes[off+i] = code(stringAt(a, i))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("events column %q: %w", name, err)
	}
	if len(values) > math.MaxInt32 {
		return nil, fmt.Errorf("events column %q: too many distinct values", name)
	}
	order := make([]int32, len(values))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(values[a], values[b]) })
	rank := make([]int64, len(values))
	p.dict = make([]string, len(values))
	for r, i := range order {
		rank[i] = int64(r)
		p.dict[r] = values[i]
	}
	p.ints = make([]int64, len(s.codes))
	for j := range p.ints {
		r := s.rowAt(int64(j))
		if p.valid[j] = valid[r]; p.valid[j] {
			p.ints[j] = rank[codes[r]]
		}
	}
	return p, nil
}

// userProp is a NewUser store's property column.
func (s *Store) userProp(col int) *props {
	p := &props{kind: s.kinds[col], valid: make([]bool, len(s.codes))}
	switch p.kind {
	case value.KFloat:
		p.floats = make([]float64, len(s.codes))
	default:
		p.ints = make([]int64, len(s.codes))
	}
	var strs []string
	for j := range p.valid {
		r := s.rowAt(int64(j))
		v := s.cell(col, r)
		if v.Null {
			continue
		}
		p.valid[j] = true
		switch p.kind {
		case value.KFloat:
			p.floats[j] = v.AsFloat()
		case value.KStr:
			strs = append(strs, v.S)
		case value.KBool:
			if v.B {
				p.ints[j] = 1
			}
		default:
			p.ints[j] = v.I
		}
	}
	if p.kind == value.KStr {
		p.dict = slices.Clone(strs)
		slices.Sort(p.dict)
		p.dict = slices.Compact(p.dict)
		for j := range p.valid {
			if p.valid[j] {
				i, _ := slices.BinarySearch(p.dict, s.cell(col, s.rowAt(int64(j))).S)
				p.ints[j] = int64(i)
			}
		}
	}
	return p
}
