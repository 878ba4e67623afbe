package events

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/segql/segql/engine/internal/funcs"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/value"
	"github.com/segql/segql/lang/ast"
)

// dayMicros is one UTC day.
const dayMicros = 86400 * 1_000_000

// Run is an event condition prepared for one now: its name's code, its
// window in microseconds, the events its filter passes and the property
// it reads. It is immutable and safe for concurrent use.
type Run struct {
	s      *Store
	spec   *plan.EventSpec
	code   int32
	lo, hi int64
	empty  bool     // no event can count: an unknown name, an empty or unknown window
	pass   []uint64 // filter: TRUE events by table row; nil without a filter
	props  *props
	// A sequence's steps after the first (the first is code and pass),
	// and the most time from its first event to its last (-1: any).
	steps []seqStep
	conv  int64
}

// seqStep is a later step of a sequence, prepared.
type seqStep struct {
	code int32
	pass []uint64
}

// Prepare implements plan.EventSource: it evaluates the window's bounds
// and the filter at now, once per condition and now (later calls wait
// for the first and share its result).
func (s *Store) Prepare(ctx context.Context, spec *plan.EventSpec, now int64) (plan.EventRun, error) {
	k := runKey{spec: spec, now: now}
	s.mu.Lock()
	e, ok := s.runs[k]
	if !ok {
		e = &runEntry{}
		s.runs[k] = e
		s.order = append(s.order, k)
		if len(s.order) > maxRuns {
			delete(s.runs, s.order[0])
			s.order = s.order[1:]
		}
	}
	s.mu.Unlock()
	e.once.Do(func() { e.run, e.err = s.prepare(ctx, spec, now) })
	if e.err != nil {
		s.mu.Lock()
		if s.runs[k] == e { // a cancelled or failed preparation is not kept
			delete(s.runs, k)
		}
		s.mu.Unlock()
		return nil, e.err
	}
	return e.run, nil
}

func (s *Store) prepare(ctx context.Context, spec *plan.EventSpec, now int64) (*Run, error) {
	r := &Run{s: s, spec: spec, code: s.code(spec.Name), lo: math.MinInt64, hi: math.MaxInt64}
	if err := r.window(now); err != nil {
		return nil, err
	}
	r.empty = r.empty || r.code < 0 || r.lo > r.hi
	if r.empty {
		r.props = &props{kind: spec.PropKind} // read by no entry, but its kind types the results
		return r, nil
	}
	if spec.Filter != nil {
		pass, err := s.filter(ctx, spec.Filter, now)
		if err != nil {
			return nil, err
		}
		r.pass = pass
	}
	if spec.Prop >= 0 {
		p, err := s.prop(spec.Prop)
		if err != nil {
			return nil, err
		}
		r.props = p
	}
	return r, r.prepareSteps(ctx, now)
}

// prepareSteps prepares a sequence's later steps and its within.
func (r *Run) prepareSteps(ctx context.Context, now int64) error {
	r.conv = -1
	if r.spec.Within != nil {
		ev := rowexec.Evaluator{Src: rowexec.NoColumns{}, Env: funcs.Env{Now: now}}
		v, err := ev.Eval(r.spec.Within)
		if err != nil {
			return err
		}
		if v.Null || v.I < 0 {
			r.empty = true
			return nil
		}
		r.conv = v.I
	}
	for _, st := range r.spec.Steps {
		step := seqStep{code: r.s.code(st.Name)}
		if step.code < 0 {
			r.empty = true
			return nil
		}
		if st.Filter != nil {
			pass, err := r.s.filter(ctx, st.Filter, now)
			if err != nil {
				return err
			}
			step.pass = pass
		}
		r.steps = append(r.steps, step)
	}
	return nil
}

