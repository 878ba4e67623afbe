package engine

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
)

// TestFunctionsOverEveryType calls every built-in function with every
// column (one, two or three of the same column), inside each way a value
// is consumed — compared, tested for null, contained, measured, coalesced
// again, in a boolean in-list: whatever the checker accepts must evaluate
// as the reference evaluator does on every row (never an internal
// error), and whatever it refuses is refused with a position. So a
// function result of a type no operator takes (a list from
// coalesce(list, list)) cannot reach evaluation.
func TestFunctionsOverEveryType(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	rows := randRows(r, 150, 0.2)
	tbl := buildTable(nil, rows, 7) // batches end mid-word: tail bits
	defer tbl.Release()
	eng := Open(tbl)
	consumers := []string{"%s is null", "%s = %s", "%s contains \"a\"", "len(%s) > 1", "coalesce(%s, %s) is not null",
		"(%s > 1) in (null, false, true)", "%s in (null, false)", "%s in (1, null)", "not (%s in (\"a\", null))"}
	accepted, refused := 0, 0
	for _, fn := range check.FunctionNames() {
		switch fn {
		case "now", "percent_rank", "ntile", "r_score", "f_score", "m_score": // ranking: TestRankFunctions; the reference has no ranks
			continue
		}
		for _, col := range randSchema.Fields() {
			for arity := 1; arity <= 3; arity++ {
				call := fmt.Sprintf("%s(%s)", fn, strings.TrimSuffix(strings.Repeat(col.Name+", ", arity), ", "))
				for _, c := range consumers {
					src := strings.ReplaceAll(c, "%s", call)
					q, err := eng.Compile(src, WithNow(testAnchor))
					if err != nil {
						var l *diag.List
						require.True(t, errors.As(err, &l), "%s: %v", src, err)
						require.NotContains(t, err.Error(), "internal error", src)
						refused++
						continue
					}
					accepted++
					checkAgainstReference(t, eng, q, rows, src)
				}
			}
		}
	}
	require.Greater(t, accepted, 100)
	require.Greater(t, refused, 100)
}
