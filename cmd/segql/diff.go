package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/output"
	"github.com/segql/segql/internal/textfile"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/syntax"
)

// segmentChange is what a change to the definitions does to one segment.
type segmentChange struct {
	Name     string   `json:"name"`
	Status   string   `json:"status"` // added, removed, changed, members changed
	Through  []string `json:"through,omitempty"`
	OldExpr  string   `json:"old_expression,omitempty"`
	NewExpr  string   `json:"new_expression,omitempty"`
	OldSize  int      `json:"old_size"`
	NewSize  int      `json:"new_size"`
	Joined   int      `json:"joined"`
	Left     int      `json:"left"`
	JoinedEg []string `json:"joined_sample"`
	LeftEg   []string `json:"left_sample"`
}

func (e *env) diff(args []string) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var d dataFlags
	d.register(fs)
	rev := fs.String("git", "", "compare PATH (a .seg file, with the others of its directory, or a directory) with its version at this git revision")
	var defs stringList
	fs.Var(&defs, "defs", "definitions both versions use (a .seg file or a directory; repeat for several)")
	format := new(string)
	choiceVar(fs, format, "o", "text", "output: text, json or github (annotations for GitHub Actions)", "text", "json", "github")
	fs.Var(choice{format, []string{"text", "json", "github"}}, "format", "the same as -o")
	exitCode := fs.Bool("exit-code", false, "exit with status 1 when any segment's members change")
	failOver := fs.String("fail-over", "", "exit with status 1 when a segment that exists in both versions gains and loses more than this share of its members (5% or 0.05)")
	samples := fs.Int("samples", 5, "sample ids shown for members who join and leave")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: segql diff [--data FILE] [--defs PATH]... OLD.seg NEW.seg\n       segql diff --git REV PATH\n\nShows, for every segment added, removed or changed, and for those whose\nmembers change through a segment they reference: old and new size, how\nmany members join and leave, and sample ids. A file is read with the other\n.seg files of its directory (at both revisions with --git), so references\nbetween files resolve.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage(err)
	}
	limit, err := parseShare(*failOver)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql diff: --fail-over:", err)
		return 2
	}
	oldFiles, newFiles, err := e.diffInputs(*rev, pos, defs)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql diff:", err)
		if err == errDiffUsage {
			fs.Usage()
			return 2
		}
		return 1
	}
	changes, code := e.computeDiff(&d, oldFiles, newFiles, *samples)
	if code != 0 {
		return code
	}
	over := overThreshold(changes, limit)
	switch *format {
	case "json":
		if changes == nil {
			changes = []segmentChange{}
		}
		code = e.writeJSON(changes)
	case "github":
		code = e.annotateChanges(changes, over, newFiles)
	default:
		printChanges(e, changes)
	}
	for _, c := range over {
		fmt.Fprintf(e.stderr, "segql diff: %s moved %.1f%% of its members (%s joined, %s left of %s), over --fail-over %s\n",
			c.Name, 100*c.moved(), output.Thousands(c.Joined), output.Thousands(c.Left), output.Thousands(c.OldSize), *failOver)
	}
	if code == 0 && (len(over) > 0 || *exitCode && len(changes) > 0) {
		code = 1
	}
	return code
}

var errDiffUsage = fmt.Errorf("give OLD.seg and NEW.seg, or --git REV and one PATH")

// parseShare reads "5%" or "0.05" (empty: no limit, -1).
func parseShare(s string) (float64, error) {
	if s == "" {
		return -1, nil
	}
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil || v < 0 || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not a share (for example 5%% or 0.05)", s)
	}
	if pct {
		v /= 100
	}
	return v, nil
}

// moved is the share of a segment's old members that left plus the new
// members that joined.
func (c segmentChange) moved() float64 {
	return float64(c.Joined+c.Left) / float64(max(c.OldSize, 1))
}

