package main

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segql/segql/lang/gen"
	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/syntax"
	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, dir, name, body string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(body), perm))
	return p
}

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	messy := writeFile(t, dir, "a.seg", "# Adults\nSEGMENT adults=AGE  between 25 and 54\n", 0o640)
	broken := writeFile(t, dir, "b.seg", "segment x = age >\n", 0o644)
	clean := writeFile(t, dir, "c.seg", "segment c = age > 3\n", 0o644)

	out, _, code := segql(t, "", "fmt", "--check", messy, clean)
	require.Equal(t, 1, code)
	require.Equal(t, messy+"\n", out)

	out, _, code = segql(t, "", "fmt", "-d", messy)
	require.Equal(t, 0, code)
	require.Contains(t, out, "-SEGMENT adults=AGE  between 25 and 54\n+segment adults = AGE between 25 and 54\n")

	_, _, code = segql(t, "", "fmt", "-w", messy)
	require.Equal(t, 0, code)
	b, _ := os.ReadFile(messy)
	require.Equal(t, "# Adults\nsegment adults = AGE between 25 and 54\n", string(b))
	info, _ := os.Stat(messy)
	require.Equal(t, os.FileMode(0o640), info.Mode().Perm(), "permissions kept")

	_, errs, code := segql(t, "", "fmt", "-w", broken)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "b.seg:1:18: unexpected end of input")
	b, _ = os.ReadFile(broken)
	require.Equal(t, "segment x = age >\n", string(b), "a file that does not parse is left untouched")
	entries, _ := os.ReadDir(dir)
	require.Len(t, entries, 3, "no temporary files left behind")

	out, _, code = segql(t, "segment  s=a>1\n", "fmt")
	require.Equal(t, 0, code)
	require.Equal(t, "segment s = a > 1\n", out)
	_, _, code = segql(t, "", "fmt", "--check", dir+"/c.seg")
	require.Equal(t, 0, code)
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ok.seg", "segment adults = age between 25 and 54\nsegment odd = age between 54 and 25\n", 0o644)
	bad := writeFile(t, dir, "bad.seg", "segment x = adult and citty = \"Paris\"\nsegment y = age > \"3\"\n", 0o644)

	out, _, code := segql(t, "", "check", filepath.Join(dir, "ok.seg"))
	require.Equal(t, 0, code)
	require.Equal(t, filepath.Join(dir, "ok.seg")+":2:15: warning: between 54 and 25 is an empty range: the lower bound is above the upper\n", out)

	out, _, code = segql(t, "", "check", dir)
	require.Equal(t, 1, code)
	require.Equal(t, bad+":1:13: unknown name \"adult\": neither a column nor a segment (did you mean segment \"adults\"?)\n"+
		bad+":1:23: unknown name \"citty\": neither a column nor a segment (did you mean column \"city\"?)\n"+
		bad+":2:17: mismatched types int32 and string in comparison\n", out)

	out, _, code = segql(t, "", "check", "--json", bad, filepath.Join(dir, "ok.seg"))
	require.Equal(t, 1, code)
	var findings []finding
	require.NoError(t, json.Unmarshal([]byte(out), &findings))
	require.Len(t, findings, 3)
	require.Equal(t, finding{File: bad, Line: 1, Column: 13, Severity: "error", Message: `unknown name "adult": neither a column nor a segment`, Hint: `did you mean segment "adults"?`}, findings[0])

	data := filepath.Join(dir, "t.csv")
	writeFile(t, dir, "t.csv", "id,score\n1,2.5\n", 0o644)
	out, _, code = segql(t, "", "check", "--data", data, filepath.Join(dir, "ok.seg"))
	require.Equal(t, 1, code)
	require.Contains(t, out, `unknown name "age": neither a column nor a segment`)
}

func TestSizesAndEvalDefs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "s.seg", "# Working age\nsegment adults = age between 25 and 54\nsegment buyers = purchases_30d > 3\n\n# Both\nsegment target = adults and buyers\n", 0o644)
	out, _, code := segql(t, "", "sizes", "--demo-rows", "20000", "--now", "2026-11-01T00:00:00Z", "--defs", dir)
	require.Equal(t, 0, code)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 5)
	require.Regexp(t, `^target\s+\d[\d,]*\s+[\d.]+%\s+Both$`, lines[4])
	for i, name := range []string{"adults", "buyers", "target"} {
		n, _, code := segql(t, "", "eval", "--defs", dir, "-o", "count", name)
		require.Equal(t, 0, code)
		fields := strings.Fields(lines[2+i]) // the segment's own row of the table
		require.Equal(t, name, fields[0])
		require.Equal(t, thousands(n), fields[1], "sizes agrees with eval for %s", name)
	}
	out, _, code = segql(t, "", "eval", "--defs", dir, "-o", "count", "target and not adults")
	require.Equal(t, 0, code)
	require.Equal(t, "0\n", out)
}

