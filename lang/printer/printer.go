// Package printer renders segql syntax trees in their one canonical form:
// lower-case keywords, double-quoted strings, single spaces around binary
// operators, and only the parentheses that meaning needs. For every tree t,
// parsing Expr(t) gives back t, and printing is idempotent.
package printer

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/syntax"
)

// Precedence levels, loosest first.
const (
	precOr = iota + 1
	precAnd
	precNot
	precPredicate
	precSum
	precProduct
	precUnary
	precPrimary
)

// Expr returns the canonical text of e.
func Expr(e ast.Expr) string {
	var b strings.Builder
	expr(&b, e, 0)
	return b.String()
}

// prec returns the binding strength of e's outermost operator.
func prec(e ast.Expr) int {
	switch e := e.(type) {
	case *ast.Logical:
		if e.Op == ast.Or {
			return precOr
		}
		return precAnd
	case *ast.Unary:
		if e.Op == ast.Not {
			return precNot
		}
		return precUnary
	case *ast.Compare, *ast.Between, *ast.In, *ast.IsNull, *ast.Like, *ast.Matches, *ast.Contains, *ast.Within:
		return precPredicate
	case *ast.Event:
		if e.Func == ast.EvDid { // its clauses end where a predicate's tail would
			return precPredicate
		}
	case *ast.Arith:
		if e.Op == ast.Add || e.Op == ast.Sub {
			return precSum
		}
		return precProduct
	case *ast.Literal:
		if (e.Kind == ast.Int && e.Int < 0) || ((e.Kind == ast.Float || e.Kind == ast.Percent) && math.Signbit(e.Float)) {
			return precUnary
		}
	}
	return precPrimary
}

// expr prints e, parenthesized when its precedence is below min.
func expr(b *strings.Builder, e ast.Expr, min int) {
	if prec(e) < min {
		b.WriteByte('(')
		expr(b, e, 0)
		b.WriteByte(')')
		return
	}
	switch e := e.(type) {
	case *ast.Ref:
		ref(b, e.Path)
	case *ast.Literal:
		b.WriteString(Literal(e))
	case *ast.Unary:
		unary(b, e)
	case *ast.Logical:
		p := prec(e)
		for i, t := range e.Terms {
			if i > 0 {
				b.WriteString(" " + e.Op.String() + " ")
			}
			// A nested term of the same operator would have been flattened
			// by the parser, so it must keep its parentheses.
			expr(b, t, p+1)
		}
	case *ast.Compare:
		expr(b, e.X, precSum)
		b.WriteString(" " + e.Op.String() + " ")
		expr(b, e.Y, precSum)
	case *ast.Arith:
		p := prec(e)
		expr(b, e.X, p)
		b.WriteString(" " + e.Op.String() + " ")
		expr(b, e.Y, p+1)
	default:
		predicate(b, e)
	}
}

func unary(b *strings.Builder, e *ast.Unary) {
	if e.Op == ast.Not {
		b.WriteString("not ")
		expr(b, e.X, precNot)
		return
	}
	b.WriteByte('-')
	// "--" would start a comment and "-5" would fold into a literal: wrap
	// operands that print with a leading minus or as a number.
	if l, ok := e.X.(*ast.Literal); ok && (l.Kind == ast.Int || l.Kind == ast.Float || l.Kind == ast.Percent) {
		b.WriteByte('(')
		expr(b, e.X, 0)
		b.WriteByte(')')
		return
	}
	if u, ok := e.X.(*ast.Unary); ok && u.Op == ast.Neg {
		b.WriteByte('(')
		expr(b, e.X, 0)
		b.WriteByte(')')
		return
	}
	expr(b, e.X, precUnary)
}

func not(b *strings.Builder, n bool) {
	if n {
		b.WriteString(" not")
	}
}

// predicate prints the postfix predicate forms.
func predicate(b *strings.Builder, e ast.Expr) {
	switch e := e.(type) {
	case *ast.Between:
		expr(b, e.X, precSum)
		not(b, e.Not)
		b.WriteString(" between ")
		expr(b, e.Lo, precSum)
		b.WriteString(" and ")
		expr(b, e.Hi, precSum)
	case *ast.In:
		expr(b, e.X, precSum)
		not(b, e.Not)
		b.WriteString(" in ")
		list(b, e.List)
	case *ast.IsNull:
		expr(b, e.X, precSum)
		b.WriteString(" is")
		not(b, e.Not)
		b.WriteString(" null")
	case *ast.Like:
		expr(b, e.X, precSum)
		not(b, e.Not)
		if e.Fold {
			b.WriteString(" ilike ")
		} else {
			b.WriteString(" like ")
		}
		expr(b, e.Pattern, precSum)
	case *ast.Matches:
		expr(b, e.X, precSum)
		not(b, e.Not)
		b.WriteString(" matches ")
		expr(b, e.Pattern, precSum)
	case *ast.Contains:
		expr(b, e.X, precSum)
		switch e.Mode {
		case ast.ContainsOne:
			b.WriteString(" contains ")
			expr(b, e.Values[0], precSum)
		case ast.ContainsAny:
			b.WriteString(" contains any ")
			list(b, e.Values)
		case ast.ContainsAll:
			b.WriteString(" contains all ")
			list(b, e.Values)
		}
	case *ast.Within:
		expr(b, e.X, precSum)
		b.WriteString(" within ")
		expr(b, e.D, precSum)
	case *ast.Call:
		b.WriteString(e.Name)
		list(b, e.Args)
	case *ast.Event:
		event(b, e)
	}
}

