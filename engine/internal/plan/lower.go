package plan

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/funcs"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/stats"
	"github.com/segql/segql/engine/internal/value"
	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
)

// Tables is what lowering needs of the engine: the table's schema and its
// column rankings (for the rank functions).
type Tables interface {
	ArrowSchema() *arrow.Schema
	Ranking(col int) (*stats.Ranking, error)
}

// Lowerer turns checked syntax trees into plan nodes. Named segments are
// lowered once each and shared by every reference (a DAG). It is used by
// one compilation at a time.
type Lowerer struct {
	ctx      context.Context
	tables   Tables
	defs     *check.Definitions
	segments map[string]*Node
	active   map[string]bool // segments being lowered (cycles are checked earlier; this guards)
	steps    int
}

// NewLowerer returns a lowerer over a table and, when defs is not nil, a
// set of named segments. Lowering checks ctx regularly.
func NewLowerer(ctx context.Context, t Tables, defs *check.Definitions) *Lowerer {
	return &Lowerer{ctx: ctx, tables: t, defs: defs, segments: map[string]*Node{}, active: map[string]bool{}}
}

// Lower lowers a checked expression whose source is src.
func (l *Lowerer) Lower(e ast.Expr, info *check.Info, src *diag.Source) (*Node, error) {
	u := &unit{l: l, info: info, src: src}
	return u.lower(e)
}

// Segment returns the plan of a named segment, lowering it on first use.
func (l *Lowerer) Segment(name string) (*Node, error) {
	if n, ok := l.segments[name]; ok {
		return n, nil
	}
	if l.defs == nil {
		return nil, fmt.Errorf("%s: saved segments are not available here", diag.Quote(name))
	}
	d := l.defs.Lookup(name)
	if d == nil || d.Info == nil {
		return nil, fmt.Errorf("segment %s is not defined", diag.Quote(name))
	}
	if l.active[name] {
		return nil, fmt.Errorf("segment %s refers to itself", diag.Quote(name))
	}
	l.active[name] = true
	defer delete(l.active, name)
	src := d.Src
	body, err := l.Lower(d.Segment.Expr, d.Info, &src)
	if err != nil {
		return nil, err
	}
	n := &Node{Op: OpSegment, Kind: value.KBool, Args: []*Node{body}, Name: name, Src: &src, Span: d.Segment.NameSpan}
	l.segments[name] = n
	return n, nil
}

// unit lowers one source text (an expression or a definition).
type unit struct {
	l    *Lowerer
	info *check.Info
	src  *diag.Source
}

// KindOf maps a checker type to the kind its values take.
func KindOf(t *check.Type) value.Kind {
	switch {
	case t == nil:
		return value.KNull
	case t.Kind == check.Bool:
		return value.KBool
	case t.IsInteger():
		return value.KInt
	case t.IsFloat():
		return value.KFloat
	case t.Kind == check.String:
		return value.KStr
	case t.IsTemporal():
		return value.KTime
	case t.Kind == check.Duration:
		return value.KDur
	case t.Kind == check.List:
		return value.KList
	}
	return value.KNull
}

func (u *unit) node(op Op, k value.Kind, at diag.Span, args ...*Node) *Node {
	return &Node{Op: op, Kind: k, Args: args, Src: u.src, Span: at}
}

func (u *unit) lower(e ast.Expr) (*Node, error) {
	u.l.steps++
	if u.l.steps%1024 == 0 {
		if err := u.l.ctx.Err(); err != nil {
			return nil, err
		}
	}
	n, err := u.lowerNode(e)
	if err != nil {
		return nil, err
	}
	if n.Src == nil {
		n.Src, n.Span = u.src, e.Bounds()
	}
	return n, nil
}