// window evaluates the bounds at now. A null bound counts no event (as
// a comparison with null is never TRUE).
func (r *Run) window(now int64) error {
	ev := rowexec.Evaluator{Src: rowexec.NoColumns{}, Env: funcs.Env{Now: now}}
	bound := func(n *plan.Node, dst *int64) error {
		if n == nil {
			return nil
		}
		v, err := ev.Eval(n)
		if err != nil {
			return err
		}
		if v.Null {
			r.empty = true
			return nil
		}
		*dst = v.I
		return nil
	}
	if err := bound(r.spec.Lo, &r.lo); err != nil {
		return err
	}
	if err := bound(r.spec.Hi, &r.hi); err != nil {
		return err
	}
	if r.spec.Sort && r.lo > r.hi {
		r.lo, r.hi = r.hi, r.lo
	}
	return nil
}

// span returns the entries of user row u that have the condition's name
// and lie in its window.
func (r *Run) span(u int64) (int64, int64) { return r.spanOf(u, r.code) }

// spanOf returns the entries of user row u with the name code that lie
// in the window.
func (r *Run) spanOf(u int64, code int32) (int64, int64) {
	s := r.s
	if r.empty || u < 0 || u >= s.users {
		return 0, 0
	}
	if s.canon != nil {
		u = int64(s.canon[u])
	}
	lo, hi := s.starts[u], s.starts[u+1]
	a := lo + int64(search(s.codes[lo:hi], uint16(code)))
	b := lo + int64(searchAbove(s.codes[lo:hi], uint16(code)))
	a2 := s.searchTime(a, b, r.lo)
	if r.hi == math.MaxInt64 {
		return a2, b
	}
	return a2, s.searchTime(a, b, r.hi+1)
}

