package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// plantedCSV writes 1,000 users: ids 0–199 from DE aged 60–64, the others
// FR/US aged 30–34; x and y put them in three blobs by id % 3 (centers
// (0,0), (100,0), (0,1000)); email is personal data.
func plantedCSV(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,age,country,x,y,email\n")
	centers := [][2]int{{0, 0}, {100, 0}, {0, 1000}}
	for i := 0; i < 1000; i++ {
		country, age := []string{"FR", "US"}[i%2], 30+i%5
		if i < 200 {
			country, age = "DE", 60+i%5
		}
		c := centers[i%3]
		fmt.Fprintf(&b, "%d,%d,%s,%d,%d,u%d@example.com\n", i, age, country, c[0]+i%11-5, c[1]+i%13-6, i)
	}
	path := filepath.Join(t.TempDir(), "users.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(s), &v), s)
	return v
}

func TestProfileCommand(t *testing.T) {
	data := plantedCSV(t)
	out, errs, code := segql(t, "", "profile", "--data", data, "--redact", "email", "-o", "json", `country = "DE"`)
	require.Equal(t, 0, code, errs)
	type col struct {
		Name    string
		Score   float64
		Segment struct{ Median float64 }
		Values  []struct {
			Value string
			Lift  float64
		}
	}
	p := decode[struct {
		Size, Base int
		Columns    []col
	}](t, out)
	require.Equal(t, 200, p.Size)
	require.Equal(t, 1000, p.Base)
	byName := map[string]col{}
	for _, c := range p.Columns {
		byName[c.Name] = c
	}
	require.NotContains(t, byName, "email")
	require.NotContains(t, byName, "id")
	require.Equal(t, 62.0, byName["age"].Segment.Median)
	require.Equal(t, "DE", byName["country"].Values[0].Value)
	require.InDelta(t, 5, byName["country"].Values[0].Lift, 1e-9)

	out, _, code = segql(t, "", "profile", "--data", data, `country = "DE"`)
	require.Equal(t, 0, code)
	require.Contains(t, out, "200 users of 1,000 in the base (20.0%)")
	require.Contains(t, out, "DE     100.0%  ████████████████████  20.0%  5.00×")

	_, errs, code = segql(t, "", "profile", "--data", data, `id < 3`)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "segql profile: the segment has 3 members, fewer than the minimum size 10")
	require.Contains(t, errs, "--min-size N changes the threshold")
	out, _, code = segql(t, "", "profile", "--data", data, "--min-size", "0", "-o", "json", `id < 3`)
	require.Equal(t, 0, code)
	require.Equal(t, 3, decode[struct{ Size int }](t, out).Size)
	_, errs, code = segql(t, "", "profile", "--data", data, `agee > 3`)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "did you mean \"age\"?")
	_, _, code = segql(t, "", "profile", "--data", data)
	require.Equal(t, 2, code)
}

func TestOverlapCommand(t *testing.T) {
	data := plantedCSV(t)
	defs := filepath.Join(t.TempDir(), "s.seg")
	require.NoError(t, os.WriteFile(defs, []byte("segment germans = country = \"DE\"\nsegment young = age < 40\n"), 0o644))
	out, errs, code := segql(t, "", "overlap", "--data", data, "--defs", defs, "-o", "json", "germans", "young", `id % 2 = 0`)
	require.Equal(t, 0, code, errs)
	o := decode[struct {
		Sizes, Exclusive []int
		Union            int
	}](t, out)
	require.Equal(t, []int{200, 800, 500}, o.Sizes)
	require.Equal(t, []int{100, 400, 0}, o.Exclusive) // germans: odd ids < 200; young: odd ids ≥ 200
	require.Equal(t, 1000, o.Union)
	_, _, code = segql(t, "", "overlap", "--data", data, "germans")
	require.Equal(t, 2, code)
}

