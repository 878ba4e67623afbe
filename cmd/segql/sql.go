package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/sqlgen"
)

const sqlUsage = `Usage: segql sql [--dialect D] [--data FILE | --schema FILE] [--table T] [--id COL]
                 [--defs PATH]... [--now TIME] [-o ids|count|sizes|where] EXPR|NAME...

Prints SQL that selects the same members in a warehouse: for each
expression (or name of a segment in --defs) the query listing the ids
(-o ids), counting them (-o count), or the bare condition (-o where); with
-o sizes, one query returning every segment's size in one pass (all of
--defs when no names are given). now() is bound to --now (default: the
current time) as a literal. Dialects: %s.

Flags:
`

func (e *env) sqlCmd(args []string) int {
	fs := flag.NewFlagSet("sql", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dialect := fs.String("dialect", "duckdb", "the SQL dialect: "+strings.Join(sqlgen.Names(), ", "))
	data := fs.String("data", "", "take the schema from this data file (rows are not loaded)")
	schemaFile := fs.String("schema", "", "a data file, or a schema file (NAME"+columnar.SchemaFileSuffix+", from segql schema)")
	table := fs.String("table", "users", "the table to query; dots separate a schema (analytics.users)")
	id := fs.String("id", "", "the id column (default: user_id or id)")
	now := fs.String("now", "", "bind now() to this time (RFC 3339 or a date; default: the current time)")
	var defs stringList
	fs.Var(&defs, "defs", "a .seg file or a directory of them; repeat for several")
	var ev eventFlags
	ev.register(fs)
	eventsTable := fs.String("events-table", "events", "the events table to query; dots separate a schema")
	format := new(string)
	choiceVar(fs, format, "o", "ids", "output: ids, count, sizes or where", "ids", "count", "sizes", "where")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, sqlUsage, strings.Join(sqlgen.Names(), ", "))
		fs.PrintDefaults()
	}
	exprs, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage(err)
	}
	d, err := sqlgen.Lookup(*dialect)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql sql:", err)
		return 2
	}
	at, err := (&dataFlags{now: *now}).nowTime()
	if err != nil {
		fmt.Fprintln(e.stderr, "segql sql:", err)
		return 2
	}
	if at.IsZero() {
		at = time.Now()
	}
	if len(exprs) == 0 && (*format != "sizes" || len(defs) == 0) {
		fs.Usage()
		return 2
	}
	schema, ok := e.sqlSchema("segql sql", *schemaFile, *data)
	if !ok {
		return 1
	}
	var files []catalog.File
	if len(defs) > 0 {
		if files, err = readDefs(e.context(), defs); err != nil {
			fmt.Fprintln(e.stderr, "segql sql:", err)
			return 1
		}
	}
	eng := engine.OpenSchema(schema)
	if !e.sqlEvents(eng, &ev, *schemaFile == "" && *data == "") {
		return 1
	}
	cat, err := catalog.Load(eng, files)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	idCol, err := sqlIDColumn(schema, *id)
	if err != nil && *format == "ids" {
		fmt.Fprintln(e.stderr, "segql sql:", err)
		return 2
	}
	items := sqlItems(cat, exprs)
	opts := sqlgen.Options{Now: at, Table: strings.Split(*table, "."), Segments: cat.Checked(),
		Events: &sqlgen.EventOptions{Table: strings.Split(*eventsTable, ".")}}
	if *format == "sizes" {
		return e.printSizes(eng.CompileSQL(items, d, opts))
	}
	for _, it := range items {
		if len(items) > 1 {
			fmt.Fprintf(e.stdout, "-- %s\n", it.Name)
		}
		if code := e.printOne(eng, it, d, opts, *format, idCol); code != 0 {
			return code
		}
	}
	return 0
}

// sqlEvents attaches the events table's schema to eng: the --events
// file's, or with the demo table the demo events'.
func (e *env) sqlEvents(eng *engine.Engine, ev *eventFlags, demo bool) bool {
	opts := engine.EventOptions{User: ev.user, Name: ev.name, Time: ev.time}
	noRows := func(context.Context) (*columnar.Table, error) {
		return nil, errors.New("segql sql reads schemas only")
	}
	schema, names := columnar.DemoEventsSchema, columnar.DemoEventNames
	switch {
	case len(ev.files) > 0:
		s, err := columnar.ReadSchema(ev.files[0])
		if err != nil {
			fmt.Fprintln(e.stderr, "segql sql: --events:", err)
			return false
		}
		schema, names = s, nil
	case !demo:
		return true
	}
	id, err := sqlIDColumn(eng.ArrowSchema(), "")
	if err == nil {
		err = eng.AttachEventsLazily(schema, names, id, opts, noRows)
	}
	if err != nil {
		fmt.Fprintln(e.stderr, "segql sql: --events:", err)
		return false
	}
	return true
}

// sqlSchema is the schema of --schema or --data, or the demo table's
// (said on stderr).
func (e *env) sqlSchema(cmd, schemaFile, data string) (*arrow.Schema, bool) {
	if schemaFile == "" {
		schemaFile = data
	}
	if schemaFile == "" {
		fmt.Fprintln(e.stderr, cmd+": for the built-in demo table's schema (--data FILE or --schema FILE"+columnar.SchemaFileSuffix+" for yours)")
		return columnar.DemoSchema, true
	}
	s, err := columnar.ReadSchema(schemaFile)
	if err != nil {
		fmt.Fprintln(e.stderr, cmd+":", err)
		return nil, false
	}
	return s, true
}

// sqlItems labels each argument: a segment's name stays its label (and
// compiles as a reference to it); an expression is labelled by its text.
func sqlItems(cat *catalog.Catalog, args []string) []engine.SQLExpr {
	if len(args) == 0 {
		for _, d := range cat.Definitions() {
			args = append(args, d.Name)
		}
	}
	out := make([]engine.SQLExpr, len(args))
	for i, a := range args {
		out[i] = engine.SQLExpr{Name: a, Src: a}
		if _, ok := cat.Definition(a); ok {
			out[i].Src = printer.Name(a)
		}
	}
	return out
}

func sqlIDColumn(s *arrow.Schema, id string) (string, error) {
	if id != "" {
		if len(s.FieldIndices(id)) == 0 {
			return "", fmt.Errorf("no column %q for --id", id)
		}
		return id, nil
	}
	for _, c := range []string{"user_id", "id"} {
		if len(s.FieldIndices(c)) > 0 {
			return c, nil
		}
	}
	return "", errors.New("no user_id or id column: name the id column with --id")
}

func (e *env) printOne(eng *engine.Engine, it engine.SQLExpr, d sqlgen.Dialect, opts sqlgen.Options, format, idCol string) int {
	q, err := eng.CompileSQL([]engine.SQLExpr{it}, d, opts)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	var s string
	switch format {
	case "count":
		s = q.Count()
	case "where":
		if !q.Standalone() {
			fmt.Fprintf(e.stderr, "segql sql: %s ranks the whole table (percent_rank, ntile or a score): its condition needs the window columns of a full query (-o ids or -o count)\n", it.Name)
			return 1
		}
		s = q.Where(0)
	default:
		if s, err = q.Members(idCol); err != nil {
			fmt.Fprintln(e.stderr, err)
			return 1
		}
	}
	fmt.Fprintln(e.stdout, s+terminator(format))
	return 0
}

func terminator(format string) string {
	if format == "where" {
		return ""
	}
	return ";"
}

func (e *env) printSizes(q *sqlgen.Query, err error) int {
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	s, err := q.Sizes()
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	fmt.Fprintln(e.stdout, s+";")
	return 0
}
