// Package diag holds source spans and diagnostics for segql.
//
// Positions are plain byte offsets into the source text; they are turned into
// line:column only when a diagnostic is rendered, as go/token does.
package diag

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Span is a half-open byte range [Pos, End) in a source text.
type Span struct {
	Pos, End int
}

// Bounds returns s itself; syntax nodes embed Span and so expose it.
func (s Span) Bounds() Span { return s }

// Join returns the smallest span covering s and t.
func (s Span) Join(t Span) Span { return Span{min(s.Pos, t.Pos), max(s.End, t.End)} }

// Severity tells errors from warnings.
type Severity uint8

const (
	// Error makes a compilation fail.
	Error Severity = iota
	// Warning is reported but does not stop compilation.
	Warning
)

// Diagnostic is one problem found in a source text.
type Diagnostic struct {
	Span
	Severity Severity
	Msg      string // lower-case, identifiers quoted
	Hint     string // optional, e.g. `did you mean "age"?`
}

// Source is a named text that spans point into.
type Source struct {
	Name string // shown as the first element of a rendered position; may be empty
	Text string
}

// LineCol converts a byte offset to a 1-based line and a 1-based column
// counted in characters (runes). Offsets past the end clamp to the end.
func (s Source) LineCol(off int) (line, col int) {
	if off > len(s.Text) {
		off = len(s.Text)
	}
	if off < 0 {
		off = 0
	}
	line = 1 + strings.Count(s.Text[:off], "\n")
	start := strings.LastIndexByte(s.Text[:off], '\n') + 1
	col = 1 + utf8.RuneCountInString(s.Text[start:off])
	return line, col
}

// lineAt returns the text of the line holding off and its start offset.
func (s Source) lineAt(off int) (string, int) {
	if off > len(s.Text) {
		off = len(s.Text)
	}
	start := strings.LastIndexByte(s.Text[:off], '\n') + 1
	end := strings.IndexByte(s.Text[off:], '\n')
	if end < 0 {
		end = len(s.Text)
	} else {
		end += off
	}
	return s.Text[start:end], start
}

// Position renders "name:line:col" (or "line:col" without a name).
func (s Source) Position(off int) string {
	line, col := s.LineCol(off)
	if s.Name == "" {
		return fmt.Sprintf("%d:%d", line, col)
	}
	return fmt.Sprintf("%s:%d:%d", s.Name, line, col)
}

// List is a set of diagnostics about one source. It implements error; its
// Error method renders every entry with the source line and a caret.
type List struct {
	Src   Source
	Items []Diagnostic
	// Dropped counts diagnostics left out by Cap.
	Dropped int
	// Cause, when set, is an error value callers can test for with
	// errors.Is (a budget exceeded, say); the diagnostics describe it.
	Cause error
}

// Unwrap returns the list's cause, if any.
func (l *List) Unwrap() error { return l.Cause }

// Add appends a diagnostic.
func (l *List) Add(d Diagnostic) { l.Items = append(l.Items, d) }

// Errorf appends an error at span sp.
func (l *List) Errorf(sp Span, format string, args ...any) {
	l.Add(Diagnostic{Span: sp, Msg: fmt.Sprintf(format, args...)})
}