// overThreshold lists the segments present in both versions whose
// members moved by more than limit (none when limit < 0). Added and
// removed segments are not measured: they have no members to move.
func overThreshold(changes []segmentChange, limit float64) []segmentChange {
	var out []segmentChange
	for _, c := range changes {
		if limit >= 0 && (c.Status == "changed" || c.Status == "members changed") && c.moved() > limit {
			out = append(out, c)
		}
	}
	return out
}

// diffInputs reads both versions of the definition set: OLD and NEW
// files (with --defs), or PATH now and at the git revision, a file with
// the other .seg files of its directory, a directory with every .seg file
// under it.
func (e *env) diffInputs(rev string, pos, defs []string) (oldFiles, newFiles []catalog.File, err error) {
	ctx := e.context()
	var context []catalog.File
	if len(defs) > 0 {
		if context, err = readDefs(ctx, defs); err != nil {
			return nil, nil, err
		}
	}
	if rev != "" {
		if len(pos) != 1 {
			return nil, nil, errDiffUsage
		}
		return gitVersions(ctx, rev, pos[0], context)
	}
	if len(pos) != 2 {
		return nil, nil, errDiffUsage
	}
	var two [2]catalog.File
	for i, p := range pos {
		b, err := textfile.Read(ctx, p, syntax.MaxFileSource)
		if err != nil {
			return nil, nil, err
		}
		two[i] = catalog.File{Name: p, Text: string(b)}
	}
	context = withoutFiles(context, pos...)
	return append(slices.Clone(context), two[0]), append(context, two[1]), nil
}

// withoutFiles drops the files named paths (a file given as OLD or NEW
// and also found under --defs is read once, as given).
func withoutFiles(files []catalog.File, paths ...string) []catalog.File {
	return slices.DeleteFunc(files, func(f catalog.File) bool {
		for _, p := range paths {
			if filepath.Clean(f.Name) == filepath.Clean(p) {
				return true
			}
		}
		return false
	})
}

// gitVersions reads the definition set of path in the working tree and at
// rev: a file with the .seg files of its directory, a directory with the
// .seg files under it.
func gitVersions(ctx context.Context, rev, path string, context []catalog.File) (oldFiles, newFiles []catalog.File, err error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	dir, recursive := path, true
	if !info.IsDir() {
		dir, recursive = filepath.Dir(path), false
	}
	commit, err := gitCommit(ctx, rev)
	if err != nil {
		return nil, nil, err
	}
	names, err := gitList(ctx, commit, dir, recursive)
	if err != nil {
		return nil, nil, err
	}
	cur, err := dirSet(ctx, path, info.IsDir())
	if err != nil {
		return nil, nil, err
	}
	for _, n := range names {
		b, err := gitShow(ctx, commit, n)
		if err != nil {
			return nil, nil, err
		}
		oldFiles = append(oldFiles, catalog.File{Name: rev + ":" + n, Text: string(b)})
	}
	context = withoutFiles(context, slices.Concat(names, fileNames(cur))...)
	return append(slices.Clone(context), oldFiles...), append(context, cur...), nil
}

func fileNames(files []catalog.File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Name
	}
	return out
}

func (e *env) computeDiff(d *dataFlags, oldFiles, newFiles []catalog.File, samples int) ([]segmentChange, int) {
	if url, ok, err := d.remoteURL(); err != nil {
		fmt.Fprintln(e.stderr, "segql diff:", err)
		return nil, 2
	} else if ok {
		return e.diffRemote(url, d, oldFiles, newFiles, samples)
	}
	ctx := context.Background()
	now, err := d.runNow()
	if err != nil {
		fmt.Fprintln(e.stderr, "segql diff:", err)
		return nil, 2
	}
	if d.streamed() {
		return e.diffStreamed(d, oldFiles, newFiles, samples, now)
	}
	eng, release, err := d.openEngine(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return nil, 1
	}
	defer release()
	id, err := d.idColumn(eng.Table())
	if err != nil {
		fmt.Fprintln(e.stderr, "segql diff:", err)
		return nil, 1
	}
	var opts []engine.RunOption
	if !now.IsZero() {
		opts = append(opts, engine.At(now))
	}
	old, err := sizesOf(ctx, eng, oldFiles, opts)
	if err == nil {
		var cur sized
		if cur, err = sizesOf(ctx, eng, newFiles, opts); err == nil {
			return changesBetween(eng.Table(), id, old, cur, samples), 0
		}
	}
	fmt.Fprintln(e.stderr, err)
	return nil, 1
}

