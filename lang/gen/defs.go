package gen

import (
	"fmt"
	"strings"
)

// DoublingChain is the text of a .seg file defining e_0 … e_depth over an
// integer column age, each definition using the one before twice:
//
//	segment e_i = e_{i-1} and (e_{i-1} or age > i mod 90)
//
// Expanded as a tree, e_depth has 2^depth leaves; as a DAG, 3·depth nodes.
// Tests run it through every path that walks definitions.
func DoublingChain(depth int) string {
	var b strings.Builder
	b.WriteString("segment e_0 = age > 0\n")
	for i := 1; i <= depth; i++ {
		fmt.Fprintf(&b, "segment e_%d = e_%d and (e_%d or age > %d)\n", i, i-1, i-1, i%90)
	}
	return b.String()
}
