// Package gen generates random, well-typed segql expressions over a schema.
// Tests use it for round-trip properties of the printer and for
// differential tests of the engine against a reference evaluator.
package gen

import (
	"math"
	"math/rand/v2"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
)

// Gen draws expressions. It is not safe for concurrent use.
type Gen struct {
	R       *rand.Rand
	Depth   int      // maximum nesting depth (default 4)
	Strings []string // string literals to draw from
	Words   []string // list elements to draw from
	// EdgeInts makes some integer literals the edges of int64 (and a few
	// large powers of two), so that arithmetic overflows and evaluation
	// errors occur.
	EdgeInts bool
	bools    []string
	ints     []string
	floats   []string
	strs     []string
	times    []string
	lists    map[check.Kind][]string
}

// New returns a generator over the columns of schema.
func New(r *rand.Rand, schema check.Schema) *Gen {
	g := &Gen{R: r, Depth: 4, lists: map[check.Kind][]string{},
		Strings: []string{"", "a", "b", "ab", "Ab", "ba", "abc", "x%y", "é"},
		Words:   []string{"a", "b", "c", "yoga", "deals"}}
	for _, c := range schema.Columns() {
		t := c.Type
		switch {
		case t.Kind == check.Bool:
			g.bools = append(g.bools, c.Name)
		case t.IsInteger():
			g.ints = append(g.ints, c.Name)
		case t.IsFloat():
			g.floats = append(g.floats, c.Name)
		case t.Kind == check.String:
			g.strs = append(g.strs, c.Name)
		case t.IsTemporal():
			g.times = append(g.times, c.Name)
		case t.Kind == check.List && (t.Elem.Kind == check.String || t.Elem.IsInteger()):
			k := t.Elem.Kind
			if t.Elem.IsInteger() {
				k = check.Int64
			}
			g.lists[k] = append(g.lists[k], c.Name)
		}
	}
	return g
}

func (g *Gen) pick(xs []string) string { return xs[g.R.IntN(len(xs))] }
func (g *Gen) chance(p float64) bool   { return g.R.Float64() < p }
func ref(name string) ast.Expr         { return &ast.Ref{Path: []string{name}} }

func lit(kind ast.LitKind) *ast.Literal { return &ast.Literal{Kind: kind} }

// edgeInts are int64 values that make arithmetic overflow.
var edgeInts = []int64{math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, 1 << 62, -(1 << 62), 1 << 32, 3037000500}

func (g *Gen) intLit() ast.Expr {
	l := lit(ast.Int)
	l.Int = int64(g.R.IntN(30) - 5)
	if g.EdgeInts && g.chance(0.2) {
		l.Int = edgeInts[g.R.IntN(len(edgeInts))]
	}
	return l
}

func (g *Gen) floatLit() ast.Expr {
	if g.chance(0.1) {
		l := lit(ast.Percent)
		l.Float = float64(g.R.IntN(400) - 100)
		return l
	}
	l := lit(ast.Float)
	l.Float = float64(g.R.IntN(200)-50) / 4
	return l
}

// idExpr returns an integer column or a string expression (a user id for
// bucket and sample), or nil when there is neither.
func (g *Gen) idExpr(d int) ast.Expr {
	switch {
	case len(g.ints) > 0 && (len(g.strs) == 0 || g.chance(0.5)):
		return ref(g.pick(g.ints))
	case len(g.strs) > 0:
		return g.str(d + 1)
	}
	return nil
}

func (g *Gen) saltLit() ast.Expr {
	l := lit(ast.String)
	l.Str = g.pick([]string{"", "exp1", "s"})
	return l
}

func (g *Gen) strLit() ast.Expr {
	l := lit(ast.String)
	l.Str = g.pick(g.Strings)
	return l
}

func (g *Gen) durLit() ast.Expr {
	l := lit(ast.Duration)
	l.Dur = ast.DurationValue{N: int64(1 + g.R.IntN(60)), Unit: ast.DurationUnit("smhdw"[g.R.IntN(5)])}
	return l
}

// Bool returns a random boolean expression.
func (g *Gen) Bool() ast.Expr { return g.boolean(0) }

func (g *Gen) boolean(d int) ast.Expr {
	leafOnly := d >= g.Depth
	for {
		switch n := g.R.IntN(16); {
		case n < 2 && !leafOnly:
			op := ast.And
			if n == 1 {
				op = ast.Or
			}
			terms := []ast.Expr{g.boolean(d + 1), g.boolean(d + 1)}
			if g.chance(0.3) {
				terms = append(terms, g.boolean(d+1))
			}
			return flatten(op, terms)
		case n == 2 && !leafOnly:
			return &ast.Unary{Op: ast.Not, X: g.boolean(d + 1)}
		default:
			if e := g.predicate(d); e != nil {
				return e
			}
		}
	}
}

