package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/sqlgen"
	"github.com/segql/segql/warehouse"
)

func (e *env) check(args []string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	data := fs.String("data", "", "check against this data file's schema (read from its metadata, rows not loaded)")
	schema := fs.String("schema", "", "a data file, or a schema file (NAME"+columnar.SchemaFileSuffix+", from segql schema)")
	format := new(string)
	choiceVar(fs, format, "format", "text", "output: text (file:line:col: message), json, or github (annotations for GitHub Actions)", "text", "json", "github")
	asJSON := fs.Bool("json", false, "the same as --format json")
	var defs stringList
	fs.Var(&defs, "defs", "more definitions the checked files may reference (a .seg file or a directory; repeat for several)")
	var dialects commaList
	fs.Var(&dialects, "dialect", "also report what these SQL dialects cannot run (comma-separated, or all): "+strings.Join(sqlgen.Names(), ", "))
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: segql check [--data FILE|URL | --schema FILE] [--defs PATH]... [--dialect D,...] [--format F] PATH...\n\nParses and type-checks every definition against the table's schema (default: the demo table's,\nsaid on stderr). A file is checked with the other .seg files of its directory (and --defs),\nso references between files resolve. With --dialect, also compiles each definition to those\nSQL dialects and reports the constructs one cannot run. Prints file:line:col: message lines;\nexits 1 on any error.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	paths, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage(err)
	}
	if len(paths) == 0 {
		fs.Usage()
		return 2
	}
	if *schema == "" {
		schema = data
	}
	ds, err := lookupDialects(dialects)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql check:", err)
		return 2
	}
	s := columnar.DemoSchema
	if warehouse.IsURL(*schema) {
		if s, err = remoteSchema(e.context(), *schema); err != nil {
			fmt.Fprintln(e.stderr, "segql check:", err)
			return 1
		}
	} else if *schema != "" {
		if s, err = columnar.ReadSchema(*schema); err != nil {
			fmt.Fprintln(e.stderr, "segql check:", err)
			return 1
		}
	} else {
		fmt.Fprintln(e.stderr, "segql check: checked against the built-in demo table's schema (--data FILE or --schema FILE"+columnar.SchemaFileSuffix+" for yours)")
	}
	files, named, err := readDefSet(e.context(), paths, defs)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql check:", err)
		return 1
	}
	found := checkSet(s, files, named)
	if !hasErrors(found) {
		found = append(found, dialectFindings(s, files, ds)...)
	}
	if *asJSON {
		*format = "json"
	}
	return e.report(found, *format)
}

// checkSet checks files together and returns the findings in the named
// ones. A context file with errors of its own is left out and the set
// checked again, so its errors neither hide the named files' warnings
// nor fail their check.
func checkSet(s *arrow.Schema, files []catalog.File, named map[string]bool) []finding {
	found := checkFiles(s, files)
	broken := map[string]bool{}
	for _, f := range found {
		if f.Severity == "error" && !named[filepath.Clean(f.File)] {
			broken[f.File] = true
		}
	}
	if len(broken) > 0 {
		found = checkFiles(s, slices.DeleteFunc(slices.Clone(files), func(f catalog.File) bool { return broken[f.Name] }))
	}
	return slices.DeleteFunc(found, func(f finding) bool { return !named[filepath.Clean(f.File)] })
}

func hasErrors(fs []finding) bool {
	for _, f := range fs {
		if f.Severity == "error" {
			return true
		}
	}
	return false
}

