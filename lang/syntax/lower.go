package syntax

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
)

// The lower* functions turn participle's grammar structs into ast nodes.
// Recursion depth is bounded by Limits.MaxDepth, checked by the scanner.

func span(from lexer.Position, to int) diag.Span { return diag.Span{Pos: from.Offset, End: to} }

func (p *parser) lowerExpr(g *expression) ast.Expr {
	terms := make([]ast.Expr, 0, len(g.Terms))
	for _, t := range g.Terms {
		terms = append(terms, p.lowerAnd(t))
	}
	return p.logical(ast.Or, terms)
}

func (p *parser) lowerAnd(g *conjunction) ast.Expr {
	terms := make([]ast.Expr, 0, len(g.Terms))
	for _, t := range g.Terms {
		terms = append(terms, p.lowerNot(t))
	}
	return p.logical(ast.And, terms)
}

// logical builds an n-ary node, flattening terms of the same operator.
func (p *parser) logical(op ast.LogicalOp, terms []ast.Expr) ast.Expr {
	if len(terms) == 1 {
		return terms[0]
	}
	p.nodes++
	flat := make([]ast.Expr, 0, len(terms))
	for _, t := range terms {
		if l, ok := t.(*ast.Logical); ok && l.Op == op {
			flat = append(flat, l.Terms...)
			p.nodes--
			continue
		}
		flat = append(flat, t)
	}
	sp := flat[0].Bounds().Join(flat[len(flat)-1].Bounds())
	return &ast.Logical{Span: sp, Op: op, Terms: flat}
}

func (p *parser) lowerNot(g *negation) ast.Expr {
	x := p.lowerPred(g.Pred)
	for i := len(g.Nots) - 1; i >= 0; i-- {
		p.nodes++
		x = &ast.Unary{Span: span(g.Nots[i].Pos, x.Bounds().End), Op: ast.Not, X: x}
	}
	return x
}

func (p *parser) lowerPred(g *predicate) ast.Expr {
	x := p.lowerSum(g.Left)
	if g.Tail == nil {
		return x
	}
	p.nodes++
	sp := diag.Span{Pos: x.Bounds().Pos, End: p.endOf(g.EndPos)}
	t := g.Tail
	switch {
	case t.Cmp != nil:
		opSpan := diag.Span{Pos: t.Cmp.Pos.Offset, End: t.Cmp.Pos.Offset + len(t.Cmp.Op)}
		return &ast.Compare{Span: sp, Op: compareOps[t.Cmp.Op], OpSpan: opSpan, X: x, Y: p.lowerSum(t.Cmp.Right)}
	case t.Between != nil:
		return &ast.Between{Span: sp, Not: t.Between.Not, X: x, Lo: p.lowerSum(t.Between.Lo), Hi: p.lowerSum(t.Between.Hi)}
	case t.In != nil:
		return &ast.In{Span: sp, Not: t.In.Not, X: x, List: p.lowerList(t.In.List, "in")}
	case t.Is != nil:
		return &ast.IsNull{Span: sp, Not: t.Is.Not, X: x}
	case t.Like != nil:
		return &ast.Like{Span: sp, Not: t.Like.Not, Fold: t.Like.Op == "ilike", X: x, Pattern: p.lowerSum(t.Like.Pattern)}
	case t.Matches != nil:
		return &ast.Matches{Span: sp, Not: t.Matches.Not, X: x, Pattern: p.lowerSum(t.Matches.Pattern)}
	case t.Contains != nil:
		return p.lowerContains(sp, x, t.Contains)
	default:
		return &ast.Within{Span: sp, X: x, D: p.lowerSum(t.Within.D)}
	}
}

var compareOps = map[string]ast.CompareOp{
	"=": ast.Eq, "==": ast.Eq, "!=": ast.Ne, "<>": ast.Ne, "<": ast.Lt, "<=": ast.Le, ">": ast.Gt, ">=": ast.Ge,
}

