package catalog

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/stretchr/testify/require"
)

func TestCatalog(t *testing.T) {
	tbl := demo(t, 30_000, nil)
	defer tbl.Release()
	eng := engine.Open(tbl)
	cat, err := Load(eng, []File{
		{Name: "a.seg", Text: "# Adults in Europe\nsegment europe_adults = adults and region = \"Europe\"\n\nsegment adults = age between 25 and 54\n"},
		{Name: "b.seg", Text: "-- Buyers\nsegment buyers = purchases_30d > 3\nsegment target =\n    europe_adults\n    and buyers\n    and not (interests contains \"deals\")\n"},
	})
	require.NoError(t, err)
	d, ok := cat.Definition("europe_adults")
	require.True(t, ok)
	require.Equal(t, "Adults in Europe", d.Description)
	require.Equal(t, []string{"adults"}, d.Deps)
	require.Equal(t, "a.seg:2:9", d.Position)

	sizes, err := cat.Sizes(context.Background(), engine.At(testAnchor))
	require.NoError(t, err)
	require.Len(t, sizes, 4)
	for _, s := range sizes {
		q, err := cat.Compile(s.Name, engine.WithNow(testAnchor))
		require.NoError(t, err)
		res, err := q.Run(context.Background())
		require.NoError(t, err)
		require.Equal(t, res.Count(), s.Result.Count(), "sizes and eval agree for %s", s.Name)
		require.Equal(t, res.Unknown(), s.Result.Unknown(), "unknowns agree for %s", s.Name)
	}
	inline, err := eng.Compile(`age between 25 and 54 and region = "Europe" and purchases_30d > 3 and not (interests contains "deals")`)
	require.NoError(t, err)
	want, err := inline.Run(context.Background())
	require.NoError(t, err)
	named, err := cat.Compile(`target`)
	require.NoError(t, err)
	got, err := named.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, want.Count(), got.Count())
	require.Greater(t, got.Count(), 0)

	// An expression may mix names and columns; Match inlines segments too.
	q, err := cat.Compile(`adults and not buyers and city = "Paris"`)
	require.NoError(t, err)
	m, err := q.Match(engine.MapRow{"age": 30, "purchases_30d": 0, "city": "Paris"})
	require.NoError(t, err)
	require.True(t, m)
}

func TestCatalogErrors(t *testing.T) {
	tbl := demo(t, 100, nil)
	defer tbl.Release()
	eng := engine.Open(tbl)
	tests := []struct {
		files []File
		msg   string
	}{
		{[]File{{"a.seg", "segment x = age > 1\n"}, {"b.seg", "\nsegment x = age > 2\n"}},
			"b.seg:2:9: segment \"x\" is defined twice\n    segment x = age > 2\n            ^\n    first defined at a.seg:1:9"},
		{[]File{{"c.seg", "segment a = b\nsegment b = c and age > 1\nsegment c = a\n"}},
			"c.seg:1:13: reference cycle: a -> b -> c -> a"},
		{[]File{{"d.seg", "segment adults = age > 17\nsegment x = adult and age < 30\n"}},
			"d.seg:2:13: unknown name \"adult\": neither a column nor a segment\n    segment x = adult and age < 30\n                ^^^^^\n    did you mean segment \"adults\"?"},
		{[]File{{"e.seg", "segment age = age > 1\n"}}, "e.seg:1:9: segment \"age\" has the name of a column"},
		{[]File{{"f.seg", "age > 1\n"}}, "f.seg:1:1: expected a definition: segment NAME = expression"},
		{[]File{{"g.seg", "segment s = age >\nsegment t = city = 1\n"}}, "g.seg:1:18: unexpected end of input"},
	}
	for _, tt := range tests {
		_, err := Load(eng, tt.files)
		require.Error(t, err)
		require.Contains(t, err.Error(), tt.msg)
	}
}

// TestCatalogConcurrent: a loaded catalog is used from many goroutines at
// once (run under -race in CI).
func TestCatalogConcurrent(t *testing.T) {
	tbl := demo(t, 20_000, nil)
	defer tbl.Release()
	cat, err := Load(engine.Open(tbl), []File{{Name: "s.seg", Text: "segment a = age > 30\nsegment b = a and city = \"Paris\"\nsegment c = b or purchases_30d > 5\n"}})
	require.NoError(t, err)
	first, err := cat.Sizes(context.Background(), engine.At(testAnchor))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sizes, err := cat.Sizes(context.Background(), engine.At(testAnchor), engine.Workers(2))
			require.NoError(t, err)
			for i, s := range sizes {
				require.Equal(t, first[i].Result.Count(), s.Result.Count())
			}
			q, err := cat.Compile("c and not a", engine.WithNow(testAnchor))
			require.NoError(t, err)
			_, err = q.Run(context.Background())
			require.NoError(t, err)
		}()
	}
	wg.Wait()
}

var testAnchor = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

func demo(t testing.TB, rows int, mem memory.Allocator) *columnar.Table {
	t.Helper()
	return columnar.Demo(columnar.DemoOptions{Rows: rows, Seed: 3, Anchor: testAnchor, Mem: mem, BatchSize: 4096})
}
