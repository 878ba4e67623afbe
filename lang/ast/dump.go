package ast

import (
	"fmt"
	"strconv"
	"strings"
)

// Dump renders e as an S-expression that shows the tree's structure exactly
// (positions left out). Tests compare trees by their dumps.
func Dump(e Expr) string {
	var b strings.Builder
	dump(&b, e)
	return b.String()
}

var compareNames = [...]string{Eq: "=", Ne: "!=", Lt: "<", Le: "<=", Gt: ">", Ge: ">="}
var arithNames = [...]string{Add: "+", Sub: "-", Mul: "*", Div: "/", Mod: "%"}

// String returns the operator's canonical spelling.
func (op CompareOp) String() string { return compareNames[op] }

// String returns the operator's canonical spelling.
func (op ArithOp) String() string { return arithNames[op] }

// String returns "and" or "or".
func (op LogicalOp) String() string {
	if op == And {
		return "and"
	}
	return "or"
}

func dump(b *strings.Builder, e Expr) {
	head := func(name string, kids ...Expr) {
		b.WriteString("(" + name)
		for _, k := range kids {
			b.WriteByte(' ')
			dump(b, k)
		}
		b.WriteByte(')')
	}
	not := func(n bool, s string) string {
		if n {
			return "not-" + s
		}
		return s
	}
	switch e := e.(type) {
	case *Ref:
		b.WriteString("$" + strings.Join(e.Path, "."))
	case *Literal:
		b.WriteString(dumpLit(e))
	case *Unary:
		head([]string{"not", "neg"}[e.Op], e.X)
	case *Logical:
		head(e.Op.String(), e.Terms...)
	case *Compare:
		head(e.Op.String(), e.X, e.Y)
	case *Arith:
		head(e.Op.String(), e.X, e.Y)
	case *Between:
		head(not(e.Not, "between"), e.X, e.Lo, e.Hi)
	case *In:
		head(not(e.Not, "in"), append([]Expr{e.X}, e.List...)...)
	case *IsNull:
		head(not(e.Not, "is-null"), e.X)
	case *Like:
		op := "like"
		if e.Fold {
			op = "ilike"
		}
		head(not(e.Not, op), e.X, e.Pattern)
	case *Matches:
		head(not(e.Not, "matches"), e.X, e.Pattern)
	case *Contains:
		head([]string{"contains", "contains-any", "contains-all"}[e.Mode], append([]Expr{e.X}, e.Values...)...)
	case *Within:
		head("within", e.X, e.D)
	case *Call:
		head("call:"+e.Name, e.Args...)
	default:
		fmt.Fprintf(b, "<%T>", e)
	}
}

func dumpLit(l *Literal) string {
	switch l.Kind {
	case Null:
		return "null"
	case Bool:
		return strconv.FormatBool(l.Bool)
	case Int:
		return strconv.FormatInt(l.Int, 10)
	case Float:
		return "f" + strconv.FormatFloat(l.Float, 'g', -1, 64)
	case Percent:
		return strconv.FormatFloat(l.Float, 'g', -1, 64) + "%"
	case String:
		return strconv.Quote(l.Str)
	case Duration:
		return fmt.Sprintf("%d%c", l.Dur.N, l.Dur.Unit)
	}
	return "?"
}
