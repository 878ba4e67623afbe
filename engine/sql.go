package engine

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/sqlgen"
)

// SQLExpr is one expression to compile to SQL: a label (the column name in
// a sizes query) and its source.
type SQLExpr struct {
	Name, Src string
}

// CompileSQL parses and checks each expression against the table's schema
// (with the options' definitions, as Compile does) and compiles them
// together into one SQL query set for dialect d. Options' Zoned defaults
// to the table's timestamp columns that carry a time zone. Check errors
// are *diag.List; constructs the dialect cannot express are
// *sqlgen.Error.
func (e *Engine) CompileSQL(exprs []SQLExpr, d sqlgen.Dialect, sqlOpts sqlgen.Options, opts ...Option) (*sqlgen.Query, error) {
	o := options(opts)
	if sqlOpts.Segments == nil {
		sqlOpts.Segments = o.defs
	}
	o.defs = sqlOpts.Segments
	if sqlOpts.Zoned == nil {
		sqlOpts.Zoned = e.Zoned
	}
	if st := e.events; st != nil {
		ev := sqlgen.EventOptions{}
		if sqlOpts.Events != nil {
			ev = *sqlOpts.Events
		}
		ev.User, ev.Name, ev.Time = orDefault(ev.User, st.cols.User), orDefault(ev.Name, st.cols.Name), orDefault(ev.Time, st.cols.Time)
		ev.UserID = orDefault(ev.UserID, st.idColumn)
		if ev.Zoned == nil {
			ev.Zoned = st.lower.Zoned
		}
		sqlOpts.Events = &ev
	}
	in := make([]sqlgen.Expr, len(exprs))
	for i, x := range exprs {
		tree, info, err := e.check(x.Src, o)
		if err != nil {
			return nil, err
		}
		in[i] = sqlgen.Expr{Name: x.Name, Tree: tree, Info: info, Src: diag.Source{Name: o.name, Text: x.Src}}
	}
	return sqlgen.Compile(in, d, sqlOpts)
}

// Zoned reports whether the top-level column name is a timestamp with a
// time zone (an instant), as SQL engines distinguish TIMESTAMPTZ from
// TIMESTAMP.
func (e *Engine) Zoned(name string) bool {
	i := e.table.ColumnIndex(name)
	if i < 0 {
		return false
	}
	ts, ok := e.fields[i].Type.(*arrow.TimestampType)
	return ok && ts.TimeZone != ""
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
