package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/output"
	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/printer"
	"github.com/segql/segql/lang/syntax"
	"github.com/segql/segql/warehouse"
)

// Options configure a session.
type Options struct {
	Now      time.Time // fixed now(); zero: the wall clock at each statement
	IDColumn string    // default: user_id, else id
	Limit    int       // sample rows shown per result (default 5)
	Columns  []string  // extra columns in samples
	// Width reports the terminal's width, which tables fit by default
	// (.maxwidth); nil: no limit.
	Width func() int
}

// Session is one analyst's state: loaded tables, segments defined so far,
// output settings. It is not safe for concurrent use (one shell, one user).
type Session struct {
	tables  []*namedTable
	cur     *namedTable
	defs    []definition
	defAt   map[string]int // index of each name in defs; nil until putDef needs it
	reading int            // depth of .read files being run
	// deferring > 0 while a script runs: a definition that references a
	// name not defined yet waits for it (pending) instead of failing.
	deferring int
	pending   waiting
	cat       *catalog.Catalog
	opts      Options
	mode      string // table, csv, json, ids, markdown, line
	timer     bool
	headers   bool // header lines in csv output and sample tables
	pager     bool // long results through $PAGER on a terminal
	maxWidth  int  // widest table line; 0: no limit; -1: the terminal's width
	outFile   *os.File
	quit      bool
	privacy   analytics.Privacy
}

type namedTable struct {
	name string
	t    *columnar.Table // schema only (no rows) for a connected table
	eng  *engine.Engine
	an   *analytics.Analyzer
	// remote is the PostgreSQL table of .connect, where expressions run;
	// nil for tables in memory.
	remote *warehouse.Source
	// stream is the Parquet dataset of a table opened with a memory limit,
	// scanned row group by row group; nil for tables in memory.
	stream *stream
	// events releases the table's events table, when one is attached.
	events func()
}

// release frees the table's memory or closes its connection.
func (nt *namedTable) release() {
	if nt.events != nil {
		nt.events()
	}
	nt.t.Release()
	if nt.remote != nil {
		nt.remote.Close(context.Background())
	}
	if nt.stream != nil {
		nt.stream.ds.Close()
	}
}

// definition is a segment defined in the session.
// definition is a session's segment as the user wrote it (canonically).
type definition struct {
	name, expr, doc string
}

// New starts a session on table t, named name. The session takes ownership
// of t (Close releases it).
func New(name string, t *columnar.Table, opts Options) *Session {
	s := empty(opts)
	s.addTable(name, t)
	return s
}

// AttachEvents attaches an events table to the current table's engine
// with attach, which returns what releases it (kept with the table) and
// a warning about ignored events. The catalog is rebuilt, so definitions
// may use event conditions.
func (s *Session) AttachEvents(attach func(eng *engine.Engine, t *columnar.Table) (release func(), warning string, err error)) (warning string, err error) {
	nt := s.cur
	if nt == nil || nt.remote != nil {
		return "", errors.New("events attach to a table in memory; this one is in PostgreSQL")
	}
	if nt.stream != nil {
		if !nt.stream.lazy {
			return "", engine.ErrScanEvents
		}
		if err := s.loadWhole(context.Background()); err != nil {
			return "", err
		}
		nt = s.cur
	}
	release, warning, err := attach(nt.eng, nt.t)
	if err != nil {
		return "", err
	}
	if nt.events != nil {
		nt.events()
	}
	nt.events = release
	s.use(nt)
	return warning, nil
}

// empty is a session with its default settings and no table yet.
func empty(opts Options) *Session {
	if opts.Limit <= 0 {
		opts.Limit = 5
	}
	return &Session{mode: "table", headers: true, pager: true, maxWidth: -1, opts: opts, privacy: analytics.Privacy{MinSize: DefaultMinSize}}
}

func (s *Session) addTable(name string, t *columnar.Table) {
	eng := engine.Open(t)
	s.putTable(&namedTable{name: name, t: t, eng: eng, an: analytics.New(eng)})
}

// putTable adds nt, replacing (and releasing) a table of the same name,
// and switches to it.
func (s *Session) putTable(nt *namedTable) {
	name := nt.name
	for i, old := range s.tables {
		if old.name == name {
			old.release()
			s.tables[i] = nt
			s.use(nt)
			return
		}
	}
	s.tables = append(s.tables, nt)
	s.use(nt)
}

// use switches to a table and rebuilds the catalog against it.
func (s *Session) use(nt *namedTable) {
	s.cur = nt
	s.cat = nil
	if len(s.defs) > 0 {
		if cat, err := catalog.Load(nt.eng, s.defFiles(nil)); err == nil {
			s.cat = cat
		}
	}
}

