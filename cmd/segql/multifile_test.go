package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDefinitionSets: a .seg file is read with the other .seg files of its
// directory, so check, sizes, diff (both revisions from git) and the
// shell resolve a segment defined in another file; diff gates CI with
// --exit-code and --fail-over, and check and diff annotate for GitHub.
func TestDefinitionSets(t *testing.T) {
	dir, git := gitRepo(t)
	for _, d := range []string{"segments", "old", "new"} {
		require.NoError(t, os.Mkdir(filepath.Join(dir, d), 0o755))
	}
	writeFile(t, dir, "segments/a.seg", "segment high_value = revenue_total > 1000\n", 0o644)
	writeFile(t, dir, "segments/b.seg", "# Valuable users at risk.\nsegment churn_risky = high_value and churn_risk > 0.5\n", 0o644)
	git("add", ".")
	git("commit", "-qm", "first")
	wd, _ := os.Getwd()
	require.NoError(t, os.Chdir(dir))
	defer os.Chdir(wd)
	rows := []string{"--demo-rows", "20000", "--now", "2026-11-15"}
	with := func(args ...string) []string { return append(args, rows...) }

	out, errOut, code := segql(t, "", "check", "segments/b.seg")
	require.Equal(t, 0, code, out+errOut)
	out, _, code = segql(t, "", with("sizes", "segments/b.seg")...)
	require.Equal(t, 0, code)
	require.Contains(t, out, "churn_risky")
	require.NotContains(t, out, "high_value", "sizes reports the named file's segments")

	out, _, code = segql(t, "", with("diff", "--git", "HEAD", "segments", "--exit-code")...)
	require.Equal(t, 0, code, "nothing changed")
	require.Equal(t, "no segment changes its members\n", out)

	writeFile(t, dir, "segments/a.seg", "segment high_value = revenue_total > 2000\n", 0o644)
	for _, path := range []string{"segments/b.seg", "segments"} {
		out, errOut, code = segql(t, "", with("diff", "--git", "HEAD", path)...)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, "~ churn_risky (members changed through high_value): ", path)
		require.Contains(t, out, "~ high_value (changed): ", path)
	}
	_, _, code = segql(t, "", with("diff", "--git", "HEAD", "segments", "--exit-code")...)
	require.Equal(t, 1, code)

	// churn_risky loses a larger share of its members than high_value:
	// a threshold between the two fails only churn_risky.
	out, _, _ = segql(t, "", with("diff", "--git", "HEAD", "segments", "-o", "json")...)
	moved := map[string]float64{}
	for _, m := range regexp.MustCompile(`"name": "(\w+)",[^}]*"old_size": (\d+),[^}]*"joined": (\d+),\s*"left": (\d+)`).FindAllStringSubmatch(out, -1) {
		moved[m[1]] = (atof(m[3]) + atof(m[4])) / atof(m[2])
	}
	require.Len(t, moved, 2, out)
	require.Greater(t, moved["churn_risky"], moved["high_value"])
	limit := (moved["churn_risky"] + moved["high_value"]) / 2
	out, errOut, code = segql(t, "", with("diff", "--git", "HEAD", "segments", "--format", "github", "--fail-over", ftoa(limit))...)
	require.Equal(t, 1, code)
	require.Regexp(t, `(?m)^::error file=segments/b.seg,line=2,col=9,title=segql diff::segment churn_risky \(members changed\): `, out)
	require.Regexp(t, `(?m)^::notice file=segments/a.seg,line=1,col=9,title=segql diff::segment high_value \(changed\): `, out)
	require.Contains(t, errOut, "churn_risky moved")
	require.NotContains(t, errOut, "high_value moved")
	_, errOut, code = segql(t, "", "diff", "--git", "HEAD", "segments", "--fail-over", "lots")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `"lots" is not a share`)

	writeFile(t, dir, "segments/c.seg", "segment x = hgh_value\n", 0o644)
	out, _, code = segql(t, "", "check", "--format", "github", "segments/c.seg")
	require.Equal(t, 1, code)
	require.Equal(t, "::error file=segments/c.seg,line=1,col=13,title=segql check::unknown name \"hgh_value\": neither a column nor a segment (did you mean segment \"high_value\"?)\n", out)
	require.NoError(t, os.Remove(filepath.Join(dir, "segments", "c.seg")))

	// OLD NEW with --defs: both versions see the definitions of --defs.
	writeFile(t, dir, "old/r.seg", "segment risky = high_value and churn_risk > 0.5\n", 0o644)
	writeFile(t, dir, "new/r.seg", "segment risky = high_value and churn_risk > 0.6\n", 0o644)
	out, errOut, code = segql(t, "", with("diff", "--defs", "segments/a.seg", "old/r.seg", "new/r.seg")...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "~ risky (changed): ")

	out, errOut, code = segql(t, ".open segments\n.count churn_risky\n", append(rows, "--bail")...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "2 segments from 2 files in segments\n")
}

func atof(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }
