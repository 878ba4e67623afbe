package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/output"
)

// dataFlags are the flags every evaluating command shares.
type dataFlags struct {
	data     stringList
	id       string
	now      string
	demoRows int
	seed     uint64
	anchor   string
	events   eventFlags
	memLimit byteSize
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func (d *dataFlags) register(fs *flag.FlagSet) { d.registerSeed(fs, "seed") }

// registerSeed registers the flags, naming the demo table's seed flag
// seedName (segql cluster keeps --seed for its own).
func (d *dataFlags) registerSeed(fs *flag.FlagSet, seedName string) {
	fs.Var(&d.data, "data", "a data file (.parquet, .arrow, .arrows, .csv, .ndjson), a directory of them or a pattern (quoted: 'dir/*.parquet'), repeated to concatenate, or a PostgreSQL table (postgres://user@host/db?table=T) to run in (default: the demo table)")
	fs.StringVar(&d.id, "id", "", `the id column (default "user_id", else "id")`)
	fs.StringVar(&d.now, "now", "", "the time now() means, RFC 3339 (default: the current time)")
	fs.IntVar(&d.demoRows, "demo-rows", columnar.DemoRows, "rows of the demo table, when no --data is given")
	fs.Uint64Var(&d.seed, seedName, 1, "seed of the demo table")
	d.events.register(fs)
	fs.Var(&d.memLimit, "memory-limit", "stream the --data Parquet files row group by row group, holding about this much memory at a time (for example 2GiB): for data larger than memory; eval, sizes, diff, export, overlap, split and the shell")
	fs.StringVar(&d.anchor, "anchor", columnar.DemoAnchor.Format("2006-01-02"), "the demo table's today, a date or \"today\"; without --now, now() is this day on the demo table, so its sizes do not drift")
}

// demoAnchor is the demo table's today (--anchor).
func (d *dataFlags) demoAnchor() (time.Time, error) {
	if d.anchor == "" {
		return columnar.DemoAnchor, nil
	}
	if d.anchor == "today" {
		return time.Now().UTC().Truncate(24 * time.Hour), nil
	}
	t, err := time.Parse("2006-01-02", d.anchor)
	if err != nil {
		return time.Time{}, fmt.Errorf("--anchor %q is not a date (YYYY-MM-DD) or today", d.anchor)
	}
	return t, nil
}

// runNow is the time now() means for an evaluation: --now, else the
// demo table's anchor on the demo table, else zero (the wall clock).
func (d *dataFlags) runNow() (time.Time, error) {
	now, err := d.nowTime()
	if err != nil || !now.IsZero() || len(d.data) > 0 {
		return now, err
	}
	return d.demoAnchor()
}

// nowTime parses --now; zero means the wall clock.
func (d *dataFlags) nowTime() (time.Time, error) {
	if d.now == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, d.now); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--now %q is not an RFC 3339 time (for example 2026-11-01T00:00:00Z)", d.now)
}

// load returns the table the flags name.
func (d *dataFlags) load(ctx context.Context) (*columnar.Table, error) {
	return d.loadWith(ctx, nil)
}

// loadNoted is load with a note on a terminal when it takes over a
// second: the rows read and their rate for files, the time for the demo.
func (d *dataFlags) loadNoted(ctx context.Context, e *env) (*columnar.Table, error) {
	if len(d.data) == 0 || d.streamed() {
		done := e.slowNote(d.loading())
		defer done()
		return d.load(ctx)
	}
	progress, done := e.progressNote(d.loading())
	defer done()
	return d.loadWith(ctx, progress)
}

// loadWith is load, telling progress of the rows read from files.
func (d *dataFlags) loadWith(ctx context.Context, progress func(rows int64)) (*columnar.Table, error) {
	if d.streamed() {
		return nil, errNotStreamed
	}
	if len(d.data) == 0 {
		anchor, err := d.demoAnchor()
		if err != nil {
			return nil, err
		}
		return columnar.Demo(columnar.DemoOptions{Rows: d.demoRows, Seed: d.seed, Anchor: anchor}), nil
	}
	return columnar.Load(ctx, d.data, columnar.LoadOptions{Progress: progress})
}

// idColumn resolves --id against the table.
func (d *dataFlags) idColumn(t *columnar.Table) (string, error) {
	if d.id != "" {
		if err := engine.CheckIDColumn(t, d.id); err != nil {
			return "", fmt.Errorf("--id: %w", err)
		}
		return d.id, nil
	}
	for _, c := range []string{"user_id", "id"} {
		if t.ColumnIndex(c) >= 0 {
			return c, nil
		}
	}
	return "", fmt.Errorf(`the table has no "user_id" or "id" column: name the id column with --id`)
}

func isTerminal(w any) bool {
	for {
		if u, ok := w.(interface{ Unwrap() io.Writer }); ok {
			w = u.Unwrap()
			continue
		}
		f, ok := w.(interface{ Fd() uintptr })
		return ok && term.IsTerminal(int(f.Fd()))
	}
}

// parseArgs parses flags placed before or after positional arguments
// ("--" ends flag parsing), returning the positional arguments.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// loading says what load is about to do, for a progress note.
func (d *dataFlags) loading() string {
	if len(d.data) == 0 {
		return fmt.Sprintf("generating %s demo users", output.Thousands(d.demoRows))
	}
	return "loading " + strings.Join(d.data, ", ")
}

// progressNote is slowNote for work that counts rows: on a terminal,
// after a second, one line kept up to date with the rows done and their
// rate, then the total and the time. progress may be called from several
// goroutines.
func (e *env) progressNote(what string) (progress func(rows int64), done func()) {
	if !isTerminal(e.stderr) {
		return nil, func() {}
	}
	start := time.Now()
	var mu sync.Mutex
	var rows int64
	var shown, last time.Time
	line := func() string {
		secs := time.Since(start).Seconds()
		return fmt.Sprintf("\r%s: %s rows, %s rows/s\x1b[K", what, output.Thousands(int(rows)), output.Thousands(int(float64(rows)/secs)))
	}
	progress = func(n int64) {
		mu.Lock()
		defer mu.Unlock()
		rows += n
		if time.Since(start) < time.Second || time.Since(last) < 200*time.Millisecond {
			return
		}
		last = time.Now()
		if shown.IsZero() {
			shown = last
		}
		fmt.Fprint(e.stderr, line())
	}
	return progress, func() {
		mu.Lock()
		defer mu.Unlock()
		if !shown.IsZero() {
			fmt.Fprintf(e.stderr, "%s in %s\n", strings.TrimSuffix(line(), "\x1b[K"), output.Round(time.Since(start)))
		}
	}
}

// slowNote prints what on stderr, when it is a terminal and the work takes
// more than a second, and its time when done (the returned func). Pipes
// and files never get it.
func (e *env) slowNote(what string) (done func()) {
	if !isTerminal(e.stderr) {
		return func() {}
	}
	start := time.Now()
	printed := make(chan bool, 1)
	timer := time.AfterFunc(time.Second, func() {
		fmt.Fprintf(e.stderr, "%s…", what)
		printed <- true
	})
	return func() {
		if !timer.Stop() && <-printed {
			fmt.Fprintf(e.stderr, " %s\n", output.Round(time.Since(start)))
		}
	}
}