func TestClusterCommand(t *testing.T) {
	data := plantedCSV(t)
	save := filepath.Join(t.TempDir(), "clusters.csv")
	out, errs, code := segql(t, "", "cluster", "--data", data, "--k", "auto", "--features", "x,y", "--save", save, "-o", "json")
	require.Equal(t, 0, code, errs)
	c := decode[struct {
		K     int
		Sizes []int
	}](t, out)
	require.Equal(t, 3, c.K)
	require.Equal(t, []int{334, 333, 333}, c.Sizes)
	saved, err := os.ReadFile(save)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(saved)), "\n")
	require.Equal(t, "id,cluster", lines[0])
	require.Len(t, lines, 1001)
	blobOf := map[string]int{} // cluster → blob, which must be one-to-one
	for _, l := range lines[1:] {
		id, cl, _ := strings.Cut(l, ",")
		n, _ := strconv.Atoi(id)
		if b, ok := blobOf[cl]; ok {
			require.Equal(t, b, n%3, "user %d", n)
		}
		blobOf[cl] = n % 3
	}
	// The same --start-seed gives the same clusters; --seed is the demo
	// table's, as in every command.
	args := []string{"cluster", "--demo-rows", "3000", "--seed", "2", "--k", "4", "--features", "sessions_30d,revenue_total", "--start-seed", "3", "-o", "json"}
	first, errs, code := segql(t, "", args...)
	require.Equal(t, 0, code, errs)
	again, _, _ := segql(t, "", args...)
	require.Equal(t, first, again)
	other, _, _ := segql(t, "", append(args[:len(args)-2:len(args)-2], "--seed", "5", "-o", "json")...)
	require.NotEqual(t, first, other, "--seed changes the demo table")
	_, errs, code = segql(t, "", "cluster", "--data", data, "--k", "3", "--features", "x,country")
	require.Equal(t, 1, code)
	require.Contains(t, errs, "feature country")
	_, _, code = segql(t, "", "cluster", "--data", data, "--k", "-1", "--features", "x")
	require.Equal(t, 2, code)
}

func TestSplitCommand(t *testing.T) {
	data := plantedCSV(t)
	save := filepath.Join(t.TempDir(), "arms.csv")
	out, errs, code := segql(t, "", "split", "--data", data, "--arms", "a:50,b:25", "--salt", "s1", "--save", save, "-o", "json", `age < 40`)
	require.Equal(t, 0, code, errs)
	s := decode[struct {
		Arms []struct {
			Name  string
			Count int
		}
		Held    int `json:"held_out"`
		Members int
	}](t, out)
	require.Equal(t, 800, s.Members)
	count := func(expr string) int {
		out, _, code := segql(t, "", "eval", "--data", data, "-o", "count", expr)
		require.Equal(t, 0, code)
		n, err := strconv.Atoi(strings.TrimSpace(out))
		require.NoError(t, err)
		return n
	}
	require.Equal(t, count(`age < 40 and bucket(id, "s1") < 5000`), s.Arms[0].Count)
	require.Equal(t, count(`age < 40 and bucket(id, "s1") between 5000 and 7499`), s.Arms[1].Count)
	require.Equal(t, count(`age < 40 and bucket(id, "s1") >= 7500`), s.Held)
	saved, err := os.ReadFile(save)
	require.NoError(t, err)
	require.Equal(t, 1+s.Arms[0].Count+s.Arms[1].Count, len(strings.Split(strings.TrimSpace(string(saved)), "\n")))
	_, errs, code = segql(t, "", "split", "--data", data, "--arms", "a:80,b:30", "--salt", "s", `age < 40`)
	require.Equal(t, 2, code)
	require.Contains(t, errs, "over 100")
	_, errs, code = segql(t, "", "split", "--data", data, `age < 40`)
	require.Equal(t, 2, code)
	require.Contains(t, errs, "--salt")
}

func TestExportCommand(t *testing.T) {
	data := plantedCSV(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "de.csv")
	_, errs, code := segql(t, "", "export", "--data", data, "--redact", "email", `country = "DE" and age = 60`, "--out", out)
	require.Equal(t, 0, code, errs)
	require.Contains(t, errs, "wrote 40 members (5 columns)")
	require.Contains(t, errs, "left out personal data: email")
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Equal(t, "id,age,country,x,y", lines[0])
	require.Len(t, lines, 41)

	pii := filepath.Join(dir, "pii.ndjson")
	_, errs, code = segql(t, "", "export", "--data", data, "--redact", "email", "--columns", "id,email", `country = "DE"`, "--out", pii)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "column email is personal data")
	require.Contains(t, errs, "(--allow-pii)")
	require.NoFileExists(t, pii)
	_, _, code = segql(t, "", "export", "--data", data, "--redact", "email", "--columns", "id,email", "--allow-pii", `country = "DE"`, "--out", pii)
	require.Equal(t, 0, code)
	b, _ = os.ReadFile(pii)
	require.Contains(t, string(b), `{"id":0,"email":"u0@example.com"}`)

	small := filepath.Join(dir, "small.parquet")
	_, errs, code = segql(t, "", "export", "--data", data, `id = 7`, "--out", small)
	require.Equal(t, 1, code)
	require.Contains(t, errs, "fewer than the minimum size 10")
	require.NoFileExists(t, small)
	_, _, code = segql(t, "", "export", "--data", data, `id = 7`)
	require.Equal(t, 2, code)
}

