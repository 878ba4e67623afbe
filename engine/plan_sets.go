package engine

import (
	"fmt"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
)

// valueSet is the constant list of an `in` or `contains`, hashed once at
// compile time.
type valueSet struct {
	k       kind
	ints    map[int64]struct{}
	floats  map[float64]struct{}
	hasNaN  bool
	strs    map[string]struct{}
	bools   [2]bool
	hasNull bool
}

func newValueSet(k kind, vals []Value) *valueSet {
	s := &valueSet{k: k}
	switch k {
	case kInt, kTime, kDur:
		s.ints = make(map[int64]struct{}, len(vals))
	case kFloat:
		s.floats = make(map[float64]struct{}, len(vals))
	case kStr:
		s.strs = make(map[string]struct{}, len(vals))
	}
	for _, v := range vals {
		s.add(v)
	}
	return s
}

func (s *valueSet) add(v Value) {
	if v.Null {
		s.hasNull = true
		return
	}
	switch s.k {
	case kInt, kTime, kDur:
		s.ints[v.I] = struct{}{}
	case kFloat:
		f := v.float()
		if f != f {
			s.hasNaN = true
			return
		}
		if f == 0 {
			f = 0 // -0.0 and 0.0 are one key
		}
		s.floats[f] = struct{}{}
	case kStr:
		s.strs[v.S] = struct{}{}
	case kBool:
		s.bools[boolInt(v.B)] = true
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *valueSet) hasInt(i int64) bool { _, ok := s.ints[i]; return ok }
func (s *valueSet) hasFloat(f float64) bool {
	if f != f {
		return s.hasNaN
	}
	if f == 0 {
		f = 0
	}
	_, ok := s.floats[f]
	return ok
}
func (s *valueSet) hasStr(b []byte) bool { _, ok := s.strs[string(b)]; return ok }

// contains reports membership of a non-null scalar.
func (s *valueSet) contains(v Value) bool {
	switch s.k {
	case kInt, kTime, kDur:
		return s.hasInt(v.I)
	case kFloat:
		return s.hasFloat(v.float())
	case kStr:
		_, ok := s.strs[v.S]
		return ok
	case kBool:
		return s.bools[boolInt(v.B)]
	}
	return false
}

// in lowers `x [not] in (…)`: a hashed set when every item is constant,
// else a chain of `x = item or …`.
func (p *planner) in(e *ast.In) (*node, error) {
	kids, err := p.lowerKids(append([]ast.Expr{e.X}, e.List...)...)
	if err != nil {
		return nil, err
	}
	x, items := kids[0], kids[1:]
	k := x.k
	for _, it := range items {
		if it.k == kFloat && k == kInt {
			k = kFloat
		}
	}
	allConst := true
	for _, it := range items {
		allConst = allConst && it.op == opConst
	}
	var n *node
	if allConst {
		vals := make([]Value, len(items))
		for i, it := range items {
			vals[i] = it.val
		}
		n = &node{op: opInSet, k: kBool, kids: []*node{coerce(x, k)}, set: newValueSet(k, vals)}
	} else {
		or := &node{op: opOr, k: kBool}
		for _, it := range items {
			or.kids = append(or.kids, compareNode(ast.Eq, x, it))
		}
		n = or
	}
	return negateIf(e.Not, n), nil
}

// contains lowers list and substring containment. The values must be
// constants (after folding).
func (p *planner) contains(e *ast.Contains) (*node, error) {
	kids, err := p.lowerKids(append([]ast.Expr{e.X}, e.Values...)...)
	if err != nil {
		return nil, err
	}
	x := kids[0]
	vals := make([]Value, 0, len(kids)-1)
	for i, v := range kids[1:] {
		if v.op != opConst {
			return nil, fmt.Errorf("contains needs constant values (value %d is not)", i+1)
		}
		vals = append(vals, v.val)
	}
	if e.Mode == ast.ContainsAll && len(vals) > 64 {
		return nil, fmt.Errorf("contains all takes at most 64 values, got %d", len(vals))
	}
	if x.k == kStr {
		return &node{op: opStrContains, k: kBool, kids: []*node{x}, mode: e.Mode, vals: vals}, nil
	}
	elem := kindOf(p.info.Types[e.X].Elem)
	for i, v := range vals {
		if elem == kFloat && v.K == kInt {
			vals[i] = floatVal(float64(v.I))
		}
	}
	return &node{op: opContains, k: kBool, kids: []*node{x}, mode: e.Mode, vals: vals, set: newValueSet(elem, vals)}, nil
}

func (p *planner) call(e *ast.Call, t *check.Type) (*node, error) {
	kids, err := p.lowerKids(e.Args...)
	if err != nil {
		return nil, err
	}
	k := kindOf(t)
	switch e.Name {
	case "now":
		return &node{op: opNow, k: kTime}, nil
	case "coalesce":
		for i := range kids {
			kids[i] = coerce(kids[i], k)
		}
	}
	name := e.Name
	switch name {
	case "length":
		name = "len"
	case "bucket":
		return bucketNode(kids[0], e.Args[1].(*ast.Literal).Str), nil
	case "sample":
		share, _ := check.SampleShare(e.Args[1])
		return sampleNode(kids[0], share, e.Args[2].(*ast.Literal).Str), nil
	}
	n := &node{op: opCall, k: k, fn: name, kids: kids}
	if check.IsRankFunction(name) {
		if err := p.rankCall(n, e); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// rankCall attaches the argument column's ranking to a rank function.
func (p *planner) rankCall(n *node, e *ast.Call) error {
	col := n.kids[0]
	if col.op != opCol || len(col.fields) > 0 {
		return fmt.Errorf("%s needs a top-level column", e.Name)
	}
	r, err := p.eng.ranking(col.col)
	if err != nil {
		return err
	}
	n.rank, n.tiles = r, 5
	switch e.Name {
	case "ntile":
		n.tiles = e.Args[1].(*ast.Literal).Int
		n.kids = n.kids[:1]
	case "r_score":
		n.invert = col.k != kTime // fewer days since is more recent
	}
	return nil
}

// bucketNode plans bucket(id, salt).
func bucketNode(id *node, salt string) *node {
	return &node{op: opCall, k: kInt, fn: "bucket", kids: []*node{id}, salt: salt}
}

// sampleNode plans sample(id, share, salt) as bucket(id, salt) < share ×
// 10000, so it shares bucket's kernel and its explanation.
func sampleNode(id *node, share float64, salt string) *node {
	limit := &node{op: opConst, k: kFloat, val: floatVal(share * bucketCount)}
	b := &node{op: opCast, k: kFloat, kids: []*node{bucketNode(id, salt)}}
	return &node{op: opCmp, k: kBool, cmp: ast.Lt, kids: []*node{b, limit}}
}