func (p *parser) lowerContains(sp diag.Span, x ast.Expr, g *containsTail) ast.Expr {
	switch g.Mode {
	case "any":
		return &ast.Contains{Span: sp, Mode: ast.ContainsAny, X: x, Values: p.lowerList(g.List, "contains any")}
	case "all":
		return &ast.Contains{Span: sp, Mode: ast.ContainsAll, X: x, Values: p.lowerList(g.List, "contains all")}
	}
	return &ast.Contains{Span: sp, Mode: ast.ContainsOne, X: x, Values: []ast.Expr{p.lowerSum(g.Value)}}
}

// lowerList lowers a parenthesized list; its items count toward MaxList,
// not MaxNodes (literal items), so long value lists stay cheap.
func (p *parser) lowerList(g *valueList, what string) []ast.Expr {
	sp := diag.Span{Pos: g.Pos.Offset, End: p.endOf(g.EndPos)}
	if len(g.Items) == 0 {
		p.errs.Errorf(sp, msgEmptyList, what)
	}
	if len(g.Items) > p.lim.MaxList {
		p.errs.Errorf(sp, msgListTooLong, len(g.Items), p.lim.MaxList)
		return nil
	}
	out := make([]ast.Expr, len(g.Items))
	for i, it := range g.Items {
		before := p.nodes
		out[i] = p.lowerExpr(it)
		if _, ok := out[i].(*ast.Literal); ok {
			p.nodes = before
		}
	}
	return out
}

func (p *parser) lowerSum(g *sum) ast.Expr {
	x := p.lowerProd(g.Head)
	for _, op := range g.Ops {
		y := p.lowerProd(op.Right)
		x = p.arith(x, op.Op, op.Pos, y)
	}
	return x
}

func (p *parser) lowerProd(g *product) ast.Expr {
	x := p.lowerUnary(g.Head)
	for _, op := range g.Ops {
		y := p.lowerUnary(op.Right)
		x = p.arith(x, op.Op, op.Pos, y)
	}
	return x
}

var arithOps = map[string]ast.ArithOp{"+": ast.Add, "-": ast.Sub, "*": ast.Mul, "/": ast.Div, "%": ast.Mod}

func (p *parser) arith(x ast.Expr, op string, pos lexer.Position, y ast.Expr) ast.Expr {
	p.nodes++
	return &ast.Arith{
		Span: x.Bounds().Join(y.Bounds()), Op: arithOps[op],
		OpSpan: diag.Span{Pos: pos.Offset, End: pos.Offset + len(op)}, X: x, Y: y,
	}
}

// lowerUnary applies prefix minus signs. A minus directly before a number
// literal is folded into it, so -9223372036854775808 is representable and
// `-5` prints and reparses as the same tree.
func (p *parser) lowerUnary(g *unary) ast.Expr {
	negs := g.Negs
	var x ast.Expr
	if lit := g.X.Lit; lit != nil && len(negs) > 0 && (lit.Int != "" || lit.Float != "" || lit.Pct != "") {
		x = p.lowerLit(lit, negs[len(negs)-1].Pos.Offset, true)
		negs = negs[:len(negs)-1]
	} else {
		x = p.lowerPrimary(g.X)
	}
	for i := len(negs) - 1; i >= 0; i-- {
		p.nodes++
		x = p.negate(negs[i].Pos, x)
	}
	return x
}

// negate builds -x. Only a minus directly before a number token is folded
// (in lowerUnary), so that printing and reparsing keep the tree.
func (p *parser) negate(pos lexer.Position, x ast.Expr) ast.Expr {
	return &ast.Unary{Span: span(pos, x.Bounds().End), Op: ast.Neg, X: x}
}

func (p *parser) lowerPrimary(g *primary) ast.Expr {
	switch {
	case g.Agg != nil:
		return p.lowerAgg(g.Agg, span(g.Pos, p.endOf(g.EndPos)))
	case g.Did != nil:
		return p.lowerDid(g.Did, span(g.Pos, p.endOf(g.EndPos)))
	case g.Call != nil:
		p.nodes++
		name := g.Call.Name
		nameSpan := diag.Span{Pos: g.Pos.Offset, End: g.Pos.Offset + len(name)}
		var args []ast.Expr
		for _, a := range g.Call.Args.Items {
			args = append(args, p.lowerExpr(a))
		}
		return &ast.Call{Span: span(g.Pos, p.endOf(g.EndPos)), Name: strings.ToLower(name), NameSpan: nameSpan, Args: args}
	case g.Ref != nil:
		return p.lowerRef(g.Ref)
	case g.Lit != nil:
		return p.lowerLit(g.Lit, g.Lit.Pos.Offset, false)
	default:
		x := p.lowerExpr(g.Paren)
		return withSpan(x, span(g.Pos, p.endOf(g.EndPos)))
	}
}

