package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/segql/segql/internal/atomicfile"
	"github.com/segql/segql/internal/textfile"
	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/syntax"
)

func (e *env) fmt(args []string) int {
	fs := flag.NewFlagSet("fmt", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	list := fs.Bool("l", false, "list files whose formatting differs from segql fmt's")
	write := fs.Bool("w", false, "write the result to the file (atomically; a file that does not parse is left untouched)")
	diff := fs.Bool("d", false, "print diffs instead of the formatted text")
	check := fs.Bool("check", false, "exit 1 if any file is not formatted (for CI); lists them")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: segql fmt [-l] [-w] [-d] [--check] [PATH...]\n\nFormats .seg files canonically (standard input without PATH).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	paths, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage(err)
	}
	if len(paths) == 0 {
		return e.fmtStdin()
	}
	files, err := segFiles(paths)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql fmt:", err)
		return 1
	}
	code := 0
	for _, f := range files {
		changed, err := e.fmtFile(f, *write, *diff, *list || *check)
		if err != nil {
			fmt.Fprintln(e.stderr, err)
			code = 1
		}
		if changed && *check {
			code = 1
		}
	}
	return code
}

func (e *env) fmtStdin() int {
	b, err := io.ReadAll(io.LimitReader(e.stdin, syntax.MaxFileSource+1))
	if err != nil {
		fmt.Fprintln(e.stderr, "segql fmt:", err)
		return 1
	}
	f, err := syntax.ParseFile("<stdin>", string(b), syntax.Limits{})
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	fmt.Fprint(e.stdout, printer.File(f))
	return 0
}

// fmtFile formats one file; it reports whether the formatting differs.
func (e *env) fmtFile(path string, write, diff, list bool) (bool, error) {
	b, err := textfile.Read(e.context(), path, syntax.MaxFileSource)
	if err != nil {
		return false, err
	}
	f, err := syntax.ParseFile(path, string(b), syntax.Limits{})
	if err != nil {
		return false, err
	}
	out := printer.File(f)
	changed := out != string(b)
	switch {
	case list:
		if changed {
			fmt.Fprintln(e.stdout, path)
		}
	case diff:
		if changed {
			fmt.Fprint(e.stdout, unifiedDiff(path, string(b), out))
		}
	case !write:
		fmt.Fprint(e.stdout, out)
	}
	if write && changed {
		return changed, atomicfile.WriteDefinitions(path, out)
	}
	return changed, nil
}

// unifiedDiff renders a line diff of a and b in the unified format that
// patch and git apply read, with three lines of context.
func unifiedDiff(path, a, b string) string {
	x, y := splitLines(a), splitLines(b)
	ops := diffLines(x, y)
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s (formatted)\n", path, path)
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start, end := max(0, i-3), hunkEnd(ops, i)
		writeHunk(&out, ops[start:end])
		i = end
	}
	return out.String()
}

// hunkEnd returns the end of the hunk holding the change at i: changes
// closer than seven unchanged lines share a hunk, which ends three lines
// after its last change.
func hunkEnd(ops []diffOp, i int) int {
	end := i
	for end < len(ops) {
		if ops[end].kind != ' ' {
			end++
			continue
		}
		run := end
		for run < len(ops) && ops[run].kind == ' ' {
			run++
		}
		if run-end > 6 || run == len(ops) {
			return min(end+3, len(ops))
		}
		end = run
	}
	return end
}

// writeHunk writes one hunk with its header: each side's first line and
// line count (an empty side names the line it follows, as diff does).
func writeHunk(out *strings.Builder, ops []diffOp) {
	na, nb := 0, 0
	for _, op := range ops {
		if op.kind != '+' {
			na++
		}
		if op.kind != '-' {
			nb++
		}
	}
	sa, sb := ops[0].ai+1, ops[0].bi+1
	if na == 0 {
		sa--
	}
	if nb == 0 {
		sb--
	}
	fmt.Fprintf(out, "@@ -%d,%d +%d,%d @@\n", sa, na, sb, nb)
	for _, op := range ops {
		text, noEOL := strings.CutSuffix(op.text, noEOLMark)
		out.WriteString(string(op.kind) + text + "\n")
		if noEOL {
			out.WriteString("\\ No newline at end of file\n")
		}
	}
}

// noEOLMark ends the text of a last line that has no newline, so that it
// differs from the same line with one.
const noEOLMark = "\x00"

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	t, eol := strings.CutSuffix(s, "\n")
	lines := strings.Split(t, "\n")
	if !eol {
		lines[len(lines)-1] += noEOLMark
	}
	return lines
}

type diffOp struct {
	kind   byte // ' ', '-', '+'
	text   string
	ai, bi int // the lines of a and b at this point
}

// maxLCSCells bounds the table of the longest-common-subsequence diff:
// beyond it (files of thousands of changed lines) the changed middle is
// shown as removed and added whole, which is correct if not minimal.
const maxLCSCells = 1 << 22

// diffLines computes an edit script: common leading and trailing lines
// are kept, and the lines between them are matched by longest common
// subsequence when the table is small enough.
func diffLines(a, b []string) []diffOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []diffOp
	for i := range pre {
		ops = append(ops, diffOp{' ', a[i], i, i})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma)*len(mb) <= maxLCSCells {
		ops = append(ops, lcsDiff(ma, mb, pre)...)
	} else {
		for i, l := range ma {
			ops = append(ops, diffOp{'-', l, pre + i, pre})
		}
		for j, l := range mb {
			ops = append(ops, diffOp{'+', l, pre + len(ma), pre + j})
		}
	}
	for k := range suf {
		i, j := len(a)-suf+k, len(b)-suf+k
		ops = append(ops, diffOp{' ', a[i], i, j})
	}
	return ops
}

// lcsDiff is the longest-common-subsequence edit script of a and b, whose
// first lines are line off of both files.
func lcsDiff(a, b []string, off int) []diffOp {
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []diffOp
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, diffOp{' ', a[i], off + i, off + j})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, diffOp{'-', a[i], off + i, off + j})
			i++
		default:
			ops = append(ops, diffOp{'+', b[j], off + i, off + j})
			j++
		}
	}
	return ops
}
