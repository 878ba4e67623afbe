package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
)

// writeDataset writes demo users as a Hive-partitioned Parquet dataset:
// tier=0…2 directories, two files each, small row groups.
func writeDataset(t *testing.T, rows int) string {
	dir := t.TempDir()
	src := columnar.Demo(columnar.DemoOptions{Rows: rows, Seed: 4, Anchor: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), BatchSize: 700})
	defer src.Release()
	per := len(src.Batches) / 6
	for i := range 6 {
		part := columnar.NewTable("p", src.Schema, src.Batches[i*per:min((i+1)*per, len(src.Batches))])
		if i == 5 {
			part = columnar.NewTable("p", src.Schema, src.Batches[i*per:])
		}
		path := filepath.Join(dir, "tier="+string(rune('0'+i/2)), "part-"+string(rune('0'+i%2))+".parquet")
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, columnar.WriteFile(path, part, nil))
	}
	return dir
}

// TestStreamedCommands: eval, sizes and export with --memory-limit print
// and write what they do with the data loaded whole, partition columns
// included; commands that need whole columns refuse the flag clearly.
func TestStreamedCommands(t *testing.T) {
	dir := writeDataset(t, 30_000)
	data := []string{"--data", dir, "--now", "2026-11-01"}
	streamed := append([]string{"--memory-limit", "64MiB"}, data...)
	for _, expr := range []string{
		`age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`,
		`tier = 1 and user_id > 20000`, // the partition column
		`user_id < 5000 or churn_risk > 0.9`,
		`age > 200`,
	} {
		for _, format := range []string{"count", "ids", "csv", "json", "table"} {
			args := []string{"eval", "-o", format, expr}
			want, wantErr, wantCode := segql(t, "", append(args, data...)...)
			got, gotErr, code := segql(t, "", append(args, streamed...)...)
			require.Equal(t, wantCode, code, "%s -o %s: %s / %s", expr, format, wantErr, gotErr)
			if format == "table" { // the time differs
				want, got = dropLine(want, 0), dropLine(got, 0)
			}
			require.Equal(t, want, got, "%s -o %s", expr, format)
			require.Contains(t, gotErr, "row groups", expr)
		}
	}
	_, errOut, code := segql(t, "", append([]string{"eval", "-o", "count", "user_id <= 700"}, streamed...)...)
	require.Equal(t, 0, code)
	require.Regexp(t, `read 1 of \d+ row groups \(\d+ skipped by their statistics\)`, errOut)

	defs := filepath.Join(t.TempDir(), "s.seg")
	writeFile(t, filepath.Dir(defs), "s.seg", "segment young = age < 30\nsegment tier2 = tier = 2 and young\n", 0o644)
	want, _, code := segql(t, "", append([]string{"sizes", "-o", "json", defs}, data...)...)
	require.Equal(t, 0, code)
	got, _, code := segql(t, "", append([]string{"sizes", "-o", "json", defs}, streamed...)...)
	require.Equal(t, 0, code)
	require.Contains(t, got, `"row_groups_skipped"`)
	require.Equal(t, want, dropScan(got))

	out := t.TempDir()
	_, errOut, code = segql(t, "", append([]string{"export", "tier = 0 and age > 60", "--out", filepath.Join(out, "a.csv")}, data...)...)
	require.Equal(t, 0, code, errOut)
	_, errOut, code = segql(t, "", append([]string{"export", "tier = 0 and age > 60", "--out", filepath.Join(out, "b.csv")}, streamed...)...)
	require.Equal(t, 0, code, errOut)
	a, _ := os.ReadFile(filepath.Join(out, "a.csv"))
	b, _ := os.ReadFile(filepath.Join(out, "b.csv"))
	require.Equal(t, string(a), string(b))
	require.Contains(t, string(a), ",0\n", "the partition column is exported")

	for _, format := range []string{"json", "table"} {
		args := []string{"overlap", "-o", format, "age < 30", "tier = 1", `country = "DE"`}
		want, _, code := segql(t, "", append(args, data...)...)
		require.Equal(t, 0, code)
		got, _, code := segql(t, "", append(args, streamed...)...)
		require.Equal(t, 0, code)
		require.Equal(t, want, got, "overlap -o %s", format)
	}

	for _, format := range []string{"json", "table"} {
		args := []string{"split", "-o", format, "age < 40", "--salt", "exp1", "--arms", "a:30,b:30,c:20"}
		want, _, code := segql(t, "", append(args, data...)...)
		require.Equal(t, 0, code)
		got, _, code := segql(t, "", append(args, streamed...)...)
		require.Equal(t, 0, code)
		require.Equal(t, want, got, "split -o %s", format)
	}
	save := t.TempDir()
	_, errOut, code = segql(t, "", append([]string{"split", "tier = 2", "--salt", "s", "--save", filepath.Join(save, "a.csv")}, data...)...)
	require.Equal(t, 0, code, errOut)
	_, errOut, code = segql(t, "", append([]string{"split", "tier = 2", "--salt", "s", "--save", filepath.Join(save, "b.csv")}, streamed...)...)
	require.Equal(t, 0, code, errOut)
	sa, _ := os.ReadFile(filepath.Join(save, "a.csv"))
	sb, _ := os.ReadFile(filepath.Join(save, "b.csv"))
	require.Equal(t, string(sa), string(sb))
	_, _, code = segql(t, "", append([]string{"split", "user_id < 3", "--salt", "s", "--save", filepath.Join(save, "small.csv")}, streamed...)...)
	require.Equal(t, 1, code, "under --min-size")
	require.NoFileExists(t, filepath.Join(save, "small.csv"))

	segs := t.TempDir()
	writeFile(t, segs, "old.seg", "segment young = age < 30\nsegment eu_young = young and country in (\"DE\", \"FR\")\nsegment gone = tier = 0\n", 0o644)
	writeFile(t, segs, "new.seg", "segment young = age < 32\nsegment eu_young = young and country in (\"DE\", \"FR\")\nsegment rich = income > 90000\n", 0o644)
	for _, format := range []string{"json", "text"} {
		args := []string{"diff", "-o", format, filepath.Join(segs, "old.seg"), filepath.Join(segs, "new.seg")}
		want, _, code := segql(t, "", append(args, data...)...)
		require.Equal(t, 0, code)
		got, errOut, code := segql(t, "", append(args, streamed...)...)
		require.Equal(t, 0, code, errOut)
		require.Equal(t, want, got, "diff -o %s", format)
		require.Contains(t, got, "eu_young")
	}

	for _, args := range [][]string{
		{"profile", "age > 30"},
		{"eval", "percent_rank(age) > 0.5"},
	} {
		_, errOut, code := segql(t, "", append(args, streamed...)...)
		require.Equal(t, 1, code, args)
		require.Contains(t, errOut, "whole", args)
	}
	_, errOut, code = segql(t, "", "eval", "--memory-limit", "lots", "age > 3")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `"lots" is not a size`)
	_, errOut, code = segql(t, "", "eval", "--memory-limit", "1GiB", "age > 3")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "--memory-limit streams Parquet files given with --data")
}

