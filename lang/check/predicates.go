package check

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/printer"
)

// compare checks that x and y can be compared; what names the construct.
// With nullIsError, a null literal operand is an error (it makes the
// comparison always unknown). It returns the common type.
func (c *checker) compare(x, y ast.Expr, tx, ty *Type, at diag.Span, what string, nullIsError bool) *Type {
	tx = c.asTime(x, tx, ty)
	ty = c.asTime(y, ty, tx)
	if nullIsError && (tx.Kind == Null || ty.Kind == Null) {
		c.nullCompare(x, y, tx)
		return TInvalid
	}
	t, ok := commonType(tx, ty)
	if !ok {
		hint := mismatchHint(x, y, tx, ty)
		if hint == "" {
			hint = c.columnNote(x, y)
		}
		c.hintf(at, hint, msgMismatch, tx, ty, what)
		return TInvalid
	}
	if t.Kind == List || t.Kind == Struct {
		hint := ""
		if t.Kind == List {
			hint = msgListCompareHint
		}
		c.hintf(at, hint, msgNotComparable, t)
		return TInvalid
	}
	return t
}

// nullCompare reports `x = null` and suggests `x is null`.
func (c *checker) nullCompare(x, y ast.Expr, tx *Type) {
	other := x
	if tx.Kind == Null {
		other = y
	}
	sp := x.Bounds().Join(y.Bounds())
	c.hintf(sp, "use "+diag.Quote(printer.Expr(other)+" is null")+" or "+diag.Quote(printer.Expr(other)+" is not null")+" instead", msgNullCompare)
}

// asTime converts a string literal compared with a date or timestamp into
// a temporal constant at compile time; an unreadable one is an error.
func (c *checker) asTime(e ast.Expr, t, other *Type) *Type {
	l, ok := e.(*ast.Literal)
	if !ok || l.Kind != ast.String || !other.IsTemporal() {
		return t
	}
	us, ok := ParseTime(l.Str)
	if !ok {
		c.errorf(l.Span, msgBadTime, diag.Quote(l.Str), other)
		return TInvalid
	}
	if c.info.Times == nil {
		c.info.Times = make(map[*ast.Literal]int64)
	}
	c.info.Times[l] = us
	nt := TTimestamp
	if len(strings.TrimSpace(l.Str)) == len("2006-01-02") {
		nt = TDate
	}
	c.info.Types[l] = nt
	return nt
}

func (c *checker) between(e *ast.Between) *Type {
	tx := c.expr(e.X)
	lo, hi := c.expr(e.Lo), c.expr(e.Hi)
	c.compare(e.X, e.Lo, tx, lo, e.Lo.Bounds(), "between", true)
	c.compare(e.X, e.Hi, tx, hi, e.Hi.Bounds(), "between", true)
	if emptyRange(c.info, e.Lo, e.Hi) {
		c.warnf(e.Span, msgEmptyRange, printer.Expr(e.Lo), printer.Expr(e.Hi))
	}
	return TBool
}

// emptyRange reports constant bounds with lo > hi.
func emptyRange(info *Info, lo, hi ast.Expr) bool {
	a, ok1 := lo.(*ast.Literal)
	b, ok2 := hi.(*ast.Literal)
	if !ok1 || !ok2 {
		return false
	}
	if ta, ok := info.Times[a]; ok {
		if tb, ok := info.Times[b]; ok {
			return ta > tb
		}
	}
	num := func(l *ast.Literal) (float64, bool) {
		switch l.Kind {
		case ast.Int:
			return float64(l.Int), true
		case ast.Float:
			return l.Float, true
		}
		return 0, false
	}
	if x, ok := num(a); ok {
		if y, ok := num(b); ok {
			return x > y
		}
	}
	return a.Kind == ast.String && b.Kind == ast.String && a.Str > b.Str
}

func (c *checker) in(e *ast.In) *Type {
	tx := c.expr(e.X)
	for _, it := range e.List {
		ti := c.expr(it)
		if ti.Kind == Null && e.Not {
			c.hintf(it.Bounds(), msgNotInNullHint, msgNotInNull)
			continue
		}
		c.compare(e.X, it, tx, ti, it.Bounds(), "in list", false)
	}
	return TBool
}

func (c *checker) stringOperand(e ast.Expr, what string) {
	if t := c.expr(e); t.Kind != String && t.Kind != Null && t.Kind != Invalid {
		c.errorf(e.Bounds(), msgNeedString, what, t)
	}
}

// constString checks a pattern: a constant string literal.
func (c *checker) constString(e ast.Expr, what string) (string, bool) {
	c.expr(e)
	l, ok := e.(*ast.Literal)
	if !ok || l.Kind != ast.String {
		c.errorf(e.Bounds(), msgNeedConstString, what)
		return "", false
	}
	return l.Str, true
}

func (c *checker) like(e *ast.Like) *Type {
	what := "like"
	if e.Fold {
		what = "ilike"
	}
	c.stringOperand(e.X, what)
	c.constString(e.Pattern, what)
	return TBool
}

