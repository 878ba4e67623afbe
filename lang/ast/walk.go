package ast

// Children returns the direct sub-expressions of e in source order.
func Children(e Expr) []Expr {
	switch e := e.(type) {
	case *Unary:
		return []Expr{e.X}
	case *Logical:
		return e.Terms
	case *Compare:
		return []Expr{e.X, e.Y}
	case *Arith:
		return []Expr{e.X, e.Y}
	case *Between:
		return []Expr{e.X, e.Lo, e.Hi}
	case *In:
		return append([]Expr{e.X}, e.List...)
	case *IsNull:
		return []Expr{e.X}
	case *Like:
		return []Expr{e.X, e.Pattern}
	case *Matches:
		return []Expr{e.X, e.Pattern}
	case *Contains:
		return append([]Expr{e.X}, e.Values...)
	case *Within:
		return []Expr{e.X, e.D}
	case *Call:
		return e.Args
	}
	return nil
}

// Inspect walks e depth-first in source order, calling f on each node; if f
// returns false the node's children are skipped. The walk uses an explicit
// stack, so depth is bounded by memory, not by the goroutine stack.
func Inspect(e Expr, f func(Expr) bool) {
	stack := []Expr{e}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !f(n) {
			continue
		}
		kids := Children(n)
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, kids[i])
		}
	}
}

// Count returns the number of nodes in e.
func Count(e Expr) int {
	n := 0
	Inspect(e, func(Expr) bool { n++; return true })
	return n
}
