package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/segql/segql/columnar"
)

func (e *env) gen(args []string) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	rows := fs.Int("rows", columnar.DemoRows, "number of users")
	seed := fs.Uint64("seed", 1, "random seed (the same seed and anchor give the same table)")
	anchor := fs.String("anchor", columnar.DemoAnchor.Format("2006-01-02"), "the data's today, YYYY-MM-DD or today")
	out := fs.String("out", "", "output file: .parquet, .arrow, .arrows, .csv or .ndjson")
	eventsOut := fs.String("events-out", "", "also write the demo users' events (about 33 per user) to this file")
	outNotO(fs, "gen")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: segql gen [--rows N] [--seed S] [--anchor DATE] --out FILE [--events-out FILE]\n\nWrites the demo users table and, with --events-out, their events (consistent with the\nusers' behavioral columns: purchases_30d = count(purchase within 30d), …).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage(err)
	}
	if *out == "" || len(pos) > 0 || *rows <= 0 {
		fs.Usage()
		return 2
	}
	opts := columnar.DemoOptions{Rows: *rows, Seed: *seed}
	day, err := (&dataFlags{anchor: *anchor}).demoAnchor()
	if err != nil {
		fmt.Fprintln(e.stderr, "segql gen:", err)
		return 2
	}
	opts.Anchor = day
	for _, f := range []string{*out, *eventsOut} {
		if f != "" && columnar.FormatOf(f) == columnar.FormatUnknown {
			fmt.Fprintf(e.stderr, "segql gen: %s: unknown file type (use .parquet, .arrow, .arrows, .csv or .ndjson)\n", f)
			return 2
		}
	}
	if *eventsOut != "" && sameFile(*eventsOut, *out) {
		fmt.Fprintln(e.stderr, "segql gen: --events-out and --out name the same file")
		return 2
	}
	start := time.Now()
	t := columnar.Demo(opts)
	defer t.Release()
	if err := columnar.WriteFile(*out, t, nil); err != nil {
		fmt.Fprintln(e.stderr, "segql gen:", err)
		return 1
	}
	fmt.Fprintf(e.stderr, "wrote %d users to %s in %s\n", t.NumRows(), *out, time.Since(start).Round(time.Millisecond))
	if *eventsOut == "" {
		return 0
	}
	start = time.Now()
	evs := columnar.DemoEvents(opts)
	defer evs.Release()
	if err := columnar.WriteFile(*eventsOut, evs, nil); err != nil {
		fmt.Fprintln(e.stderr, "segql gen:", err)
		return 1
	}
	fmt.Fprintf(e.stderr, "wrote %d events to %s in %s\n", evs.NumRows(), *eventsOut, time.Since(start).Round(time.Millisecond))
	return 0
}

// sameFile reports two paths that name one file (after cleaning).
func sameFile(a, b string) bool { return filepath.Clean(a) == filepath.Clean(b) }

// version names segql's version and the libraries it was built with.
func version() string {
	v, arrowV := "devel", "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, d := range info.Deps {
			if d.Path == "github.com/apache/arrow-go/v18" {
				arrowV = d.Version
			}
		}
		return fmt.Sprintf("segql %s (%s, arrow-go %s)", v, info.GoVersion, arrowV)
	}
	return "segql " + v
}

// outNotO makes -o on a command that writes a file a usage error that
// names --out: across segql, -o names an output format.
func outNotO(fs *flag.FlagSet, cmd string) {
	fs.Func("o", "(not used: -o names an output format; write files with --out)", func(string) error {
		return fmt.Errorf("%s writes a file: name it with --out FILE (-o names an output format in segql)", cmd)
	})
}
