package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/segql/segql/internal/atomicfile"
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
	b, err := io.ReadAll(e.stdin)
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
	b, err := os.ReadFile(path)
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
		return changed, atomicfile.WriteString(path, out)
	}
	return changed, nil
}

// unifiedDiff renders a line diff of a and b with three lines of context.
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
		start := max(0, i-3)
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
				end = min(end+3, len(ops))
				break
			}
			end = run
		}
		fmt.Fprintf(&out, "@@ -%d +%d @@\n", ops[start].ai+1, ops[start].bi+1)
		for _, op := range ops[start:end] {
			out.WriteString(string(op.kind) + op.text + "\n")
		}
		i = end
	}
	return out.String()
}

func splitLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

type diffOp struct {
	kind   byte // ' ', '-', '+'
	text   string
	ai, bi int
}

// diffLines computes a shortest edit script by longest common subsequence.
func diffLines(a, b []string) []diffOp {
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
			ops = append(ops, diffOp{' ', a[i], i, j})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, diffOp{'-', a[i], i, j})
			i++
		default:
			ops = append(ops, diffOp{'+', b[j], i, j})
			j++
		}
	}
	return ops
}
