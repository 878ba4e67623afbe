package warehouse

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/sqlgen"
)

// Source is one PostgreSQL table that segments run in. It holds one
// connection; its methods are safe for concurrent use and take turns on
// it. Close it when done.
type Source struct {
	mu      sync.Mutex // serializes use of conn
	conn    *pgx.Conn
	t       target
	schema  *arrow.Schema
	skipped []Skipped
	eng     *engine.Engine
	dialect sqlgen.Dialect
}

// Open connects to the database of rawURL (postgres://user@host:port/db
// ?table=schema.name[&id=column], any other parameters as libpq takes
// them) and reads the table's schema. Cancelling ctx abandons the
// connection attempt.
func Open(ctx context.Context, rawURL string) (*Source, error) {
	t, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if err := t.needTable(); err != nil {
		return nil, err
	}
	conn, err := connect(ctx, t)
	if err != nil {
		return nil, err
	}
	schema, skipped, err := readSchema(ctx, conn, t)
	if err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	d, _ := sqlgen.Lookup("postgres")
	return &Source{conn: conn, t: t, schema: schema, skipped: skipped, eng: engine.OpenSchema(schema), dialect: d}, nil
}

// connect opens the connection, named "segql" on the server unless the
// URL names it.
func connect(ctx context.Context, t target) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(t.conn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.shown, err)
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "segql"
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", t.shown, err)
	}
	return conn, nil
}

// Close closes the connection.
func (s *Source) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conn.Close(ctx)
}

// String is the source's URL without its password.
func (s *Source) String() string { return s.t.shown }

// Table is the table's name, one element per part (schema, name).
func (s *Source) Table() []string { return slices.Clone(s.t.table) }

// Schema is the table's schema as segql reads it (skipped columns left
// out).
func (s *Source) Schema() *arrow.Schema { return s.schema }

// Skipped lists the columns segql cannot read, in table order.
func (s *Source) Skipped() []Skipped { return s.skipped }

// IDColumn is the id column the URL names (?id=), else "user_id" or
// "id" when the table has one; "" when none.
func (s *Source) IDColumn() string {
	if s.t.id != "" {
		return s.t.id
	}
	for _, c := range []string{"user_id", "id"} {
		if len(s.schema.FieldIndices(c)) > 0 {
			return c
		}
	}
	return ""
}

// Engine is a schema-only engine for the table: it checks expressions
// and compiles them to SQL, and loads catalogs; it holds no rows.
func (s *Source) Engine() *engine.Engine { return s.eng }

// Compile checks the expressions against the table and compiles them for
// PostgreSQL over it (opts.Table is the source's table).
func (s *Source) Compile(exprs []engine.SQLExpr, opts sqlgen.Options, eopts ...engine.Option) (*sqlgen.Query, error) {
	opts.Table = s.t.table
	return s.eng.CompileSQL(exprs, s.dialect, opts, eopts...)
}

// QueryError is a query the server refused or failed, with the SQL sent
// and, when the query is one expression's, its source: the error then
// renders as that expression with the server's message (a server cannot
// say which part of it failed, so the caret spans it whole).
type QueryError struct {
	SQL string
	Src diag.Source // zero when the query has several expressions
	Err error
}

func (e *QueryError) Error() string {
	msg := "PostgreSQL: " + e.Err.Error()
	var pg *pgconn.PgError
	if errors.As(e.Err, &pg) {
		msg = fmt.Sprintf("PostgreSQL: %s (SQLSTATE %s)", pg.Message, pg.Code)
	}
	text := strings.TrimRight(e.Src.Text, " \t\r\n")
	if strings.TrimSpace(text) == "" {
		return msg
	}
	start := len(text) - len(strings.TrimLeft(text, " \t\r\n"))
	l := &diag.List{Src: e.Src, Items: []diag.Diagnostic{{Span: diag.Span{Pos: start, End: len(text)}, Msg: msg}}}
	return l.Error()
}

func (e *QueryError) Unwrap() error { return e.Err }

// queryErr wraps err (nil stays nil) with the SQL and, for a query of
// one expression, its source; a cancelled context is returned as the
// context's error.
func queryErr(ctx context.Context, q *sqlgen.Query, sql string, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	qe := &QueryError{SQL: sql, Err: err}
	if q != nil && q.Len() == 1 {
		qe.Src = q.Source(0)
	}
	return qe
}

// Count runs q's count query: the first expression's members.
func (s *Source) Count(ctx context.Context, q *sqlgen.Query) (int, error) {
	return s.scalar(ctx, q, q.Count())
}

// Total counts the table's rows.
func (s *Source) Total(ctx context.Context) (int, error) {
	return s.scalar(ctx, nil, "SELECT count(*) FROM "+pgx.Identifier(s.t.table).Sanitize())
}

func (s *Source) scalar(ctx context.Context, q *sqlgen.Query, sql string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	err := s.conn.QueryRow(ctx, sql).Scan(&n)
	return int(n), queryErr(ctx, q, sql, err)
}

// Size is one expression's membership: members are the rows where it is
// TRUE, unknown those where it is NULL.
type Size struct {
	Members, Unknown int
}

// Sizes counts the table's rows and each expression's members and
// UNKNOWN rows, in one query and one pass over the table.
func (s *Source) Sizes(ctx context.Context, q *sqlgen.Query) (rows int, sizes []Size, err error) {
	sql := q.Counts()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.conn.Query(ctx, sql)
	if err != nil {
		return 0, nil, queryErr(ctx, q, sql, err)
	}
	defer r.Close()
	if !r.Next() {
		return 0, nil, queryErr(ctx, q, sql, errors.Join(r.Err(), errors.New("no row returned")))
	}
	vals, err := r.Values()
	if err != nil {
		return 0, nil, queryErr(ctx, q, sql, err)
	}
	counts := make([]int, len(vals))
	for i, v := range vals {
		n, ok := v.(int64)
		if !ok {
			return 0, nil, queryErr(ctx, q, sql, fmt.Errorf("column %d is %T, not a count", i, v))
		}
		counts[i] = int(n)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return 0, nil, queryErr(ctx, q, sql, err)
	}
	for i := 1; i+1 < len(counts); i += 2 {
		sizes = append(sizes, Size{Members: counts[i], Unknown: counts[i+1]})
	}
	return counts[0], sizes, nil
}

// IDs streams the ids of q's members (id column id) to emit, in id order,
// stopping at emit's first error; nulls counts members with a null id,
// which are not emitted.
func (s *Source) IDs(ctx context.Context, q *sqlgen.Query, id string, emit func(string) error) (nulls int, err error) {
	sql, err := q.Members(id)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.conn.Query(ctx, sql)
	if err != nil {
		return 0, queryErr(ctx, q, sql, err)
	}
	defer r.Close()
	for r.Next() {
		vals, err := r.Values()
		if err != nil {
			return nulls, queryErr(ctx, q, sql, err)
		}
		if vals[0] == nil {
			nulls++
			continue
		}
		if err := emit(formatID(vals[0])); err != nil {
			return nulls, err
		}
	}
	r.Close()
	return nulls, queryErr(ctx, q, sql, r.Err())
}

// formatID prints an id as the local engine does.
func formatID(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int16:
		return strconv.FormatInt(int64(v), 10)
	}
	return fmt.Sprint(v)
}