// window prints an event condition's window, if any.
func window(b *strings.Builder, w *ast.Window) {
	if w == nil {
		return
	}
	if w.Within != nil {
		b.WriteString(" within ")
		expr(b, w.Within, precSum)
	} else {
		b.WriteString(" between ")
		expr(b, w.Lo, precSum)
		b.WriteString(" and ")
		expr(b, w.Hi, precSum)
		if w.Ago {
			b.WriteString(" ago")
		}
	}
}

// sequence prints a sequence's filters, later steps and window (last; the
// last step's filter then goes in parentheses, so that it cannot take the
// window for its own).
func sequence(b *strings.Builder, e *ast.Event) {
	filter := func(f ast.Expr, last bool) {
		if f == nil {
			return
		}
		b.WriteString(" where ")
		if last && e.Window != nil {
			b.WriteByte('(')
			expr(b, f, 0)
			b.WriteByte(')')
			return
		}
		expr(b, f, precPredicate)
	}
	filter(e.Filter, false)
	for i, st := range e.Steps {
		b.WriteString(" then " + Name(st.Name))
		filter(st.Filter, i == len(e.Steps)-1)
	}
	if t := e.Times; t != nil { // an error the checker reports, printed as written
		b.WriteString([...]string{ast.AtLeast: " at least ", ast.AtMost: " at most ", ast.Exactly: " exactly "}[t.Op])
		b.WriteString(strconv.FormatInt(t.N, 10) + " times")
	}
	window(b, e.Window)
}

// event prints an event condition, its window before its filter (so that
// a filter ending in a predicate without a tail, `where is_gift`, cannot
// take the window for its own `within`).
func event(b *strings.Builder, e *ast.Event) {
	b.WriteString(e.Func.String())
	if e.Func == ast.EvDid {
		if e.Not {
			b.WriteString(" not")
		}
		b.WriteByte(' ')
	} else {
		b.WriteByte('(')
	}
	b.WriteString(Name(e.Name))
	if e.Prop != "" {
		b.WriteString("." + Name(e.Prop))
	}
	if len(e.Steps) > 0 {
		sequence(b, e)
		return
	}
	if e.Filter != nil || e.Times == nil {
		window(b, e.Window)
	}
	if e.Filter != nil {
		b.WriteString(" where ")
		min := 0
		if e.Func == ast.EvDid { // one predicate: and/or/not go in parentheses
			min = precPredicate
		}
		expr(b, e.Filter, min)
	}
	if t := e.Times; t != nil {
		b.WriteString([...]string{ast.AtLeast: " at least ", ast.AtMost: " at most ", ast.Exactly: " exactly "}[t.Op])
		b.WriteString(strconv.FormatInt(t.N, 10) + " times")
		if e.Filter == nil {
			window(b, e.Window)
		}
	}
	if e.Func != ast.EvDid {
		b.WriteByte(')')
	}
}

func list(b *strings.Builder, items []ast.Expr) {
	b.WriteByte('(')
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		expr(b, it, 0)
	}
	b.WriteByte(')')
}

// ref prints a dotted path, backquoting parts that are not plain names.
func ref(b *strings.Builder, path []string) {
	for i, p := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(Name(p))
	}
}

// Name returns an identifier as written in canonical source: bare when it
// is a plain name that is not a keyword, else in backquotes.
func Name(n string) string {
	if isPlainName(n) && !syntax.IsKeyword(n) {
		return n
	}
	return "`" + strings.ReplaceAll(n, "`", "``") + "`"
}

func isPlainName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') || (i > 0 && c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

// Literal returns the canonical text of a literal.
func Literal(l *ast.Literal) string {
	switch l.Kind {
	case ast.Null:
		return "null"
	case ast.Bool:
		return strconv.FormatBool(l.Bool)
	case ast.Int:
		return strconv.FormatInt(l.Int, 10)
	case ast.Float:
		return formatFloat(l.Float)
	case ast.String:
		return Quote(l.Str)
	case ast.Duration:
		return strconv.FormatInt(l.Dur.N, 10) + string(rune(l.Dur.Unit))
	case ast.Percent:
		return strconv.FormatFloat(l.Float, 'g', -1, 64) + "%"
	}
	return "?"
}

// formatFloat prints the shortest text that parses back to f as a float
// (never as an integer).
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if strings.ContainsAny(s, ".e") {
		return s
	}
	return s + ".0"
}

// Quote returns s as a double-quoted segql string literal. Control
// characters, bidi controls and invalid UTF-8 bytes are escaped.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x` + hex2(s[i]))
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x` + hex2(byte(r)))
		case diag.IsBidiControl(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
	return b.String()
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}
