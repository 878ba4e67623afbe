package repl

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// RunScript executes statements read line by line from r (a pipe or a
// file), without prompts. A statement continues over lines while a
// parenthesis or quote is open. Errors go to stderr with the line they
// start on; with bail the run stops at the first. It returns the number
// of statements that failed.
func RunScript(s *Session, r io.Reader, stdout, stderr io.Writer, bail bool) (failed int) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	var ss Statements
	s.deferring++ // definitions may reference segments defined later
	defer func() {
		if s.deferring--; s.deferring == 0 {
			for _, err := range s.FinishDefinitions() {
				fmt.Fprintln(stderr, err)
				failed++
			}
		}
	}()
	run := func(r Ready) bool {
		if !runScripted(s, r.Text, r.Line, stdout, stderr) {
			failed++
			return !bail
		}
		return true
	}
	for sc.Scan() && !s.Done() {
		for _, r := range ss.Feed(sc.Text()) {
			if !run(r) {
				return failed
			}
			if s.Done() {
				return failed
			}
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(stderr, "reading input:", err)
		failed++
	}
	if r, pending, ok := ss.Flush(); pending && !s.Done() {
		if !ok {
			fmt.Fprintf(stderr, "line %d: statement not finished: a parenthesis or quote is still open\n", r.Line)
			failed++
		} else {
			run(r)
		}
	}
	return failed
}

func runScripted(s *Session, stmt string, line int, stdout, stderr io.Writer) bool {
	if strings.TrimSpace(stmt) == "" {
		return true
	}
	var errs strings.Builder
	ok := runStatement(s, stmt, stdout, &errs)
	if !ok {
		fmt.Fprintf(stderr, "line %d: %s", line, errs.String())
	}
	return ok
}
