package repl

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/atomicfile"
	"github.com/segql/segql/internal/output"
	"github.com/segql/segql/internal/textfile"
	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/syntax"
)

type arrowRecord = arrow.RecordBatch

// commandHelp lists the dot commands; the map's keys are also what tab
// completion offers.
var commandHelp = map[string]string{
	".help":     ".help                          this help",
	".load":     ".load FILE [as NAME|events]    load a table (Parquet, Arrow, CSV, NDJSON) and switch to it; as events: the current table's events",
	".connect":  ".connect URL [as NAME]         a PostgreSQL table (postgres://…?table=T): expressions run there",
	".tables":   ".tables                        list loaded tables (* marks the current one)",
	".use":      ".use NAME                      switch to a loaded table",
	".schema":   ".schema [COLUMN]               columns: type, nulls, distinct values, range or top values",
	".values":   ".values COLUMN [N]             the N most common values of a string column, with counts",
	".segments": ".segments                      segments defined in this session",
	".open":     ".open FILE.seg|DIR             define the segments of a file, or of every .seg file under a directory",
	".read":     ".read FILE                     run the statements of a file (stops at the first error)",
	".save":     ".save FILE.seg                 write this session's segments, formatted",
	".count":    ".count EXPR                    just the size of a segment",
	".show":     ".show EXPR [limit N] [COLUMN...] members with chosen columns",
	".explain":  ".explain EXPR                  each step with estimated and observed selectivity and time",
	".why":      ".why ID EXPR                   why one user is in or out: every clause with its values",
	".timer":    ".timer on|off                  show every statement's run time (on the screen, never in .output files)",
	".mode":     ".mode table|csv|json|ids|markdown|line  how results are printed",
	".pager":    ".pager on|off                  long results through $PAGER (default less -FRX) on a terminal",
	".headers":  ".headers on|off                header lines in csv output and tables",
	".maxwidth": ".maxwidth N|0|auto             widest table line (0: no limit; auto: the terminal's width)",
	".output":   ".output [FILE]                 send results to a file (none: back to the screen)",
	".now":      ".now [TIME|wall]               fix now() (RFC 3339 or YYYY-MM-DD), or follow the clock",
	".quit":     ".quit                          leave (Ctrl-D too)",
}