func (u *unit) lowerAll(es ...ast.Expr) ([]*Node, error) {
	out := make([]*Node, len(es))
	for i, e := range es {
		n, err := u.lower(e)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func (u *unit) lowerNode(e ast.Expr) (*Node, error) {
	t := u.info.Types[e]
	sp := e.Bounds()
	switch e := e.(type) {
	case *ast.Ref:
		return u.ref(e)
	case *ast.Literal:
		return &Node{Op: OpConst, Kind: KindOf(t), Val: u.literal(e, t), Src: u.src, Span: sp}, nil
	case *ast.Unary:
		x, err := u.lower(e.X)
		if err != nil {
			return nil, err
		}
		if e.Op == ast.Not {
			return u.node(OpNot, value.KBool, sp, x), nil
		}
		return u.node(OpNeg, KindOf(t), sp, x), nil
	case *ast.Logical:
		terms, err := u.lowerAll(e.Terms...)
		if err != nil {
			return nil, err
		}
		op := OpAnd
		if e.Op == ast.Or {
			op = OpOr
		}
		return u.node(op, value.KBool, sp, Flatten(op, terms)...), nil
	case *ast.Compare:
		xy, err := u.lowerAll(e.X, e.Y)
		if err != nil {
			return nil, err
		}
		return CompareNode(CmpOf(e.Op), xy[0], xy[1], u.src, sp), nil
	case *ast.Arith:
		return u.arith(e, t)
	case *ast.Between:
		return u.between(e)
	case *ast.In:
		return u.in(e)
	case *ast.IsNull:
		x, err := u.lower(e.X)
		if err != nil {
			return nil, err
		}
		n := u.node(OpIsNull, value.KBool, sp, x)
		n.Negated = e.Not
		return n, nil
	case *ast.Like:
		x, err := u.lower(e.X)
		if err != nil {
			return nil, err
		}
		n := u.node(OpLike, value.KBool, sp, x)
		n.Like = kernels.NewLike(e.Pattern.(*ast.Literal).Str, e.Fold)
		return u.negateIf(e.Not, n, sp), nil
	case *ast.Matches:
		x, err := u.lower(e.X)
		if err != nil {
			return nil, err
		}
		n := u.node(OpMatches, value.KBool, sp, x)
		n.Re = u.info.Regexps[e]
		return u.negateIf(e.Not, n, sp), nil
	case *ast.Contains:
		return u.contains(e)
	case *ast.Within:
		return u.within(e)
	case *ast.Call:
		return u.call(e, t)
	case *ast.Event:
		return u.event(e, t)
	}
	return nil, fmt.Errorf("engine: cannot plan %T", e)
}

// Flatten merges terms of the same connective (such as the `and` a
// `between` lowers to) into one n-ary node.
func Flatten(op Op, terms []*Node) []*Node {
	var out []*Node
	for _, k := range terms {
		if k.Op == op {
			out = append(out, k.Args...)
			continue
		}
		out = append(out, k)
	}
	return out
}

func (u *unit) negateIf(not bool, n *Node, sp diag.Span) *Node {
	if !not {
		return n
	}
	return u.node(OpNot, value.KBool, sp, n)
}

func (u *unit) ref(r *ast.Ref) (*Node, error) {
	res, ok := u.info.Refs[r]
	if ok && res.Kind == check.SegmentRef {
		return u.l.Segment(res.Name)
	}
	if !ok {
		return nil, fmt.Errorf("%s is not resolved", diag.Quote(r.Name()))
	}
	schema := u.l.tables.ArrowSchema()
	idx := schema.FieldIndices(res.Column)[0]
	col := &Column{Index: idx, Name: r.Name(), Type: schema.Field(idx).Type}
	for _, f := range res.Fields {
		st := col.Type.(*arrow.StructType)
		fi, _ := st.FieldIdx(f)
		col.Fields = append(col.Fields, fi)
		col.Type = st.Field(fi).Type
	}
	k := kernels.KindOf(col.Type)
	if lt, isList := col.Type.(arrow.ListLikeType); isList {
		col.Elem = kernels.KindOf(lt.Elem())
	}
	return &Node{Op: OpColumn, Kind: k, Col: col, Src: u.src, Span: r.Span}, nil
}

func (u *unit) literal(l *ast.Literal, t *check.Type) value.Value {
	if us, ok := u.info.Times[l]; ok {
		return value.Time(us)
	}
	switch l.Kind {
	case ast.Bool:
		return value.Bool(l.Bool)
	case ast.Int:
		return value.Int(l.Int)
	case ast.Float:
		return value.Float(l.Float)
	case ast.Percent:
		return value.Float(l.Fraction())
	case ast.String:
		return value.Str(l.Str)
	case ast.Duration:
		return value.Dur(l.Dur.Micros())
	}
	return value.NullOf(KindOf(t))
}

// CmpOf maps the syntax tree's comparison to the kernels' operator.
func CmpOf(op ast.CompareOp) kernels.CmpOp {
	return [...]kernels.CmpOp{ast.Eq: kernels.Eq, ast.Ne: kernels.Ne, ast.Lt: kernels.Lt, ast.Le: kernels.Le,
		ast.Gt: kernels.Gt, ast.Ge: kernels.Ge}[op]
}

// ArithOf maps the syntax tree's arithmetic operator to the kernels'.
func ArithOf(op ast.ArithOp) kernels.ArithOp {
	return [...]kernels.ArithOp{ast.Add: kernels.Add, ast.Sub: kernels.Sub, ast.Mul: kernels.Mul,
		ast.Div: kernels.Div, ast.Mod: kernels.Mod}[op]
}

// operandKind is the kind two operands are compared in.
func operandKind(a, b *Node) value.Kind {
	switch {
	case a.Kind == value.KNull:
		return b.Kind
	case b.Kind == value.KNull:
		return a.Kind
	case (a.Kind == value.KFloat || b.Kind == value.KFloat) && numeric(a.Kind) && numeric(b.Kind):
		return value.KFloat
	}
	return a.Kind
}

func numeric(k value.Kind) bool { return k == value.KInt || k == value.KFloat }

// Coerce casts an integer operand to float where the other is a float, and
// gives a null constant the operand kind.
func Coerce(n *Node, k value.Kind) *Node {
	if n.Kind == value.KNull && n.Op == OpConst {
		return &Node{Op: OpConst, Kind: k, Val: value.NullOf(k), Src: n.Src, Span: n.Span}
	}
	if n.Kind == value.KInt && k == value.KFloat {
		if n.Op == OpConst && !n.Val.Null { // cast now, so the parent folds
			return &Node{Op: OpConst, Kind: value.KFloat, Val: value.Float(float64(n.Val.I)), Src: n.Src, Span: n.Span}
		}
		return &Node{Op: OpCast, Kind: value.KFloat, Args: []*Node{n}, Src: n.Src, Span: n.Span}
	}
	return n
}

// CompareNode builds `a op b` with the operands coerced to one kind.
func CompareNode(op kernels.CmpOp, a, b *Node, src *diag.Source, sp diag.Span) *Node {
	k := operandKind(a, b)
	return &Node{Op: OpCompare, Kind: value.KBool, Cmp: op, Args: []*Node{Coerce(a, k), Coerce(b, k)}, Src: src, Span: sp}
}

func (u *unit) arith(e *ast.Arith, t *check.Type) (*Node, error) {
	xy, err := u.lowerAll(e.X, e.Y)
	if err != nil {
		return nil, err
	}
	k := KindOf(t)
	a, b := xy[0], xy[1]
	if k == value.KFloat {
		a, b = Coerce(a, value.KFloat), Coerce(b, value.KFloat)
	} else {
		if a.Kind == value.KNull {
			a = Coerce(a, b.Kind)
		}
		if b.Kind == value.KNull {
			b = Coerce(b, a.Kind)
		}
	}
	n := u.node(OpArith, k, e.Span, a, b)
	n.Arith = ArithOf(e.Op)
	return n, nil
}

// between lowers to `lo <= x and x <= hi` (negated for not between).
func (u *unit) between(e *ast.Between) (*Node, error) {
	k, err := u.lowerAll(e.X, e.Lo, e.Hi)
	if err != nil {
		return nil, err
	}
	x, lo, hi := k[0], k[1], k[2]
	and := u.node(OpAnd, value.KBool, e.Span,
		CompareNode(kernels.Ge, x, lo, u.src, e.Span), CompareNode(kernels.Le, x, hi, u.src, e.Span))
	return u.negateIf(e.Not, and, e.Span), nil
}

// within lowers to `now() - d <= x and x <= now()`.
func (u *unit) within(e *ast.Within) (*Node, error) {
	k, err := u.lowerAll(e.X, e.D)
	if err != nil {
		return nil, err
	}
	now := u.node(OpNow, value.KTime, e.D.Bounds())
	from := u.node(OpArith, value.KTime, e.D.Bounds(), now, k[1])
	from.Arith = kernels.Sub
	return u.node(OpAnd, value.KBool, e.Span,
		CompareNode(kernels.Ge, k[0], from, u.src, e.Span), CompareNode(kernels.Le, k[0], now, u.src, e.Span)), nil
}

// in lowers `x [not] in (…)` with its items; the normalizer folds them
// into a set, or into `x = a or x = b …` when some are not constant.
func (u *unit) in(e *ast.In) (*Node, error) {
	k, err := u.lowerAll(append([]ast.Expr{e.X}, e.List...)...)
	if err != nil {
		return nil, err
	}
	x, items := k[0], k[1:]
	kind := x.Kind
	for _, it := range items {
		if it.Kind == value.KFloat && kind == value.KInt {
			kind = value.KFloat
		}
	}
	args := []*Node{Coerce(x, kind)}
	for _, it := range items {
		args = append(args, Coerce(it, kind))
	}
	return u.negateIf(e.Not, u.node(OpIn, value.KBool, e.Span, args...), e.Span), nil
}

// contains lowers list and substring containment; its values are folded
// into constant needles by the normalizer.
func (u *unit) contains(e *ast.Contains) (*Node, error) {
	k, err := u.lowerAll(append([]ast.Expr{e.X}, e.Values...)...)
	if err != nil {
		return nil, err
	}
	op, elem := OpContains, value.KStr
	if k[0].Kind == value.KStr {
		op = OpStrContains
	} else if t := u.info.Types[e.X]; t != nil && t.Elem != nil {
		elem = KindOf(t.Elem)
	}
	for i := 1; i < len(k); i++ {
		if elem == value.KFloat {
			k[i] = Coerce(k[i], value.KFloat)
		}
	}
	n := u.node(op, value.KBool, e.Span, k...)
	n.Needles = &kernels.Contains{All: e.Mode == ast.ContainsAll, Kind: elem}
	return n, nil
}

func (u *unit) call(e *ast.Call, t *check.Type) (*Node, error) {
	args, err := u.lowerAll(e.Args...)
	if err != nil {
		return nil, err
	}
	k := KindOf(t)
	switch e.Name {
	case "now":
		return u.node(OpNow, value.KTime, e.Span), nil
	case "coalesce":
		for i := range args {
			args[i] = Coerce(args[i], k)
		}
		return u.node(OpCoalesce, k, e.Span, args...), nil
	case "sample":
		share, _ := check.SampleShare(e.Args[1])
		b, err := u.fnCall("bucket", value.KInt, e, args[:1])
		if err != nil {
			return nil, err
		}
		b.Param.Salt = e.Args[2].(*ast.Literal).Str + ":"
		limit := &Node{Op: OpConst, Kind: value.KFloat, Val: value.Float(share * kernels.BucketCount), Src: u.src, Span: e.Args[1].Bounds()}
		return CompareNode(kernels.Lt, Coerce(b, value.KFloat), limit, u.src, e.Span), nil
	case "bucket":
		n, err := u.fnCall("bucket", k, e, args[:1])
		if err != nil {
			return nil, err
		}
		n.Param.Salt = e.Args[1].(*ast.Literal).Str + ":"
		return n, nil
	}
	if check.IsRankFunction(e.Name) {
		return u.rank(e, k, args)
	}
	name := e.Name
	if name == "length" {
		name = "len"
	}
	return u.fnCall(name, k, e, args)
}

// fnCall resolves a function by its arguments' kinds.
func (u *unit) fnCall(name string, k value.Kind, e *ast.Call, args []*Node) (*Node, error) {
	kinds := make([]value.Kind, len(args))
	for i, a := range args {
		kinds[i] = a.Kind
	}
	fn, err := funcs.Resolve(name, kinds)
	if err != nil {
		return nil, err
	}
	n := u.node(OpCall, k, e.Span, args...)
	n.Fn = fn
	return n, nil
}

// rank plans percent_rank, ntile and the RFM scores over the argument
// column's ranking (built once per engine).
func (u *unit) rank(e *ast.Call, k value.Kind, args []*Node) (*Node, error) {
	col := args[0]
	if col.Op != OpColumn || !col.Col.Top() {
		return nil, fmt.Errorf("%s needs a top-level column", e.Name)
	}
	r, err := u.l.tables.Ranking(col.Col.Index)
	if err != nil {
		return nil, err
	}
	fn, err := funcs.Resolve(e.Name, []value.Kind{col.Kind})
	if err != nil {
		return nil, err
	}
	n := u.node(OpRank, k, e.Span, col)
	n.Fn = fn
	n.Param = funcs.Param{Rank: r, Tiles: 5}
	switch e.Name {
	case "ntile":
		n.Param.Tiles = e.Args[1].(*ast.Literal).Int
	case "r_score":
		n.Param.Invert = col.Kind != value.KTime // fewer days since is more recent
	}
	return n, nil
}
