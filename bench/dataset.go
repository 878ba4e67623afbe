package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/internal/workers"
)

// datasetCase is a segment streamed over the dataset, and DuckDB's WHERE
// clause for it.
type datasetCase struct {
	name, segql, sql string
}

// datasetCases include a selective predicate on the sorted user_id (it
// needs few row groups) and shapes statistics cannot prune.
func datasetCases(rows int) []datasetCase {
	lo := rows / 2
	hi := lo + rows/100
	return []datasetCase{
		{"card example", `age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`,
			`age BETWEEN 25 AND 54 AND purchases_30d > 3 AND country IN ('DE', 'FR')`},
		{"1% of sorted ids", fmt.Sprintf(`user_id between %d and %d`, lo, hi), fmt.Sprintf(`user_id BETWEEN %d AND %d`, lo, hi)},
		{"numeric or", `income > 100000 or churn_risk > 0.9`, `income > 100000 OR churn_risk > 0.9`},
		{"within 30d", `last_seen within 30d`, `last_seen::TIMESTAMP BETWEEN ` + nowSQL + ` - INTERVAL 30 DAY AND ` + nowSQL},
		{"string equality", `city = "Paris"`, `city = 'Paris'`},
		{"list contains", `interests contains "meditation"`, `list_contains(interests, 'meditation')`},
	}
}

// runDataset measures streamed scans of a dataset of rows demo users in
// files Parquet files (generated under dir once, user_id sorted across
// them), each engine in a process of its own with the same threads and
// memory limit: wall time (median of runs, the first run reported apart),
// peak RSS from getrusage, members, and segql's row groups read.
func runDataset(dir string, rows, files, runs int, limit string) error {
	if err := writeDataset(dir, rows, files); err != nil {
		return err
	}
	tmp, err := makeTemp()
	if err != nil {
		return err
	}
	defer removeTemp(tmp)
	bin := filepath.Join(tmp, "segql")
	build := exec.Command("go", "build", "-o", bin, "./cmd/segql")
	build.Dir, build.Stderr = "..", os.Stderr // segql's own module, beside bench
	if err := build.Run(); err != nil {
		return fmt.Errorf("building segql: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	threads := runtime.GOMAXPROCS(0)
	fmt.Printf("%d rows in %d files under %s; both engines: %d threads, memory limit %s, warm page cache\n\n", rows, files, dir, threads, limit)
	fmt.Println(pad("segment", 20) + pad("members", 10) + pad("agree", 7) + pad("segql first", 13) + pad("segql", 10) + pad("RSS", 9) +
		pad("row groups", 13) + pad("rows/s", 14) + pad("duckdb", 10) + pad("RSS", 9) + "segql/duckdb")
	var ratios []float64
	for _, c := range datasetCases(rows) {
		segql := func() (string, string, error) {
			return runChild(bin, "eval", "-o", "count", "--memory-limit", limit, "--now", anchor.Format(time.RFC3339), "--data", dir, c.segql)
		}
		duck := func() (string, string, error) {
			return runChild(self, "-duck-query", fmt.Sprintf("SELECT count(*) FROM read_parquet('%s/*.parquet') WHERE %s", dir, c.sql), "-memory-limit", limit)
		}
		first, err := timeChild(segql)
		if err != nil {
			return fmt.Errorf("%s: segql: %w", c.name, err)
		}
		s, err := medianChild(runs, segql)
		if err != nil {
			return fmt.Errorf("%s: segql: %w", c.name, err)
		}
		d, err := medianChild(runs, duck)
		if err != nil {
			return fmt.Errorf("%s: duckdb: %w", c.name, err)
		}
		agree := "yes"
		if s.out != d.out {
			agree = "NO " + d.out
		}
		groups := "?"
		if m := regexp.MustCompile(`read (\d+) of (\d+) row groups`).FindStringSubmatch(s.stderr); m != nil {
			groups = m[1] + "/" + m[2]
		}
		ratio := s.wall.Seconds() / d.wall.Seconds()
		ratios = append(ratios, ratio)
		fmt.Println(pad(c.name, 20) + pad(s.out, 10) + pad(agree, 7) + pad(round(first.wall).String(), 13) + pad(round(s.wall).String(), 10) +
			pad(mib(s.rss), 9) + pad(groups, 13) + pad(fmt.Sprintf("%.0fM", float64(rows)/s.wall.Seconds()/1e6), 14) +
			pad(round(d.wall).String(), 10) + pad(mib(d.rss), 9) + fmt.Sprintf("%.3f", ratio))
	}
	fmt.Printf("\ngeomean segql/duckdb = %.3f (%d segments)\n", geomean(ratios), len(ratios))
	return nil
}

func mib(b int64) string { return fmt.Sprintf("%dM", b>>20) }

// childRun is one measured process.
type childRun struct {
	out, stderr string
	wall        time.Duration
	rss         int64 // peak resident set, bytes
}

// runChild runs a command through a fresh launcher process (this
// program with -measure), returning its trimmed stdout and its stderr. On
// Linux a process's peak RSS counts the memory of the process it was
// forked from, so the command must not be forked from this one, which
// may have generated gigabytes; the launcher is small when it forks.
func runChild(bin string, args ...string) (string, string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", "", err
	}
	cmd := exec.Command(self, append([]string{"-measure", "--", bin}, args...)...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("%v: %s", err, errOut.String())
	}
	text := errOut.String()
	i := strings.LastIndex(text, rssMarker)
	if i < 0 {
		return "", "", fmt.Errorf("no peak RSS reported: %s", text)
	}
	if _, err := fmt.Sscan(text[i+len(rssMarker):], &lastRSS); err != nil {
		return "", "", err
	}
	return strings.TrimSpace(out.String()), text[:i], nil
}

const rssMarker = "\nbench-peak-rss "

// measureChild is the launcher: it runs the command with this process's
// output, then reports the command's peak RSS in bytes on stderr.
func measureChild(args []string) error {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s%d\n", rssMarker, int64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)<<10)
	return nil
}

// lastRSS is the peak RSS of the last command runChild ran.
var lastRSS int64

func timeChild(f func() (string, string, error)) (childRun, error) {
	start := time.Now()
	out, errOut, err := f()
	return childRun{out: out, stderr: errOut, wall: time.Since(start), rss: lastRSS}, err
}

// medianChild runs f runs times and returns the median run (by time),
// with the largest peak RSS of all.
func medianChild(runs int, f func() (string, string, error)) (childRun, error) {
	all := make([]childRun, runs)
	var peak int64
	for i := range all {
		r, err := timeChild(f)
		if err != nil {
			return childRun{}, err
		}
		all[i], peak = r, max(peak, r.rss)
	}
	sortRuns(all)
	m := all[runs/2]
	m.rss = peak
	return m, nil
}

func sortRuns(rs []childRun) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].wall < rs[j-1].wall; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// duckChild is the child process of a DuckDB measurement: one query on
// an in-memory database with GOMAXPROCS threads and the memory limit.
func duckChild(query, limit string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, s := range []string{fmt.Sprintf("SET threads = %d", runtime.GOMAXPROCS(0)), fmt.Sprintf("SET memory_limit = '%s'", limit)} {
		if _, err := db.Exec(s); err != nil {
			return err
		}
	}
	var n int64
	if err := db.QueryRow(query).Scan(&n); err != nil {
		return err
	}
	fmt.Println(n)
	return nil
}