func dropLine(s string, i int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(append(lines[:i:i], lines[i+1:]...), "\n")
}

// dropScan removes sizes -o json's scan report.
func dropScan(s string) string {
	for {
		i := strings.Index(s, `,
    "scan": {`)
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], "}")
		s = s[:i] + s[i+j+1:]
	}
}

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{"2GiB": 2 << 30, "512mib": 512 << 20, "1.5GB": 1.5e9, "1000": 1000, "64k": 64 << 10, " 3 MB ": 3e6} {
		got, err := parseByteSize(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "0", "-1GiB", "GiB", "1e400", "9999999TiB", "two"} {
		_, err := parseByteSize(in)
		require.Error(t, err, in)
	}
}

// TestStreamProgressE2E runs a slow streamed scan in a real terminal
// (tmux): a progress line with row groups and rates appears after about
// a second, and Ctrl-C ends the scan at once (exit status 1, the error
// over the progress line).
func TestStreamProgressE2E(t *testing.T) {
	needTmux(t)
	dir := t.TempDir()
	bin := buildBinary(t)
	src := columnar.Demo(columnar.DemoOptions{Rows: 1_200_000, Seed: 2, Anchor: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	require.NoError(t, columnar.WriteFile(filepath.Join(dir, "users.parquet"), src, nil))
	src.Release()
	var terms []string
	for i := range 40 {
		terms = append(terms, fmt.Sprintf(`bucket(user_id, "salt%d") = 7`, i))
	}
	cmd := "cd " + dir + " && " + bin + " eval -o count --memory-limit 256MiB --data users.parquet '" +
		strings.Join(terms, " or ") + "'; echo EXIT=$?; sleep 30"
	term := startTmux(t, dir, cmd, 200, 20)
	s := term.waitFor("row groups", 60*time.Second)
	require.Regexp(t, `scanning: \d+ of 10 row groups \(0 skipped\), [\d,]+ rows, [\d,]+ rows/s`, s)
	stopped := time.Now()
	term.keys("C-c")
	s = term.waitFor("EXIT=", 10*time.Second)
	require.Less(t, time.Since(stopped), 2*time.Second, "Ctrl-C ends the scan within a second")
	require.Contains(t, s, "EXIT=1")
	require.Regexp(t, `(?m)^segql eval: interrupted`, s)
}

// TestLazyShell: the shell on a Parquet dataset from lazyMinRows rows
// reads its columns on first use and answers a script as the shell with
// the table loaded whole does, .profile (which loads the rest) included.
func TestLazyShell(t *testing.T) {
	dir := writeDataset(t, 30_000)
	script := "age between 25 and 54 and purchases_30d > 3\n.count tier = 1\nsegment young = age < 30\n.mode csv\nyoung and user_id < 700\n.mode table\n.profile young\n"
	args := []string{"repl", "--data", dir, "--now", "2026-11-01"}
	want, wantErr, code := segql(t, script, args...)
	require.Equal(t, 0, code, wantErr)
	defer func(old int64) { lazyMinRows = old }(lazyMinRows)
	lazyMinRows = 1
	got, gotErr, code := segql(t, script, args...)
	require.Equal(t, 0, code, gotErr)
	elapsed := regexp.MustCompile(` in [0-9.]+[µmn]?s`)
	rowGroups := regexp.MustCompile(`row groups: [^\n]*\n`)
	require.Equal(t, elapsed.ReplaceAllString(want, ""), rowGroups.ReplaceAllString(elapsed.ReplaceAllString(got, ""), ""))
	require.Contains(t, got, "row groups: read", "the expressions streamed")
}

// TestLazyEval: eval on a Parquet table from lazyMinRows rows streams it
// (only the expression's columns are read), printing exactly what eval
// prints with the table loaded whole, with no summary line; expressions
// a stream cannot evaluate fall back to loading it whole.
func TestLazyEval(t *testing.T) {
	dir := writeDataset(t, 30_000)
	defer func(old int64) { lazyMinRows = old }(lazyMinRows)
	for _, expr := range []string{
		`age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`,
		`tier = 1 and user_id > 20000`,
		`percent_rank(income) > 0.95 and age < 30`,
	} {
		for _, format := range []string{"count", "ids", "csv", "json", "table"} {
			args := []string{"eval", "-o", format, "--data", dir, "--now", "2026-11-01", "--min-size", "10", expr}
			lazyMinRows = 1 << 62
			want, wantErr, wantCode := segql(t, "", args...)
			lazyMinRows = 1
			got, gotErr, code := segql(t, "", args...)
			require.Equal(t, wantCode, code, "%s -o %s: %s / %s", expr, format, wantErr, gotErr)
			if format == "table" {
				want, got = dropLine(want, 0), dropLine(got, 0)
			}
			require.Equal(t, want, got, "%s -o %s", expr, format)
			require.Equal(t, wantErr, gotErr, "%s -o %s", expr, format)
		}
	}
}
