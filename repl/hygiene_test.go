package repl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOutputHygiene: .timer reports every statement's time on the screen
// and never in an .output file; .mode markdown and line; .headers off;
// tables fit .maxwidth and name the columns they leave out.
func TestOutputHygiene(t *testing.T) {
	s := newSession(t)
	exec(t, s, ".privacy min-size 1 allow-pii on")
	exec(t, s, ".timer on")
	for _, stmt := range []string{".count age > 30", ".schema age", ".values country 2", "segment a = age > 3"} {
		require.Regexp(t, `(?m)^Run Time: \S+\n$`, exec(t, s, stmt), stmt)
	}
	path := filepath.Join(t.TempDir(), "out.csv")
	exec(t, s, ".mode csv")
	exec(t, s, ".output "+path)
	require.Regexp(t, `^Run Time: \S+\n$`, exec(t, s, "user_id < 4"), "only the time reaches the screen")
	exec(t, s, ".output")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotContains(t, string(b), "Run Time")
	require.True(t, strings.HasPrefix(string(b), "user_id,age,"), string(b))
	exec(t, s, ".timer off")

	exec(t, s, ".headers off")
	require.True(t, strings.HasPrefix(exec(t, s, "user_id = 2"), "2,"))
	exec(t, s, ".headers on")

	exec(t, s, ".mode markdown")
	md := exec(t, s, "user_id < 3")
	lines := strings.Split(strings.TrimSpace(md), "\n")
	require.Len(t, lines, 4, md)
	require.True(t, strings.HasPrefix(lines[0], "| user_id | age | gender |"), lines[0])
	require.True(t, strings.HasPrefix(lines[1], "| ---: | ---: | --- |"), lines[1])
	require.True(t, strings.HasPrefix(lines[2], "| 1 | "), lines[2])

	exec(t, s, ".mode line")
	ln := exec(t, s, "user_id = 2")
	require.True(t, strings.HasPrefix(ln, "        user_id = 2\n            age = "), ln)
	require.NotContains(t, ln, "\n\n", "one row: no separator")
	require.Contains(t, exec(t, s, "user_id < 3"), "\n\n        user_id = 2\n")

	exec(t, s, ".mode table")
	exec(t, s, ".maxwidth 30")
	out := exec(t, s, ".show user_id < 30 limit 2 user_id age country city income")
	require.Contains(t, out, "(2 more columns: city, income; .maxwidth 0 shows all)")
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "(") || strings.Contains(l, "members of") {
			continue
		}
		require.LessOrEqual(t, len([]rune(l)), 30, l)
	}
	exec(t, s, ".maxwidth 0")
	require.NotContains(t, exec(t, s, ".show user_id < 30 limit 2 user_id age country city income"), "more columns")
	_, err = s.Execute(t.Context(), ".maxwidth wide")
	require.ErrorContains(t, err, ".maxwidth takes a width")
	_, err = s.Execute(t.Context(), ".mode xml")
	require.ErrorContains(t, err, "markdown or line")
}