// lookupDialects resolves --dialect names ("all": every dialect).
func lookupDialects(names []string) ([]sqlgen.Dialect, error) {
	if slices.Contains(names, "all") {
		names = sqlgen.Names()
	}
	var out []sqlgen.Dialect
	for _, n := range names {
		d, err := sqlgen.Lookup(n)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// remoteSchema reads a PostgreSQL table's schema as segql sees it.
func remoteSchema(ctx context.Context, url string) (*arrow.Schema, error) {
	src, err := warehouse.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	defer src.Close(context.Background())
	return src.Schema(), nil
}

// dialectFindings compiles every definition for each dialect and reports
// each construct one cannot express, once, where it is written.
func dialectFindings(s *arrow.Schema, files []catalog.File, ds []sqlgen.Dialect) []finding {
	if len(ds) == 0 {
		return nil
	}
	eng := engine.OpenSchema(s)
	cat, err := catalog.Load(eng, files)
	if err != nil {
		return nil // reported by checkFiles
	}
	var out []finding
	seen := map[string]bool{}
	for _, d := range ds {
		for _, def := range cat.Definitions() {
			_, err := eng.CompileSQL(sqlItems(cat, []string{def.Name}), d, sqlgen.Options{Segments: cat.Checked()})
			f, ok := dialectFinding(err)
			if key := fmt.Sprint(f); ok && !seen[key] {
				seen[key] = true
				out = append(out, f)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b finding) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return out
}

// dialectFinding is a *sqlgen.Error as a finding at its position.
func dialectFinding(err error) (finding, bool) {
	var se *sqlgen.Error
	if !errors.As(err, &se) {
		return finding{}, false
	}
	line, col := se.Src.LineCol(se.Span.Pos)
	msg := fmt.Sprintf("%s cannot be expressed in %s SQL", se.Construct, se.Dialect)
	return finding{File: se.Src.Name, Line: line, Column: col, Severity: "error", Message: msg, Hint: se.Reason}, true
}

// finding is one diagnostic for output.
type finding struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Hint     string `json:"hint,omitempty"`
}

func checkFiles(s *arrow.Schema, files []catalog.File) []finding {
	cat, err := catalog.Load(engine.OpenSchema(s), files)
	var out []finding
	add := func(src diag.Source, d diag.Diagnostic) {
		line, col := src.LineCol(d.Pos)
		sev := "error"
		if d.Severity == diag.Warning {
			sev = "warning"
		}
		out = append(out, finding{File: src.Name, Line: line, Column: col, Severity: sev, Message: d.Msg, Hint: d.Hint})
	}
	var errs catalog.Errors
	if errors.As(err, &errs) {
		for _, d := range errs.Diagnostics() {
			add(d.Src, d.Diagnostic)
		}
		return out
	}
	if cat != nil {
		for _, w := range cat.Warnings() {
			add(w.Src, w.Diagnostic)
		}
	}
	return out
}

// report prints findings and returns the exit status.
func (e *env) report(fs []finding, format string) int {
	code := 0
	for _, f := range fs {
		if f.Severity == "error" {
			code = 1
		}
	}
	switch format {
	case "json":
		if fs == nil {
			fs = []finding{}
		}
		return max(code, e.writeJSON(fs))
	case "github":
		var b strings.Builder
		for _, f := range fs {
			msg := f.Message
			if f.Hint != "" {
				msg += " (" + f.Hint + ")"
			}
			b.WriteString(githubCommand(f.Severity, position{f.File, f.Line, f.Column}, "segql check", msg))
		}
		if _, err := io.WriteString(e.stdout, b.String()); err != nil {
			return 1
		}
		return code
	}
	for _, f := range fs {
		msg := f.Message
		if f.Severity == "warning" {
			msg = "warning: " + msg
		}
		if f.Hint != "" {
			msg += " (" + f.Hint + ")"
		}
		fmt.Fprintf(e.stdout, "%s:%d:%d: %s\n", f.File, f.Line, f.Column, msg)
	}
	return code
}

// schemaCmd prints a data file's schema as a schema file, for check
// --schema in CI without data.
func (e *env) schemaCmd(args []string) int {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	data := fs.String("data", "", "the data file whose schema to print (rows are not loaded)")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: segql schema --data FILE > users"+columnar.SchemaFileSuffix+"\n\nPrints the table's columns as a schema file, which check --schema reads\n(so CI can check definitions without data).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage(err)
	}
	if *data == "" || len(pos) > 0 {
		fs.Usage()
		return 2
	}
	s, err := columnar.ReadSchema(*data)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql schema:", err)
		return 1
	}
	b, err := columnar.SchemaJSON(s)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql schema:", err)
		return 1
	}
	_, err = e.stdout.Write(b)
	return exitOn(err)
}

func exitOn(err error) int {
	if err != nil {
		return 1
	}
	return 0
}
