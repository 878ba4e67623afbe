// Command segql evaluates segment expressions over user tables.
//
//	segql [--data FILE]...       the interactive shell (a script when piped)
//	segql eval [flags] EXPR      evaluate a segment (EXPR "-" reads stdin)
//	segql fmt [flags] PATH...    format .seg files
//	segql check [flags] PATH...  type-check .seg files
//	segql sizes --defs PATH...   size every saved segment
//	segql diff OLD.seg NEW.seg   what a change does to each segment's members
//	segql profile EXPR|NAME      how a segment differs from the base
//	segql overlap A B [C ...]    how segments intersect
//	segql cluster --k K ...      k-means clusters of users
//	segql split EXPR --arms ...  experiment arms by stable buckets
//	segql export EXPR --out FILE write a segment's members
//	segql gen [flags] --out FILE write the demo users table
//	segql serve --defs PATH...   serve the segments over HTTP
//	segql version                print the version
//
// Exit status: 0 success, 1 a problem in the expression or the data,
// 2 wrong usage.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/segql/segql/lang/diag"
)

func main() {
	code := runEnv(os.Args[1:], &env{stdin: os.Stdin, stderr: os.Stderr, exit: os.Exit}, os.Stdout)
	if err := os.Stdout.Close(); err != nil && code == 0 { // the last chance a write reports (e.g. on NFS)
		fmt.Fprintf(os.Stderr, "segql: writing standard output: %v\n", err)
		code = 1
	}
	os.Exit(code)
}

// checkedWriter keeps the first error of the writer it wraps and fails
// every later write with it, so a command that ignores one write's error
// (or a buffered writer's final flush) cannot report success: run turns
// the kept error into exit status 1. Not safe for concurrent use.
type checkedWriter struct {
	w   io.Writer
	err error
}

// Unwrap returns the wrapped writer (the shell finds the terminal's file
// through it, for its width and its pager).
func (c *checkedWriter) Unwrap() io.Writer { return c.w }

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	c.err = err
	return n, err
}

// env carries the process's standard streams, so commands can be tested.
type env struct {
	ctx            context.Context // nil: context.Background()
	exit           func(int)       // os.Exit in the process; nil in tests
	stdin          io.Reader
	stdout, stderr io.Writer
	isTerminal     bool // stdout is a terminal
}

const usage = `segql evaluates segment expressions over user tables.

Usage:
  segql [repl] [--data FILE]... [--bail]      the interactive shell (statements from a pipe run as a script)
  segql eval [--data FILE]... [--id COLUMN] [--now RFC3339] [--defs PATH]... [-o FORMAT] EXPR
  segql fmt [-l] [-w] [-d] [--check] PATH...
  segql check [--data FILE|URL | --schema FILE] [--dialect D,...] [--json] PATH...
  segql schema --data FILE                      the table's columns as a schema file for check --schema
  segql sizes --defs PATH... [--data FILE]
  segql sql [--dialect D] [--table T] [-o ids|count|sizes|where] EXPR|NAME...   the same segment as warehouse SQL
  segql diff [--data FILE] OLD.seg NEW.seg | segql diff --git REV PATH
  segql profile [flags] EXPR|NAME               how a segment differs from the base
  segql overlap [flags] A B [C ...]             how segments intersect
  segql cluster --k K|auto --features A,B [--save FILE]
  segql split EXPR|NAME --arms control:50,treatment:50 --salt S [--save FILE]
  segql export EXPR|NAME --out FILE|URL [--columns A,B] [--allow-pii]   (URL: a new PostgreSQL table)
  segql gen [--rows N] [--seed S] --out FILE
  segql serve --defs PATH... [--data FILE]... [--listen ADDR]   segments over HTTP (JSON)
  segql version

Analytics commands take eval's --data, --id, --now and --defs. Every
command that shows members or statistics about them (eval included) guards
privacy: --min-size (default 10) hides smaller segments and cells, --redact
names personal-data columns, --allow-pii shows them.

Without --data, segql uses its built-in demo table of 1,000,000 users.
--data postgres://user@host:5432/db?table=T runs eval, sizes, diff, export
and the shell in that PostgreSQL table (the server selects the members).
Run "segql COMMAND --help" for a command's flags.

Example:
  segql eval 'age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")'
`

// run runs the command args names and returns its exit status. Any error
// writing stdout, however the command handled it, makes the status 1 (if
// it was 0) and is reported on stderr.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runEnv(args, &env{stdin: stdin, stderr: stderr}, stdout)
}

// runEnv is run with the environment e, whose stdout it sets.
func runEnv(args []string, e *env, stdout io.Writer) int {
	out := &checkedWriter{w: stdout}
	e.stdout, e.isTerminal = out, isTerminal(stdout)
	code := dispatch(args, e)
	if out.err != nil {
		fmt.Fprintf(e.stderr, "segql: writing standard output: %v\n", out.err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// dispatch runs the command args names with the streams of e.
func dispatch(args []string, e *env) int {
	stdout, stderr := e.stdout, e.stderr
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelp(args[0]) && args[0] != "--version") {
		return e.repl(args)
	}
	switch args[0] {
	case "repl":
		return e.repl(args[1:])
	case "eval":
		return e.eval(args[1:])
	case "gen":
		return e.gen(args[1:])
	case "fmt":
		return e.fmt(args[1:])
	case "check":
		return e.check(args[1:])
	case "sizes":
		return e.sizes(args[1:])
	case "diff":
		return e.diff(args[1:])
	case "profile":
		return e.profile(args[1:])
	case "overlap":
		return e.overlap(args[1:])
	case "cluster":
		return e.cluster(args[1:])
	case "split":
		return e.split(args[1:])
	case "export":
		return e.export(args[1:])
	case "sql":
		return e.sqlCmd(args[1:])
	case "schema":
		return e.schemaCmd(args[1:])
	case "serve":
		return e.serve(args[1:])
	case "version", "--version":
		fmt.Fprintln(stdout, version())
		return 0
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	hint := diag.DidYouMean(args[0], commandNames)
	if hint != "" {
		hint = "; " + hint
	}
	fmt.Fprintf(stderr, "segql: unknown command %q%s\n\n%s", args[0], hint, usage)
	return 2
}

func isHelp(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

// commandNames are the subcommands, for "did you mean".
var commandNames = []string{"repl", "eval", "gen", "fmt", "check", "schema", "sql", "sizes", "diff", "profile", "overlap", "cluster", "split", "export", "serve", "version", "help"}

// choice is a flag that takes one of a fixed set of values; any other is
// a usage error (exit 2) that names them.
type choice struct {
	v       *string
	allowed []string
}

func (c choice) String() string {
	if c.v == nil {
		return ""
	}
	return *c.v
}

func (c choice) Set(s string) error {
	if slices.Contains(c.allowed, s) {
		*c.v = s
		return nil
	}
	return fmt.Errorf("%q is not one of %s", s, strings.Join(c.allowed, ", "))
}

// choiceVar defines a choice flag with a default.
func choiceVar(fs *flag.FlagSet, p *string, name, def, usage string, allowed ...string) {
	*p = def
	fs.Var(choice{p, allowed}, name, usage)
}