// sized is one version of the definitions, evaluated: the segments in
// file order, and by name.
type sized struct {
	order  []catalog.Size
	byName map[string]catalog.Size
}

func sizesOf(ctx context.Context, eng *engine.Engine, files []catalog.File, opts []engine.RunOption) (sized, error) {
	cat, err := catalog.Load(eng, files)
	if err != nil {
		return sized{}, err
	}
	sizes, err := cat.Sizes(ctx, opts...)
	if err != nil {
		return sized{}, err
	}
	out := sized{order: sizes, byName: make(map[string]catalog.Size, len(sizes))}
	for _, s := range sizes {
		out.byName[s.Name] = s
	}
	return out, nil
}

// changesBetween compares two sized versions of the definitions over a
// table in memory, by their members' bitmaps.
func changesBetween(tbl *columnar.Table, id string, old, cur sized, samples int) []segmentChange {
	bits := func(v sized) func(name string) (*columnar.Bitmap, int) {
		return func(name string) (*columnar.Bitmap, int) {
			r := v.byName[name].Result
			return r.Bitmap(), r.Count()
		}
	}
	sample := func(b *columnar.Bitmap, n int) []string { return sampleIDs(tbl, id, b, n) }
	return changesOver(int(tbl.NumRows()), definitionsOf(old.order), definitionsOf(cur.order), bits(old), bits(cur), sample, samples)
}

// changesOver lists the changes between two versions of the definitions
// over rows rows: oldBits and newBits give a segment's members and size
// in each version, sample the ids of up to n rows of a bitmap.
func changesOver(rows int, oldDefs, curDefs []*catalog.Definition, oldBits, newBits func(name string) (*columnar.Bitmap, int),
	sample func(b *columnar.Bitmap, n int) []string, samples int) []segmentChange {
	bits := func(of func(string) (*columnar.Bitmap, int), name string, in bool) (*columnar.Bitmap, int) {
		if !in {
			return columnar.NewBitmap(rows), 0
		}
		return of(name)
	}
	out, _ := segmentChanges(oldDefs, curDefs, func(c *segmentChange, inOld, inNew bool) (bool, error) {
		o, oldSize := bits(oldBits, c.Name, inOld)
		n, newSize := bits(newBits, c.Name, inNew)
		c.OldSize, c.NewSize = oldSize, newSize
		fillMovement(c, o, n, sample, samples)
		return c.Joined+c.Left > 0, nil
	})
	return out
}

func definitionsOf(sizes []catalog.Size) []*catalog.Definition {
	out := make([]*catalog.Definition, len(sizes))
	for i, s := range sizes {
		out[i] = s.Definition
	}
	return out
}

