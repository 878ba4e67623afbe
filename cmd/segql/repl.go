package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/segql/segql/repl"
)

func (e *env) repl(args []string) int {
	fs := flag.NewFlagSet("repl", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var d dataFlags
	d.register(fs)
	bail := fs.Bool("bail", false, "when reading statements from a pipe, stop at the first error (exit 1)")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: segql [repl] [--data FILE]... [--bail]\n\nOpens the interactive shell (on a terminal), or runs the statements read\nfrom standard input, one or more lines each.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage(err)
	}
	if len(pos) > 0 {
		fmt.Fprintf(e.stderr, "segql: unexpected argument %q (to evaluate an expression: segql eval EXPR)\n", pos[0])
		return 2
	}
	now, err := d.nowTime()
	if err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return 2
	}
	tbl, err := d.load(context.Background())
	if err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return 1
	}
	name := "users"
	if len(d.data) > 0 {
		name = strings.TrimSuffix(filepath.Base(d.data[0]), filepath.Ext(d.data[0]))
	}
	s := repl.New(name, tbl, repl.Options{Now: now, IDColumn: d.id})
	code := 0
	if e.interactive() {
		if err := repl.RunTerminal(s, e.stdout, e.stderr); err != nil {
			fmt.Fprintln(e.stderr, "segql:", err)
			code = 1
		}
	} else if repl.RunScript(s, e.stdin, e.stdout, e.stderr, *bail) > 0 {
		code = 1
	}
	if err := s.Close(); err != nil {
		fmt.Fprintln(e.stderr, "segql: .output:", err)
		code = 1
	}
	return code
}

// interactive reports whether both standard input and output are terminals.
func (e *env) interactive() bool {
	f, ok := e.stdin.(*os.File)
	return ok && e.isTerminal && isTerminal(f)
}