// flatten keeps n-ary and/or trees in the parser's normal form.
func flatten(op ast.LogicalOp, terms []ast.Expr) ast.Expr {
	var out []ast.Expr
	for _, t := range terms {
		if l, ok := t.(*ast.Logical); ok && l.Op == op {
			out = append(out, l.Terms...)
			continue
		}
		out = append(out, t)
	}
	return &ast.Logical{Op: op, Terms: out}
}

var cmpOps = []ast.CompareOp{ast.Eq, ast.Ne, ast.Lt, ast.Le, ast.Gt, ast.Ge}

// predicate returns a leaf predicate, or nil when the schema lacks the
// columns it needs.
func (g *Gen) predicate(d int) ast.Expr {
	switch g.R.IntN(14) {
	case 0, 1:
		return &ast.Compare{Op: cmpOps[g.R.IntN(6)], X: g.num(d + 1), Y: g.num(d + 1)}
	case 12:
		id := g.idExpr(d)
		if id == nil {
			return nil
		}
		share := lit(ast.Percent)
		share.Float = float64(5 * g.R.IntN(21))
		return &ast.Call{Name: "sample", Args: []ast.Expr{id, share, g.saltLit()}}
	case 2:
		return &ast.Between{Not: g.chance(0.3), X: g.num(d + 1), Lo: g.num(d + 1), Hi: g.num(d + 1)}
	case 3:
		return g.inList(d)
	case 4:
		return &ast.IsNull{Not: g.chance(0.5), X: g.anyValue(d + 1)}
	case 5:
		if len(g.strs) == 0 {
			return nil
		}
		return &ast.Compare{Op: cmpOps[g.R.IntN(6)], X: g.str(d + 1), Y: g.str(d + 1)}
	case 6:
		if len(g.strs) == 0 {
			return nil
		}
		pats := []string{"a%", "%b", "%a%", "_b%", "ab", "%", "a_c", "%é%", "A%"}
		p := lit(ast.String)
		p.Str = g.pick(pats)
		return &ast.Like{Not: g.chance(0.3), Fold: g.chance(0.4), X: g.str(d + 1), Pattern: p}
	case 7:
		if len(g.strs) == 0 {
			return nil
		}
		p := lit(ast.String)
		p.Str = g.pick([]string{"^a", "b$", "a.c", "^$", "[ab]+", "(?i)ab"})
		return &ast.Matches{Not: g.chance(0.3), X: g.str(d + 1), Pattern: p}
	case 8:
		return g.containsPred()
	case 9:
		if len(g.times) == 0 {
			return nil
		}
		return &ast.Within{X: ref(g.pick(g.times)), D: g.durLit()}
	case 10:
		if len(g.times) == 0 {
			return nil
		}
		return g.timeCompare()
	case 11:
		if len(g.bools) == 0 {
			return nil
		}
		if g.chance(0.5) {
			return ref(g.pick(g.bools))
		}
		b := lit(ast.Bool)
		b.Bool = g.chance(0.5)
		return &ast.Compare{Op: cmpOps[g.R.IntN(2)], X: ref(g.pick(g.bools)), Y: b}
	default:
		if len(g.strs) == 0 {
			return nil
		}
		name := []string{"starts_with", "ends_with"}[g.R.IntN(2)]
		return &ast.Call{Name: name, Args: []ast.Expr{g.str(d + 1), g.strLit()}}
	}
}

func (g *Gen) inList(d int) ast.Expr {
	not := g.chance(0.3)
	n := 1 + g.R.IntN(4)
	var items []ast.Expr
	var x ast.Expr
	if g.chance(0.15) { // a boolean in-list: (a > 1) in (null, false, true)
		for _, i := range g.R.Perm(3)[:1+g.R.IntN(3)] {
			switch {
			case i == 2 && !not:
				items = append(items, lit(ast.Null))
			case i < 2:
				b := lit(ast.Bool)
				b.Bool = i == 1
				items = append(items, b)
			}
		}
		if len(items) > 0 {
			return &ast.In{Not: not, X: g.predicate(d + 1), List: items}
		}
	}
	if len(g.strs) > 0 && g.chance(0.5) {
		x = g.str(d + 1)
		for range n {
			items = append(items, g.strLit())
		}
	} else {
		x = g.num(d + 1)
		for range n {
			items = append(items, g.intLit())
		}
	}
	if !not && g.chance(0.2) {
		items = append(items, lit(ast.Null))
	}
	return &ast.In{Not: not, X: x, List: items}
}

