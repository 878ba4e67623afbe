package engine_test

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// TestValueWarnings: a string constant compared with a string column that
// no row holds is a warning at the constant, with the nearest value that
// does occur; values that occur, other operators and other columns are
// not.
func TestValueWarnings(t *testing.T) {
	tbl := columnar.Demo(columnar.DemoOptions{Rows: 2000, Seed: 1})
	eng := engine.Open(tbl)
	cases := []struct {
		src  string
		want []string // "pos msg | hint"
	}{
		{`country = "DE"`, nil},
		{`country = "Germany"`, []string{`10 no row has "Germany" in column "country" | `}},
		{`"de" = country`, []string{`0 no row has "de" in column "country" | did you mean "DE"?`}},
		{`country != "fr"`, []string{`11 no row has "fr" in column "country" | did you mean "FR"?`}},
		{`country not in ("DE", "Frankreich", "us")`, []string{`22 no row has "Frankreich" in column "country" | `, `36 no row has "us" in column "country" | did you mean "US"?`}},
		{`country > "Germany" or city like "Ger%"`, nil},
		{`gender is null or lower(country) = "de"`, nil},
	}
	for _, c := range cases {
		q, err := eng.Compile(c.src)
		require.NoError(t, err, c.src)
		var got []string
		for _, w := range q.Warnings {
			got = append(got, itoa(w.Pos)+" "+w.Msg+" | "+w.Hint)
		}
		require.Equal(t, c.want, got, c.src)
	}
	q, err := engine.OpenSchema(tbl.Schema).Compile(`country = "Germany"`)
	require.NoError(t, err)
	require.Empty(t, q.Warnings, "a schema-only engine has no values to compare with")
	require.Nil(t, eng.ValueCounts("age"))
	require.Equal(t, 2000, sum(eng.ValueCounts("country")))
}

func itoa(i int) string { return strconv.Itoa(i) }

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestMapRowUnknownKey: a MapRow key that is no column is an error
// (ErrUnknownKey) with the nearest column, not a silent null.
func TestMapRowUnknownKey(t *testing.T) {
	tbl := columnar.Demo(columnar.DemoOptions{Rows: 100, Seed: 1})
	q, err := engine.Open(tbl).Compile("age > 30")
	require.NoError(t, err)
	_, err = q.Match(engine.MapRow{"agee": 31})
	require.ErrorIs(t, err, engine.ErrUnknownKey)
	require.EqualError(t, err, `MapRow key "agee": not a column of the table, did you mean "age"?`)
	ok, err := q.Match(engine.MapRow{"age": 31, "country": "DE"})
	require.NoError(t, err, "keys the expression does not use are fine when they are columns")
	require.True(t, ok)
	ok, err = q.Match(engine.MapRow{"country": "DE"})
	require.NoError(t, err, "a missing key is null")
	require.False(t, ok)
	lists, err := engine.Open(tbl).Compile(`interests contains "yoga" and age > 30`)
	require.NoError(t, err)
	_, err = lists.Match(engine.MapRow{"interests": []string{"yoga"}, "agee": 31})
	require.ErrorIs(t, err, engine.ErrUnknownKey, "through the row evaluator too")
}