// writeDataset writes rows demo users as files Parquet files under dir,
// unless a complete set (its manifest) is there. Each file is a demo
// table of its own seed whose user_id continues the previous file's, so
// user_id is sorted across the dataset.
func writeDataset(dir string, rows, files int) error {
	manifest := filepath.Join(dir, "_segql_bench")
	want := fmt.Sprintf("%d rows in %d files\n", rows, files)
	if b, err := os.ReadFile(manifest); err == nil && string(b) == want {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.parquet"))
	for _, p := range old {
		os.Remove(p)
	}
	start := time.Now()
	fmt.Printf("generating %d demo users in %d files under %s …\n", rows, files, dir)
	per := rows / files
	err := workers.Run(context.Background(), files, 0, func(_, i int) error {
		n := per
		if i == files-1 {
			n = rows - per*(files-1)
		}
		t := columnar.Demo(columnar.DemoOptions{Rows: n, Seed: uint64(i + 1), Anchor: anchor})
		defer t.Release()
		shifted, err := offsetIDs(t, int64(i*per))
		if err != nil {
			return err
		}
		defer shifted.Release()
		return columnar.WriteFile(filepath.Join(dir, fmt.Sprintf("part-%04d.parquet", i)), shifted, nil)
	})
	if err != nil {
		return err
	}
	fmt.Printf("generated in %s\n", round(time.Since(start)))
	return os.WriteFile(manifest, []byte(want), 0o644)
}

// offsetIDs returns t with user_id increased by off.
func offsetIDs(t *columnar.Table, off int64) (*columnar.Table, error) {
	c := t.ColumnIndex("user_id")
	if c < 0 {
		return nil, errors.New("the demo table has no user_id")
	}
	cols := make([]arrow.Array, len(t.Batches))
	for i, b := range t.Batches {
		ids := b.Column(c).(*array.Int64)
		bld := array.NewInt64Builder(memory.DefaultAllocator)
		for j := 0; j < ids.Len(); j++ {
			bld.Append(ids.Value(j) + off)
		}
		cols[i] = bld.NewArray()
		bld.Release()
	}
	return t.WithColumn(t.Schema.Field(c), cols)
}