func helpText() string {
	keys := make([]string, 0, len(commandHelp))
	for k := range commandHelp {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("Type a segment expression to size it, for example:\n    age between 25 and 54 and country in (\"DE\", \"FR\")\n")
	b.WriteString("Define a named segment with:  segment NAME = EXPR\n\nCommands:\n")
	for _, k := range keys {
		b.WriteString("  " + commandHelp[k] + "\n")
	}
	b.WriteString("\nInput continues on the next line while a parenthesis or quote is open, after a\ntrailing operator, and over the indented lines of a definition ending in '='.\nCtrl-C cancels a running statement or clears the line; Ctrl-D leaves.\n")
	return b.String()
}

// command runs a dot command.
func (s *Session) command(ctx context.Context, stmt string) (string, error) {
	name, arg, _ := strings.Cut(stmt, " ")
	arg = strings.TrimSpace(arg)
	name = strings.ToLower(name)
	if err := s.inWarehouse(name); err != nil {
		return "", err
	}
	if err := s.whenStreamed(ctx, name); err != nil {
		return "", err
	}
	switch name {
	case ".connect":
		return s.needArg(arg, name, func() (string, error) { return s.connect(ctx, arg) })
	case ".help":
		return helpText(), nil
	case ".quit", ".exit":
		s.quit = true
		return "", nil
	case ".load":
		return s.load(ctx, arg)
	case ".tables":
		return s.listTables(), nil
	case ".use":
		return s.useTable(arg)
	case ".schema":
		return s.schema(arg)
	case ".segments":
		return s.listSegments(), nil
	case ".values":
		return s.values(arg)
	case ".open":
		return s.openDefs(ctx, arg)
	case ".read":
		return s.needArg(arg, name, func() (string, error) { return s.ReadScript(ctx, arg) })
	case ".save":
		return s.saveDefs(arg)
	case ".count":
		return s.needArg(arg, name, func() (string, error) { return s.evaluate(ctx, arg, "count") })
	case ".show":
		return s.needArg(arg, name, func() (string, error) { return s.show(ctx, arg) })
	case ".explain":
		return s.needArg(arg, name, func() (string, error) { return s.explain(ctx, arg) })
	case ".why":
		return s.needArg(arg, name, func() (string, error) { return s.why(arg) })
	}
	if out, err, ok := s.analytics(ctx, name, arg); ok {
		return out, err
	}
	return s.setting(name, arg)
}

// setting runs the commands that change how results are shown.
func (s *Session) setting(name, arg string) (string, error) {
	switch name {
	case ".timer":
		return onOff(name, arg, &s.timer)
	case ".mode":
		switch arg {
		case "table", "csv", "json", "ids", "markdown", "line":
			s.mode = arg
			return "", nil
		}
		return "", fmt.Errorf(".mode takes table, csv, json, ids, markdown or line, not %q", arg)
	case ".headers":
		return onOff(name, arg, &s.headers)
	case ".pager":
		return onOff(name, arg, &s.pager)
	case ".maxwidth":
		return s.setMaxWidth(arg)
	case ".output":
		return s.output(arg)
	case ".now":
		return s.setNow(arg)
	}
	keys := make([]string, 0, len(commandHelp))
	for k := range commandHelp {
		keys = append(keys, k)
	}
	if hint := diag.DidYouMean(name, keys); hint != "" {
		return "", fmt.Errorf("unknown command %s; %s", diag.Quote(name), hint)
	}
	return "", fmt.Errorf("unknown command %s; .help lists them", diag.Quote(name))
}

func (s *Session) needArg(arg, name string, f func() (string, error)) (string, error) {
	if arg == "" {
		return "", fmt.Errorf("%s needs an argument: %s", name, strings.TrimSpace(commandHelp[name]))
	}
	return f()
}

func (s *Session) load(ctx context.Context, arg string) (string, error) {
	fields := strings.Fields(arg)
	if len(fields) == 0 || (len(fields) != 1 && (len(fields) != 3 || fields[1] != "as")) {
		return "", errors.New("usage: .load FILE [as NAME]")
	}
	name := columnar.TableName(fields[0])
	if len(fields) == 3 {
		name = fields[2]
	}
	start := time.Now()
	t, err := columnar.Load(ctx, []string{fields[0]}, columnar.LoadOptions{})
	if err != nil {
		return "", err
	}
	if name == "events" && len(fields) == 3 {
		return s.loadEvents(ctx, t, start)
	}
	s.addTable(name, t)
	return fmt.Sprintf("loaded %s: %s rows, %d columns in %s\n", name, output.Thousands(int(t.NumRows())),
		t.Schema.NumFields(), output.Round(time.Since(start))), nil
}

// loadEvents attaches t, just loaded, as the current table's events.
func (s *Session) loadEvents(ctx context.Context, t *columnar.Table, start time.Time) (string, error) {
	warning, err := s.AttachEvents(func(eng *engine.Engine, users *columnar.Table) (func(), string, error) {
		id := ""
		for _, c := range []string{"user_id", "id"} {
			if users.ColumnIndex(c) >= 0 {
				id = c
				break
			}
		}
		if id == "" {
			return nil, "", errors.New(`the table has no "user_id" or "id" column to join its events on`)
		}
		st, err := eng.AttachEvents(ctx, t, id, engine.EventOptions{})
		if err != nil {
			return nil, "", err
		}
		return t.Release, st.Warning(), nil
	})
	if err != nil {
		t.Release()
		return "", err
	}
	st := s.cur.eng.Events()
	out := fmt.Sprintf("loaded the events of %s: %s events, %d names in %s\n", s.cur.name, output.Thousands(int(st.Rows)),
		len(st.Names), output.Round(time.Since(start)))
	if warning != "" {
		out += "warning: " + warning + "\n"
	}
	return out, nil
}

func (s *Session) listTables() string {
	var b strings.Builder
	for _, t := range s.tables {
		mark := " "
		if t == s.cur {
			mark = "*"
		}
		if t.remote != nil {
			fmt.Fprintf(&b, "%s %s  in PostgreSQL (%s)\n", mark, t.name, t.remote)
			continue
		}
		fmt.Fprintf(&b, "%s %s  %s rows\n", mark, t.name, output.Thousands(int(t.rows())))
	}
	return b.String()
}

func (s *Session) useTable(name string) (string, error) {
	var names []string
	for _, t := range s.tables {
		if t.name == name {
			s.use(t)
			if t.remote != nil {
				return fmt.Sprintf("using %s (in PostgreSQL)\n", name), nil
			}
			return fmt.Sprintf("using %s (%s rows)\n", name, output.Thousands(int(t.rows()))), nil
		}
		names = append(names, t.name)
	}
	hint := diag.DidYouMean(name, names)
	if hint == "" {
		hint = "loaded: " + strings.Join(names, ", ")
	}
	return "", fmt.Errorf("no table %s loaded; %s", diag.Quote(name), hint)
}

func (s *Session) schema(col string) (string, error) {
	if s.cur.remote != nil || s.cur.stream != nil {
		return s.remoteSchema(col)
	}
	t := s.cur.t
	rows := [][]string{{"column", "type", "nulls", "distinct", "range or top values"}}
	found := false
	for c, f := range t.Schema.Fields() {
		if col != "" && f.Name != col {
			continue
		}
		found = true
		st := columnar.ColumnStats(t, c)
		detail := strings.Join(st.Top, ", ")
		if st.Min != "" {
			detail = st.Min + " … " + st.Max
		}
		nulls := fmt.Sprintf("%.1f%%", 100*float64(st.Nulls)/float64(max(1, st.Rows)))
		rows = append(rows, []string{f.Name, engine.TypeOf(f.Type).String(), nulls, output.Thousands(st.Distinct), detail})
	}
	if !found {
		var names []string
		for _, f := range t.Schema.Fields() {
			names = append(names, f.Name)
		}
		return "", fmt.Errorf("no column %s; %s", diag.Quote(col), diag.DidYouMean(col, names))
	}
	var b strings.Builder
	output.Columns(&b, rows, []bool{false, false, true, true, false})
	return b.String(), nil
}

// define adds or replaces a session segment: `segment NAME = EXPR`.
func (s *Session) define(stmt string) (string, error) {
	f, err := syntax.ParseFile("", stmt, syntax.Limits{})
	if err != nil {
		return "", err
	}
	if len(f.Segments) != 1 {
		return "", errors.New("define one segment at a time: segment NAME = EXPR")
	}
	seg := f.Segments[0]
	if missing := s.missingNames(seg.Expr); len(missing) > 0 && s.deferring > 0 {
		s.wait(&pendingDef{stmt: stmt, seg: seg, missing: len(missing)}, missing)
		return fmt.Sprintf("segment %s waits for %s (defined later)\n", seg.Name, strings.Join(missing, ", ")), nil
	}
	out, err := s.defineNow(stmt, seg)
	if err != nil {
		return out, err
	}
	return out + s.release(seg.Name), nil
}

// defineNow defines a parsed segment statement and sizes it.
func (s *Session) defineNow(stmt string, seg *ast.Segment) (string, error) {
	var err error
	d := definition{name: seg.Name, expr: printer.Expr(seg.Expr), doc: seg.Description()}
	if s.cat == nil {
		if s.cat, err = catalog.Load(s.cur.eng, nil); err != nil {
			return "", err
		}
	}
	// Only the new definition is checked (catalog.Define): a session that
	// defines n segments one by one does O(n) work, not O(n²).
	if _, err := s.cat.Define(catalog.File{Text: stmt}); err != nil {
		return "", err
	}
	s.putDef(d)
	if s.cur.remote != nil {
		_, _, summary, err := s.remoteSize(context.Background(), printer.Name(d.name))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("segment %s defined: %s", d.name, summary), nil
	}
	if s.cur.stream != nil {
		res, err := engine.Scan(context.Background(), s.cur.stream.ds, printer.Name(d.name), s.scanOptions())
		again, err := s.lazyFallback(context.Background(), err)
		if err != nil {
			return "", err
		}
		if !again {
			return fmt.Sprintf("segment %s defined: %s\n", d.name, output.Summary(int(res.Count), int(res.Total), res.Elapsed)), nil
		}
	}
	q, err := s.cat.Compile(d.name, engine.WithNow(s.now()))
	if err != nil {
		return "", err
	}
	res, err := q.Run(context.Background())
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("segment %s defined: %s\n", d.name, output.Summary(res.Count(), res.Total(), res.Elapsed)), nil
}

// putDef adds d to the session's list, or replaces the definition of its
// name where it stands.
func (s *Session) putDef(d definition) {
	if s.defAt == nil {
		s.defAt = make(map[string]int, len(s.defs))
		for i, x := range s.defs {
			s.defAt[x.name] = i
		}
	}
	if i, ok := s.defAt[d.name]; ok {
		s.defs[i] = d
		return
	}
	s.defAt[d.name] = len(s.defs)
	s.defs = append(s.defs, d)
}

// withDefs returns defs with each of more added, or replacing the one of
// its name where it stands; linear in both.
func withDefs(defs, more []definition) []definition {
	out := append([]definition(nil), defs...)
	at := make(map[string]int, len(out)+len(more))
	for i, d := range out {
		at[d.name] = i
	}
	for _, d := range more {
		if i, ok := at[d.name]; ok {
			out[i] = d
			continue
		}
		at[d.name] = len(out)
		out = append(out, d)
	}
	return out
}

// setDefs replaces the session's segments if they check together.
func (s *Session) setDefs(defs []definition) error {
	files := s.defFiles(defs)
	cat, err := catalog.Load(s.cur.eng, files)
	if err != nil {
		return err
	}
	s.defs, s.cat, s.defAt = defs, cat, nil
	return nil
}

// defFiles renders definitions (the session's, if defs is nil) as one file.
func (s *Session) defFiles(defs []definition) []catalog.File {
	if defs == nil {
		defs = s.defs
	}
	var b strings.Builder
	for _, d := range defs {
		if d.doc != "" {
			b.WriteString("# " + d.doc + "\n")
		}
		b.WriteString("segment " + printer.Name(d.name) + " = " + d.expr + "\n")
	}
	return []catalog.File{{Name: "session", Text: b.String()}}
}

func (s *Session) listSegments() string {
	if len(s.defs) == 0 {
		return "no segments defined yet: segment NAME = EXPR, or .open FILE.seg\n"
	}
	var b strings.Builder
	for _, d := range s.defs {
		if d.doc != "" {
			b.WriteString("# " + d.doc + "\n")
		}
		fmt.Fprintf(&b, "segment %s = %s\n", printer.Name(d.name), d.expr)
	}
	return b.String()
}

func (s *Session) openDefs(ctx context.Context, path string) (string, error) {
	paths, err := segPaths(path)
	if err != nil {
		return "", err
	}
	var more []definition
	for _, p := range paths {
		defs, err := readSegFile(ctx, p)
		if err != nil {
			return "", err
		}
		more = append(more, defs...)
	}
	// One check of the whole set: definitions reference each other across
	// the files in any order.
	if err := s.setDefs(withDefs(s.defs, more)); err != nil {
		return "", err
	}
	if len(paths) == 1 && paths[0] == path {
		return fmt.Sprintf("%d segments from %s\n", len(more), path), nil
	}
	return fmt.Sprintf("%d segments from %d files in %s\n", len(more), len(paths), path), nil
}

// segPaths is path itself, or the .seg files under a directory, sorted.
func segPaths(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".seg") {
			out = append(out, p)
		}
		return err
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("no .seg files in %s", path)
	}
	sort.Strings(out)
	return out, err
}

