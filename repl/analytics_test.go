package repl

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAnalyticsCommands(t *testing.T) {
	s := newSession(t)
	out := exec(t, s, `.profile country = "DE"`)
	require.Regexp(t, `^[\d,]+ users of 20,000 in the base`, out)
	require.Contains(t, out, "\ncountry  (categorical, score ")
	require.Regexp(t, `DE +100\.0% +█+ +[\d.]+% +[\d.]+×`, out)

	out = exec(t, s, `.overlap age < 30; is_premium`)
	require.Contains(t, out, "age < 30 & is_premium")

	out = exec(t, s, `.cluster 3 sessions_30d,revenue_total seed 5`)
	require.Contains(t, out, "added column cluster")
	sizes := regexp.MustCompile(`(?m)^ +([123]) +([\d,]+) `).FindAllStringSubmatch(out, -1)
	require.Len(t, sizes, 3)
	for _, m := range sizes { // the new column selects each cluster's users
		require.True(t, strings.HasPrefix(exec(t, s, ".count cluster = "+m[1]), m[2]+" members of 20,000"))
	}
	require.Contains(t, exec(t, s, `.profile cluster = 1`), "cluster  (numeric")

	out = exec(t, s, `.split control:50,treatment:50 exp1 country = "FR"`)
	require.Regexp(t, `control +50% +0–4999 +[\d,]+`, out)

	path := filepath.Join(t.TempDir(), "fr.csv")
	require.Contains(t, exec(t, s, ".export "+path+` country = "FR" and age > 60`), "members (28 columns)")

	require.Equal(t, "min-size 10, personal data: none, allow-pii false\n", exec(t, s, ".privacy"))
	_, err := s.Execute(context.Background(), `.profile user_id < 4`)
	require.ErrorContains(t, err, "fewer than the minimum size 10")
	require.ErrorContains(t, err, ".privacy min-size N")
	require.Equal(t, "min-size 0, personal data: city, allow-pii false\n", exec(t, s, ".privacy min-size 0 redact city"))
	require.NotContains(t, exec(t, s, `.profile user_id < 4`), "\ncity  (")
	_, err = s.Execute(context.Background(), `.privacy min-size x`)
	require.Error(t, err)
	_, err = s.Execute(context.Background(), `.cluster 3`)
	require.ErrorContains(t, err, "usage: .cluster")
}

func TestRankFunctionsInWhy(t *testing.T) {
	s := newSession(t)
	out := exec(t, s, `.why 1 ntile(revenue_total, 10) >= 1 and percent_rank(age) > 1`)
	require.Contains(t, out, "TRUE     ntile(revenue_total, 10) >= 1    (revenue_total = ")
	require.Contains(t, out, "FALSE    percent_rank(age) > 1    (age = ")
}

// TestPrivacyGuardsEveryOutput: the shell's modes and .show pass the same
// guard as its analytics: a single user's row or id is never shown at the
// default minimum size, personal-data columns are withheld, and invalid
// settings are refused without changing the guard.
func TestPrivacyGuardsEveryOutput(t *testing.T) {
	s := newSession(t)
	out := exec(t, s, "user_id = 2")
	require.Contains(t, out, "1 members of 20,000")
	require.Contains(t, out, "(members not shown: the segment has 1 members, fewer than the minimum size 10")
	require.NotContains(t, out, "───") // no table of rows
	show := exec(t, s, ".show user_id = 2 limit 5 user_id age")
	require.Contains(t, show, "members not shown")
	for _, mode := range []string{"csv", "json", "ids"} {
		exec(t, s, ".mode "+mode)
		_, err := s.Execute(context.Background(), "user_id = 2")
		require.ErrorContains(t, err, "fewer than the minimum size 10", mode)
		require.ErrorContains(t, err, ".privacy min-size N", mode)
	}
	exec(t, s, ".mode table")

	for _, bad := range []string{"min-size -1", "redact agee", "redact age,emial"} {
		_, err := s.Execute(context.Background(), ".privacy "+bad)
		require.Error(t, err, bad)
	}
	require.Contains(t, exec(t, s, ".privacy"), "min-size 10, personal data: none")

	exec(t, s, ".privacy redact city")
	out = exec(t, s, `.show city = "Paris" limit 3 user_id city age`)
	require.Contains(t, out, "(left out personal data: city; .privacy allow-pii on to include)")
	require.NotContains(t, out, "Paris  ")
	exec(t, s, ".mode csv")
	_, err := s.Execute(context.Background(), `city = "Paris"`)
	require.ErrorContains(t, err, "personal data (city)")
	exec(t, s, ".privacy allow-pii on")
	require.Contains(t, exec(t, s, `city = "Paris"`), ",Paris,")
}

// TestShellOutputsNeverReplaceInputs: .output, .save and .export refuse
// the loaded data file (which stays intact); .save may rewrite the opened
// definitions file, but not with nothing.
func TestShellOutputsNeverReplaceInputs(t *testing.T) {
	s := newSession(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "people.csv")
	var b strings.Builder
	b.WriteString("user_id,age\n")
	for i := range 50 {
		fmt.Fprintf(&b, "%d,%d\n", i, 20+i)
	}
	require.NoError(t, os.WriteFile(data, []byte(b.String()), 0o644))
	_, err := s.Execute(context.Background(), ".save "+filepath.Join(dir, "empty.seg"))
	require.ErrorContains(t, err, "no segments to save")
	require.NoFileExists(t, filepath.Join(dir, "empty.seg"))

	exec(t, s, ".load "+data)
	exec(t, s, "segment adults = age >= 18")
	for _, stmt := range []string{".output " + data, ".save " + data, ".export " + data + " age > 1"} {
		_, err := s.Execute(context.Background(), stmt)
		require.ErrorContains(t, err, "the output is an input", stmt)
		after, _ := os.ReadFile(data)
		require.Equal(t, b.String(), string(after), stmt)
	}

	defs := filepath.Join(dir, "s.seg")
	require.NoError(t, os.WriteFile(defs, []byte("segment old = age > 30\n"), 0o644))
	exec(t, s, ".open "+defs)
	exec(t, s, "segment young = age < 25")
	require.Contains(t, exec(t, s, ".save "+defs), "saved 3 segments")
	_, err = s.Execute(context.Background(), ".output "+defs)
	require.ErrorContains(t, err, "the output is an input (it is the definitions file")
}

// TestWhyExpandsSegmentsAndShowsDerivedValues: .why opens a named
// segment into its definition's clauses and shows each derived value
// (scores, ranks, buckets) beside the raw column it comes from.
func TestWhyExpandsSegmentsAndShowsDerivedValues(t *testing.T) {
	s := newSession(t)
	exec(t, s, "segment recent = r_score(last_purchase) >= 1 and percent_rank(income) >= 0")
	out := exec(t, s, `.why 7 recent and bucket(user_id, "x") >= 0`)
	require.Regexp(t, `(?m)^    TRUE\s+segment recent$`, out)
	require.Regexp(t, `(?m)^      TRUE\s+r_score\(last_purchase\) >= 1 and percent_rank\(income\) >= 0$`, out)
	require.Regexp(t, `(?m)^        TRUE\s+r_score\(last_purchase\) >= 1\s+\(last_purchase = \S+, r_score\(last_purchase\) = [1-5]\)$`, out)
	require.Regexp(t, `(?m)\(user_id = 7, bucket\(user_id, "x"\) = \d+\)$`, out)
}
