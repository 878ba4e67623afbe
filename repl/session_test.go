package repl

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/gen"
)

var anchor = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func newSession(t *testing.T) *Session {
	t.Helper()
	tbl := columnar.Demo(columnar.DemoOptions{Rows: 20_000, Seed: 1, Anchor: anchor})
	s := New("users", tbl, Options{Now: anchor})
	t.Cleanup(func() { s.Close() })
	return s
}

func exec(t *testing.T, s *Session, stmt string) string {
	t.Helper()
	out, err := s.Execute(context.Background(), stmt)
	require.NoError(t, err, stmt)
	return out
}

func TestExpression(t *testing.T) {
	s := newSession(t)
	require.Contains(t, s.Banner(), "table users, 20,000 rows, 27 columns")
	out := exec(t, s, `age between 25 and 54 and purchases_30d > 3`)
	lines := strings.Split(out, "\n")
	require.Regexp(t, `^\d[\d,]* members of 20,000 \([\d.]+%\) in `, lines[0])
	require.Equal(t, "user_id  age  purchases_30d", strings.TrimRight(lines[2], " "))
	require.Contains(t, out, "more)")

	_, err := s.Execute(context.Background(), `agee > 3`)
	require.EqualError(t, err, "1:1: unknown column \"agee\"\n    agee > 3\n    ^^^^\n    did you mean \"age\"?")
	_, err = s.Execute(context.Background(), `.shwo x`)
	require.EqualError(t, err, `unknown command ".shwo"; did you mean ".show"?`)
}

func TestUnknownNote(t *testing.T) {
	s := newSession(t)
	count := func(src string) int {
		q, err := s.compile(src)
		require.NoError(t, err)
		res, err := q.Run(context.Background())
		require.NoError(t, err)
		return res.Count()
	}
	out := exec(t, s, `not (gender = "male") and age > 30`)
	more := count(`(gender is null or not gender = "male") and age > 30`) - count(`not (gender = "male") and age > 30`)
	require.Positive(t, more)
	require.Contains(t, out, fmt.Sprintf("; %d of them are members if null gender counts as not matching:\n    (gender is null or not gender = \"male\") and age > 30\n", more))
	require.NotContains(t, exec(t, s, `gender = "male"`), "UNKNOWN")

	// UNKNOWN rows the rewrite would not change: no note (it suggested one).
	src := `not (gender = "male") and income > 1e12`
	res, err := func() (*engine.Result, error) { q, _ := s.compile(src); return q.Run(context.Background()) }()
	require.NoError(t, err)
	require.Positive(t, res.Unknown())
	require.NotContains(t, exec(t, s, src), "note:")
}

func TestSegmentsAndFiles(t *testing.T) {
	s := newSession(t)
	require.Contains(t, exec(t, s, `segment adults = age between 25 and 54`), "segment adults defined: ")
	require.Contains(t, exec(t, s, `segment buyers = purchases_30d > 3`), "segment buyers defined: ")
	both := exec(t, s, `.count adults and buyers`)
	inline := exec(t, s, `.count age between 25 and 54 and purchases_30d > 3`)
	require.Equal(t, strings.Fields(both)[0], strings.Fields(inline)[0])
	require.NotEqual(t, "0", strings.Fields(both)[0])
	require.Equal(t, "segment adults = age between 25 and 54\nsegment buyers = purchases_30d > 3\n", exec(t, s, ".segments"))

	_, err := s.Execute(context.Background(), `segment loop = loop and adults`)
	require.ErrorContains(t, err, "reference cycle: loop -> loop")
	require.NotContains(t, exec(t, s, ".segments"), "loop", "a failed definition changes nothing")

	path := filepath.Join(t.TempDir(), "saved.seg")
	require.Equal(t, "saved 2 segments to "+path+"\n", exec(t, s, ".save "+path))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, "segment adults = age between 25 and 54\nsegment buyers = purchases_30d > 3\n", string(b))

	fresh := newSession(t)
	require.Equal(t, "2 segments from "+path+"\n", exec(t, fresh, ".open "+path))
	require.Equal(t, strings.Fields(both)[0], strings.Fields(exec(t, fresh, ".count adults and buyers"))[0])
}

