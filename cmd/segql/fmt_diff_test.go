package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestUnifiedDiffApplies generates pairs of files — edits at the start,
// the end and the middle, near and far apart, with and without a final
// newline, CRLF lines, empty files, and changed middles too large for the
// LCS table — and checks that applying segql's diff to the old file gives
// the new one: with an applier written from the format here, and with
// patch(1) when it is installed.
func TestUnifiedDiffApplies(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	patchBin, _ := exec.LookPath("patch")
	dir := t.TempDir()
	for k := range 400 {
		a, b := diffPair(r, k)
		d := unifiedDiff("f.seg", a, b)
		got, err := applyUnified(a, d)
		require.NoError(t, err, "case %d\n%s", k, d)
		require.Equal(t, b, got, "case %d\n%s", k, d)
		if patchBin != "" && a != b && k%10 == 0 {
			f := filepath.Join(dir, "f.seg")
			require.NoError(t, os.WriteFile(f, []byte(a), 0o644))
			cmd := exec.Command(patchBin, "-s", "-u", f)
			cmd.Stdin = strings.NewReader(d)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "patch: %s\n%s", out, d)
			patched, err := os.ReadFile(f)
			require.NoError(t, err)
			require.Equal(t, b, string(patched), "case %d via patch\n%s", k, d)
		}
	}
}

// diffPair makes the k-th old and new file.
func diffPair(r *rand.Rand, k int) (string, string) {
	n := r.IntN(40)
	if k%50 == 49 {
		n = 2500 // a changed middle beyond the LCS table
	}
	eol := "\n"
	if k%7 == 3 {
		eol = "\r\n"
	}
	var a []string
	for i := range n {
		a = append(a, fmt.Sprintf("segment s%d = age > %d", i, r.IntN(5)))
	}
	b := append([]string(nil), a...)
	for range r.IntN(6) {
		switch i := r.IntN(len(b) + 1); r.IntN(3) {
		case 0:
			b = append(b[:i], append([]string{"# added " + strconv.Itoa(r.IntN(9))}, b[i:]...)...)
		case 1:
			if i < len(b) {
				b = append(b[:i], b[i+1:]...)
			}
		default:
			if i < len(b) {
				b[i] += " and age < 90"
			}
		}
	}
	if k%50 == 49 {
		for i := 10; i < len(b)-10; i++ {
			b[i] += " or true"
		}
	}
	join := func(lines []string, final bool) string {
		s := strings.Join(lines, eol)
		if final && len(lines) > 0 {
			s += eol
		}
		return s
	}
	return join(a, k%5 != 1), join(b, k%5 != 2)
}

// applyUnified applies a unified diff to a, checking every context and
// removed line and each hunk's counts.
func applyUnified(a, diff string) (string, error) {
	old := splitRaw(a)
	lines := strings.Split(strings.TrimSuffix(diff, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		return "", fmt.Errorf("no header")
	}
	var out []string
	next := 0 // the next line of old to copy
	lastNoEOL := false
	for i := 2; i < len(lines); {
		var sa, na, sb, nb int
		if _, err := fmt.Sscanf(lines[i], "@@ -%d,%d +%d,%d @@", &sa, &na, &sb, &nb); err != nil {
			return "", fmt.Errorf("bad hunk header %q", lines[i])
		}
		i++
		from := sa - 1
		if na == 0 {
			from = sa
		}
		if from < next {
			return "", fmt.Errorf("hunks overlap at %q", lines[i-1])
		}
		out = append(out, old[next:from]...)
		next = from
		if len(out)+1 != sb && !(nb == 0 && len(out) == sb) {
			return "", fmt.Errorf("hunk %q starts at new line %d", lines[i-1], len(out)+1)
		}
		ca, cb := 0, 0
		for ; i < len(lines) && !strings.HasPrefix(lines[i], "@@"); i++ {
			l := lines[i]
			if l == `\ No newline at end of file` {
				if ca+cb == 0 {
					return "", fmt.Errorf("marker before any line")
				}
				if lines[i-1][0] != '-' {
					lastNoEOL = true
				}
				if lines[i-1][0] != '+' && next != len(old) {
					return "", fmt.Errorf("old has no newline before its end")
				}
				continue
			}
			kind, text := l[0], l[1:]
			if kind != '+' {
				if next >= len(old) || old[next] != text {
					return "", fmt.Errorf("line %d of old is %q, the diff says %q", next+1, at(old, next), text)
				}
				next++
				ca++
			}
			if kind != '-' {
				out = append(out, text)
				cb++
			}
		}
		if ca != na || cb != nb {
			return "", fmt.Errorf("hunk counts %d,%d, lines %d,%d", na, nb, ca, cb)
		}
	}
	noEOL := lastNoEOL // the new file's last line came from a hunk
	if next < len(old) || len(lines) == 2 {
		noEOL = !strings.HasSuffix(a, "\n") // it is old's last line
	}
	out = append(out, old[next:]...)
	s := strings.Join(out, "\n")
	if len(out) > 0 && !noEOL {
		s += "\n"
	}
	return s, nil
}

// splitRaw splits a file into lines without their newlines.
func splitRaw(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of file)"
}
