package warehouse

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"

	"github.com/segql/segql/lang/diag"
)

// Skipped is a column of the table that segql leaves out, and why.
type Skipped struct {
	Column, Type, Reason string
}

// pgColumn is one row of the catalog query.
type pgColumn struct {
	name, typ, elem string
	category        string
	notNull         bool
}

// columnsQuery lists a table's columns with their types; an array's
// element type is named too. $1 is the quoted, qualified table name.
const columnsQuery = `SELECT a.attname, t.typname, t.typcategory::text, coalesce(et.typname, ''), a.attnotnull
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`

// readSchema reads the table's columns as an Arrow schema, with the
// columns it cannot represent listed apart.
func readSchema(ctx context.Context, conn *pgx.Conn, t target) (*arrow.Schema, []Skipped, error) {
	qualified := pgx.Identifier(t.table).Sanitize()
	var oid *uint32
	if err := conn.QueryRow(ctx, `SELECT to_regclass($1)::oid`, qualified).Scan(&oid); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", t.shown, err)
	}
	if oid == nil {
		return nil, nil, noTable(ctx, conn, t)
	}
	rows, err := conn.Query(ctx, columnsQuery, qualified)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading the columns: %w", t.shown, err)
	}
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (pgColumn, error) {
		var c pgColumn
		err := r.Scan(&c.name, &c.typ, &c.category, &c.elem, &c.notNull)
		return c, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading the columns: %w", t.shown, err)
	}
	var fields []arrow.Field
	var skipped []Skipped
	for _, c := range cols {
		dt, why := arrowType(c)
		if dt == nil {
			skipped = append(skipped, Skipped{Column: c.name, Type: typeName(c), Reason: why})
			continue
		}
		fields = append(fields, arrow.Field{Name: c.name, Type: dt, Nullable: !c.notNull})
	}
	return arrow.NewSchema(fields, nil), skipped, nil
}

// scalarTypes are the PostgreSQL types read with segql's semantics.
var scalarTypes = map[string]arrow.DataType{
	"int2":        arrow.PrimitiveTypes.Int16,
	"int4":        arrow.PrimitiveTypes.Int32,
	"int8":        arrow.PrimitiveTypes.Int64,
	"float4":      arrow.PrimitiveTypes.Float32,
	"float8":      arrow.PrimitiveTypes.Float64,
	"bool":        arrow.FixedWidthTypes.Boolean,
	"text":        arrow.BinaryTypes.String,
	"varchar":     arrow.BinaryTypes.String,
	"date":        arrow.FixedWidthTypes.Date32,
	"timestamp":   &arrow.TimestampType{Unit: arrow.Microsecond},
	"timestamptz": &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
}

// unsupported says why a type is left out, where a reason helps.
var unsupported = map[string]string{
	"numeric": "exact decimals would be compared as floats; cast it to double precision or bigint in a view",
	"bpchar":  "character(n) ignores trailing spaces in comparisons; cast it to text in a view",
	"json":    "JSON documents are not a segql type",
	"jsonb":   "JSON documents are not a segql type",
}

// arrowType is the Arrow type of a column, or nil and the reason it is
// left out.
func arrowType(c pgColumn) (arrow.DataType, string) {
	if c.category == "A" {
		elem, ok := scalarTypes[c.elem]
		if !ok || c.elem == "date" || strings.HasPrefix(c.elem, "timestamp") {
			return nil, "arrays of " + c.elem + " are not supported"
		}
		return arrow.ListOf(elem), ""
	}
	if t, ok := scalarTypes[c.typ]; ok {
		return t, ""
	}
	if why, ok := unsupported[c.typ]; ok {
		return nil, why
	}
	return nil, "type " + c.typ + " is not supported"
}

func typeName(c pgColumn) string {
	if c.category == "A" {
		return c.elem + "[]"
	}
	return c.typ
}

// noTable is the error for a table the server does not have, with the
// nearest table name it does have.
func noTable(ctx context.Context, conn *pgx.Conn, t target) error {
	name := strings.Join(t.table, ".")
	hint := ""
	rows, err := conn.Query(ctx, `SELECT CASE WHEN table_schema = current_schema() THEN table_name ELSE table_schema || '.' || table_name END
FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)
	if err == nil {
		if names, err := pgx.CollectRows(rows, pgx.RowTo[string]); err == nil {
			if s := diag.Suggest(name, names); s != "" {
				hint = fmt.Sprintf(", did you mean %q?", s)
			}
		}
	}
	return fmt.Errorf("%s: %w %q%s", t.shown, ErrNoTable, name, hint)
}
