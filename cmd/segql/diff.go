package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/output"
	"github.com/segql/segql/internal/textfile"
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
	rev := fs.String("git", "", "compare PATH with its version at this git revision")
	format := new(string)
	choiceVar(fs, format, "o", "text", "output: text or json", "text", "json")
	samples := fs.Int("samples", 5, "sample ids shown for members who join and leave")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: segql diff [--data FILE] OLD.seg NEW.seg\n       segql diff --git REV PATH\n\nShows, for every segment added, removed or changed, and for those whose\nmembers change through a segment they reference: old and new size, how\nmany members join and leave, and sample ids.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage(err)
	}
	oldFile, newFile, err := e.diffInputs(*rev, pos)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql diff:", err)
		if err == errDiffUsage {
			fs.Usage()
			return 2
		}
		return 1
	}
	changes, code := e.computeDiff(&d, oldFile, newFile, *samples)
	if code != 0 {
		return code
	}
	if *format == "json" {
		if changes == nil {
			changes = []segmentChange{}
		}
		return e.writeJSON(changes)
	}
	printChanges(e, changes)
	return 0
}

var errDiffUsage = fmt.Errorf("give OLD.seg and NEW.seg, or --git REV and one PATH")

// diffInputs reads the old and new definition files.
func (e *env) diffInputs(rev string, pos []string) (catalog.File, catalog.File, error) {
	var none catalog.File
	if rev != "" {
		if len(pos) != 1 {
			return none, none, errDiffUsage
		}
		cur, err := textfile.Read(e.context(), pos[0], syntax.MaxFileSource)
		if err != nil {
			return none, none, err
		}
		old, err := gitShow(e.context(), rev, pos[0])
		if err != nil {
			return none, none, err
		}
		return catalog.File{Name: rev + ":" + pos[0], Text: string(old)}, catalog.File{Name: pos[0], Text: string(cur)}, nil
	}
	if len(pos) != 2 {
		return none, none, errDiffUsage
	}
	files := make([]catalog.File, 2)
	for i, p := range pos {
		b, err := textfile.Read(e.context(), p, syntax.MaxFileSource)
		if err != nil {
			return none, none, err
		}
		files[i] = catalog.File{Name: p, Text: string(b)}
	}
	return files[0], files[1], nil
}

func (e *env) computeDiff(d *dataFlags, oldFile, newFile catalog.File, samples int) ([]segmentChange, int) {
	if url, ok, err := d.remoteURL(); err != nil {
		fmt.Fprintln(e.stderr, "segql diff:", err)
		return nil, 2
	} else if ok {
		return e.diffRemote(url, d, oldFile, newFile, samples)
	}
	ctx := context.Background()
	now, err := d.nowTime()
	if err != nil {
		fmt.Fprintln(e.stderr, "segql diff:", err)
		return nil, 2
	}
	tbl, err := d.load(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return nil, 1
	}
	defer tbl.Release()
	id, err := d.idColumn(tbl)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql diff:", err)
		return nil, 1
	}
	eng := engine.Open(tbl)
	var opts []engine.RunOption
	if !now.IsZero() {
		opts = append(opts, engine.At(now))
	}
	old, err := sizesOf(ctx, eng, oldFile, opts)
	if err == nil {
		var cur sized
		if cur, err = sizesOf(ctx, eng, newFile, opts); err == nil {
			return changesBetween(tbl, id, old, cur, samples), 0
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

func sizesOf(ctx context.Context, eng *engine.Engine, f catalog.File, opts []engine.RunOption) (sized, error) {
	cat, err := catalog.Load(eng, []catalog.File{f})
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

func changesBetween(tbl *columnar.Table, id string, old, cur sized, samples int) []segmentChange {
	changedDef := map[string]bool{}
	for _, s := range cur.order {
		if o, ok := old.byName[s.Name]; !ok || o.Expr != s.Expr {
			changedDef[s.Name] = true
		}
	}
	var out []segmentChange
	for _, s := range cur.order {
		n := s.Name
		c := segmentChange{Name: n, NewExpr: s.Expr, NewSize: s.Result.Count()}
		o, existed := old.byName[n]
		newBits := s.Result.Bitmap()
		oldBits := columnar.NewBitmap(newBits.Len())
		switch {
		case !existed:
			c.Status = "added"
		case o.Expr != s.Expr:
			c.Status, c.OldExpr, c.OldSize = "changed", o.Expr, o.Result.Count()
			oldBits = o.Result.Bitmap()
		default:
			c.OldSize = o.Result.Count()
			oldBits = o.Result.Bitmap()
			c.Through = changedDeps(n, cur.byName, changedDef)
			if equalBits(oldBits, newBits) {
				continue
			}
			c.Status, c.OldExpr, c.NewExpr = "members changed", "", ""
		}
		fillMovement(&c, tbl, id, oldBits, newBits, samples)
		out = append(out, c)
	}
	for _, o := range old.order {
		if _, ok := cur.byName[o.Name]; !ok {
			c := segmentChange{Name: o.Name, Status: "removed", OldExpr: o.Expr, OldSize: o.Result.Count()}
			fillMovement(&c, tbl, id, o.Result.Bitmap(), columnar.NewBitmap(int(tbl.NumRows())), samples)
			out = append(out, c)
		}
	}
	return out
}

// changedDeps lists the changed definitions n depends on, transitively.
func changedDeps(n string, cur map[string]catalog.Size, changed map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(string)
	walk = func(x string) {
		for _, d := range cur[x].Deps {
			if seen[d] {
				continue
			}
			seen[d] = true
			if changed[d] {
				out = append(out, d)
			}
			walk(d)
		}
	}
	walk(n)
	return out
}

func equalBits(a, b *columnar.Bitmap) bool {
	aw, bw := a.Words(), b.Words()
	for i := range aw {
		if aw[i] != bw[i] {
			return false
		}
	}
	return true
}

func fillMovement(c *segmentChange, tbl *columnar.Table, id string, old, cur *columnar.Bitmap, samples int) {
	joined, left := cur.Clone(), old.Clone()
	joined.AndNot(old)
	left.AndNot(cur)
	c.Joined, c.Left = joined.Count(), left.Count()
	c.JoinedEg, c.LeftEg = sampleIDs(tbl, id, joined, samples), sampleIDs(tbl, id, left, samples)
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
func gitShow(ctx context.Context, rev, path string) ([]byte, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("--git %q: %w", rev, errBadRevision)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	cmd.Stderr = &stderr
	id, err := cmd.Output()
	commit := strings.TrimSpace(string(id))
	if err != nil || !isHex(commit) {
		return nil, fmt.Errorf("--git %q: %w %s", rev, errBadRevision, strings.TrimSpace(stderr.String()))
	}
	stderr.Reset()
	cmd = exec.CommandContext(ctx, "git", "show", commit+":./"+strings.TrimPrefix(path, "./"))
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
		return nil, fmt.Errorf("%s at %s: %w (over the limit of %d MiB)", path, rev, textfile.ErrTooLarge, syntax.MaxFileSource>>20)
	}
	if err := cmd.Wait(); err != nil || rerr != nil {
		return nil, fmt.Errorf("git show %s:%s: %s", rev, path, strings.TrimSpace(stderr.String()+" "+fmt.Sprint(errors.Join(err, rerr))))
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