// thousands reformats a count line from eval -o count as sizes prints it.
func thousands(line string) string {
	s := strings.TrimSpace(line)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func TestDiff(t *testing.T) {
	dir := t.TempDir()
	old := writeFile(t, dir, "old.seg", "segment buyers = purchases_30d >= 4\nsegment big = revenue_total > 5000\nsegment target = buyers and age < 40\nsegment gone = age > 80\n", 0o644)
	cur := writeFile(t, dir, "new.seg", "segment buyers = purchases_30d >= 3\nsegment big = revenue_total > 5000\nsegment target = buyers and age < 40\nsegment fresh = age < 20\n", 0o644)
	out, errs, code := segql(t, "", "diff", "--demo-rows", "20000", "--now", "2026-11-01T00:00:00Z", "-o", "json", old, cur)
	require.Equal(t, 0, code, errs)
	var changes []segmentChange
	require.NoError(t, json.Unmarshal([]byte(out), &changes))
	byName := map[string]segmentChange{}
	for _, c := range changes {
		byName[c.Name] = c
	}
	require.Len(t, changes, 4, "big is unchanged and not reported")
	require.Equal(t, "changed", byName["buyers"].Status)
	require.Greater(t, byName["buyers"].Joined, 0)
	require.Equal(t, 0, byName["buyers"].Left, "a looser bound only adds members")
	require.Equal(t, byName["buyers"].NewSize-byName["buyers"].OldSize, byName["buyers"].Joined)
	require.Equal(t, "members changed", byName["target"].Status)
	require.Equal(t, []string{"buyers"}, byName["target"].Through)
	require.Equal(t, "added", byName["fresh"].Status)
	require.Equal(t, byName["fresh"].NewSize, byName["fresh"].Joined)
	require.Equal(t, "removed", byName["gone"].Status)
	require.Equal(t, byName["gone"].OldSize, byName["gone"].Left)
	require.Len(t, byName["buyers"].JoinedEg, 5)

	text, _, code := segql(t, "", "diff", "--demo-rows", "20000", old, cur)
	require.Equal(t, 0, code)
	require.Contains(t, text, "~ target (members changed through buyers): ")
}

// gitRepo is a new git repository in a temporary directory and a function
// running git there; the test is skipped without git.
func gitRepo(t *testing.T) (string, func(args ...string)) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	git("init", "-q")
	return dir, git
}

func TestDiffGit(t *testing.T) {
	dir, git := gitRepo(t)
	writeFile(t, dir, "s.seg", "segment s = age > 50\n", 0o644)
	git("add", "s.seg")
	git("commit", "-qm", "first")
	writeFile(t, dir, "s.seg", "segment s = age > 60\n", 0o644)
	wd, _ := os.Getwd()
	require.NoError(t, os.Chdir(dir))
	defer os.Chdir(wd)
	out, errs, code := segql(t, "", "diff", "--demo-rows", "5000", "--git", "HEAD", "s.seg")
	require.Equal(t, 0, code, errs)
	require.Contains(t, out, "~ s (changed): ")
	require.Contains(t, out, "old: age > 50\n    new: age > 60\n")

	// No revision reaches git as an option: each is refused, and none
	// writes the file its option would.
	victim := filepath.Join(dir, "victim")
	for _, rev := range []string{"--output=" + victim, "-o" + victim, "--output=" + victim + " HEAD", "HEAD --output=" + victim,
		"--exec=touch " + victim, "HEAD:s.seg", "no-such-rev", "HEAD~99"} {
		_, errs, code := segql(t, "", "diff", "--demo-rows", "5000", "--git", rev, "s.seg")
		require.Equal(t, 1, code, "rev %q: %s", rev, errs)
		require.Contains(t, errs, "not a git revision", "rev %q", rev)
		written, _ := filepath.Glob(victim + "*")
		require.Empty(t, written, "rev %q", rev)
	}
}

var update = flag.Bool("update", false, "rewrite golden files")

// TestCheckGolden runs segql check over the shared corpus
// testdata/segments/invalid, whose files hold a duplicate, a cycle across
// files, unknown names and type errors.
func TestCheckGolden(t *testing.T) {
	out, _, code := segql(t, "", "check", filepath.Join("..", "..", "testdata", "segments", "invalid"))
	require.Equal(t, 1, code)
	golden := "testdata/check.golden"
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(out), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), out)
}

