package sqlgen

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/syntax"
)

// DefaultMaxNodes bounds the operations of one generated query, named
// segments expanded (each reference repeats its definition's SQL).
const DefaultMaxNodes = 200_000

// Options say what the SQL runs against.
type Options struct {
	// Now is bound into the SQL as a literal: every engine sees the same
	// instant. The zero time means time.Now().
	Now time.Time
	// Table is the table's name, one identifier per element
	// ("analytics", "users"); default "users".
	Table []string
	// Segments resolves names of saved segments; their definitions are
	// inlined. May be nil.
	Segments *check.Definitions
	// Zoned reports timestamp columns stored with a time zone (an
	// instant: TIMESTAMPTZ, TIMESTAMP_TZ, BigQuery TIMESTAMP); others
	// are read as UTC wall-clock times. May be nil.
	Zoned func(column string) bool
	// MaxNodes bounds the size of the SQL (default DefaultMaxNodes).
	MaxNodes int
	// Events names the events table of event conditions; nil when there
	// is none (event conditions are then an error).
	Events *EventOptions
}

func (o *Options) maxNodes() int {
	if o.MaxNodes > 0 {
		return o.MaxNodes
	}
	return DefaultMaxNodes
}

// Expr is one checked expression to compile.
type Expr struct {
	Name string // a label: the size column's name in Sizes
	Tree ast.Expr
	Src  diag.Source
	Info *check.Info
}

// Query is compiled SQL for one or more expressions over one table. It is
// immutable and safe for concurrent use.
type Query struct {
	d     Dialect
	table string
	ranks []string // "expr AS alias"
	conds []string
	names []string
	cols  [][]string
	srcs  []diag.Source
	// events: the table is the users joined to the events pass.
	events bool
}

// Compile compiles checked expressions for dialect d. Every expression
// must have checked without errors.
func Compile(exprs []Expr, d Dialect, opts Options) (*Query, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	c := &compiler{d: d, opts: &opts, now: opts.Now.UnixMicro()}
	q := &Query{d: d}
	var err error
	if q.table, err = tableName(d, opts.Table, "users", "the table name"); err != nil {
		return nil, err
	}
	for _, e := range exprs {
		if e.Info == nil {
			return nil, errors.New("sqlgen: expression has not been checked")
		}
		c.sc = scope{src: e.Src, info: e.Info}
		c.cols = nil
		v, err := c.expr(e.Tree)
		if err != nil {
			return nil, err
		}
		q.conds = append(q.conds, c.boolSQL(v))
		q.names = append(q.names, e.Name)
		q.cols = append(q.cols, c.cols)
		q.srcs = append(q.srcs, e.Src)
	}
	if len(c.events) > 0 || len(c.seqs) > 0 {
		from, err := q.eventsFrom(c.events, c.seqs, opts.Events)
		if err != nil {
			return nil, err
		}
		q.table, q.events = from, true
	}
	for _, r := range c.ranks {
		s, err := c.rankSQL(r)
		if err != nil {
			return nil, &Error{Dialect: d.Name(), Construct: r.fn + "(" + r.col + ")", Reason: err.Error(), Src: r.src, Span: r.span}
		}
		q.ranks = append(q.ranks, s+" AS "+r.alias)
	}
	return q, nil
}

// CompileString parses and checks src against schema (names of opts.Segments
// resolve) and compiles it. Parse and check failures are *diag.List.
func CompileString(src string, schema check.Schema, d Dialect, opts Options) (*Query, error) {
	tree, err := syntax.ParseExpr("", src, syntax.Limits{})
	if err != nil {
		return nil, err
	}
	cfg := check.Config{Schema: schema}
	if opts.Segments != nil {
		cfg.Segments = opts.Segments
	}
	info, err := check.Check(tree, diag.Source{Text: src}, cfg)
	if err != nil {
		return nil, err
	}
	return Compile([]Expr{{Tree: tree, Src: diag.Source{Text: src}, Info: info}}, d, opts)
}

// Where is the i-th expression as a boolean SQL condition. When the
// expressions use distribution functions (percent_rank, ntile, scores) the
// condition refers to window columns that only From provides.
func (q *Query) Where(i int) string { return q.conds[i] }

// Source is the i-th expression's source, for errors a database reports
// about its SQL.
func (q *Query) Source(i int) diag.Source { return q.srcs[i] }

// Len is the number of expressions.
func (q *Query) Len() int { return len(q.conds) }

