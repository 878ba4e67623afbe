package engine

import (
	"fmt"
	"regexp"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
)

// opcode is a plan operation.
type opcode uint8

const (
	opConst opcode = iota
	opCol
	opNow
	opNot
	opAnd
	opOr
	opIsNull
	opCmp
	opArith
	opNeg
	opCast // int → float
	opInSet
	opLike
	opMatches
	opContains    // list contains one/any/all constant values
	opStrContains // substring test, one/any/all
	opCall
	opSegResult // a saved segment already evaluated in this run
)

// node is one operation of a typed plan. Plans are immutable once built.
type node struct {
	op     opcode
	k      kind // result kind
	kids   []*node
	span   diag.Span
	col    int   // opCol: top-level column index
	fields []int // opCol: struct field path
	atype  arrow.DataType
	elem   kind // opCol of a list: element kind
	val    Value
	cmp    ast.CompareOp
	arith  ast.ArithOp
	not    bool // opIsNull: is not null
	set    *valueSet
	like   *likeMatcher
	re     *regexp.Regexp
	mode   ast.ContainsMode
	vals   []Value
	fn     string
	result *Result // opSegResult
	// Rank functions: the argument column's ranking over the whole table.
	// The integer ones are all tiles, fixed at plan time: ntile(c, k) has
	// k tiles, the RFM scores 5, and r_score over a number (days since)
	// counts them from the top (invert).
	rank   *ranking
	tiles  int64
	invert bool
	salt   string // bucket
}

// planner lowers a checked tree.
type planner struct {
	eng    *Engine
	info   *check.Info
	schema *arrow.Schema
	// segment returns the plan a saved segment's name stands for; nil when
	// the query has no catalog.
	segment func(name string) (*node, error)
}

func kindOf(t *check.Type) kind {
	switch {
	case t.Kind == check.Bool:
		return kBool
	case t.IsInteger():
		return kInt
	case t.IsFloat():
		return kFloat
	case t.Kind == check.String:
		return kStr
	case t.IsTemporal():
		return kTime
	case t.Kind == check.Duration:
		return kDur
	case t.Kind == check.List:
		return kList
	}
	return kNull
}

func (p *planner) lower(e ast.Expr) (*node, error) {
	n, err := p.lowerNode(e)
	if err != nil {
		return nil, err
	}
	n.span = e.Bounds()
	return fold(n)
}

