package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	osexec "os/exec"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/peterh/liner"
	"golang.org/x/term"
)

// RunTerminal drives a session on an interactive terminal with line
// editing, history (saved between sessions), Ctrl-R search and tab
// completion. Ctrl-C cancels a running statement or clears the line;
// Ctrl-D leaves. It returns when the user quits.
func RunTerminal(s *Session, stdout, stderr io.Writer) error {
	line := liner.NewLiner()
	defer line.Close() // restores the terminal, also on panic
	line.SetCtrlCAborts(true)
	line.SetTabCompletionStyle(liner.TabPrints)
	line.SetWordCompleter(s.Complete)
	if f := terminalFile(stdout); f != nil && s.opts.Width == nil {
		s.opts.Width = func() int {
			w, _, err := term.GetSize(int(f.Fd()))
			if err != nil {
				return 0
			}
			return w
		}
	}
	history := OpenHistory(historyPath())
	entries, err := history.Load()
	if err != nil {
		fmt.Fprintln(stderr, "history:", err)
	}
	for _, e := range entries {
		line.AppendHistory(e)
	}
	fmt.Fprint(stdout, s.Banner())
	var ss Statements
	run := func(stmt string) {
		if strings.TrimSpace(stmt) == "" {
			return
		}
		entry := strings.Join(strings.Fields(stmt), " ")
		line.AppendHistory(entry)
		if err := history.Append(entry); err != nil { // at once: a hang-up loses nothing
			fmt.Fprintln(stderr, "history:", err)
		}
		runStatement(s, stmt, stdout, stderr)
	}
	for !s.Done() {
		prompt := "segql> "
		if ss.Pending() {
			prompt = "   ...> "
		}
		text, err := line.Prompt(prompt)
		switch {
		case errors.Is(err, liner.ErrPromptAborted):
			ss.Reset() // Ctrl-C on a line clears the statement
			continue
		case errors.Is(err, io.EOF):
			if r, pending, ok := ss.Flush(); pending && ok {
				run(r.Text)
			}
			fmt.Fprintln(stdout)
			return nil
		case err != nil:
			return err
		}
		for _, r := range ss.Feed(text) {
			run(r.Text)
			if s.Done() {
				break
			}
		}
	}
	return nil
}

// runStatement executes one statement with a context that Ctrl-C cancels.
func runStatement(s *Session, stmt string, stdout, stderr io.Writer) bool {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	out, err := s.Execute(ctx, stmt)
	if !s.pager || !page(out, stdout) {
		fmt.Fprint(stdout, out)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "cancelled")
		} else {
			fmt.Fprintln(stderr, err)
		}
		return false
	}
	return true
}

// page shows out through $PAGER (default "less -FRX") when stdout is a
// terminal and out is taller than it; it reports whether it did. A pager
// that cannot start leaves the output to be printed as usual.
func page(out string, stdout io.Writer) bool {
	f := terminalFile(stdout)
	if f == nil {
		return false
	}
	_, height, err := term.GetSize(int(f.Fd()))
	if err != nil || strings.Count(out, "\n") < height-1 {
		return false
	}
	pager := os.Getenv("PAGER")
	if pager == "" {
		if _, err := osexec.LookPath("less"); err != nil {
			return false
		}
		pager = "less -FRX"
	}
	cmd := osexec.Command("sh", "-c", pager)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(out), f, os.Stderr
	return cmd.Run() == nil
}

// terminalFile is the terminal w writes to, looking through wrappers that
// have an Unwrap method; nil when w is not a terminal.
func terminalFile(w io.Writer) *os.File {
	for {
		switch x := w.(type) {
		case *os.File:
			if term.IsTerminal(int(x.Fd())) {
				return x
			}
			return nil
		case interface{ Unwrap() io.Writer }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}

// historyPath is $XDG_STATE_HOME/segql/history, else
// ~/.local/state/segql/history.
func historyPath() string {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "segql", "history")
}