// search returns the first index of sorted xs whose value is at least x.
func search[T cmp.Ordered](xs []T, x T) int {
	lo, hi := 0, len(xs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if xs[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// searchAbove returns the first index of sorted xs whose value is above x.
func searchAbove[T cmp.Ordered](xs []T, x T) int {
	lo, hi := 0, len(xs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if xs[m] <= x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// passes reports whether entry j passes the filter.
func (r *Run) passes(j int64) bool {
	return r.pass == nil || kernels.BitAt(r.pass, r.s.rowAt(j))
}

// Value implements plan.EventRun.
func (r *Run) Value(u int64) (value.Value, error) {
	var sc scratch
	return r.agg(u, &sc)
}

// scratch is reused between users by one goroutine.
type scratch struct {
	ints   []int64
	floats []float64
	spans  [][2]int64 // a sequence's later steps' entries
}

// agg computes the condition for user row u.
func (r *Run) agg(u int64, sc *scratch) (value.Value, error) {
	if r.spec.Func == ast.EvDid {
		return value.Bool(r.sequence(u, sc)), nil
	}
	a, b := r.span(u)
	switch r.spec.Func {
	case ast.EvCount:
		n := int64(0)
		if r.pass == nil {
			n = b - a
		} else {
			for j := a; j < b; j++ {
				if r.passes(j) {
					n++
				}
			}
		}
		return value.Int(n), nil
	case ast.EvActiveDays:
		n, last := int64(0), int64(math.MinInt64)
		for j := a; j < b; j++ {
			if !r.passes(j) {
				continue
			}
			if d := floorDiv(r.s.timeAt(j), dayMicros); n == 0 || d != last {
				n, last = n+1, d
			}
		}
		return value.Int(n), nil
	case ast.EvFirstTime:
		for j := a; j < b; j++ {
			if r.passes(j) {
				return value.Time(r.s.timeAt(j)), nil
			}
		}
		return value.NullOf(value.KTime), nil
	case ast.EvLastTime:
		for j := b - 1; j >= a; j-- {
			if r.passes(j) {
				return value.Time(r.s.timeAt(j)), nil
			}
		}
		return value.NullOf(value.KTime), nil
	}
	return r.propAgg(a, b, sc)
}

// sequence reports whether user row u did the steps in order: distinct
// events e1 … ek of the steps' names passing their filters, in the
// window, with t1 <= t2 <= … <= tk <= t1 + within. For each first event
// (earliest first) it takes, step by step, the earliest event that can
// follow; that choice leaves the most room for the steps after it, so
// the sequence exists if and only if this finds it.
func (r *Run) sequence(u int64, sc *scratch) bool {
	a0, b0 := r.span(u)
	if a0 == b0 {
		return false
	}
	spans := sc.spans[:0]
	for _, st := range r.steps {
		a, b := r.spanOf(u, st.code)
		if a == b {
			return false
		}
		spans = append(spans, [2]int64{a, b})
	}
	sc.spans = spans
	s := r.s
	for j := a0; j < b0; j++ {
		if !r.passes(j) {
			continue
		}
		t0 := s.timeAt(j)
		limit := int64(math.MaxInt64)
		if r.conv >= 0 && t0 <= math.MaxInt64-r.conv {
			limit = t0 + r.conv
		}
		sc.ints = append(sc.ints[:0], j) // the events used
		prev, done := t0, true
		for i, st := range r.steps {
			x := s.searchTime(spans[i][0], spans[i][1], prev)
			for ; x < spans[i][1] && s.timeAt(x) <= limit; x++ {
				if (st.pass == nil || kernels.BitAt(st.pass, s.rowAt(x))) && !slices.Contains(sc.ints, x) {
					break
				}
			}
			if x >= spans[i][1] || s.timeAt(x) > limit {
				done = false
				break
			}
			prev = s.timeAt(x)
			sc.ints = append(sc.ints, x)
		}
		if done {
			return true
		}
	}
	return false
}

func floorDiv(x, d int64) int64 {
	q := x / d
	if x%d != 0 && x < 0 {
		q--
	}
	return q
}

// propAgg computes sum, avg, min, max and count_distinct of the property.
func (r *Run) propAgg(a, b int64, sc *scratch) (value.Value, error) {
	p := r.props
	events := int64(0) // events that passed, with or without a value
	sc.ints, sc.floats = sc.ints[:0], sc.floats[:0]
	for j := a; j < b; j++ {
		if !r.passes(j) {
			continue
		}
		events++
		if !p.valid[j] {
			continue
		}
		if p.kind == value.KFloat {
			sc.floats = append(sc.floats, p.floats[j])
		} else {
			sc.ints = append(sc.ints, p.ints[j])
		}
	}
	n := len(sc.ints) + len(sc.floats)
	switch r.spec.Func {
	case ast.EvCountDistinct:
		return value.Int(int64(distinct(sc, p.kind))), nil
	case ast.EvSum:
		return sum(sc, p.kind, events, n)
	}
	if n == 0 { // avg, min, max of nothing
		return value.NullOf(resultKind(r.spec.Func, p.kind)), nil
	}
	switch r.spec.Func {
	case ast.EvAvg:
		if p.kind == value.KFloat {
			t := 0.0
			for _, f := range sc.floats {
				t += f
			}
			return value.Float(t / float64(n)), nil
		}
		t := 0.0
		for _, i := range sc.ints {
			t += float64(i)
		}
		return value.Float(t / float64(n)), nil
	case ast.EvMin, ast.EvMax:
		return extreme(sc, p, r.spec.Func == ast.EvMax), nil
	}
	return value.Value{}, fmt.Errorf("engine: unexpected event aggregate %s", r.spec.Func)
}

// resultKind is the kind of an aggregate of a property of kind k.
func resultKind(f ast.EventFunc, k value.Kind) value.Kind {
	switch f {
	case ast.EvAvg:
		return value.KFloat
	case ast.EvCount, ast.EvCountDistinct, ast.EvActiveDays:
		return value.KInt
	case ast.EvFirstTime, ast.EvLastTime:
		return value.KTime
	}
	if k == value.KBool || k == value.KDur {
		return value.KInt
	}
	return k
}

// sum is 0 over no events and null over events without a value.
func sum(sc *scratch, k value.Kind, events int64, n int) (value.Value, error) {
	if k == value.KFloat {
		if n == 0 {
			if events > 0 {
				return value.NullOf(value.KFloat), nil
			}
			return value.Float(0), nil
		}
		t := 0.0
		for _, f := range sc.floats {
			t += f
		}
		return value.Float(t), nil
	}
	if n == 0 && events > 0 {
		return value.NullOf(value.KInt), nil
	}
	t := int64(0)
	for _, i := range sc.ints {
		s := t + i
		if (s > t) != (i > 0) {
			return value.Value{}, value.ErrOverflow
		}
		t = s
	}
	return value.Int(t), nil
}

// distinct counts the distinct values collected (NaN equals NaN, -0
// equals 0, as in SQL's count(distinct)).
func distinct(sc *scratch, k value.Kind) int {
	if k == value.KFloat {
		for i, f := range sc.floats {
			if f == 0 {
				sc.floats[i] = 0
			}
		}
		slices.SortFunc(sc.floats, floatOrder)
		return len(slices.CompactFunc(sc.floats, func(a, b float64) bool { return floatOrder(a, b) == 0 }))
	}
	slices.Sort(sc.ints)
	return len(slices.Compact(sc.ints))
}

// floatOrder orders floats with NaN above every number (as SQL sorts).
func floatOrder(a, b float64) int {
	an, bn := a != a, b != b
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp.Compare(a, b)
}

// extreme is min or max of the collected values (at least one).
func extreme(sc *scratch, p *props, max bool) value.Value {
	sign := 1
	if max {
		sign = -1
	}
	k := p.kind
	switch k {
	case value.KFloat:
		best := sc.floats[0]
		for _, f := range sc.floats[1:] {
			if sign*floatOrder(f, best) < 0 {
				best = f
			}
		}
		return value.Float(best)
	}
	best := sc.ints[0]
	for _, i := range sc.ints[1:] {
		if sign*cmp.Compare(i, best) < 0 {
			best = i
		}
	}
	switch k {
	case value.KTime:
		return value.Time(best)
	case value.KStr:
		return value.Str(p.dict[best])
	}
	return value.Int(best)
}

// Vector implements plan.EventRun.
func (r *Run) Vector(out *kernels.Vec, first int64, sel kernels.Sel) error {
	var sc scratch
	k := out.K
	var ints []int64
	var floats []float64
	var offs []int64
	var data []byte
	var bits []uint64
	switch k {
	case value.KBool:
		bits = out.NewBits()
	case value.KFloat:
		floats = out.OwnFloats()
	case value.KStr:
		offs = kernels.Grow(out.OwnO, out.N+1)
		data = out.OwnB[:0]
		offs[0] = 0
	default:
		ints = out.OwnInts()
	}
	var failed error
	each := func(i int) {
		v, err := r.agg(first+int64(i), &sc)
		switch {
		case err != nil:
			out.Fail(i, err)
			failed = err
		case v.Null:
			out.SetNull(i)
		case k == value.KBool:
			if v.B {
				kernels.SetBit(bits, i)
			}
		case k == value.KFloat:
			floats[i] = v.F
		case k == value.KStr:
			data = append(data, v.S...)
		default:
			ints[i] = v.I
		}
		if k == value.KStr {
			offs[i+1] = int64(len(data))
		}
	}
	if k == value.KStr { // every row gets its offsets
		for i := 0; i < out.N; i++ {
			if sel.IsAll() || kernels.BitAt(sel.W, i) {
				each(i)
			} else {
				offs[i+1] = int64(len(data))
			}
		}
		out.OwnO, out.OwnB = offs, data
		out.Str = kernels.StrVec{Offs64: offs, Data: data}
		return failed
	}
	sel.Each(out.N, each)
	return failed
}
