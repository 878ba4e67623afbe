package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// segql runs the command in-process with small demo data and a fixed now.
func segql(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	if len(args) > 0 && args[0] == "eval" {
		// Single users are shown: TestEvalPrivacy runs the default guard.
		args = append([]string{"eval", "--demo-rows", "20000", "--seed", "1", "--now", "2026-11-01T00:00:00Z", "--min-size", "0"}, args[1:]...)
	}
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestEvalFormats(t *testing.T) {
	out, _, code := segql(t, "", "eval", "-o", "count", `user_id <= 5 or user_id = 100`)
	require.Equal(t, 0, code)
	require.Equal(t, "6\n", out)

	out, _, code = segql(t, "", "eval", `user_id in (3, 1, 2)`, "-o", "ids")
	require.Equal(t, 0, code)
	require.Equal(t, "1\n2\n3\n", out)

	out, _, _ = segql(t, "", "eval", "-o", "csv", `user_id = 2`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	require.True(t, strings.HasPrefix(lines[0], "user_id,age,gender,income,"))
	require.True(t, strings.HasPrefix(lines[1], "2,"))

	out, _, _ = segql(t, "", "eval", "-o", "json", `user_id = 2`)
	require.Regexp(t, `^\[\n  \{"user_id": 2, "age": `, out)

	out, _, _ = segql(t, "", "eval", "-o", "table", `user_id <= 3 and age > 0`)
	require.Regexp(t, regexp.MustCompile(`^\d members of 20,000 \([0-9.]+%\) in [0-9.]+[µm]?s\n\nuser_id  age\n───────  ───\n`), out)
}

func TestEvalStdinAndErrors(t *testing.T) {
	out, _, code := segql(t, "user_id = 7\n", "eval", "-o", "count", "-")
	require.Equal(t, 0, code)
	require.Equal(t, "1\n", out)

	_, errs, code := segql(t, "", "eval", "-o", "count", `agee > 30`)
	require.Equal(t, 1, code)
	require.Equal(t, "1:1: unknown column \"agee\"\n    agee > 30\n    ^^^^\n    did you mean \"age\"?\n", errs)

	_, errs, code = segql(t, "", "eval", "-o", "count", `age between 54 and 25`)
	require.Equal(t, 0, code)
	require.Contains(t, errs, "warning: between 54 and 25 is an empty range")

	_, _, code = segql(t, "", "eval", "-o", "nope", `age > 1`)
	require.Equal(t, 2, code)
	_, _, code = segql(t, "", "eval")
	require.Equal(t, 2, code)
	_, _, code = segql(t, "", "eval", "--bogus", "x")
	require.Equal(t, 2, code)
	_, errs, code = segql(t, "", "eval", "--data", "/nonexistent.parquet", "x")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "/nonexistent.parquet")
	_, _, code = segql(t, "", "frobnicate")
	require.Equal(t, 2, code)
	out, _, code = segql(t, "", "eval", "--help")
	require.Equal(t, 0, code)
	require.Empty(t, out)
}

func TestGenAndLoad(t *testing.T) {
	dir := t.TempDir()
	for _, ext := range []string{"parquet", "arrow", "csv"} {
		path := filepath.Join(dir, "u."+ext)
		_, errs, code := segql(t, "", "gen", "--rows", "3000", "--seed", "4", "--anchor", "2026-11-01", "--out", path)
		require.Equal(t, 0, code, errs)
		fi, err := os.Stat(path)
		require.NoError(t, err)
		require.Greater(t, fi.Size(), int64(1000))
		out, errs, code := segql(t, "", "eval", "--data", path, "-o", "count", `user_id > 2990`)
		require.Equal(t, 0, code, errs)
		require.Equal(t, "10\n", out)
	}
	_, _, code := segql(t, "", "gen", "--out", filepath.Join(dir, "u.txt"))
	require.Equal(t, 2, code)
	out, _, code := segql(t, "", "version")
	require.Equal(t, 0, code)
	require.True(t, strings.HasPrefix(out, "segql "))
}

func TestUnknownCommandSuggests(t *testing.T) {
	_, errs, code := segql(t, "", "evla", "age > 1")
	require.Equal(t, 2, code)
	require.Contains(t, errs, `unknown command "evla"; did you mean "eval"?`)
	_, errs, _ = segql(t, "", "zzzzzz")
	require.Contains(t, errs, "unknown command \"zzzzzz\"\n")
}

// TestUnknownOutputFormatsAreUsageErrors: every command's -o takes only
// its formats; anything else exits 2 naming them (it fell back to text).
func TestUnknownOutputFormatsAreUsageErrors(t *testing.T) {
	d := []string{"--demo-rows", "500"}
	for _, args := range [][]string{
		{"profile", "-o", "yaml", "age > 30"}, {"overlap", "-o", "yaml", "age > 30", "age > 40"},
		{"sizes", "-o", "yaml", "--defs", filepath.Join("..", "..", "examples")},
		{"diff", "-o", "yaml", filepath.Join("..", "..", "examples", "rfm.seg"), filepath.Join("..", "..", "examples", "rfm.seg")},
		{"cluster", "-o", "yaml", "--k", "2", "--features", "age,income"},
		{"split", "-o", "yaml", "age > 30", "--arms", "a:50,b:50", "--salt", "s"},
		{"eval", "-o", "yaml", "age > 30"},
	} {
		_, errs, code := segql(t, "", append(args, d...)...)
		require.Equal(t, 2, code, "%v: %s", args, errs)
		require.Contains(t, errs, `"yaml"`, "%v", args)
	}
}

// TestEvalWarnsAboutValues: a value no row holds is a warning on stderr
// with the caret and the nearest value; the result still prints.
func TestEvalWarnsAboutValues(t *testing.T) {
	out, errOut, code := segql(t, "", "eval", "--demo-rows", "2000", "-o", "count", `country in ("de", "FR")`)
	require.Equal(t, 0, code)
	require.Regexp(t, `^\d+\n$`, out)
	require.Equal(t, "1:13: warning: no row has \"de\" in column \"country\"\n    country in (\"de\", \"FR\")\n                ^^^^\n    did you mean \"DE\"?\n", errOut)
}

// TestDemoIsReproducible: on the demo table, now() defaults to its fixed
// anchor, so sizes do not drift from day to day; --anchor moves it.
func TestDemoIsReproducible(t *testing.T) {
	run1 := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := run(args, strings.NewReader(""), &out, &errb)
		return out.String(), errb.String(), code
	}
	count := func(args ...string) string {
		out, errOut, code := run1(append([]string{"eval", "--demo-rows", "5000", "-o", "count", "last_seen within 7d"}, args...)...)
		require.Equal(t, 0, code, errOut)
		return out
	}
	fixed := count()
	require.Equal(t, fixed, count("--now", "2026-11-01"))
	require.Equal(t, fixed, count("--anchor", "2026-11-01"))
	require.NotEqual(t, fixed, count("--now", "2026-11-20"), "a later now() sees fewer recent users")
	require.Regexp(t, `^\d+\n$`, count("--anchor", "today"))
	_, errOut, code := run1("eval", "--anchor", "yesterday", "age > 3")
	require.Equal(t, 2, code, errOut)
	require.Contains(t, errOut, `--anchor "yesterday" is not a date`)
}

// TestOutNamesFiles: -o names an output format everywhere; commands that
// write a file take --out, and -o there is a usage error that says so
// (and writes nothing).
func TestOutNamesFiles(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"export", "age > 1", "--demo-rows", "1000"}, {"gen", "--rows", "1000"}} {
		path := filepath.Join(dir, args[0]+".csv")
		_, errOut, code := segql(t, "", append(args, "-o", path)...)
		require.Equal(t, 2, code, args)
		require.Contains(t, errOut, args[0]+" writes a file: name it with --out FILE (-o names an output format in segql)")
		require.NoFileExists(t, path)
	}
}
