package repl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

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
	".cluster": true, ".split": true, ".export": true,
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
	var b strings.Builder
	switch mode {
	case "count":
		b.WriteString(summary)
	case "table":
		b.WriteString(summary)
		if err := s.remoteSample(ctx, &b, q, n); err != nil {
			return "", err
		}
	default:
		if err := s.remoteMembers(ctx, &b, q, n, mode); err != nil {
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

// remoteSample shows the first members with the id and the columns the
// expression reads, as sample does in memory.
func (s *Session) remoteSample(ctx context.Context, b *strings.Builder, q *sqlgen.Query, n int) error {
	limit := s.opts.Limit
	if n == 0 || limit == 0 {
		return nil
	}
	var cols []string
	if id := s.idColumn(); id != "" {
		cols = append(cols, id)
	}
	for _, c := range append(q.Columns(0), s.opts.Columns...) {
		if !contains(cols, c) && len(cols) < 8 && s.cur.t.ColumnIndex(c) >= 0 {
			cols = append(cols, c)
		}
	}
	cols, withheld, err := s.privacy.Members(s.cur.t, n, cols)
	var small *analytics.ErrTooSmall
	if errors.As(err, &small) {
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
	err = s.cur.remote.Rows(ctx, q, cols, s.idColumn(), limit, nil, func(rec arrow.RecordBatch) error {
		return s.table(b, rec)
	})
	if err == nil && n > limit {
		fmt.Fprintf(b, "(%s more)\n", output.Thousands(n-limit))
	}
	return err
}

// remoteMembers writes every member in csv, json or ids mode.
func (s *Session) remoteMembers(ctx context.Context, b *strings.Builder, q *sqlgen.Query, n int, mode string) error {
	r := s.cur.remote
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
		nulls, err := r.IDs(ctx, q, id, func(v string) error { b.WriteString(v + "\n"); return nil })
		if nulls > 0 {
			fmt.Fprintf(b, "warning: %s members have a null %s and are not listed\n", output.Thousands(nulls), id)
		}
		return err
	}
	cols, withheld, err := s.privacy.Members(s.cur.t, n, nil)
	if err != nil {
		return privacyHint(err)
	}
	if len(withheld) > 0 {
		return fmt.Errorf("the rows hold personal data (%s): .privacy allow-pii on shows them", strings.Join(withheld, ", "))
	}
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	err = r.Rows(ctx, q, cols, s.idColumn(), -1, nil, func(rec arrow.RecordBatch) error {
		rec.Retain()
		recs = append(recs, rec)
		return nil
	})
	if err != nil {
		return err
	}
	return s.rows(b, recs, mode)
}

// remoteSchema lists a connected table's columns and types (statistics
// would need the rows).
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
	for _, k := range s.cur.remote.Skipped() {
		fmt.Fprintf(&b, "(left out: %s %s — %s)\n", k.Column, k.Type, k.Reason)
	}
	return b.String(), nil
}