// readSegFile parses one .seg file into definitions.
func readSegFile(ctx context.Context, path string) ([]definition, error) {
	atomicfile.Protect(path, atomicfile.Definitions)
	text, err := textfile.Read(ctx, path, syntax.MaxFileSource)
	if err != nil {
		return nil, err
	}
	f, err := syntax.ParseFile(path, string(text), syntax.Limits{})
	if err != nil {
		return nil, err
	}
	out := make([]definition, 0, len(f.Segments))
	for _, seg := range f.Segments {
		out = append(out, definition{name: seg.Name, expr: printer.Expr(seg.Expr), doc: seg.Description()})
	}
	return out, nil
}

// saveDefs writes the session's segments canonically, atomically.
func (s *Session) saveDefs(path string) (string, error) {
	if path == "" {
		return "", errors.New("usage: .save FILE.seg")
	}
	if len(s.defs) == 0 {
		return "", errors.New(".save: there are no segments to save (define one with: segment NAME = EXPR)")
	}
	f, err := syntax.ParseFile(path, s.defFiles(nil)[0].Text, syntax.Limits{})
	if err != nil {
		return "", err
	}
	if err := atomicfile.WriteDefinitions(path, printer.File(f)); err != nil {
		return "", err
	}
	return fmt.Sprintf("saved %d segments to %s\n", len(s.defs), path), nil
}

