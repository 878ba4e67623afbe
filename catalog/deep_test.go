package catalog

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/gen"
)

// TestSharedDefinitionsStayLinear drives every public path that walks a
// query — compile, run, both explains and their text, trace, match,
// record match, sets, sizes — over definitions that double at every
// level. Each must treat shared segments as a DAG: the work and the size
// of plans and traces grow with the number of definitions, which the
// counts below check (a path that expands the tree would not finish).
func TestSharedDefinitionsStayLinear(t *testing.T) {
	const depth = 200
	tbl := demo(t, 5000, nil)
	defer tbl.Release()
	eng := engine.Open(tbl)
	watchdog := time.AfterFunc(60*time.Second, func() {
		panic("a path expands the shared definitions as a tree")
	})
	defer watchdog.Stop()

	cat, err := Load(eng, []File{{Name: "deep.seg", Text: gen.DoublingChain(depth)}})
	require.NoError(t, err)
	name := fmt.Sprintf("e_%d", depth)
	q, err := cat.Compile(name, engine.WithNow(testAnchor))
	require.NoError(t, err)
	res, err := q.Run(context.Background())
	require.NoError(t, err)
	require.Greater(t, res.Count(), 0)

	for _, p := range []*engine.Plan{q.Explain(), res.Explain()} {
		require.LessOrEqual(t, countSteps(p.Root), 6*depth, "plan steps")
		require.Less(t, len(p.String()), 400*6*depth, "plan text")
	}
	row := engine.MapRow{"age": 40}
	tr, err := q.TraceAt(row, testAnchor)
	require.NoError(t, err)
	require.LessOrEqual(t, countParts(tr), 6*depth, "trace clauses")
	require.Equal(t, engine.True, tr.Truth)
	m, err := q.MatchAt(row, testAnchor)
	require.NoError(t, err)
	require.True(t, m)

	set, err := eng.CompileSet(context.Background(), []string{name, "e_1", "e_100 and not e_99"}, engine.WithDefinitions(cat.Checked()))
	require.NoError(t, err)
	_, err = set.Run(context.Background(), engine.At(testAnchor))
	require.NoError(t, err)
	sizes, err := cat.Sizes(context.Background(), engine.At(testAnchor))
	require.NoError(t, err)
	require.Len(t, sizes, depth+1)
}

func countSteps(s *engine.Step) int {
	n := 1
	for _, c := range s.Steps {
		n += countSteps(c)
	}
	return n
}

func countParts(tr *engine.Trace) int {
	n := 1
	for _, p := range tr.Parts {
		n += countParts(p)
	}
	return n
}
