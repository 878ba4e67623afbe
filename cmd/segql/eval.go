package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/output"
	"github.com/segql/segql/lang/diag"
)

const evalUsage = `Usage: segql eval [flags] EXPR

Evaluates the segment expression EXPR ("-" reads it from standard input)
and prints its members.

Output formats (-o):
  count   the number of members
  ids     one member id per line
  table   count, share, time and the first members (default on a terminal)
  csv     the members' rows as CSV (default otherwise)
  json    the members' rows as a JSON array

Flags:
`

func (e *env) eval(args []string) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var c catalogFlags
	c.register(fs)
	var pf privacyFlags
	pf.register(fs, true)
	format := fs.String("o", "", "output format: count, ids, table, csv or json")
	limit := fs.Int("limit", 10, "rows shown by -o table")
	fs.Usage = func() { fmt.Fprint(e.stderr, evalUsage); fs.PrintDefaults() }
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage(err)
	}
	if len(pos) != 1 {
		fmt.Fprintln(e.stderr, "segql eval: give exactly one expression (quote it), or - to read it from standard input")
		return 2
	}
	if *format == "" {
		*format = map[bool]string{true: "table", false: "csv"}[e.isTerminal]
	}
	switch *format {
	case "count", "ids", "table", "csv", "json":
	default:
		fmt.Fprintf(e.stderr, "segql eval: unknown output format %q (use count, ids, table, csv or json)\n", *format)
		return 2
	}
	src, err := e.expression(pos[0])
	if err != nil {
		fmt.Fprintln(e.stderr, "segql eval:", err)
		return 1
	}
	return e.runEval(&c, src, *format, *limit, pf.privacy())
}

func exitUsage(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// expression returns the argument, or standard input for "-".
func (e *env) expression(arg string) (string, error) {
	if arg != "-" {
		return arg, nil
	}
	b, err := io.ReadAll(io.LimitReader(e.stdin, 16<<20))
	if err != nil {
		return "", fmt.Errorf("reading the expression from standard input: %w", err)
	}
	return string(b), nil
}

func (e *env) runEval(cf *catalogFlags, src, format string, limit int, pv analytics.Privacy) int {
	d := &cf.dataFlags
	if url, ok, err := d.remoteURL(); err != nil {
		fmt.Fprintln(e.stderr, "segql eval:", err)
		return 2
	} else if ok {
		return e.evalRemote(url, cf, src, format, limit, pv)
	}
	ctx, stop := e.signalContext()
	defer stop()
	now, err := d.runNow()
	if err != nil {
		fmt.Fprintln(e.stderr, "segql eval:", err)
		return 2
	}
	if d.streamed() {
		return e.evalStreamed(ctx, cf, src, format, limit, pv, now)
	}
	if ds := d.lazyDataset(ctx); ds != nil {
		// A large Parquet table: stream it, reading only the columns the
		// expression needs, unless the expression needs the whole table.
		code, fallback := e.evalLazily(ctx, cf, ds, src, format, limit, pv, now)
		if !fallback {
			return code
		}
	}
	var opts []engine.Option
	if !now.IsZero() {
		opts = append(opts, engine.WithNow(now))
	}
	var q *engine.Query
	if len(cf.defs) > 0 {
		cat, release, ok := e.openCatalog(ctx, cf)
		if !ok {
			return 1
		}
		defer release()
		q, err = cat.Compile(src, opts...)
	} else {
		eng, release, lerr := d.openEngine(ctx, e)
		if lerr != nil {
			fmt.Fprintln(e.stderr, "segql:", lerr)
			return 1
		}
		defer release()
		q, err = eng.Compile(src, opts...)
	}
	if err != nil {
		e.printError(err)
		return 1
	}
	e.printWarnings(src, q.Warnings)
	res, err := q.Run(ctx)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql eval:", err)
		return 1
	}
	if err := e.printResult(res, q, d, format, limit, pv); err != nil {
		return e.fail("eval", err)
	}
	return 0
}

// printWarnings prints an expression's warnings with their carets.
func (e *env) printWarnings(src string, warnings []diag.Diagnostic) {
	for _, w := range warnings {
		l := &diag.List{Src: diag.Source{Text: src}, Items: []diag.Diagnostic{w}}
		fmt.Fprintln(e.stderr, l.Error())
	}
}

func (e *env) printError(err error) {
	fmt.Fprintln(e.stderr, err.Error())
}

// printResult writes res in format, through the privacy guard pv for
// every format that shows members (all but count).
func (e *env) printResult(res *engine.Result, q *engine.Query, d *dataFlags, format string, limit int, pv analytics.Privacy) error {
	switch format {
	case "count":
		if err := pv.Validate(res.Table()); err != nil {
			return err
		}
		_, err := fmt.Fprintln(e.stdout, res.Count())
		return err
	case "ids":
		id, err := d.idColumn(res.Table())
		if err != nil {
			return err
		}
		if _, withheld, err := pv.Members(res.Table(), res.Count(), []string{id}); err != nil {
			return err
		} else if len(withheld) > 0 {
			return fmt.Errorf("the id column %q is %w (--allow-pii)", id, analytics.ErrPersonalData)
		}
		ids, nulls, err := res.MemberIDs(id, -1)
		if err != nil {
			return err
		}
		if nulls > 0 {
			fmt.Fprintf(e.stderr, "warning: %s members have a null %s and are not listed\n", output.Thousands(nulls), id)
		}
		return output.IDs(e.stdout, ids)
	case "table":
		return e.printTable(res, q, d, limit, pv)
	}
	shown, withheld, err := pv.Members(res.Table(), res.Count(), nil)
	if err != nil {
		return err
	}
	e.noteWithheld(withheld)
	rec, err := res.Rows(shown, -1, nil)
	if err != nil {
		return err
	}
	defer rec.Release()
	if format == "csv" {
		return output.CSV(e.stdout, []arrow.RecordBatch{rec})
	}
	return output.JSON(e.stdout, []arrow.RecordBatch{rec})
}

// printTable shows the summary and the first members with the id column
// and the columns the expression reads.
func (e *env) printTable(res *engine.Result, q *engine.Query, d *dataFlags, limit int, pv analytics.Privacy) error {
	fmt.Fprintln(e.stdout, output.Summary(res.Count(), res.Total(), res.Elapsed))
	if res.Count() == 0 || limit == 0 {
		return nil
	}
	var cols []string
	if id, err := d.idColumn(res.Table()); err == nil {
		cols = append(cols, id)
	}
	for _, c := range q.Columns() {
		if len(cols) < 8 && (len(cols) == 0 || c != cols[0]) {
			cols = append(cols, c)
		}
	}
	cols, withheld, err := pv.Members(res.Table(), res.Count(), cols)
	if err != nil {
		return err
	}
	e.noteWithheld(withheld)
	rec, err := res.Rows(cols, limit, nil)
	if err != nil {
		return err
	}
	defer rec.Release()
	fmt.Fprintln(e.stdout)
	return output.Table(e.stdout, rec)
}

// noteWithheld says which personal-data columns an output left out.
func (e *env) noteWithheld(cols []string) {
	if len(cols) > 0 {
		fmt.Fprintf(e.stderr, "left out personal data: %s (--allow-pii to include)\n", strings.Join(cols, ", "))
	}
}