// Close releases the tables and closes an output file, returning the
// error of that close (the last write error of .output can appear only
// there).
func (s *Session) Close() error {
	for _, t := range s.tables {
		t.release()
	}
	s.tables = nil
	if s.outFile == nil {
		return nil
	}
	err := s.outFile.Close()
	s.outFile = nil
	return err
}

// Done reports whether .quit was executed.
func (s *Session) Done() bool { return s.quit }

// Banner introduces the session.
func (s *Session) Banner() string {
	if s.cur.stream != nil {
		return streamBanner(s.cur)
	}
	if s.cur.remote != nil {
		return fmt.Sprintf("segql — table %s in PostgreSQL (%s), %d columns. Type a segment, or .help.\n", s.cur.name, s.cur.remote, s.cur.t.Schema.NumFields())
	}
	return fmt.Sprintf("segql — table %s, %s rows, %d columns. Type a segment, or .help.\n",
		s.cur.name, output.Thousands(int(s.cur.t.NumRows())), s.cur.t.Schema.NumFields())
}

// Execute runs one complete statement and returns what to show. Results go
// to the .output file instead when one is set. Errors render with the
// statement's text and a caret.
func (s *Session) Execute(ctx context.Context, stmt string) (string, error) {
	start := time.Now()
	out, err := s.execute(ctx, stmt)
	if s.timer && err == nil && !isTimerCommand(stmt) {
		// To the screen only: results may have gone to the .output file.
		out += fmt.Sprintf("Run Time: %s\n", output.Round(time.Since(start)))
	}
	return out, err
}

func isTimerCommand(stmt string) bool {
	f := strings.Fields(stmt)
	return len(f) > 0 && strings.EqualFold(f[0], ".timer")
}

func (s *Session) execute(ctx context.Context, stmt string) (string, error) {
	stmt = strings.TrimSpace(stmt)
	switch {
	case stmt == "" || strings.HasPrefix(stmt, "#") || strings.HasPrefix(stmt, "--") && !strings.Contains(stmt, "\n"):
		return "", nil
	case strings.HasPrefix(stmt, "."):
		return s.command(ctx, stmt)
	case isDefinition(stmt):
		return s.define(stmt)
	}
	return s.evaluate(ctx, stmt, s.mode)
}

func isDefinition(stmt string) bool {
	f := strings.Fields(stmt)
	return len(f) >= 2 && strings.EqualFold(f[0], "segment") && (strings.Contains(f[1], "=") || (len(f) > 2 && strings.HasPrefix(f[2], "=")))
}

// result routes result text to the .output file when one is set.
func (s *Session) result(text string) (string, error) {
	if s.outFile == nil {
		return text, nil
	}
	_, err := io.WriteString(s.outFile, text)
	return "", err
}

func (s *Session) now() time.Time {
	if !s.opts.Now.IsZero() {
		return s.opts.Now
	}
	return time.Now()
}

// compile compiles an expression that may use the session's segments.
func (s *Session) compile(src string) (*engine.Query, error) {
	if s.cat != nil {
		return s.cat.Compile(src, engine.WithNow(s.now()))
	}
	return s.cur.eng.Compile(src, engine.WithNow(s.now()))
}

func (s *Session) idColumn() string {
	for _, c := range []string{s.opts.IDColumn, "user_id", "id"} {
		if c != "" && s.cur.t.ColumnIndex(c) >= 0 {
			return c
		}
	}
	return ""
}

// run compiles and evaluates an expression.
func (s *Session) run(ctx context.Context, src string) (*engine.Query, *engine.Result, error) {
	q, err := s.compile(src)
	if err != nil {
		return nil, nil, err
	}
	res, err := q.Run(ctx)
	return q, res, err
}