func (p *planner) lowerKids(es ...ast.Expr) ([]*node, error) {
	out := make([]*node, len(es))
	for i, e := range es {
		n, err := p.lower(e)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func (p *planner) lowerNode(e ast.Expr) (*node, error) {
	t := p.info.Types[e]
	switch e := e.(type) {
	case *ast.Ref:
		return p.ref(e)
	case *ast.Literal:
		return &node{op: opConst, k: kindOf(t), val: p.literal(e, t)}, nil
	case *ast.Unary:
		kids, err := p.lowerKids(e.X)
		if err != nil {
			return nil, err
		}
		if e.Op == ast.Not {
			return &node{op: opNot, k: kBool, kids: kids}, nil
		}
		return &node{op: opNeg, k: kindOf(t), kids: kids}, nil
	case *ast.Logical:
		kids, err := p.lowerKids(e.Terms...)
		if err != nil {
			return nil, err
		}
		op := opAnd
		if e.Op == ast.Or {
			op = opOr
		}
		return &node{op: op, k: kBool, kids: flattenLogic(op, kids)}, nil
	case *ast.Compare:
		return p.compare(e.Op, e.X, e.Y)
	case *ast.Arith:
		return p.arith(e, t)
	case *ast.Between:
		return p.between(e)
	case *ast.In:
		return p.in(e)
	case *ast.IsNull:
		kids, err := p.lowerKids(e.X)
		if err != nil {
			return nil, err
		}
		return &node{op: opIsNull, k: kBool, kids: kids, not: e.Not}, nil
	case *ast.Like:
		return p.like(e)
	case *ast.Matches:
		kids, err := p.lowerKids(e.X)
		if err != nil {
			return nil, err
		}
		return negateIf(e.Not, &node{op: opMatches, k: kBool, kids: kids, re: p.info.Regexps[e]}), nil
	case *ast.Contains:
		return p.contains(e)
	case *ast.Within:
		return p.within(e)
	case *ast.Call:
		return p.call(e, t)
	}
	return nil, fmt.Errorf("engine: cannot plan %T", e)
}

// flattenLogic merges terms of the same connective (such as the `and` a
// `between` lowers to) into one n-ary node.
func flattenLogic(op opcode, kids []*node) []*node {
	var out []*node
	for _, k := range kids {
		if k.op == op {
			out = append(out, k.kids...)
			continue
		}
		out = append(out, k)
	}
	return out
}

func negateIf(not bool, n *node) *node {
	if !not {
		return n
	}
	return &node{op: opNot, k: kBool, kids: []*node{n}}
}

func (p *planner) ref(r *ast.Ref) (*node, error) {
	res, ok := p.info.Refs[r]
	if ok && res.Kind == check.SegmentRef && p.segment != nil {
		shared, err := p.segment(res.Name)
		if err != nil {
			return nil, err
		}
		top := *shared // lower sets the top node's span: never on the shared plan
		return &top, nil
	}
	if !ok || res.Kind != check.ColumnRef {
		return nil, fmt.Errorf("%s: saved segments are not available here", diag.Quote(r.Name()))
	}
	idx := p.schema.FieldIndices(res.Column)[0]
	n := &node{op: opCol, col: idx, atype: p.schema.Field(idx).Type}
	for _, f := range res.Fields {
		st := n.atype.(*arrow.StructType)
		fi, _ := st.FieldIdx(f)
		n.fields = append(n.fields, fi)
		n.atype = st.Field(fi).Type
	}
	t := TypeOf(n.atype)
	n.k = kindOf(t)
	if n.k == kList {
		n.elem = kindOf(t.Elem)
	}
	return n, nil
}

func (p *planner) literal(l *ast.Literal, t *check.Type) Value {
	if us, ok := p.info.Times[l]; ok {
		return timeVal(us)
	}
	switch l.Kind {
	case ast.Bool:
		return boolVal(l.Bool)
	case ast.Int:
		return intVal(l.Int)
	case ast.Float:
		return floatVal(l.Float)
	case ast.Percent:
		return floatVal(l.Fraction())
	case ast.String:
		return strVal(l.Str)
	case ast.Duration:
		return durVal(l.Dur.Micros())
	}
	return null(kindOf(t))
}

// operandKind is the kind two operands are compared in.
func operandKind(a, b *node) kind {
	switch {
	case a.k == kNull:
		return b.k
	case b.k == kNull:
		return a.k
	case a.k == kFloat || b.k == kFloat:
		if (a.k == kInt || a.k == kFloat) && (b.k == kInt || b.k == kFloat) {
			return kFloat
		}
	}
	return a.k
}

// coerce casts an integer operand to float where the other is a float, and
// gives a null constant the operand kind.
func coerce(n *node, k kind) *node {
	if n.k == kNull && n.op == opConst {
		return &node{op: opConst, k: k, val: null(k)}
	}
	if n.k == kInt && k == kFloat {
		if n.op == opConst && !n.val.Null { // cast now, so the parent folds
			return &node{op: opConst, k: kFloat, val: floatVal(float64(n.val.I)), span: n.span}
		}
		return &node{op: opCast, k: kFloat, kids: []*node{n}}
	}
	return n
}

func (p *planner) compare(op ast.CompareOp, x, y ast.Expr) (*node, error) {
	kids, err := p.lowerKids(x, y)
	if err != nil {
		return nil, err
	}
	return compareNode(op, kids[0], kids[1]), nil
}

func compareNode(op ast.CompareOp, a, b *node) *node {
	k := operandKind(a, b)
	return &node{op: opCmp, k: kBool, cmp: op, kids: []*node{coerce(a, k), coerce(b, k)}}
}

func (p *planner) arith(e *ast.Arith, t *check.Type) (*node, error) {
	kids, err := p.lowerKids(e.X, e.Y)
	if err != nil {
		return nil, err
	}
	k := kindOf(t)
	a, b := kids[0], kids[1]
	if k == kFloat {
		a, b = coerce(a, kFloat), coerce(b, kFloat)
	} else {
		a, b = coerce(a, a.k), coerce(b, b.k)
		if a.k == kNull {
			a = &node{op: opConst, k: b.k, val: null(b.k)}
		}
		if b.k == kNull {
			b = &node{op: opConst, k: a.k, val: null(a.k)}
		}
	}
	return &node{op: opArith, k: k, arith: e.Op, kids: []*node{a, b}, span: e.OpSpan}, nil
}

// between lowers to `lo <= x and x <= hi` (negated for not between).
func (p *planner) between(e *ast.Between) (*node, error) {
	kids, err := p.lowerKids(e.X, e.Lo, e.Hi)
	if err != nil {
		return nil, err
	}
	x, lo, hi := kids[0], kids[1], kids[2]
	and := &node{op: opAnd, k: kBool, kids: []*node{compareNode(ast.Ge, x, lo), compareNode(ast.Le, x, hi)}}
	return negateIf(e.Not, and), nil
}

func (p *planner) within(e *ast.Within) (*node, error) {
	kids, err := p.lowerKids(e.X, e.D)
	if err != nil {
		return nil, err
	}
	now := &node{op: opNow, k: kTime}
	from := &node{op: opArith, k: kTime, arith: ast.Sub, kids: []*node{now, kids[1]}}
	return &node{op: opAnd, k: kBool, kids: []*node{compareNode(ast.Ge, kids[0], from), compareNode(ast.Le, kids[0], now)}}, nil
}

func (p *planner) like(e *ast.Like) (*node, error) {
	kids, err := p.lowerKids(e.X)
	if err != nil {
		return nil, err
	}
	pat := e.Pattern.(*ast.Literal).Str
	return negateIf(e.Not, &node{op: opLike, k: kBool, kids: kids, like: newLikeMatcher(pat, e.Fold)}), nil
}
