package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// dataFlags are the flags every evaluating command shares.
type dataFlags struct {
	data     stringList
	id       string
	now      string
	demoRows int
	seed     uint64
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func (d *dataFlags) register(fs *flag.FlagSet) { d.registerSeed(fs, "seed") }

// registerSeed registers the flags, naming the demo table's seed flag
// seedName (segql cluster keeps --seed for its own).
func (d *dataFlags) registerSeed(fs *flag.FlagSet, seedName string) {
	fs.Var(&d.data, "data", "a data file (.parquet, .arrow, .arrows, .csv, .ndjson), repeated to concatenate, or a PostgreSQL table (postgres://user@host/db?table=T) to run in (default: the demo table)")
	fs.StringVar(&d.id, "id", "", `the id column (default "user_id", else "id")`)
	fs.StringVar(&d.now, "now", "", "the time now() means, RFC 3339 (default: the current time)")
	fs.IntVar(&d.demoRows, "demo-rows", columnar.DemoRows, "rows of the demo table, when no --data is given")
	fs.Uint64Var(&d.seed, seedName, 1, "seed of the demo table")
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
	if len(d.data) == 0 {
		return columnar.Demo(columnar.DemoOptions{Rows: d.demoRows, Seed: d.seed}), nil
	}
	return columnar.Load(ctx, d.data, columnar.LoadOptions{})
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
	f, ok := w.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
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
