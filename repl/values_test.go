package repl

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestValues: .values lists a string column's most common values with
// counts; a value that no row holds warns with the nearest one; Tab
// completes values after =, != and in (, quoted or closing an open quote.
func TestValues(t *testing.T) {
	s := newSession(t)
	out := exec(t, s, ".values country 3")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 6, out)
	require.Regexp(t, `^value\s+rows\s+share$`, lines[0])
	require.Regexp(t, `^"[A-Z]{2}"\s+[\d,]+\s+[\d.]+%$`, lines[2])
	require.Regexp(t, `^\(\d+ more values; \.values COLUMN N shows more\)$`, lines[5])
	_, err := s.Execute(context.Background(), ".values age")
	require.ErrorContains(t, err, `column "age" holds numbers or times`)
	_, err = s.Execute(context.Background(), ".values contry")
	require.ErrorContains(t, err, `did you mean "country"?`)

	out = exec(t, s, `country = "de"`)
	require.Contains(t, out, `warning: no row has "de" in column "country" (did you mean "DE"?)`)

	head, got, _ := s.Complete(`age > 3 and country = "D`, 24)
	require.Equal(t, `age > 3 and country = "`, head)
	require.Contains(t, got, `DE"`)
	for _, c := range got {
		require.True(t, strings.HasPrefix(c, "D"), c)
	}
	_, got, _ = s.Complete(`country != `, 11)
	require.Contains(t, got, `"US"`)
	require.Equal(t, `"US"`, got[0], "most common first")
	_, got, _ = s.Complete(`country in ("DE", "f`, 20)
	require.Equal(t, []string{`FR"`, `FI"`}, got, "case-insensitive prefix, most common first")
	_, got, _ = s.Complete(`country not in ("DE", `, 22)
	require.Contains(t, got, `"FR"`)
	_, got, _ = s.Complete(`age = 3`, 7)
	require.NotContains(t, got, `"US"`, "a number column offers no values")
}
