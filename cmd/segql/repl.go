package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/repl"
)

func (e *env) repl(args []string) int {
	fs := flag.NewFlagSet("repl", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var d dataFlags
	d.register(fs)
	bail := fs.Bool("bail", false, "when reading statements from a pipe, stop at the first error (exit 1)")
	var commands, files, defs stringList
	fs.Var(&commands, "c", "run this statement and exit (repeatable; runs before -f files)")
	fs.Var(&files, "f", "run the statements of this file and exit (repeatable)")
	fs.Var(&defs, "defs", "a .seg file or a directory of them to open first (repeatable)")
	noInit := fs.Bool("no-init", false, "do not run the init file ($XDG_CONFIG_HOME/segql/init) in the interactive shell")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: segql [repl] [--data FILE]... [--defs PATH]... [-c STMT]... [-f FILE]... [--bail]\n\nOpens the interactive shell (on a terminal), or runs the statements read\nfrom standard input, one or more lines each; with -c or -f, runs those and\nexits (stopping at the first error, exit 1).\n\nFlags:\n")
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
	now, err := d.runNow()
	if err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return 2
	}
	ctx := e.context()
	s, code := e.newSession(ctx, &d, repl.Options{Now: now, IDColumn: d.id})
	if s == nil {
		return code
	}
	code = e.openShellDefs(ctx, s, defs)
	if code == 0 {
		code = e.runShell(ctx, s, commands, files, !*noInit, *bail)
	}
	if err := s.Close(); err != nil {
		fmt.Fprintln(e.stderr, "segql: .output:", err)
		code = 1
	}
	return code
}

// newSession opens the shell on the table of --data: a file (loaded),
// a PostgreSQL table (connected), or the demo table.
func (e *env) newSession(ctx context.Context, d *dataFlags, opts repl.Options) (*repl.Session, int) {
	url, remote, err := d.remoteURL()
	if err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return nil, 2
	}
	if remote {
		s, err := repl.NewConnected(ctx, url, opts)
		if err != nil {
			fmt.Fprintln(e.stderr, "segql:", err)
			return nil, 1
		}
		return s, 0
	}
	if d.streamed() {
		ds, err := d.openDataset(ctx)
		if err != nil {
			fmt.Fprintln(e.stderr, "segql:", err)
			return nil, 1
		}
		return repl.NewStreamed(d.tableName(), ds, int64(d.memLimit), opts), 0
	}
	if ds := d.lazyDataset(ctx); ds != nil {
		return repl.NewLazy(d.tableName(), ds, opts), 0
	}
	tbl, err := d.loadNoted(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return nil, 1
	}
	if len(d.data) == 0 && e.interactive() {
		anchor, _ := d.demoAnchor()
		fmt.Fprintf(e.stderr, "the built-in demo table as of %s: now() is that day (--anchor today moves it; --data FILE opens yours)\n", anchor.Format("2006-01-02"))
	}
	s := repl.New(d.tableName(), tbl, opts)
	warning, err := s.AttachEvents(func(eng *engine.Engine, t *columnar.Table) (func(), string, error) {
		return d.attachEvents(ctx, e, eng, t)
	})
	if err != nil {
		s.Close()
		fmt.Fprintln(e.stderr, "segql:", err)
		return nil, 1
	}
	if warning != "" {
		fmt.Fprintln(e.stderr, "segql: warning:", warning)
	}
	return s, 0
}

// tableName is the shell's name for the table of the flags: its first
// data path's base name, or users.
func (d *dataFlags) tableName() string {
	if len(d.data) == 0 {
		return "users"
	}
	return columnar.TableName(d.data[0])
}

// lazyMinRows is the size from which the shell reads a Parquet table's
// columns on first use rather than loading it whole at the start (a
// smaller table loads in about a second).
var lazyMinRows int64 = 2_000_000

// lazyDataset opens --data for a shell whose columns load on first use:
// Parquet files of at least lazyMinRows rows, without events. It is nil
// otherwise (the caller loads the data whole, and reports any problem).
func (d *dataFlags) lazyDataset(ctx context.Context) *columnar.Dataset {
	if len(d.data) == 0 || len(d.events.files) > 0 {
		return nil
	}
	ds, err := columnar.OpenDataset(ctx, d.data, columnar.LoadOptions{})
	if err != nil {
		return nil
	}
	if ds.NumRows() < lazyMinRows {
		ds.Close()
		return nil
	}
	return ds
}

// interactive reports whether both standard input and output are terminals.
func (e *env) interactive() bool {
	f, ok := e.stdin.(*os.File)
	return ok && e.isTerminal && isTerminal(f)
}

// openShellDefs opens the --defs files in the session.
func (e *env) openShellDefs(ctx context.Context, s *repl.Session, paths []string) int {
	if len(paths) == 0 {
		return 0
	}
	files, err := segFiles(paths)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return 1
	}
	for _, f := range files {
		if _, err := s.Execute(ctx, ".open "+f); err != nil {
			fmt.Fprintln(e.stderr, "segql:", err)
			return 1
		}
	}
	return 0
}

// runShellArgs runs -c statements, then -f files, stopping at the first
// error.
func (e *env) runShellArgs(ctx context.Context, s *repl.Session, commands, files []string) int {
	for _, c := range commands {
		if repl.RunScript(s, strings.NewReader(c), e.stdout, e.stderr, true) > 0 {
			return 1
		}
	}
	for _, f := range files {
		out, err := s.ReadScript(ctx, f)
		fmt.Fprint(e.stdout, out)
		if err != nil {
			fmt.Fprintln(e.stderr, "segql:", err)
			return 1
		}
	}
	return 0
}

// initPath is the interactive shell's init file: $XDG_CONFIG_HOME/segql/init
// (~/.config/segql/init).
func initPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "segql", "init")
}

// runShell runs -c statements and -f files when given, else the
// interactive shell (after the init file, with init) on a terminal, else
// the statements of standard input.
func (e *env) runShell(ctx context.Context, s *repl.Session, commands, files []string, init, bail bool) int {
	switch {
	case len(commands) > 0 || len(files) > 0:
		return e.runShellArgs(ctx, s, commands, files)
	case e.interactive():
		if path := initPath(); init && path != "" {
			if _, err := os.Stat(path); err == nil {
				out, err := s.ReadScript(ctx, path)
				fmt.Fprint(e.stdout, out)
				if err != nil {
					fmt.Fprintln(e.stderr, "segql: init file:", err)
				}
			}
		}
		if err := repl.RunTerminal(s, e.stdout, e.stderr); err != nil {
			fmt.Fprintln(e.stderr, "segql:", err)
			return 1
		}
		return 0
	case repl.RunScript(s, e.stdin, e.stdout, e.stderr, bail) > 0:
		return 1
	}
	return 0
}