func (g *Gen) containsPred() ast.Expr {
	if names := g.lists[check.String]; len(names) > 0 && g.chance(0.7) {
		mode := ast.ContainsMode(g.R.IntN(3))
		n := 1
		if mode != ast.ContainsOne {
			n = 1 + g.R.IntN(3)
		}
		var vals []ast.Expr
		for range n {
			l := lit(ast.String)
			l.Str = g.pick(g.Words)
			vals = append(vals, l)
		}
		return &ast.Contains{Mode: mode, X: ref(g.pick(names)), Values: vals}
	}
	if names := g.lists[check.Int64]; len(names) > 0 {
		return &ast.Contains{Mode: ast.ContainsOne, X: ref(g.pick(names)), Values: []ast.Expr{g.intLit()}}
	}
	return nil
}

func (g *Gen) timeCompare() ast.Expr {
	var y ast.Expr
	switch g.R.IntN(3) {
	case 0:
		l := lit(ast.String)
		l.Str = g.pick([]string{"2024-01-31", "2024-06-01T12:00:00Z", "2023-12-31T23:59:59+02:00"})
		y = l
	case 1:
		y = &ast.Arith{Op: ast.Sub, X: &ast.Call{Name: "now"}, Y: g.durLit()}
	default:
		y = ref(g.pick(g.times))
	}
	return &ast.Compare{Op: cmpOps[g.R.IntN(6)], X: ref(g.pick(g.times)), Y: y}
}

// anyValue returns an expression of any scalar type.
func (g *Gen) anyValue(d int) ast.Expr {
	if len(g.strs) > 0 && g.chance(0.3) {
		return g.str(d)
	}
	if len(g.times) > 0 && g.chance(0.2) {
		return ref(g.pick(g.times))
	}
	return g.num(d)
}

// num returns a numeric expression.
func (g *Gen) num(d int) ast.Expr {
	if g.EdgeInts && len(g.ints) > 0 && g.chance(0.05) { // overflows on some rows only
		edge := lit(ast.Int)
		edge.Int = edgeInts[g.R.IntN(len(edgeInts))]
		return &ast.Arith{Op: []ast.ArithOp{ast.Add, ast.Sub, ast.Mul}[g.R.IntN(3)], X: ref(g.pick(g.ints)), Y: edge}
	}
	if d >= g.Depth {
		return g.numLeaf()
	}
	switch g.R.IntN(10) {
	case 0:
		return &ast.Arith{Op: ast.ArithOp(g.R.IntN(5)), X: g.num(d + 1), Y: g.num(d + 1)}
	case 1:
		if x := g.num(d + 1); !isLiteral(x) {
			return &ast.Unary{Op: ast.Neg, X: x}
		}
		return g.numLeaf()
	case 2:
		name := []string{"abs", "round", "floor", "ceil"}[g.R.IntN(4)]
		return &ast.Call{Name: name, Args: []ast.Expr{g.num(d + 1)}}
	case 3:
		return &ast.Call{Name: "coalesce", Args: []ast.Expr{g.num(d + 1), g.num(d + 1)}}
	case 4:
		if len(g.strs) > 0 {
			return &ast.Call{Name: "len", Args: []ast.Expr{g.str(d + 1)}}
		}
	case 5:
		if len(g.times) > 0 {
			name := []string{"days_since", "year", "month", "day_of_week"}[g.R.IntN(4)]
			return &ast.Call{Name: name, Args: []ast.Expr{ref(g.pick(g.times))}}
		}
	case 6:
		if names := g.lists[check.String]; len(names) > 0 {
			return &ast.Call{Name: "len", Args: []ast.Expr{ref(g.pick(names))}}
		}
	case 7:
		if id := g.idExpr(d); id != nil {
			return &ast.Call{Name: "bucket", Args: []ast.Expr{id, g.saltLit()}}
		}
	}
	return g.numLeaf()
}

func isLiteral(e ast.Expr) bool { _, ok := e.(*ast.Literal); return ok }

func (g *Gen) numLeaf() ast.Expr {
	switch n := g.R.IntN(10); {
	case n < 4 && len(g.ints) > 0:
		return ref(g.pick(g.ints))
	case n < 6 && len(g.floats) > 0:
		return ref(g.pick(g.floats))
	case n < 8:
		return g.intLit()
	case n < 9:
		return g.floatLit()
	}
	return lit(ast.Null)
}

// str returns a string expression.
func (g *Gen) str(d int) ast.Expr {
	if d < g.Depth {
		switch g.R.IntN(6) {
		case 0:
			return &ast.Call{Name: []string{"lower", "upper"}[g.R.IntN(2)], Args: []ast.Expr{g.str(d + 1)}}
		case 1:
			return &ast.Call{Name: "coalesce", Args: []ast.Expr{g.str(d + 1), g.strLit()}}
		}
	}
	if g.chance(0.8) {
		return ref(g.pick(g.strs))
	}
	return g.strLit()
}