// HasErrors reports whether any entry is an error (not a warning).
func (l *List) HasErrors() bool {
	for _, d := range l.Items {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the error entries.
func (l *List) Errors() []Diagnostic {
	return l.filter(Error)
}

// Warnings returns only the warning entries.
func (l *List) Warnings() []Diagnostic {
	return l.filter(Warning)
}

func (l *List) filter(s Severity) []Diagnostic {
	var out []Diagnostic
	for _, d := range l.Items {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders entries by position, then message, and removes exact duplicates.
func (l *List) Sort() {
	sort.SliceStable(l.Items, func(i, j int) bool {
		a, b := l.Items[i], l.Items[j]
		if a.Pos != b.Pos {
			return a.Pos < b.Pos
		}
		return a.Msg < b.Msg
	})
	out := l.Items[:0]
	for i, d := range l.Items {
		if i > 0 && d == l.Items[i-1] {
			continue
		}
		out = append(out, d)
	}
	l.Items = out
}

// Cap keeps at most n entries, counting the rest in Dropped.
func (l *List) Cap(n int) {
	if len(l.Items) > n {
		l.Dropped += len(l.Items) - n
		l.Items = l.Items[:n]
	}
}

// Err returns l as an error if it holds any error entry, else nil.
func (l *List) Err() error {
	if l.HasErrors() {
		return l
	}
	return nil
}

// Error renders all entries; see Render.
func (l *List) Error() string {
	var b strings.Builder
	l.Render(&b)
	return strings.TrimRight(b.String(), "\n")
}

// Render writes every entry as "name:line:col: message", the source line and
// a caret line under the span, then "(and N more errors)" if some were capped.
func (l *List) Render(b *strings.Builder) {
	for _, d := range l.Items {
		RenderOne(b, l.Src, d)
	}
	if l.Dropped > 0 {
		fmt.Fprintf(b, "(and %d more errors)\n", l.Dropped)
	}
}

// maxSnippet caps how much of a source line is echoed, so a huge one-line
// input does not come back whole in an error.
const maxSnippet = 120

// RenderOne writes one diagnostic with its caret line.
func RenderOne(b *strings.Builder, src Source, d Diagnostic) {
	kind := ""
	if d.Severity == Warning {
		kind = "warning: "
	}
	fmt.Fprintf(b, "%s: %s%s\n", src.Position(d.Pos), kind, d.Msg)
	line, start := src.lineAt(d.Pos)
	from, to := d.Pos-start, d.End-start
	if to > len(line) {
		to = len(line)
	}
	if to < from {
		to = from
	}
	snippet, from, to := clip(line, from, to)
	b.WriteString("    ")
	b.WriteString(printable(snippet))
	b.WriteString("\n    ")
	b.WriteString(strings.Repeat(" ", displayWidth(snippet[:from])))
	n := displayWidth(snippet[from:to])
	if n < 1 {
		n = 1
	}
	b.WriteString(strings.Repeat("^", n))
	b.WriteByte('\n')
	if d.Hint != "" {
		fmt.Fprintf(b, "    %s\n", d.Hint)
	}
}

// clip cuts a long line to a window around [from, to), marking cuts with
// "…". Window edges move at most three bytes to land on a rune start, so
// invalid UTF-8 cannot push them past the span.
func clip(line string, from, to int) (string, int, int) {
	if len(line) <= maxSnippet {
		return line, from, to
	}
	lo := max(0, from-maxSnippet/3)
	for i := 0; i < 3 && lo > 0 && !utf8.RuneStart(line[lo]); i++ {
		lo--
	}
	hi := min(len(line), lo+maxSnippet)
	for i := 0; i < 3 && hi < len(line) && !utf8.RuneStart(line[hi]); i++ {
		hi++
	}
	from = min(max(from, lo), hi)
	to = min(max(to, from), hi)
	prefix, suffix := "", ""
	if lo > 0 {
		prefix = "…"
	}
	if hi < len(line) {
		suffix = "…"
	}
	return prefix + line[lo:hi] + suffix, from - lo + len(prefix), to - lo + len(prefix)
}

// printable replaces control characters so a snippet cannot mess up a terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7f || isBidiControl(r) || r == utf8.RuneError {
			return '?'
		}
		return r
	}, s)
}

func displayWidth(s string) int { return utf8.RuneCountInString(s) }

// isBidiControl reports the Unicode bidirectional formatting characters that
// can make source text display differently from how it parses.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// IsBidiControl is exported for the lexer, which rejects these characters.
func IsBidiControl(r rune) bool { return isBidiControl(r) }