// evaluate runs an expression and renders it in mode.
func (s *Session) evaluate(ctx context.Context, src, mode string) (string, error) {
	if s.cur.remote != nil {
		return s.evaluateRemote(ctx, src, mode)
	}
	if s.cur.stream != nil {
		return s.evaluateStreamed(ctx, src, mode)
	}
	q, res, err := s.run(ctx, src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, w := range q.Warnings {
		b.WriteString(warningLine(w))
	}
	switch mode {
	case "count":
		fmt.Fprintf(&b, "%s\n", output.Summary(res.Count(), res.Total(), res.Elapsed))
	case "table":
		b.WriteString(output.Summary(res.Count(), res.Total(), res.Elapsed) + "\n")
		b.WriteString(s.unknownNote(ctx, src, res))
		if err := s.sample(ctx, &b, local{res}, q.Columns(), s.opts.Limit, nil); err != nil {
			return "", err
		}
	default:
		if err := s.listMembers(ctx, &b, local{res}, mode); err != nil {
			return "", err
		}
	}
	return s.result(b.String())
}

// rows writes member rows in a mode that lists them all.
func (s *Session) rows(b *strings.Builder, recs []arrowRecord, mode string) error {
	switch mode {
	case "csv":
		return output.CSVWith(b, recs, s.headers)
	case "markdown":
		return output.Markdown(b, recs)
	case "line":
		return output.Lines(b, recs)
	}
	return output.JSON(b, recs)
}

// table writes a sample table fitted to .maxwidth, saying which columns
// it left out.
func (s *Session) table(b *strings.Builder, rec arrowRecord) error {
	dropped, err := output.TableWith(b, rec, output.TableOptions{MaxWidth: s.width(), NoHeader: !s.headers})
	if err == nil && len(dropped) > 0 {
		fmt.Fprintf(b, "(%d more columns: %s; .maxwidth 0 shows all)\n", len(dropped), strings.Join(dropped, ", "))
	}
	return err
}

// width is the widest table line: .maxwidth, else the terminal's.
func (s *Session) width() int {
	if s.maxWidth >= 0 {
		return s.maxWidth
	}
	if s.opts.Width != nil {
		return s.opts.Width()
	}
	return 0
}

// warningLine renders a compile warning for the shell, with its hint.
func warningLine(w diag.Diagnostic) string {
	if w.Hint != "" {
		return fmt.Sprintf("warning: %s (%s)\n", w.Msg, w.Hint)
	}
	return fmt.Sprintf("warning: %s\n", w.Msg)
}

// members is where a result's members come from: a Result in memory, or
// a query on a connected table (remote.go).
type members interface {
	count() int
	// ids emits the members' ids (column id) and counts null ids.
	ids(ctx context.Context, id string, emit func(string) error) (nulls int, err error)
	// rows emits the columns cols of at most limit members (-1: all).
	rows(ctx context.Context, cols []string, limit int, emit func(arrowRecord) error) error
}

// local is the members of a Result in memory.
type local struct{ res *engine.Result }

func (l local) count() int { return l.res.Count() }

func (l local) ids(_ context.Context, id string, emit func(string) error) (int, error) {
	ids, nulls, err := l.res.MemberIDs(id, -1)
	for _, v := range ids {
		if err != nil {
			break
		}
		err = emit(v)
	}
	return nulls, err
}

func (l local) rows(_ context.Context, cols []string, limit int, emit func(arrowRecord) error) error {
	rec, err := l.res.Rows(cols, limit, nil)
	if err != nil {
		return err
	}
	defer rec.Release()
	return emit(rec)
}

// sample writes up to limit members with the id, the expression's columns
// (exprCols) and any configured ones, or exactly cols when given.
func (s *Session) sample(ctx context.Context, b *strings.Builder, m members, exprCols []string, limit int, cols []string) error {
	n := m.count()
	if n == 0 || limit == 0 {
		return nil
	}
	if cols == nil {
		if id := s.idColumn(); id != "" {
			cols = append(cols, id)
		}
		for _, c := range append(exprCols, s.opts.Columns...) {
			if !contains(cols, c) && len(cols) < 8 && s.cur.t.ColumnIndex(c) >= 0 {
				cols = append(cols, c)
			}
		}
	}
	cols, withheld, err := s.privacy.Members(s.cur.t, n, cols)
	var small *analytics.ErrTooSmall
	if errors.As(err, &small) { // the size is shown; the members are not
		fmt.Fprintf(b, "\n(members not shown: %v)\n", privacyHint(err))
		return nil
	}
	if err != nil {
		return err
	}
	b.WriteString("\n")
	if len(withheld) > 0 {
		fmt.Fprintf(b, "(left out personal data: %s; .privacy allow-pii on to include)\n", strings.Join(withheld, ", "))
	}
	if err := m.rows(ctx, cols, limit, func(rec arrowRecord) error { return s.table(b, rec) }); err != nil {
		return err
	}
	if n > limit {
		fmt.Fprintf(b, "(%s more)\n", output.Thousands(n-limit))
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// listMembers writes all members in csv, json, markdown, line or ids
// mode.
func (s *Session) listMembers(ctx context.Context, b *strings.Builder, m members, mode string) error {
	n := m.count()
	if mode == "ids" {
		id := s.idColumn()
		if id == "" {
			return errors.New(`the table has no "user_id" or "id" column`)
		}
		if _, withheld, err := s.privacy.Members(s.cur.t, n, []string{id}); err != nil {
			return privacyHint(err)
		} else if len(withheld) > 0 {
			return fmt.Errorf("the id column %q is %w (.privacy allow-pii on)", id, analytics.ErrPersonalData)
		}
		var ids []string
		nulls, err := m.ids(ctx, id, func(v string) error { ids = append(ids, v); return nil })
		if err != nil {
			return err
		}
		if nulls > 0 {
			fmt.Fprintf(b, "warning: %s members have a null %s and are not listed\n", output.Thousands(nulls), id)
		}
		return output.IDs(b, ids)
	}
	cols, withheld, err := s.privacy.Members(s.cur.t, n, nil)
	if err != nil {
		return privacyHint(err)
	}
	if len(withheld) > 0 {
		alt := ", or use .show EXPR with columns"
		if s.cur.remote != nil {
			alt = "" // .show needs the rows in memory
		}
		return fmt.Errorf("the rows hold personal data (%s): .privacy allow-pii on shows them%s", strings.Join(withheld, ", "), alt)
	}
	var recs []arrowRecord
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	err = m.rows(ctx, cols, -1, func(rec arrowRecord) error {
		rec.Retain()
		recs = append(recs, rec)
		return nil
	})
	if err != nil {
		return err
	}
	return s.rows(b, recs, mode)
}

// unknownNote explains rows left out as UNKNOWN when a negation touches a
// nullable column, and suggests the `is null or …` form.
func (s *Session) unknownNote(ctx context.Context, src string, res *engine.Result) string {
	n := res.Unknown()
	if n == 0 {
		return ""
	}
	e, err := syntax.ParseExpr("", src, syntax.Limits{})
	if err != nil {
		return ""
	}
	col, at := negatedNullable(e, s.cur.eng.Schema())
	if col == "" {
		return "" // only a negation over a nullable column surprises people
	}
	// Widen the negation itself, so the rest of the expression keeps its
	// meaning: … not X … becomes … (col is null or not X) ….
	rewritten := src[:at.Pos] + "(" + printer.Name(col) + " is null or " + src[at.Pos:at.End] + ")" + src[at.End:]
	if r, err := syntax.ParseExpr("", rewritten, syntax.Limits{}); err == nil {
		rewritten = printer.Expr(r)
	}
	// The note is exact: the rewrite is run, and suggested only if it
	// changes the members, with by how many.
	q, err := s.compile(rewritten)
	if err != nil {
		return ""
	}
	alt, err := q.Run(ctx)
	if err != nil || alt.Count() <= res.Count() {
		return ""
	}
	return fmt.Sprintf("note: %s rows are UNKNOWN, not members; %s of them are members if null %s counts as not matching:\n    %s\n",
		output.Thousands(n), output.Thousands(alt.Count()-res.Count()), col, rewritten)
}

// negatedNullable finds a nullable column under `not`, `!=` or a negated
// predicate in e, and that negation's span.
func negatedNullable(e ast.Expr, schema check.Schema) (string, diag.Span) {
	found := ""
	var at diag.Span
	var under func(x ast.Expr)
	guarded := map[string]bool{} // columns the expression already tests with is null
	ast.Inspect(e, func(n ast.Expr) bool {
		if isn, ok := n.(*ast.IsNull); ok && !isn.Not {
			if r, ok := isn.X.(*ast.Ref); ok {
				guarded[r.Name()] = true
			}
		}
		return true
	})
	under = func(x ast.Expr) {
		ast.Inspect(x, func(n ast.Expr) bool {
			if r, ok := n.(*ast.Ref); ok && found == "" && !guarded[r.Name()] {
				if c, ok := schema.Column(r.Path[0]); ok && c.Nullable {
					found = r.Name()
				}
			}
			return found == ""
		})
	}
	ast.Inspect(e, func(n ast.Expr) bool {
		if isNegation(n) {
			under(n)
			if found != "" {
				at = n.Bounds()
			}
		}
		return found == ""
	})
	return found, at
}

func isNegation(n ast.Expr) bool {
	switch n := n.(type) {
	case *ast.Unary:
		return n.Op == ast.Not
	case *ast.Compare:
		return n.Op == ast.Ne
	case *ast.In:
		return n.Not
	case *ast.Like:
		return n.Not
	case *ast.Between:
		return n.Not
	case *ast.Matches:
		return n.Not
	}
	return false
}