func TestCommands(t *testing.T) {
	s := newSession(t)
	require.Contains(t, exec(t, s, ".help"), ".why ID EXPR")
	schema := exec(t, s, ".schema")
	require.Contains(t, schema, "interests")
	require.Regexp(t, `gender\s+string\s+[\d.]+%\s+3\s+"`, exec(t, s, ".schema gender"))
	_, err := s.Execute(context.Background(), ".schema agee")
	require.EqualError(t, err, `no column "agee"; did you mean "age"?`)

	exec(t, s, ".privacy min-size 0") // single users below (TestPrivacyGuardsEveryOutput: the default)
	exec(t, s, ".mode ids")
	require.Equal(t, "1\n2\n3\n", exec(t, s, "user_id <= 3"))
	exec(t, s, ".mode csv")
	require.True(t, strings.HasPrefix(exec(t, s, "user_id = 2"), "user_id,age,"))
	exec(t, s, ".mode table")

	show := exec(t, s, `.show city = "Paris" limit 2 user_id city country`)
	require.Regexp(t, "user_id  city   country\n───────  ─────  ───────\n\\s+\\d+  Paris  FR\n\\s+\\d+  Paris  FR\n", show)

	why := exec(t, s, `.why 7 age between 25 and 54 and (purchases_30d > 30 or city = "Munich")`)
	require.Contains(t, why, "user_id 7 is ")
	require.Regexp(t, `(?m)^    TRUE\s+age between 25 and 54\s+\(age = \d+\)$`, why)
	require.Regexp(t, `(?m)^      FALSE\s+purchases_30d > 30\s+\(purchases_30d = \d+\)$`, why)

	// One run: the plan with each step's kernel, estimated (on a sample)
	// and observed selectivity, and the rows each term was asked for: the
	// second term sees only the rows the first left undecided.
	explain := exec(t, s, `.explain age > 30 and city = "Paris"`)
	require.Regexp(t, `^plan of age > 30 and city = "Paris" over 20,000 rows in \d+ batches: [\d,]+ members in `, explain)
	require.Regexp(t, `(?m)^age > 30 and city = "Paris"\s+narrows rows[^\n]*[\d.]+%\s+20,000\s*$`, explain)
	terms := regexp.MustCompile(`(?m)^  (age > 30|city = "Paris")\s+(≥ 31 over int32|once per dictionary entry)[^\n]*\*\s+[\d.]+%\s+([\d,]+)\s+([\d,]+)\s+\S+$`).FindAllStringSubmatch(explain, -1)
	require.Len(t, terms, 2, explain)
	require.Equal(t, "20,000", terms[0][3], "the first term sees every row")
	require.Equal(t, terms[0][4], terms[1][3], "the second term is asked only for the rows the first left")

	out := filepath.Join(t.TempDir(), "out.txt")
	exec(t, s, ".output "+out)
	require.Empty(t, exec(t, s, "user_id = 1"))
	exec(t, s, ".output")
	b, _ := os.ReadFile(out)
	require.Contains(t, string(b), "1 members of 20,000")

	exec(t, s, ".now 2026-12-31")
	require.Equal(t, "now() is 2026-12-31T00:00:00Z\n", exec(t, s, ".now"))
	data := filepath.Join(t.TempDir(), "t.csv")
	require.NoError(t, os.WriteFile(data, []byte("id,score\n1,2.5\n2,7\n"), 0o644))
	require.Contains(t, exec(t, s, ".load "+data+" as scores"), "loaded scores: 2 rows")
	require.Equal(t, "  users  20,000 rows\n* scores  2 rows\n", exec(t, s, ".tables"))
	require.Contains(t, exec(t, s, "score > 5"), "1 members of 2")
	exec(t, s, ".use users")
	exec(t, s, ".quit")
	require.True(t, s.Done())
}