func (s *Session) output(path string) (string, error) {
	if s.outFile != nil {
		err := s.outFile.Close()
		s.outFile = nil
		if err != nil {
			return "", fmt.Errorf(".output: closing the previous file: %w", err)
		}
	}
	if path == "" {
		return "", nil
	}
	if err := atomicfile.CheckOutput(path, 0); err != nil {
		return "", fmt.Errorf(".output: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	s.outFile = f
	return "", nil
}

func (s *Session) setNow(arg string) (string, error) {
	switch arg {
	case "":
		if s.opts.Now.IsZero() {
			return "now() follows the wall clock\n", nil
		}
		return "now() is " + s.opts.Now.Format(time.RFC3339) + "\n", nil
	case "wall", "clock":
		s.opts.Now = time.Time{}
		return "", nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, arg); err == nil {
			s.opts.Now = t
			s.use(s.cur)
			return "", nil
		}
	}
	return "", fmt.Errorf(".now: cannot read %q as a time (RFC 3339 or YYYY-MM-DD)", arg)
}

// show prints members with chosen columns: .show EXPR [limit N] [COLUMN...].
func (s *Session) show(ctx context.Context, arg string) (string, error) {
	src, limit, cols := arg, 20, []string(nil)
	if i := lastWord(arg, "limit"); i >= 0 {
		rest := strings.Fields(arg[i+len("limit"):])
		if len(rest) == 0 {
			return "", errors.New("usage: .show EXPR [limit N] [COLUMN...]")
		}
		n, err := strconv.Atoi(rest[0])
		if err != nil || n < 0 {
			return "", fmt.Errorf(".show: limit %q is not a number", rest[0])
		}
		src, limit, cols = strings.TrimSpace(arg[:i]), n, rest[1:]
	}
	q, res, err := s.run(ctx, src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(output.Summary(res.Count(), res.Total(), res.Elapsed) + "\n")
	if len(cols) == 0 {
		cols = nil
	}
	if err := s.sample(ctx, &b, local{res}, q.Columns(), limit, cols); err != nil {
		return "", err
	}
	return s.result(b.String())
}

// lastWord finds the last standalone word w outside quotes in s.
func lastWord(s, w string) int {
	at, quote := -1, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case strings.HasPrefix(strings.ToLower(s[i:]), w) && (i == 0 || s[i-1] == ' ') &&
			(i+len(w) == len(s) || s[i+len(w)] == ' '):
			at = i
		}
	}
	return at
}