// TestSharedCorpora runs the definitions workflow over the standard
// library and the shared edge corpus: the library is formatted, both
// check, sizes lists every definition, and fmt flags the non-canonical
// edge files (CRLF, odd spacing) with a diff that patch applies.
func TestSharedCorpora(t *testing.T) {
	examples := filepath.Join("..", "..", "examples")
	edge := filepath.Join("..", "..", "testdata", "segments", "edge")
	_, errs, code := segql(t, "", "fmt", "--check", examples)
	require.Equal(t, 0, code, errs)
	out, errs, code := segql(t, "", "check", examples, edge)
	require.Equal(t, 0, code, out+errs)

	out, errs, code = segql(t, "", "sizes", "--demo-rows", "20000", "--now", "2026-11-01T00:00:00Z", "--defs", examples, "--defs", edge)
	require.Equal(t, 0, code, errs)
	for _, name := range []string{"frequent_shoppers", "win_back", "link_00", "link_29", "europe_buyers", "everything"} {
		require.Regexp(t, `(?m)^`+name+`\s+\d`, out)
	}

	out, _, code = segql(t, "", "fmt", "-l", edge)
	require.Equal(t, 0, code)
	require.Equal(t, filepath.Join(edge, "crlf.seg")+"\n", out)
	src, err := os.ReadFile(filepath.Join(edge, "crlf.seg"))
	require.NoError(t, err)
	d, _, _ := segql(t, "", "fmt", "-d", filepath.Join(edge, "crlf.seg"))
	f, err := syntax.ParseFile("crlf.seg", string(src), syntax.Limits{})
	require.NoError(t, err)
	patched, err := applyUnified(string(src), d)
	require.NoError(t, err, d)
	require.Equal(t, printer.File(f), patched)
}

// TestSharedDefinitionsCommands runs every command that reads definitions
// over definitions that double at each level; each finishes (shared
// segments are evaluated, shown and diffed once) within the watchdog.
func TestSharedDefinitionsCommands(t *testing.T) {
	watchdog := time.AfterFunc(90*time.Second, func() { panic("a command expands shared definitions as a tree") })
	defer watchdog.Stop()
	dir := t.TempDir()
	old := writeFile(t, dir, "old.seg", gen.DoublingChain(150), 0o644)
	cur := writeFile(t, dir, "new.seg", strings.Replace(gen.DoublingChain(150), "age > 0\n", "age > 1\n", 1), 0o644)
	for _, args := range [][]string{
		{"eval", "--defs", old, "-o", "count", "e_150"},
		{"sizes", "--demo-rows", "3000", "--defs", old},
		{"check", old},
		{"fmt", "--check", old},
		{"diff", "--demo-rows", "3000", old, cur},
	} {
		_, errs, code := segql(t, "", args...)
		require.Equal(t, 0, code, "%v: %s", args, errs)
	}
}

// TestSchemaFilesForCheck: segql schema writes a schema file that check
// --schema reads with the same verdicts as the data itself; check without
// either says it used the demo table's schema; a header-only CSV is
// refused as a schema.
func TestSchemaFilesForCheck(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join("..", "..", "testdata", "data", "users.csv")
	out, errs, code := segql(t, "", "schema", "--data", data)
	require.Equal(t, 0, code, errs)
	schemaFile := writeFile(t, dir, "users.schema.json", out, 0o644)
	defs := writeFile(t, dir, "d.seg", "segment a = age > 30 and country = \"DE\"\nsegment b = agee > 1\n", 0o644)
	viaData, _, codeData := segql(t, "", "check", "--data", data, defs)
	viaSchema, _, codeSchema := segql(t, "", "check", "--schema", schemaFile, defs)
	require.Equal(t, 1, codeData)
	require.Equal(t, codeData, codeSchema)
	require.Equal(t, viaData, viaSchema)
	require.Contains(t, viaSchema, `unknown name "agee": neither a column nor a segment (did you mean column "age"?)`)

	_, errs, _ = segql(t, "", "check", defs)
	require.Contains(t, errs, "checked against the built-in demo table's schema")
	good := writeFile(t, dir, "g.seg", "segment a = age > 30\n", 0o644)
	_, errs, code = segql(t, "", "sizes", "--demo-rows", "100", "--defs", good)
	require.Equal(t, 0, code, errs)
	require.Contains(t, errs, "1 segments over 100 rows of the built-in demo table (--data FILE for yours)")
	_, errs, _ = segql(t, "", "sizes", "--data", data, "--defs", good)
	require.NotContains(t, errs, "demo")

	headerOnly := writeFile(t, dir, "h.csv", "age,country\n", 0o644)
	_, errs, code = segql(t, "", "check", "--schema", headerOnly, defs)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "a CSV file with no rows is not a schema")
}