// withSpan widens a node's span to include the parentheses around it.
func withSpan(x ast.Expr, sp diag.Span) ast.Expr {
	switch n := x.(type) {
	case *ast.Ref:
		c := *n
		c.Span = sp
		return &c
	case *ast.Literal:
		c := *n
		c.Span = sp
		return &c
	case *ast.Unary:
		c := *n
		c.Span = sp
		return &c
	case *ast.Logical:
		c := *n
		c.Span = sp
		return &c
	case *ast.Compare:
		c := *n
		c.Span = sp
		return &c
	case *ast.Arith:
		c := *n
		c.Span = sp
		return &c
	}
	return x
}

func (p *parser) lowerRef(g *reference) ast.Expr {
	p.nodes++
	path := make([]string, len(g.Parts))
	for i, n := range g.Parts {
		path[i] = nameText(n)
	}
	last := g.Parts[len(g.Parts)-1]
	end := last.Pos.Offset + len(last.Plain) + len(last.Quote)
	return &ast.Ref{Span: diag.Span{Pos: g.Parts[0].Pos.Offset, End: end}, Path: path}
}

// lowerLit converts a literal token. start is where the literal's span
// begins (the minus sign when neg is set).
func (p *parser) lowerLit(g *literal, start int, neg bool) ast.Expr {
	p.nodes++
	raw := g.Int + g.Float + g.Str + g.Dur + g.Pct + g.Word
	sp := diag.Span{Pos: start, End: g.Pos.Offset + len(raw)}
	l := &ast.Literal{Span: sp}
	sign := ""
	if neg {
		sign = "-"
	}
	switch {
	case g.Int != "":
		v, err := strconv.ParseInt(sign+g.Int, 10, 64)
		if err != nil {
			p.errs.Errorf(sp, msgIntRange, sign+g.Int)
		}
		l.Kind, l.Int = ast.Int, v
	case g.Float != "":
		v, err := strconv.ParseFloat(sign+g.Float, 64)
		if err != nil && (math.IsInf(v, 0) || math.IsNaN(v)) {
			p.errs.Errorf(sp, msgFloatRange, sign+g.Float)
		}
		l.Kind, l.Float = ast.Float, v
	case g.Str != "":
		l.Kind, l.Str = ast.String, p.unquote(g.Str, g.Pos.Offset)
	case g.Pct != "":
		v, err := strconv.ParseFloat(sign+g.Pct[:len(g.Pct)-1], 64)
		if err != nil && (math.IsInf(v, 0) || math.IsNaN(v)) {
			p.errs.Errorf(sp, msgFloatRange, sign+g.Pct)
		}
		l.Kind, l.Float = ast.Percent, v
	case g.Dur != "":
		l.Kind, l.Dur = ast.Duration, p.duration(g.Dur, sp)
	default:
		switch g.Word {
		case "null":
			l.Kind = ast.Null
		default:
			l.Kind, l.Bool = ast.Bool, g.Word == "true"
		}
	}
	return l
}

func (p *parser) duration(raw string, sp diag.Span) ast.DurationValue {
	unit := ast.DurationUnit(raw[len(raw)-1])
	n, err := strconv.ParseInt(raw[:len(raw)-1], 10, 64)
	if err != nil || n > math.MaxInt64/ast.UnitMicros[unit] {
		p.errs.Errorf(sp, msgDurRange, raw)
		return ast.DurationValue{Unit: unit}
	}
	return ast.DurationValue{N: n, Unit: unit}
}

