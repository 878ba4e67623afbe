package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/value"
)

// Format renders a node as segql text, for explanations and .why: the
// canonical form of what it computes (a physical node renders as the
// logical terms it replaced). Long lists are shortened.
func Format(n *Node) string {
	var b strings.Builder
	format(&b, n, 0)
	return b.String()
}

// Precedence levels, loosest first, as in the language.
const (
	precOr = iota + 1
	precAnd
	precNot
	precPred
	precSum
	precProduct
	precUnary
	precAtom
)

func prec(n *Node) int {
	switch n.Op {
	case OpOr:
		return precOr
	case OpAnd:
		return precAnd
	case OpNot:
		return precNot
	case OpCompare, OpIsNull, OpIn, OpInSet, OpLike, OpMatches, OpContains, OpStrContains:
		return precPred
	case OpArith:
		if n.Arith == kernels.Add || n.Arith == kernels.Sub {
			return precSum
		}
		return precProduct
	case OpNeg:
		return precUnary
	case OpDict:
		return prec(n.Args[0])
	}
	if n.Logical != nil {
		return prec(n.Logical)
	}
	return precAtom
}

// formatIn writes n, parenthesized when it binds looser than min.
func formatIn(b *strings.Builder, n *Node, min int) {
	if prec(n) < min {
		b.WriteByte('(')
		format(b, n, 0)
		b.WriteByte(')')
		return
	}
	format(b, n, min)
}

func format(b *strings.Builder, n *Node, _ int) {
	switch n.Op {
	case OpConst:
		b.WriteString(Literal(n.Val))
	case OpColumn:
		b.WriteString(quoteName(n.Col.Name))
	case OpNow:
		b.WriteString("now()")
	case OpNot:
		b.WriteString("not ")
		formatIn(b, n.Args[0], precNot)
	case OpAnd, OpOr:
		sep, p := " and ", precAnd
		if n.Op == OpOr {
			sep, p = " or ", precOr
		}
		for i, a := range n.Args {
			if i > 0 {
				b.WriteString(sep)
			}
			formatIn(b, a, p+1)
		}
	case OpIsNull:
		formatIn(b, n.Args[0], precSum)
		if n.Negated {
			b.WriteString(" is not null")
		} else {
			b.WriteString(" is null")
		}
	case OpCompare:
		formatIn(b, n.Args[0], precSum)
		b.WriteString(" " + n.Cmp.String() + " ")
		formatIn(b, n.Args[1], precSum)
	case OpArith:
		p := prec(n)
		formatIn(b, n.Args[0], p)
		b.WriteString(" " + n.Arith.String() + " ")
		formatIn(b, n.Args[1], p+1)
	case OpNeg:
		b.WriteString("-")
		formatIn(b, n.Args[0], precUnary)
	case OpCast:
		format(b, n.Args[0], 0)
	case OpIn:
		formatIn(b, n.Args[0], precSum)
		b.WriteString(" in (")
		for i, a := range n.Args[1:] {
			if i > 0 {
				b.WriteString(", ")
			}
			format(b, a, 0)
		}
		b.WriteString(")")
	case OpInSet:
		formatIn(b, n.Args[0], precSum)
		b.WriteString(" in " + valueList(n.Set.Values))
	case OpLike:
		formatIn(b, n.Args[0], precSum)
		if n.Like.Fold() {
			b.WriteString(" ilike ")
		} else {
			b.WriteString(" like ")
		}
		b.WriteString(strconv.Quote(n.Like.Pattern()))
	case OpMatches:
		formatIn(b, n.Args[0], precSum)
		b.WriteString(" matches " + strconv.Quote(n.Re.String()))
	case OpContains, OpStrContains:
		formatContains(b, n)
	case OpCall, OpRank:
		formatCall(b, n)
	case OpCoalesce:
		b.WriteString("coalesce(")
		formatArgs(b, n.Args)
		b.WriteString(")")
	case OpSegment:
		b.WriteString(quoteName(n.Name))
	case OpEvent:
		b.WriteString(n.Event.Text)
	case OpError:
		b.WriteString("<error>")
	case OpDict:
		format(b, n.Args[0], 0)
	default: // physical nodes render as what they compute
		format(b, n.Logical, 0)
	}
}

func formatContains(b *strings.Builder, n *Node) {
	formatIn(b, n.Args[0], precSum)
	b.WriteString(" contains ")
	var vals []value.Value
	if len(n.Args) > 1 {
		for _, a := range n.Args[1:] {
			vals = append(vals, a.Val)
		}
	} else {
		vals = n.Needles.Needles
	}
	switch {
	case n.Needles.All:
		b.WriteString("all " + valueList(vals))
	case len(vals) == 1:
		b.WriteString(Literal(vals[0]))
	default:
		b.WriteString("any " + valueList(vals))
	}
}

func formatCall(b *strings.Builder, n *Node) {
	b.WriteString(n.Fn.Name + "(")
	formatArgs(b, n.Args)
	switch {
	case n.Fn.Name == "bucket":
		b.WriteString(", " + strconv.Quote(strings.TrimSuffix(n.Param.Salt, ":")))
	case n.Fn.Name == "ntile":
		b.WriteString(", " + strconv.FormatInt(n.Param.Tiles, 10))
	}
	b.WriteString(")")
}

func formatArgs(b *strings.Builder, args []*Node) {
	for i, a := range args {
		if i > 0 {
			b.WriteString(", ")
		}
		format(b, a, 0)
	}
}

// maxListShown is how many items of a long list an explanation shows.
const maxListShown = 8

func valueList(vals []value.Value) string {
	parts := make([]string, 0, min(len(vals), maxListShown)+1)
	for i, v := range vals {
		if i == maxListShown {
			parts = append(parts, fmt.Sprintf("… %d values", len(vals)))
			break
		}
		parts = append(parts, Literal(v))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// Literal renders a constant as segql source: strings double-quoted,
// times as ISO-8601 strings, durations with the largest exact unit.
func Literal(v value.Value) string {
	if v.Null {
		return "null"
	}
	switch v.K {
	case value.KStr:
		return strconv.Quote(v.S)
	case value.KTime:
		t := time.UnixMicro(v.I).UTC()
		if v.I%kernels.DayMicros == 0 {
			return strconv.Quote(t.Format("2006-01-02"))
		}
		return strconv.Quote(t.Format(time.RFC3339Nano))
	case value.KDur:
		return durationText(v.I)
	case value.KFloat:
		s := strconv.FormatFloat(v.F, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEnI") {
			s += ".0"
		}
		return s
	}
	return v.String()
}

func durationText(us int64) string {
	units := []struct {
		us   int64
		name string
	}{{7 * kernels.DayMicros, "w"}, {kernels.DayMicros, "d"}, {3600e6, "h"}, {60e6, "m"}, {1e6, "s"}}
	for _, u := range units {
		if us%u.us == 0 {
			return strconv.FormatInt(us/u.us, 10) + u.name
		}
	}
	return (time.Duration(us) * time.Microsecond).String()
}

// quoteName writes a dotted name as identifiers, each backquoted when
// needed.
func quoteName(name string) string {
	parts := strings.Split(name, ".")
	for i, part := range parts {
		if !plainIdent(part) {
			parts[i] = "`" + strings.ReplaceAll(part, "`", "``") + "`"
		}
	}
	return strings.Join(parts, ".")
}

func plainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "and", "or", "not", "between", "in", "is", "null", "like", "ilike", "matches", "contains", "any", "all", "within", "true", "false":
		return false
	}
	return true
}
