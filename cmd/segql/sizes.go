package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/output"
)

// catalogFlags adds --defs to the data flags.
type catalogFlags struct {
	dataFlags
	defs stringList
	// named holds the .seg files the user named (openCatalog fills it);
	// the catalog also holds the other files of their directories.
	named map[string]bool
}

func (c *catalogFlags) register(fs *flag.FlagSet) {
	c.dataFlags.register(fs)
	fs.Var(&c.defs, "defs", "a .seg file or a directory of them; repeat for several")
}

// open loads the table and the catalog; the caller releases the table.
func (e *env) openCatalog(ctx context.Context, c *catalogFlags) (*catalog.Catalog, func(), bool) {
	eng, release, err := c.openEngine(ctx, e)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql:", err)
		return nil, nil, false
	}
	files, named, err := readDefSet(ctx, c.defs, nil)
	c.named = named
	if err != nil {
		release()
		fmt.Fprintln(e.stderr, "segql:", err)
		return nil, nil, false
	}
	cat, err := catalog.Load(eng, files)
	if err != nil {
		release()
		fmt.Fprintln(e.stderr, err)
		return nil, nil, false
	}
	return cat, release, true
}

func (e *env) sizes(args []string) int {
	fs := flag.NewFlagSet("sizes", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var c catalogFlags
	c.register(fs)
	format := new(string)
	choiceVar(fs, format, "o", "table", "output: table or json", "table", "json")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: segql sizes --defs PATH... [--data FILE]\n\nPrints every segment with its description, size and share of the base,\nevaluating each segment once.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage(err)
	}
	c.defs = append(c.defs, pos...)
	if len(c.defs) == 0 {
		fs.Usage()
		return 2
	}
	if url, ok, err := c.remoteURL(); err != nil {
		fmt.Fprintln(e.stderr, "segql sizes:", err)
		return 2
	} else if ok {
		return e.sizesRemote(url, &c, *format)
	}
	ctx, stop := e.signalContext()
	defer stop()
	now, err := c.runNow()
	if err != nil {
		fmt.Fprintln(e.stderr, "segql sizes:", err)
		return 2
	}
	if c.streamed() {
		return e.sizesStreamed(ctx, &c, *format, now)
	}
	cat, release, ok := e.openCatalog(ctx, &c)
	if !ok {
		return 1
	}
	defer release()
	start := time.Now()
	var runOpts []engine.RunOption
	if !now.IsZero() {
		runOpts = append(runOpts, engine.At(now))
	}
	sizes, err := cat.Sizes(ctx, runOpts...)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql sizes:", err)
		return 1
	}
	sizes = slices.DeleteFunc(sizes, func(s catalog.Size) bool { return !c.named[filepath.Clean(s.File)] })
	if *format == "json" {
		return e.sizesJSON(sizes)
	}
	rows := [][]string{{"segment", "members", "share", "description"}}
	for _, s := range sizes {
		share := 100 * float64(s.Result.Count()) / float64(max(1, s.Result.Total()))
		rows = append(rows, []string{s.Name, output.Thousands(s.Result.Count()), fmt.Sprintf("%.2f%%", share), s.Description})
	}
	output.Columns(e.stdout, rows, []bool{false, true, true, false})
	of := ""
	if len(c.data) == 0 {
		of = " of the built-in demo table (--data FILE for yours)"
	}
	fmt.Fprintf(e.stderr, "%d segments over %s rows%s in %s\n", len(sizes), output.Thousands(cat.Rows()), of, output.Round(time.Since(start)))
	return 0
}

// sizeRow is one segment in sizes -o json.
type sizeRow struct {
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Members     int         `json:"members"`
	Unknown     int         `json:"unknown"`
	Total       int         `json:"total"`
	Deps        []string    `json:"depends_on"`
	Expr        string      `json:"expression"`
	Scan        *scanReport `json:"scan,omitempty"` // streamed (--memory-limit): row groups read and skipped
}

func (e *env) sizesJSON(sizes []catalog.Size) int {
	out := make([]sizeRow, len(sizes))
	for i, s := range sizes {
		out[i] = sizeRow{s.Name, s.Description, s.Result.Count(), s.Result.Unknown(), s.Result.Total(), s.Deps, s.Expr, nil}
	}
	return e.writeSizes(out)
}

func (e *env) writeSizes(out []sizeRow) int {
	for i := range out {
		if out[i].Deps == nil {
			out[i].Deps = []string{}
		}
	}
	return e.writeJSON(out)
}