func TestNeedsMore(t *testing.T) {
	for src, want := range map[string]bool{
		`age > 3`: false, `country in ("DE",`: true, `x = "a(`: true, `x = "a(" and (`: true,
		"x = 1 # (": false, "(a\n or b)": false, "`odd (": true, `x = 'it\'s' and (y`: true,
	} {
		require.Equal(t, want, NeedsMore(src), src)
	}
}

func TestComplete(t *testing.T) {
	s := newSession(t)
	exec(t, s, "segment adults = age > 17")
	head, got, tail := s.Complete("purcha and x", 6)
	require.Equal(t, "", head)
	require.Equal(t, []string{"purchases_30d", "purchases_90d"}, got)
	require.Equal(t, " and x", tail)
	_, got, _ = s.Complete("age > 3 AN", 10)
	require.Equal(t, []string{"and", "any"}, got)
	_, got, _ = s.Complete("days_s", 6)
	require.Equal(t, []string{"days_since("}, got)
	_, got, _ = s.Complete("adu", 3)
	require.Equal(t, []string{"adults"}, got)
	_, got, _ = s.Complete(".ex", 3)
	require.Equal(t, []string{".explain", ".export"}, got)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "users.parquet"), nil, 0o644))
	head, got, _ = s.Complete(".load "+dir+"/us", len(".load "+dir+"/us"))
	require.Equal(t, ".load ", head)
	require.Equal(t, []string{dir + "/users.parquet"}, got)
}

func TestScript(t *testing.T) {
	s := newSession(t)
	var out, errs strings.Builder
	in := "user_id < 3 and (\n  age > 0)\n.count agee > 1\n.count user_id = 1\n"
	require.Equal(t, 1, RunScript(s, strings.NewReader(in), &out, &errs, false))
	require.Contains(t, errs.String(), "line 3: 1:1: unknown column \"agee\"")
	require.Contains(t, out.String(), "1 members of 20,000")

	out.Reset()
	errs.Reset()
	require.Equal(t, 1, RunScript(newSession(t), strings.NewReader(".count agee > 1\n.count user_id = 1\n"), &out, &errs, true))
	require.Empty(t, out.String(), "--bail stops at the first error")

	errs.Reset()
	require.Equal(t, 1, RunScript(newSession(t), strings.NewReader("age in (1,\n"), &out, &errs, false))
	require.Contains(t, errs.String(), "line 1: statement not finished")
}

// TestSharedDefinitionsInTheShell: .open, .explain, .why, .segments and
// .save over definitions that double at each level finish, and the plan
// and trace show each shared segment once in full.
func TestSharedDefinitionsInTheShell(t *testing.T) {
	watchdog := time.AfterFunc(60*time.Second, func() { panic("the shell expands shared definitions as a tree") })
	defer watchdog.Stop()
	s := newSession(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "deep.seg")
	require.NoError(t, os.WriteFile(path, []byte(gen.DoublingChain(150)), 0o644))
	require.Contains(t, exec(t, s, ".open "+path), "151 segments")
	plan := exec(t, s, ".explain e_150")
	require.GreaterOrEqual(t, strings.Count(plan, "(shared, as above)"), 149)
	require.LessOrEqual(t, strings.Count(plan, "\n"), 6*150)
	why := exec(t, s, ".why 1 e_150")
	require.GreaterOrEqual(t, strings.Count(why, "(as above)"), 150)
	require.LessOrEqual(t, strings.Count(why, "\n"), 6*150)
	require.Contains(t, exec(t, s, ".segments"), "e_150")
	exec(t, s, ".save "+filepath.Join(dir, "copy.seg"))
}

func TestUseListsTables(t *testing.T) {
	s := newSession(t)
	_, err := s.Execute(context.Background(), ".use nothere")
	require.EqualError(t, err, `no table "nothere" loaded; loaded: users`)
}