// Columns lists the top-level columns the i-th expression reads, named
// segments followed, in order of first use.
func (q *Query) Columns(i int) []string { return slices.Clone(q.cols[i]) }

// Standalone reports whether the conditions can be used on the table
// itself (no window columns or event aggregates needed).
func (q *Query) Standalone() bool { return len(q.ranks) == 0 && !q.events }

// From is the row source: the table, or the table with the window columns
// of the distribution functions and the event aggregates as a derived
// table.
func (q *Query) From() string {
	if len(q.ranks) == 0 {
		return q.table
	}
	alias, _ := q.d.ident("segql_ranked")
	return "(SELECT *, " + strings.Join(q.ranks, ", ") + " FROM " + q.table + ") AS " + alias
}

// Members is the query listing the ids (column id) of the first
// expression's members, ordered.
func (q *Query) Members(id string) (string, error) {
	col, err := q.d.ident(id)
	if err != nil {
		return "", &Error{Dialect: q.d.Name(), Construct: "the id column's name", Reason: err.Error()}
	}
	return "SELECT " + col + " FROM " + q.From() + " WHERE " + q.conds[0] + " ORDER BY " + col, nil
}

// Rows is the query selecting the columns cols (nil: every column of the
// table) of the first expression's members, ordered by the column order
// (none: unordered), at most limit rows (limit < 0: all).
func (q *Query) Rows(cols []string, order string, limit int) (string, error) {
	sel := "*"
	if len(q.ranks) > 0 || len(cols) > 0 {
		quoted := make([]string, len(cols))
		for i, c := range cols {
			id, err := q.d.ident(c)
			if err != nil {
				return "", &Error{Dialect: q.d.Name(), Construct: "the column name " + c, Reason: err.Error()}
			}
			quoted[i] = id
		}
		sel = strings.Join(quoted, ", ")
	}
	if sel == "" {
		return "", errors.New("sqlgen: Rows of a ranked query needs the column names")
	}
	s := "SELECT " + sel + " FROM " + q.From() + " WHERE " + q.conds[0]
	if order != "" {
		col, err := q.d.ident(order)
		if err != nil {
			return "", &Error{Dialect: q.d.Name(), Construct: "the id column's name", Reason: err.Error()}
		}
		s += " ORDER BY " + col
	}
	if limit >= 0 {
		s += " LIMIT " + strconv.Itoa(limit)
	}
	return s, nil
}

// Count is the query counting the first expression's members.
func (q *Query) Count() string {
	return "SELECT count(*) AS " + q.mustIdent("count") + " FROM " + q.From() + " WHERE " + q.conds[0]
}

// Sizes is one query returning every expression's size in one pass over
// the table, one column per expression named by its Name, plus the row
// count as "rows".
func (q *Query) Sizes() (string, error) {
	cols := []string{"count(*) AS " + q.mustIdent("rows")}
	for i, cond := range q.conds {
		name, err := q.d.ident(q.names[i])
		if err != nil {
			return "", &Error{Dialect: q.d.Name(), Construct: "the segment name " + q.names[i], Reason: err.Error()}
		}
		cols = append(cols, "count(CASE WHEN "+cond+" THEN 1 END) AS "+name)
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + q.From(), nil
}

// Counts is one query returning, in one pass over the table, the row
// count and then for each expression its members and the rows where it is
// UNKNOWN (NULL): columns rows, m0, u0, m1, u1, ….
func (q *Query) Counts() string {
	cols := []string{"count(*) AS " + q.mustIdent("rows")}
	for i, cond := range q.conds {
		cols = append(cols, "count(CASE WHEN "+cond+" THEN 1 END) AS "+q.mustIdent("m"+strconv.Itoa(i)),
			"count(CASE WHEN ("+cond+") IS NULL THEN 1 END) AS "+q.mustIdent("u"+strconv.Itoa(i)))
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + q.From()
}

// tableName quotes a dotted table name (def when it is empty); what names
// it in errors.
func tableName(d Dialect, table []string, def, what string) (string, error) {
	if len(table) == 0 {
		table = []string{def}
	}
	parts := make([]string, len(table))
	for i, p := range table {
		s, err := d.ident(p)
		if err != nil {
			return "", &Error{Dialect: d.Name(), Construct: what, Reason: err.Error()}
		}
		parts[i] = s
	}
	return strings.Join(parts, "."), nil
}

func (q *Query) mustIdent(s string) string {
	id, err := q.d.ident(s)
	if err != nil {
		panic("sqlgen: " + err.Error()) // only for the compiler's own names
	}
	return id
}
