package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/diag"
)

func (e *env) check(args []string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	data := fs.String("data", "", "check against this data file's schema (read from its metadata, rows not loaded)")
	schema := fs.String("schema", "", "a data file, or a schema file (NAME"+columnar.SchemaFileSuffix+", from segql schema)")
	asJSON := fs.Bool("json", false, "print diagnostics as a JSON array (for CI annotations)")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: segql check [--data FILE | --schema FILE] [--json] PATH...\n\nParses and type-checks every definition against the table's schema (default: the demo table's,\nsaid on stderr). Prints file:line:col: message lines; exits 1 on any error.\n\nFlags:\n")
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
	s := columnar.DemoSchema
	if *schema != "" {
		if s, err = columnar.ReadSchema(*schema); err != nil {
			fmt.Fprintln(e.stderr, "segql check:", err)
			return 1
		}
	} else {
		fmt.Fprintln(e.stderr, "segql check: checked against the built-in demo table's schema (--data FILE or --schema FILE"+columnar.SchemaFileSuffix+" for yours)")
	}
	files, err := readDefs(e.context(), paths)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql check:", err)
		return 1
	}
	return e.report(checkFiles(s, files), *asJSON)
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
func (e *env) report(fs []finding, asJSON bool) int {
	code := 0
	for _, f := range fs {
		if f.Severity == "error" {
			code = 1
		}
	}
	if asJSON {
		if fs == nil {
			fs = []finding{}
		}
		b, _ := json.MarshalIndent(fs, "", "  ")
		fmt.Fprintln(e.stdout, string(b))
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
