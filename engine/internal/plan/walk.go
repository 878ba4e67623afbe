package plan

import "github.com/segql/segql/engine/internal/kernels"

// Walk calls f on every node reachable from roots once, parents before
// children (a node shared by several parents is visited the first time it
// is reached). The walk uses an explicit stack.
func Walk(roots []*Node, f func(*Node)) {
	seen := map[*Node]bool{}
	stack := append([]*Node(nil), roots...)
	for i, j := 0, len(stack)-1; i < j; i, j = i+1, j-1 {
		stack[i], stack[j] = stack[j], stack[i]
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		f(n)
		for i := len(n.Args) - 1; i >= 0; i-- {
			if !seen[n.Args[i]] {
				stack = append(stack, n.Args[i])
			}
		}
	}
}

// Size is the number of distinct nodes reachable from roots: the work a
// run does per row is proportional to it (a shared node runs once).
func Size(roots ...*Node) int {
	n := 0
	Walk(roots, func(*Node) { n++ })
	return n
}

// Parents counts each node's parents among the nodes reachable from
// roots (roots count one each), to find shared nodes.
func Parents(roots []*Node) map[*Node]int {
	out := map[*Node]int{}
	for _, r := range roots {
		out[r]++
	}
	Walk(roots, func(n *Node) {
		for _, a := range n.Args {
			out[a]++
		}
	})
	return out
}

// HasColumn reports whether n reads any column: whether its value can
// differ from row to row.
func (n *Node) HasColumn() bool {
	found := false
	Walk([]*Node{n}, func(m *Node) {
		if m.Op == OpColumn || m.Op == OpRank || m.Op == OpEvent {
			found = true
		}
	})
	return found
}

// Columns lists the top-level columns n reads, in order of first use.
func Columns(roots ...*Node) []int {
	var out []int
	seen := map[int]bool{}
	Walk(roots, func(m *Node) {
		if m.Op == OpColumn && !seen[m.Col.Index] {
			seen[m.Col.Index] = true
			out = append(out, m.Col.Index)
		}
	})
	return out
}

// IsConst reports a constant node.
func (n *Node) IsConst() bool { return n.Op == OpConst }

// ColumnFirst returns a comparison's operands and operator with the side
// that varies by row on the left, when only the right side does:
// `3 < age` reads as `age > 3`.
func ColumnFirst(n *Node) (x, y *Node, op kernels.CmpOp) {
	x, y, op = n.Args[0], n.Args[1], n.Cmp
	if !x.HasColumn() && y.HasColumn() {
		return y, x, op.Flip()
	}
	return x, y, op
}