// unquote decodes a string literal whose escapes the scanner validated.
func (p *parser) unquote(raw string, off int) string {
	body := raw[1 : len(raw)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body
	}
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := body[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			r, _ := decodeHex(body[i+1:], n)
			esc := body[i-1 : i+1+n]
			i += n
			if e == 'x' {
				b.WriteByte(byte(r))
			} else if !utf8.ValidRune(r) {
				start := off + 1 + i - n - 1
				p.errs.Errorf(diag.Span{Pos: start, End: start + len(esc)}, msgBadEscapeRune, esc)
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteByte(e)
		}
	}
	return b.String()
}

// lowerAgg lowers an event aggregate such as count(purchase within 30d).
func (p *parser) lowerAgg(g *eventAgg, sp diag.Span) ast.Expr {
	p.nodes++
	f, _ := ast.EventFuncOf(strings.ToLower(g.Func))
	e := &ast.Event{Span: sp, Func: f, FuncSpan: diag.Span{Pos: g.Pos.Offset, End: g.Pos.Offset + len(g.Func)}}
	p.eventRef(e, g.Event)
	if g.Filter != nil {
		e.Filter = p.lowerExpr(g.Filter)
	}
	e.Window = p.lowerWindows(g.Window, g.Window2)
	p.splitWindow(e, g.Ago, sp)
	return e
}

// lowerDid lowers `did [not] EVENT …`.
func (p *parser) lowerDid(g *didExpr, sp diag.Span) ast.Expr {
	p.nodes++
	e := &ast.Event{Span: sp, Func: ast.EvDid, Not: g.Not, FuncSpan: diag.Span{Pos: g.Pos.Offset, End: g.Pos.Offset + len(g.Did)}}
	p.eventRef(e, g.Event)
	if g.Filter != nil {
		e.Filter = p.lowerPred(g.Filter)
	}
	e.Window = p.lowerWindows(g.Window, nil)
	if len(g.Then) > 0 {
		if e.Window != nil {
			p.errs.Errorf(e.Window.Span, "a sequence's window comes after its last step: did a then b within 1d")
			e.Window = nil
		}
		p.lowerSteps(e, g.Then)
	}
	p.splitWindow(e, g.Ago, sp)
	if t := g.Times; t != nil {
		n, err := strconv.ParseInt(t.N, 10, 64)
		tsp := diag.Span{Pos: t.Pos.Offset, End: p.endOf(lexer.Position{Offset: t.Pos.Offset + 1})}
		if err != nil {
			p.errs.Errorf(tsp, msgIntRange, t.N)
		}
		op := map[string]ast.TimesOp{"least": ast.AtLeast, "most": ast.AtMost, "exactly": ast.Exactly}[strings.ToLower(t.Op)]
		e.Times = &ast.Times{Span: tsp, Op: op, N: n}
	}
	if g.Window2 != nil {
		w := p.lowerWindows(nil, g.Window2)
		if e.Window != nil {
			p.errs.Errorf(w.Span, "an event condition takes one window; this is a second")
		}
		e.Window = w
	}
	return e
}

// splitWindow ends an event's filter before a trailing `within` or
// `between` whose left side is a condition (`where amount > 1 and
// (a or b) within 30d`, `where (a and b) between …`): such a within is
// the event's window, not a test of the filter (which would compare a
// boolean with times). A trailing within after a bare name stays in the
// filter (the name may be a time property); the checker explains the
// case where it is not. ago, when written, belongs to the window moved.
func (p *parser) splitWindow(e *ast.Event, ago bool, at diag.Span) {
	filter := &e.Filter
	if n := len(e.Steps); n > 0 {
		filter = &e.Steps[n-1].Filter
	}
	if e.Window == nil && *filter != nil {
		f, w := p.trailingWindow(*filter)
		if w != nil {
			*filter, e.Window = f, w
		}
	}
	if !ago {
		return
	}
	if e.Window == nil || e.Window.Within != nil || e.Window.Ago {
		p.errs.Errorf(at, "ago ends a window between two durations: between 60d and 30d ago")
		return
	}
	e.Window.Ago = true
}