// segmentChanges lists what a change of definitions does, segment by
// segment: the new version's segments in order (added, changed, or with
// members changed through a changed definition they use), then the
// removed ones. move fills a change's sizes and movement from c.Name's
// members in the old version (when inOld) and the new (when inNew) and
// reports whether any member moved. A definition that did not change and
// uses none that did has the same members over the same rows and time: it
// is not measured.
func segmentChanges(old, cur []*catalog.Definition, move func(c *segmentChange, inOld, inNew bool) (bool, error)) ([]segmentChange, error) {
	oldBy, curBy := byName(old), byName(cur)
	changed := map[string]bool{}
	for _, d := range cur {
		if o, ok := oldBy[d.Name]; !ok || o.Expr != d.Expr {
			changed[d.Name] = true
		}
	}
	var out []segmentChange
	for _, d := range cur {
		c := segmentChange{Name: d.Name, NewExpr: d.Expr}
		o, existed := oldBy[d.Name]
		switch {
		case !existed:
			c.Status = "added"
		case o.Expr != d.Expr:
			c.Status, c.OldExpr = "changed", o.Expr
		default:
			if c.Through = changedDeps(d.Name, curBy, changed); len(c.Through) == 0 {
				continue
			}
			c.Status, c.NewExpr = "members changed", ""
		}
		moved, err := move(&c, existed, true)
		if err != nil {
			return nil, err
		}
		if c.Status != "members changed" || moved {
			out = append(out, c)
		}
	}
	for _, o := range old {
		if _, ok := curBy[o.Name]; !ok {
			c := segmentChange{Name: o.Name, Status: "removed", OldExpr: o.Expr}
			if _, err := move(&c, true, false); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func byName(defs []*catalog.Definition) map[string]*catalog.Definition {
	m := make(map[string]*catalog.Definition, len(defs))
	for _, d := range defs {
		m[d.Name] = d
	}
	return m
}

// changedDeps lists the changed definitions n depends on, transitively.
func changedDeps(n string, cur map[string]*catalog.Definition, changed map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(string)
	walk = func(x string) {
		d := cur[x]
		if d == nil {
			return
		}
		for _, dep := range d.Deps {
			if seen[dep] {
				continue
			}
			seen[dep] = true
			if changed[dep] {
				out = append(out, dep)
			}
			walk(dep)
		}
	}
	walk(n)
	return out
}

func fillMovement(c *segmentChange, old, cur *columnar.Bitmap, sample func(b *columnar.Bitmap, n int) []string, samples int) {
	joined, left := cur.Clone(), old.Clone()
	joined.AndNot(old)
	left.AndNot(cur)
	c.Joined, c.Left = joined.Count(), left.Count()
	c.JoinedEg, c.LeftEg = sample(joined, samples), sample(left, samples)
}

func sampleIDs(tbl *columnar.Table, id string, b *columnar.Bitmap, n int) []string {
	ci := tbl.ColumnIndex(id)
	out := []string{}
	b.Each(func(row int) bool {
		if len(out) >= n {
			return false
		}
		bi, i := tbl.Locate(int64(row))
		s, _ := columnar.FormatValue(tbl.Batches[bi].Column(ci), i)
		out = append(out, s)
		return true
	})
	return out
}

func printChanges(e *env, changes []segmentChange) {
	if len(changes) == 0 {
		fmt.Fprintln(e.stdout, "no segment changes its members")
		return
	}
	marks := map[string]string{"added": "+", "removed": "-", "changed": "~", "members changed": "~"}
	for _, c := range changes {
		status := c.Status
		if len(c.Through) > 0 {
			status += " through " + strings.Join(c.Through, ", ")
		}
		fmt.Fprintf(e.stdout, "%s %s (%s): %s -> %s members, %s joined, %s left\n", marks[c.Status], c.Name, status,
			output.Thousands(c.OldSize), output.Thousands(c.NewSize), output.Thousands(c.Joined), output.Thousands(c.Left))
		if c.OldExpr != "" {
			fmt.Fprintf(e.stdout, "    old: %s\n", c.OldExpr)
		}
		if c.NewExpr != "" && c.Status != "removed" {
			fmt.Fprintf(e.stdout, "    new: %s\n", c.NewExpr)
		}
		if len(c.JoinedEg) > 0 {
			fmt.Fprintf(e.stdout, "    joined, e.g.: %s\n", strings.Join(c.JoinedEg, ", "))
		}
		if len(c.LeftEg) > 0 {
			fmt.Fprintf(e.stdout, "    left, e.g.: %s\n", strings.Join(c.LeftEg, ", "))
		}
	}
}

// errBadRevision is the error of a --git revision that is not a commit.
var errBadRevision = errors.New("not a git revision")

// gitShow returns path as it is at revision rev. rev is resolved to a
// commit id first (git rev-parse --verify, after --end-of-options), so
// no revision can be read by git as an option ("--output=FILE") and what
// git show receives is always "<hex id>:./path". The content is held to
// the .seg size limit.
// gitCommit resolves rev to a commit id.
func gitCommit(ctx context.Context, rev string) (string, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("--git %q: %w", rev, errBadRevision)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	cmd.Stderr = &stderr
	id, err := cmd.Output()
	commit := strings.TrimSpace(string(id))
	if err != nil || !isHex(commit) {
		return "", fmt.Errorf("--git %q: %w %s", rev, errBadRevision, strings.TrimSpace(stderr.String()))
	}
	return commit, nil
}

// gitList lists the .seg files in dir at commit (under it, when
// recursive), relative to the working directory as git prints them.
func gitList(ctx context.Context, commit, dir string, recursive bool) ([]string, error) {
	args := []string{"ls-tree", "--name-only", "-z"}
	if recursive {
		args = append(args, "-r")
	}
	args = append(args, commit, "--", strings.TrimSuffix(dir, "/")+"/")
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-tree %s: %s", dir, strings.TrimSpace(stderr.String()+" "+err.Error()))
	}
	var names []string
	for _, n := range strings.Split(string(out), "\x00") {
		if strings.HasSuffix(n, ".seg") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// gitShow reads path at commit (a commit id from gitCommit).
func gitShow(ctx context.Context, commit, path string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", "show", commit+":./"+strings.TrimPrefix(path, "./"))
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b, rerr := io.ReadAll(io.LimitReader(out, syntax.MaxFileSource+1))
	if len(b) > syntax.MaxFileSource {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("%s at %s: %w (over the limit of %d MiB)", path, commit[:12], textfile.ErrTooLarge, syntax.MaxFileSource>>20)
	}
	if err := cmd.Wait(); err != nil || rerr != nil {
		return nil, fmt.Errorf("git show %s:%s: %s", commit[:12], path, strings.TrimSpace(stderr.String()+" "+fmt.Sprint(errors.Join(err, rerr))))
	}
	return b, nil
}

func isHex(s string) bool {
	if len(s) < 40 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// annotateChanges writes the changes as GitHub Actions annotations at
// each segment's definition in the new version: a notice per change, an
// error where the members moved over --fail-over.
func (e *env) annotateChanges(changes, over []segmentChange, newFiles []catalog.File) int {
	at := segmentPositions(newFiles)
	failed := map[string]bool{}
	for _, c := range over {
		failed[c.Name] = true
	}
	var b strings.Builder
	for _, c := range changes {
		level := "notice"
		if failed[c.Name] {
			level = "error"
		}
		msg := fmt.Sprintf("segment %s (%s): %s -> %s members, %s joined, %s left", c.Name, c.Status,
			output.Thousands(c.OldSize), output.Thousands(c.NewSize), output.Thousands(c.Joined), output.Thousands(c.Left))
		if len(c.Through) > 0 {
			msg += " through " + strings.Join(c.Through, ", ")
		}
		b.WriteString(githubCommand(level, at[c.Name], "segql diff", msg))
	}
	if _, err := io.WriteString(e.stdout, b.String()); err != nil {
		return 1
	}
	return 0
}

// position is where a definition's name stands.
type position struct {
	file      string
	line, col int
}

// segmentPositions maps each segment name of files to its position
// (files that do not parse contribute none: their errors are reported
// when they are loaded).
func segmentPositions(files []catalog.File) map[string]position {
	out := map[string]position{}
	for _, f := range files {
		parsed, err := syntax.ParseFile(f.Name, f.Text, syntax.Limits{})
		if err != nil {
			continue
		}
		src := diag.Source{Name: f.Name, Text: f.Text}
		for _, s := range parsed.Segments {
			line, col := src.LineCol(s.NameSpan.Pos)
			out[s.Name] = position{f.Name, line, col}
		}
	}
	return out
}

// githubCommand is one workflow command line (::notice file=…::message),
// escaped as GitHub Actions requires; a zero position names no file.
func githubCommand(level string, at position, title, msg string) string {
	esc := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	prop := strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	props := "title=" + prop.Replace(title)
	if at.file != "" {
		props = fmt.Sprintf("file=%s,line=%d,col=%d,%s", prop.Replace(at.file), at.line, at.col, props)
	}
	return "::" + level + " " + props + "::" + esc.Replace(msg) + "\n"
}
