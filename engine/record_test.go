package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestMatchRecord: errors, nulls and unsupported columns behave as in
// Match; the closures fall back to the generic evaluator for the rest.
func TestMatchRecord(t *testing.T) {
	rows := randRows(rand.New(rand.NewPCG(3, 4)), 20, 0)
	tbl := buildTable(nil, rows, 8)
	defer tbl.Release()
	eng := Open(tbl)
	rec := func(row map[string]any) *refRecord { return &refRecord{row: row, fields: eng.fields} }
	cases := []struct {
		src  string
		row  map[string]any
		want bool
		err  string
	}{
		{src: `a * 9223372036854775807 > 1`, row: map[string]any{"a": int64(2)}, err: "integer overflow"},
		{src: `a > 1 or a * 9223372036854775807 > 1`, row: map[string]any{"a": int64(2)}, want: true}, // decided before the overflow
		{src: `not (a > 1)`, row: map[string]any{"a": nil}, want: false},
		{src: `a is null and f is not null`, row: map[string]any{"f": 1.5}, want: true},
		{src: `s in ("a", null) or s = "zz"`, row: map[string]any{"s": "b"}, want: false},
		{src: `d like "a%" and p`, row: map[string]any{"d": "ab", "p": true}, want: true}, // like: generic path
		{src: `f / 0 is null and t within 1d`, row: map[string]any{"f": 2.0, "t": refTime(testAnchor.UnixMicro())}, want: true},
		{src: `l contains "a"`, row: map[string]any{"l": []any{"a"}}, err: "list columns need a Row"},
	}
	for _, c := range cases {
		q, err := eng.Compile(c.src)
		require.NoError(t, err, c.src)
		got, err := q.MatchRecord(rec(c.row), testAnchor)
		if c.err != "" {
			require.ErrorContains(t, err, c.err, c.src)
			continue
		}
		require.NoError(t, err, c.src)
		require.Equal(t, c.want, got, c.src)
		viaRow, err := q.MatchAt(MapRow(matchRow(c.row)), testAnchor)
		require.NoError(t, err)
		require.Equal(t, viaRow, got, "Match and MatchRecord agree: %s", c.src)
	}
}