func (c *checker) matches(e *ast.Matches) *Type {
	c.stringOperand(e.X, "matches")
	pat, ok := c.constString(e.Pattern, "matches")
	if !ok {
		return TBool
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "error parsing regexp: ")
		if r := []rune(msg); len(r) > 100 {
			msg = string(r[:99]) + "…" // the pattern may be huge
		}
		c.errorf(e.Pattern.Bounds(), msgBadRegexp, msg)
		return TBool
	}
	if c.info.Regexps == nil {
		c.info.Regexps = make(map[*ast.Matches]*regexp.Regexp)
	}
	c.info.Regexps[e] = re
	return TBool
}

func (c *checker) contains(e *ast.Contains) *Type {
	tx := c.expr(e.X)
	var elem *Type
	switch tx.Kind {
	case List:
		elem = tx.Elem
	case String:
		elem = TString
	case Invalid, Null:
		elem = TInvalid
	default:
		c.errorf(e.X.Bounds(), msgContainsType, tx)
		elem = TInvalid
	}
	types := make([]*Type, len(e.Values))
	nulls := 0
	for i, v := range e.Values {
		if types[i] = c.expr(v); types[i].Kind == Null {
			nulls++
		}
	}
	if e.Mode != ast.ContainsOne && nulls == len(e.Values) {
		c.errorf(e.Span, "contains %s with only null values: null matches nothing", containsWord[e.Mode])
		return TBool
	}
	for i, v := range e.Values {
		tv := types[i]
		if tv.Kind == Null {
			if e.Mode == ast.ContainsOne {
				c.errorf(v.Bounds(), "contains with null is always unknown")
			} else { // as DuckDB's list_has_any and list_has_all
				c.warnf(v.Bounds(), "null in contains %s is ignored: it matches nothing", containsWord[e.Mode])
			}
			continue
		}
		if _, ok := commonType(elem, tv); !ok {
			c.errorf(v.Bounds(), msgMismatch, elem, tv, "contains")
		}
	}
	return TBool
}

func (c *checker) within(e *ast.Within) *Type {
	if t := c.expr(e.X); !t.IsTemporal() && t.Kind != Invalid && t.Kind != Null {
		c.errorf(e.X.Bounds(), msgWithinTime, t)
	}
	if t := c.expr(e.D); t.Kind != Duration && t.Kind != Invalid {
		c.errorf(e.D.Bounds(), msgWithinDur, t)
	}
	return TBool
}

var containsWord = [...]string{ast.ContainsAny: "any", ast.ContainsAll: "all", ast.ContainsOne: ""}

// mismatchHint explains two common mismatches: an unquoted date
// (last_seen > 2026-11-01 is a subtraction of numbers) and a boolean
// compared with a string ("true").
// columnNote is the schema's note on the first of exprs that is a
// column reference with one ("" when none): why a column has a type the
// user did not expect.
func (c *checker) columnNote(exprs ...ast.Expr) string {
	for _, e := range exprs {
		r, ok := c.info.Refs[refOf(e)]
		if !ok || r.Kind != ColumnRef || len(r.Fields) > 0 {
			continue
		}
		if col, ok := c.cfg.Schema.Column(r.Column); ok && col.Note != "" {
			return "column " + diag.Quote(col.Name) + " was " + col.Note
		}
	}
	return ""
}

// refOf is e when it is a name (nil otherwise).
func refOf(e ast.Expr) *ast.Ref {
	r, _ := e.(*ast.Ref)
	return r
}

func mismatchHint(x, y ast.Expr, tx, ty *Type) string {
	for _, side := range [][3]any{{x, ty, y}, {y, tx, x}} {
		e, other, otherExpr := side[0].(ast.Expr), side[1].(*Type), side[2].(ast.Expr)
		if d, ok := unquotedDate(e); ok && other.IsTemporal() {
			return "quote the date: " + diag.Quote(d)
		}
		if l, ok := e.(*ast.Literal); ok && l.Kind == ast.String && other.Kind == Bool {
			switch strings.ToLower(l.Str) {
			case "true", "yes", "1", "false", "no", "0":
				b := printer.Expr(otherExpr)
				return "a boolean is a condition by itself: write " + diag.Quote(b) + " or " + diag.Quote("not "+b)
			}
		}
	}
	return ""
}

// unquotedDate recognizes YYYY-MM-DD written without quotes, which parses
// as YYYY - MM - DD.
func unquotedDate(e ast.Expr) (string, bool) {
	outer, ok := e.(*ast.Arith)
	if !ok || outer.Op != ast.Sub {
		return "", false
	}
	inner, ok := outer.X.(*ast.Arith)
	if !ok || inner.Op != ast.Sub {
		return "", false
	}
	y, ok1 := inner.X.(*ast.Literal)
	m, ok2 := inner.Y.(*ast.Literal)
	d, ok3 := outer.Y.(*ast.Literal)
	if !ok1 || !ok2 || !ok3 || y.Kind != ast.Int || m.Kind != ast.Int || d.Kind != ast.Int ||
		y.Int < 1000 || y.Int > 9999 || m.Int < 1 || m.Int > 12 || d.Int < 1 || d.Int > 31 {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y.Int, m.Int, d.Int), true
}
