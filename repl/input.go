package repl

import (
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/segql/segql/lang/check"
)

// NeedsMore reports whether buf is an unfinished statement: a parenthesis
// or a quote is still open. Comments are skipped.
func NeedsMore(buf string) bool {
	var st Statement
	return !st.Add(buf)
}

// Statement gathers the lines of one statement. It keeps the scanner's
// state (open parentheses, an open quote) between lines, so each line
// costs its own length and a statement of n lines costs O(n), not O(n²).
// The zero value is empty and ready.
type Statement struct {
	b     strings.Builder
	depth int
	quote byte
	lines int
}

// Add appends one line (without its newline) and reports whether the
// statement is complete: no parenthesis or quote is open.
func (st *Statement) Add(line string) (complete bool) {
	if st.lines > 0 {
		st.b.WriteByte('\n')
	}
	st.lines++
	st.b.WriteString(line)
	st.scan(line)
	return st.quote == 0 && st.depth <= 0
}

// scan advances the state over text (one line, or several for NeedsMore).
// A backslash in a quote skips the next character, which at a line's end
// is the newline between lines.
func (st *Statement) scan(text string) {
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case st.quote != 0:
			if c == '\\' && st.quote != '`' {
				i++
			} else if c == st.quote {
				st.quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			st.quote = c
		case c == '#' || (c == '-' && i+1 < len(text) && text[i+1] == '-'):
			for i < len(text) && text[i] != '\n' { // a comment runs to the line's end
				i++
			}
		case c == '(':
			st.depth++
		case c == ')':
			st.depth--
		}
	}
}

// String is the statement's text, its lines joined by newlines.
func (st *Statement) String() string { return st.b.String() }

// Lines is the number of lines added.
func (st *Statement) Lines() int { return st.lines }

// Reset empties the statement.
func (st *Statement) Reset() { *st = Statement{} }

var keywords = []string{"and", "or", "not", "between", "in", "is", "null", "like", "ilike", "matches",
	"contains", "any", "all", "within", "true", "false", "segment"}

// Complete returns completions for the word that ends at pos in line, in
// liner's word-completer form: the text before the word, the candidates
// (each a whole replacement word) and the text after.
func (s *Session) Complete(line string, pos int) (head string, completions []string, tail string) {
	if pos > len(line) {
		pos = len(line)
	}
	start := pos
	for start > 0 && isWordChar(line[start-1]) {
		start--
	}
	head, word, tail := line[:start], line[start:pos], line[pos:]
	fields := strings.Fields(head)
	if len(fields) == 1 && isFileCommand(fields[0]) {
		return head, completePath(word), tail
	}
	if strings.TrimSpace(head) == "" && strings.HasPrefix(word, ".") {
		return head, prefixed(word, commandNames()), tail
	}
	if cands, ok := s.completeValue(head, word); ok {
		return head, cands, tail
	}
	var cands []string
	for _, f := range s.cur.t.Schema.Fields() {
		cands = append(cands, f.Name)
	}
	for _, d := range s.defs {
		cands = append(cands, d.name)
	}
	for _, f := range check.FunctionNames() {
		cands = append(cands, f+"(")
	}
	lower := strings.ToLower(word)
	var out []string
	for _, c := range append(cands, keywords...) {
		if strings.HasPrefix(c, word) || (isKeyword(c) && strings.HasPrefix(c, lower)) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return head, dedupe(out), tail
}

func isKeyword(w string) bool {
	for _, k := range keywords {
		if k == w {
			return true
		}
	}
	return false
}

func isWordChar(c byte) bool {
	return c == '_' || c == '.' || c == '/' || c == '~' || c == '-' || (c|0x20 >= 'a' && c|0x20 <= 'z') || (c >= '0' && c <= '9')
}

func isFileCommand(cmd string) bool {
	switch strings.ToLower(cmd) {
	case ".load", ".open", ".save", ".output", ".read":
		return true
	}
	return false
}

func commandNames() []string {
	out := make([]string, 0, len(commandHelp))
	for k := range commandHelp {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func prefixed(word string, cands []string) []string {
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, word) {
			out = append(out, c)
		}
	}
	return out
}

func dedupe(xs []string) []string {
	var out []string
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// completePath lists files and directories starting with word.
func completePath(word string) []string {
	pattern := word
	if strings.HasPrefix(pattern, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			pattern = filepath.Join(home, pattern[2:])
		}
	}
	matches, _ := filepath.Glob(pattern + "*")
	out := make([]string, 0, len(matches))
	for _, m := range matches {
		if info, err := os.Stat(m); err == nil && info.IsDir() {
			m += "/"
		}
		if strings.HasPrefix(word, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				m = "~" + strings.TrimPrefix(m, home)
			}
		}
		out = append(out, m)
	}
	return out
}