// TestEvalPrivacy: eval's formats that show members pass the same guard
// as the analytics commands: the default minimum size, --redact,
// --allow-pii; invalid settings are refused by every command.
func TestEvalPrivacy(t *testing.T) {
	data := plantedCSV(t)
	evalRaw := func(args ...string) (string, string, int) { // without the test helper's --min-size 0
		var out, errb strings.Builder
		code := run(append([]string{"eval", "--data", data}, args...), strings.NewReader(""), &out, &errb)
		return out.String(), errb.String(), code
	}
	for _, format := range []string{"csv", "json", "ids", "table"} {
		out, errs, code := evalRaw("-o", format, "id = 1")
		require.Equal(t, 1, code, format)
		require.Contains(t, errs, "fewer than the minimum size 10", format)
		require.Contains(t, errs, "--min-size N changes the threshold", format)
		require.NotContains(t, out, "u1@example.com", format)
		require.NotContains(t, out, "\n1\n", format)
	}
	out, errs, code := evalRaw("-o", "count", "id = 1") // a size is not a member
	require.Equal(t, 0, code, errs)
	require.Equal(t, "1\n", out)

	out, errs, code = evalRaw("-o", "csv", "--redact", "email", `country = "DE"`)
	require.Equal(t, 0, code, errs)
	require.NotContains(t, out, "@example.com")
	require.True(t, strings.HasPrefix(out, "id,age,country,x,y\n"), out)
	require.Contains(t, errs, "left out personal data: email (--allow-pii to include)")
	out, _, code = evalRaw("-o", "json", "--redact", "email", "--allow-pii", `country = "DE"`)
	require.Equal(t, 0, code)
	require.Contains(t, out, "u0@example.com")
	out, _, code = evalRaw("-o", "table", "--redact", "email", `email like "u1%"`)
	require.Equal(t, 0, code)
	require.NotContains(t, out, "@example.com")

	d := []string{"--data", data}
	for _, args := range [][]string{
		{"eval", "-o", "count", "age > 1"}, {"eval", "-o", "csv", "age > 1"},
		{"profile", "age > 1"}, {"overlap", "age > 1", "age > 2"}, {"cluster", "--k", "2", "--features", "x,y"},
		{"split", "age > 1", "--arms", "a:50,b:50", "--salt", "s"}, {"export", "age > 1", "--out", filepath.Join(t.TempDir(), "x.csv")},
	} {
		for _, bad := range [][]string{{"--redact", "emial"}, {"--min-size", "-5"}} {
			_, errs, code := segql(t, "", append(append(append([]string{}, args...), d...), bad...)...)
			require.Equal(t, 2, code, "%v %v: %s", args, bad, errs)
			require.Contains(t, errs, "invalid privacy setting", "%v %v", args, bad)
		}
	}

	// A profile's base shows its members' statistics: guarded as well.
	_, errs, code = segql(t, "", "profile", "--data", data, "--base", "id = 1", "age > 1")
	require.Equal(t, 1, code, errs)
	require.Contains(t, errs, "the base: the segment has 1 members")
}

// TestProfileLeavesOutTheIDColumn: a table whose ids are in a column named
// otherwise (--id) does not get its ids profiled as a trait.
func TestProfileLeavesOutTheIDColumn(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("customer,age\n")
	for i := range 300 {
		fmt.Fprintf(&b, "%d,%d\n", 1000+i, 20+i%50)
	}
	data := filepath.Join(dir, "c.csv")
	require.NoError(t, os.WriteFile(data, []byte(b.String()), 0o644))
	out, errs, code := segql(t, "", "profile", "--data", data, "--id", "customer", "-o", "json", "age > 40")
	require.Equal(t, 0, code, errs)
	require.NotContains(t, out, `"customer"`)
	require.Contains(t, out, `"age"`)
	out, _, _ = segql(t, "", "profile", "--data", data, "-o", "json", "age > 40")
	require.Contains(t, out, `"customer"`, "without --id it is an ordinary column")
}