// maxReadDepth bounds .read files that read each other.
const maxReadDepth = 16

// ReadScript runs the statements of a file (the shell's .read, and the
// CLI's -f and init file) and returns their output. It stops at the first
// statement that fails, with an error naming the file and line.
func (s *Session) ReadScript(ctx context.Context, path string) (string, error) {
	if s.reading >= maxReadDepth {
		return "", fmt.Errorf(".read: %s: files read each other more than %d deep", path, maxReadDepth)
	}
	text, err := textfile.Read(ctx, path, syntax.MaxFileSource)
	if err != nil {
		return "", err
	}
	s.reading++
	s.deferring++ // definitions may reference segments defined later in the file
	defer func() { s.reading-- }()
	finish := func(out string, err error) (string, error) {
		if s.deferring--; s.deferring == 0 {
			for _, ferr := range s.FinishDefinitions() {
				if err == nil {
					err = fmt.Errorf("%s: %w", path, ferr)
				}
			}
		}
		return out, err
	}
	var out strings.Builder
	var ss Statements
	run := func(r Ready) error {
		if strings.TrimSpace(r.Text) == "" {
			return nil
		}
		o, err := s.Execute(ctx, r.Text)
		out.WriteString(o)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, r.Line, err)
		}
		return nil
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
		for _, r := range ss.Feed(strings.TrimSuffix(line, "\r")) {
			if err := run(r); err != nil || s.quit {
				return finish(out.String(), err)
			}
		}
	}
	if r, pending, ok := ss.Flush(); pending {
		if !ok {
			return finish(out.String(), fmt.Errorf("%s:%d: statement not finished: a parenthesis or quote is still open", path, r.Line))
		}
		err := run(r)
		return finish(out.String(), err)
	}
	return finish(out.String(), nil)
}