// trailingWindow splits a filter that ends in a window.
func (p *parser) trailingWindow(f ast.Expr) (ast.Expr, *ast.Window) {
	if l, ok := f.(*ast.Logical); ok && l.Op == ast.And {
		last, w := p.trailingWindow(l.Terms[len(l.Terms)-1])
		if w == nil {
			return f, nil
		}
		terms := append(slices.Clone(l.Terms[:len(l.Terms)-1]), last)
		if len(terms) == 1 {
			return terms[0], w
		}
		return &ast.Logical{Span: terms[0].Bounds().Join(last.Bounds()), Op: ast.And, Terms: terms}, w
	}
	switch x := f.(type) {
	case *ast.Within:
		if p.isCondition(x.X) {
			return x.X, &ast.Window{Span: diag.Span{Pos: x.X.Bounds().End + 1, End: x.Span.End}, Within: x.D}
		}
	case *ast.Between:
		if !x.Not && p.isCondition(x.X) {
			return x.X, &ast.Window{Span: diag.Span{Pos: x.X.Bounds().End + 1, End: x.Span.End}, Lo: x.Lo, Hi: x.Hi}
		}
	}
	return f, nil
}

// isCondition reports an expression that is a condition by its form, or
// is in parentheses.
func (p *parser) isCondition(x ast.Expr) bool {
	if sp := x.Bounds(); sp.Pos < len(p.src) && p.src[sp.Pos] == '(' {
		return true
	}
	switch x := x.(type) {
	case *ast.Compare, *ast.Logical, *ast.IsNull, *ast.In, *ast.Like, *ast.Matches, *ast.Contains,
		*ast.Between, *ast.Within, *ast.Event:
		return true
	case *ast.Unary:
		return x.Op == ast.Not
	case *ast.Literal:
		return x.Kind == ast.Bool
	}
	return false
}

// lowerSteps lowers a sequence's later steps; a within or between that
// ends the last step's filter is the sequence's window (see splitWindow).
func (p *parser) lowerSteps(e *ast.Event, steps []*step) {
	for _, g := range steps {
		ev := &ast.Event{}
		p.eventRef(ev, g.Event)
		if ev.Prop != "" {
			p.errs.Errorf(ev.PropSpan, "a sequence's step is an event, not a property")
		}
		st := &ast.EventStep{Span: span(g.Pos, p.endOf(g.Pos)), Name: ev.Name, NameSpan: ev.NameSpan}
		if g.Filter != nil {
			st.Filter = p.lowerPred(g.Filter)
			st.Span.End = st.Filter.Bounds().End
		} else {
			st.Span.End = ev.NameSpan.End
		}
		e.Steps = append(e.Steps, st)
	}
}

// eventRef fills an event's name and property.
func (p *parser) eventRef(e *ast.Event, g *eventRef) {
	switch {
	case g.Name != nil:
		e.Name = nameText(g.Name)
		e.NameSpan = diag.Span{Pos: g.Name.Pos.Offset, End: g.Name.Pos.Offset + len(g.Name.Plain) + len(g.Name.Quote)}
	default:
		e.Name = p.unquote(g.Str, g.Pos.Offset)
		e.NameSpan = diag.Span{Pos: g.Pos.Offset, End: g.Pos.Offset + len(g.Str)}
	}
	if g.Prop != nil {
		e.Prop = nameText(g.Prop)
		e.PropSpan = diag.Span{Pos: g.Prop.Pos.Offset, End: g.Prop.Pos.Offset + len(g.Prop.Plain) + len(g.Prop.Quote)}
	}
}

func nameText(n *name) string {
	if n.Quote != "" {
		return strings.ReplaceAll(n.Quote[1:len(n.Quote)-1], "``", "`")
	}
	return n.Plain
}

// lowerWindows lowers an event's window, written before or after its
// filter (at most one of the two).
func (p *parser) lowerWindows(a, b *window) *ast.Window {
	if a != nil && b != nil {
		p.errs.Errorf(span(b.Pos, p.endOf(b.EndPos)), "an event condition takes one window; this is a second")
	}
	if a == nil {
		a = b
	}
	if a == nil {
		return nil
	}
	w := &ast.Window{Span: span(a.Pos, p.endOf(a.EndPos)), Ago: a.Ago}
	if a.Within != nil {
		w.Within = p.lowerSum(a.Within)
		return w
	}
	w.Lo, w.Hi = p.lowerSum(a.Lo), p.lowerSum(a.Hi)
	return w
}
