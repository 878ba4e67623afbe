package repl

import (
	"strings"
	"unicode"
)

// Statements splits input lines into statements as the shell runs them. A
// statement continues on the next line while
//   - a parenthesis or a quote is open (Statement);
//   - its last line ends in an operator or a keyword that needs an operand
//     (`and`, `=`, `between`, `in`, `,`, …);
//   - it is a definition whose first line ends in `=` (`segment x =`, as
//     fmt and .save write long definitions): then indented lines and lines
//     that start with `and` or `or` continue it, and a blank line or any
//     other line ends it.
//
// So every .seg file that fmt writes is valid shell input, typed, pasted
// or piped. Not safe for concurrent use; the zero value is ready.
type Statements struct {
	cur   Statement
	block bool // a definition continued by indentation
	start int  // 1-based line number where cur starts
	line  int
}

// Feed adds one line and returns the statements it completes, in order
// (none, one, or two when the line ends a definition block and is itself
// a complete statement), each with the line it starts on.
func (s *Statements) Feed(line string) (ready []Ready) {
	s.line++
	if s.block {
		switch {
		case strings.TrimSpace(line) == "":
			return s.finish(nil)
		case startsIndented(line) || startsWithJoiner(line):
			s.cur.Add(line)
			return nil
		}
		ready = s.finish(nil)
	}
	if s.cur.Lines() == 0 {
		s.start = s.line
	}
	complete := s.cur.Add(line)
	switch {
	case !complete:
		return ready
	case isDefinitionHeader(s.cur.String()):
		s.block = true
		return ready
	case endsWithOperator(lastCode(line)):
		return ready
	}
	return s.finish(ready)
}

// Flush returns the statement still open at the end of input (with ok
// false when it cannot be complete: a parenthesis or quote is open).
func (s *Statements) Flush() (r Ready, pending, ok bool) {
	if s.cur.Lines() == 0 {
		return Ready{}, false, true
	}
	r = Ready{Text: s.cur.String(), Line: s.start}
	ok = s.cur.quote == 0 && s.cur.depth <= 0
	s.cur.Reset()
	s.block = false
	return r, true, ok
}

// Pending reports whether a statement has started and not ended.
func (s *Statements) Pending() bool { return s.cur.Lines() > 0 }

// Reset drops the statement being gathered (Ctrl-C on a line).
func (s *Statements) Reset() {
	s.cur.Reset()
	s.block = false
}

// Ready is a complete statement and the line it starts on.
type Ready struct {
	Text string
	Line int
}

func (s *Statements) finish(ready []Ready) []Ready {
	ready = append(ready, Ready{Text: s.cur.String(), Line: s.start})
	s.cur.Reset()
	s.block = false
	return ready
}

// isDefinitionHeader reports `segment NAME =` with nothing after the `=`
// (but a comment).
func isDefinitionHeader(stmt string) bool {
	f := strings.Fields(lastCode(stmt))
	return len(f) >= 2 && strings.EqualFold(f[0], "segment") && !strings.Contains(stmt, "\n") &&
		strings.HasSuffix(strings.TrimSpace(lastCode(stmt)), "=") && !strings.HasSuffix(strings.TrimSpace(lastCode(stmt)), "==")
}

// lastCode is line without a trailing comment (outside quotes).
func lastCode(line string) string {
	quote := byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '#' || (c == '-' && i+1 < len(line) && line[i+1] == '-'):
			return line[:i]
		}
	}
	return line
}

// trailing are the words and operators a line cannot end a statement on.
var trailing = map[string]bool{"and": true, "or": true, "not": true, "between": true, "in": true, "is": true,
	"like": true, "ilike": true, "matches": true, "contains": true, "any": true, "all": true, "within": true}

func endsWithOperator(code string) bool {
	code = strings.TrimRightFunc(code, unicode.IsSpace)
	if code == "" || strings.HasPrefix(strings.TrimSpace(code), ".") { // a dot command's argument may end so
		return false
	}
	switch code[len(code)-1] {
	case '%': // after a digit it is a percent literal (90%), else modulo
		return len(code) < 2 || code[len(code)-2] < '0' || code[len(code)-2] > '9'
	case '=', '<', '>', '+', '*', '/', ',':
		return true
	case '-':
		return !strings.HasSuffix(code, "--")
	}
	i := strings.LastIndexFunc(code, func(r rune) bool { return !(unicode.IsLetter(r) || r == '_') })
	word := strings.ToLower(code[i+1:])
	if i >= 0 && (code[i] == '.' || code[i] == '"') {
		return false // a field or part of a string, not a keyword
	}
	return trailing[word]
}

func startsIndented(line string) bool {
	return line != "" && (line[0] == ' ' || line[0] == '\t')
}

func startsWithJoiner(line string) bool {
	f := strings.Fields(line)
	if len(f) == 0 {
		return false
	}
	w := strings.ToLower(f[0])
	return w == "and" || w == "or"
}