// pendingDef is a script's definition that references segments defined
// later in the script (a .seg file may define them in any order).
type pendingDef struct {
	stmt    string
	seg     *ast.Segment
	missing int  // names it still waits for
	done    bool // defined (or tried) once its names came
}

// waiting holds a script's pending definitions: in script order, and by
// each name they wait for, so that defining a name wakes exactly its
// waiters (a chain of n definitions written backwards costs O(n) wake-ups).
type waiting struct {
	defs   []*pendingDef
	byName map[string][]*pendingDef
}

// wait records p as waiting for names.
func (s *Session) wait(p *pendingDef, names []string) {
	if s.pending.byName == nil {
		s.pending.byName = map[string][]*pendingDef{}
	}
	s.pending.defs = append(s.pending.defs, p)
	for _, n := range names {
		s.pending.byName[n] = append(s.pending.byName[n], p)
	}
}

// missingNames lists the names e references that are neither columns nor
// segments yet.
func (s *Session) missingNames(e ast.Expr) []string {
	var out []string
	seen := map[string]bool{}
	ast.Inspect(e, func(x ast.Expr) bool {
		if r, ok := x.(*ast.Ref); ok && len(r.Path) > 0 {
			n := r.Path[0]
			if !seen[n] && s.cur.t.ColumnIndex(n) < 0 && !s.hasDef(n) {
				seen[n] = true
				out = append(out, n)
			}
		}
		return true
	})
	return out
}

func (s *Session) hasDef(name string) bool {
	if s.defAt == nil {
		for _, d := range s.defs {
			if d.name == name {
				return true
			}
		}
		return false
	}
	_, ok := s.defAt[name]
	return ok
}

// release defines, now that name exists, the definitions that waited
// only for it, then those that waited for them, and so on, and returns
// their outputs (an error is reported in the output: the statement that
// released them succeeded).
func (s *Session) release(name string) string {
	var b strings.Builder
	for queue := []string{name}; len(queue) > 0; queue = queue[1:] {
		waiters := s.pending.byName[queue[0]]
		delete(s.pending.byName, queue[0])
		for _, p := range waiters {
			if p.missing--; p.missing > 0 || p.done {
				continue
			}
			p.done = true
			out, err := s.defineNow(p.stmt, p.seg)
			b.WriteString(out)
			if err != nil {
				fmt.Fprintf(&b, "segment %s: %v\n", p.seg.Name, err)
				continue
			}
			queue = append(queue, p.seg.Name)
		}
	}
	return b.String()
}

// FinishDefinitions ends a script: each definition still waiting for a
// name is defined now, so it fails with the checker's error (an unknown
// name, with a caret and suggestions). It returns the errors in order.
func (s *Session) FinishDefinitions() []error {
	pending := s.pending.defs
	s.pending = waiting{}
	var errs []error
	for _, p := range pending {
		if p.done {
			continue
		}
		if _, err := s.defineNow(p.stmt, p.seg); err != nil {
			errs = append(errs, fmt.Errorf("segment %s: %w", p.seg.Name, err))
		}
	}
	return errs
}

// onOff sets a switch from "on" or "off".
func onOff(name, arg string, p *bool) (string, error) {
	if arg != "on" && arg != "off" {
		return "", fmt.Errorf("%s takes on or off", name)
	}
	*p = arg == "on"
	return "", nil
}

// setMaxWidth runs .maxwidth: a width, 0 for none, auto for the
// terminal's.
func (s *Session) setMaxWidth(arg string) (string, error) {
	if arg == "auto" {
		s.maxWidth = -1
		return "", nil
	}
	n, err := strconv.Atoi(arg)
	if err != nil || n < 0 {
		return "", errors.New(".maxwidth takes a width, 0 (no limit) or auto")
	}
	s.maxWidth = n
	return "", nil
}
