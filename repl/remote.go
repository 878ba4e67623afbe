package repl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/output"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/sqlgen"
	"github.com/segql/segql/warehouse"
)

// ErrInWarehouse reports a command that needs the rows in memory on a
// table that lives in PostgreSQL (.connect).
var ErrInWarehouse = errors.New("needs the rows in memory")

// needsRows lists the commands that read rows in memory.
var needsRows = map[string]bool{
	".show": true, ".explain": true, ".why": true, ".profile": true, ".overlap": true,
	".cluster": true, ".split": true, ".export": true, ".values": true,
}

// inWarehouse refuses a command that needs rows on a connected table.
func (s *Session) inWarehouse(name string) error {
	if s.cur.remote == nil || !needsRows[name] {
		return nil
	}
	return fmt.Errorf("%s %w, and table %s is in PostgreSQL: expressions, .count and .mode run there; segql export --data URL copies members to a file", name, ErrInWarehouse, s.cur.name)
}

// NewConnected starts a session on a PostgreSQL table (see .connect).
func NewConnected(ctx context.Context, url string, opts Options) (*Session, error) {
	src, err := warehouse.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	s := empty(opts)
	s.addRemote(remoteName(src), src)
	return s, nil
}

// connect runs `.connect URL [as NAME]`.
func (s *Session) connect(ctx context.Context, arg string) (string, error) {
	fields := strings.Fields(arg)
	if len(fields) != 1 && (len(fields) != 3 || fields[1] != "as") {
		return "", errors.New("usage: .connect postgres://user@host:port/db?table=NAME [as NAME]")
	}
	src, err := warehouse.Open(ctx, fields[0])
	if err != nil {
		return "", err
	}
	name := remoteName(src)
	if len(fields) == 3 {
		name = fields[2]
	}
	s.addRemote(name, src)
	var b strings.Builder
	fmt.Fprintf(&b, "connected to %s as %s: %d columns; expressions run in PostgreSQL\n", src, name, src.Schema().NumFields())
	for _, k := range src.Skipped() {
		fmt.Fprintf(&b, "note: column %q (%s) is left out: %s\n", k.Column, k.Type, k.Reason)
	}
	return b.String(), nil
}

func remoteName(src *warehouse.Source) string {
	t := src.Table()
	return t[len(t)-1]
}

func (s *Session) addRemote(name string, src *warehouse.Source) {
	eng := src.Engine()
	s.putTable(&namedTable{name: name, t: eng.Table(), eng: eng, an: analytics.New(eng), remote: src})
}

// evaluateRemote runs an expression on a connected table: the server
// counts and selects; only the rows shown come back.
func (s *Session) evaluateRemote(ctx context.Context, src, mode string) (string, error) {
	q, n, summary, err := s.remoteSize(ctx, src)
	if err != nil {
		return "", err
	}
	m := remoteMembers{src: s.cur.remote, q: q, n: n, id: s.idColumn()}
	var b strings.Builder
	switch mode {
	case "count":
		b.WriteString(summary)
	case "table":
		b.WriteString(summary)
		if err := s.sample(ctx, &b, m, q.Columns(0), s.opts.Limit, nil); err != nil {
			return "", err
		}
	default:
		if err := s.listMembers(ctx, &b, m, mode); err != nil {
			return "", err
		}
	}
	return s.result(b.String())
}

// remoteSize compiles src for the connected table and counts its members
// and the table's rows in one query; summary is the line that says so.
func (s *Session) remoteSize(ctx context.Context, src string) (q *sqlgen.Query, n int, summary string, err error) {
	start := time.Now()
	var defs *check.Definitions
	if s.cat != nil {
		defs = s.cat.Checked()
	}
	r := s.cur.remote
	q, err = r.Compile([]engine.SQLExpr{{Name: "members", Src: src}}, sqlgen.Options{Now: s.now(), Segments: defs})
	if err != nil {
		return nil, 0, "", err
	}
	total, sizes, err := r.Sizes(ctx, q)
	if err != nil {
		return nil, 0, "", err
	}
	return q, sizes[0].Members, output.Summary(sizes[0].Members, total, time.Since(start)) + "\n", nil
}

// remoteMembers is the members of a query on a connected table, n of
// them: the server selects them.
type remoteMembers struct {
	src *warehouse.Source
	q   *sqlgen.Query
	n   int
	id  string // the order of rows
}

func (r remoteMembers) count() int { return r.n }

func (r remoteMembers) ids(ctx context.Context, id string, emit func(string) error) (int, error) {
	return r.src.IDs(ctx, r.q, id, emit)
}

func (r remoteMembers) rows(ctx context.Context, cols []string, limit int, emit func(arrowRecord) error) error {
	return r.src.Rows(ctx, r.q, cols, r.id, limit, nil, emit)
}

// remoteSchema lists a connected or streamed table's columns and types
// (statistics would need the rows).
func (s *Session) remoteSchema(col string) (string, error) {
	rows := [][]string{{"column", "type"}}
	for _, f := range s.cur.t.Schema.Fields() {
		if col == "" || f.Name == col {
			rows = append(rows, []string{f.Name, engine.TypeOf(f.Type).String()})
		}
	}
	if len(rows) == 1 && col != "" {
		return "", fmt.Errorf("no column %q in %s", col, s.cur.name)
	}
	var b strings.Builder
	output.Columns(&b, rows, []bool{false, false})
	if s.cur.remote == nil {
		return b.String(), nil
	}
	for _, k := range s.cur.remote.Skipped() {
		fmt.Fprintf(&b, "(left out: %s %s — %s)\n", k.Column, k.Type, k.Reason)
	}
	return b.String(), nil
}
