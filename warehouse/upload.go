package warehouse

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/segql/segql/columnar"
)

// ErrTableExists reports an upload to a table that is already there:
// Upload never replaces data.
var ErrTableExists = errors.New("the table already exists")

// Upload creates the table rawURL names (?table=) with schema's columns
// and copies in the batches src produces, in one transaction: the table
// appears complete or not at all. It returns the rows written. Columns
// whose type PostgreSQL cannot hold as segql reads it back are an error
// naming the column, before anything is written.
func Upload(ctx context.Context, rawURL string, schema *arrow.Schema, src columnar.BatchSource) (int64, error) {
	t, err := parseURL(rawURL)
	if err != nil {
		return 0, err
	}
	if err := t.needTable(); err != nil {
		return 0, err
	}
	ddl, err := createTable(t.table, schema)
	if err != nil {
		return 0, err
	}
	conn, err := connect(ctx, t)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.Background())
	var rows int64
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, ddl); err != nil {
			var pg *pgconn.PgError
			if errors.As(err, &pg) && pg.Code == "42P07" {
				return fmt.Errorf("%s: %w (drop it, or name another table)", t.shown, ErrTableExists)
			}
			return queryErr(ctx, nil, ddl, err)
		}
		names := schema.Fields()
		cols := make([]string, len(names))
		for i, f := range names {
			cols[i] = f.Name
		}
		return src(func(rec arrow.RecordBatch) error {
			n, err := tx.CopyFrom(ctx, pgx.Identifier(t.table), cols, copyRows(rec))
			rows += n
			return queryErr(ctx, nil, "COPY", err)
		})
	})
	if err != nil {
		return 0, err
	}
	return rows, nil
}

// createTable is the CREATE TABLE statement for schema.
func createTable(table []string, schema *arrow.Schema) (string, error) {
	cols := make([]string, len(schema.Fields()))
	for i, f := range schema.Fields() {
		typ, err := pgType(f.Type)
		if err != nil {
			return "", fmt.Errorf("column %q: %w", f.Name, err)
		}
		cols[i] = pgx.Identifier{f.Name}.Sanitize() + " " + typ
		if !f.Nullable {
			cols[i] += " NOT NULL"
		}
	}
	return "CREATE TABLE " + pgx.Identifier(table).Sanitize() + " (" + strings.Join(cols, ", ") + ")", nil
}

// pgType is the PostgreSQL type that holds values of t and reads back as
// the same segql type.
func pgType(t arrow.DataType) (string, error) {
	switch t := t.(type) {
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Uint8Type:
		return "smallint", nil
	case *arrow.Int32Type, *arrow.Uint16Type:
		return "integer", nil
	case *arrow.Int64Type, *arrow.Uint32Type:
		return "bigint", nil
	case *arrow.Float32Type:
		return "real", nil
	case *arrow.Float64Type:
		return "double precision", nil
	case *arrow.StringType, *arrow.LargeStringType:
		return "text", nil
	case *arrow.DictionaryType:
		return pgType(t.ValueType)
	case *arrow.BooleanType:
		return "boolean", nil
	case *arrow.Date32Type:
		return "date", nil
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			return "timestamptz", nil
		}
		return "timestamp", nil
	case *arrow.ListType:
		if _, ok := t.Elem().(*arrow.ListType); ok {
			return "", errors.New("lists of lists have no PostgreSQL column type")
		}
		elem, err := pgType(t.Elem())
		if err != nil || strings.HasPrefix(elem, "timestamp") || elem == "date" {
			return "", fmt.Errorf("lists of %s are not supported in PostgreSQL", t.Elem())
		}
		return elem + "[]", nil
	}
	return "", fmt.Errorf("type %s has no PostgreSQL column type segql reads back the same", t)
}

// copyRows is a batch as a COPY source.
func copyRows(rec arrow.RecordBatch) pgx.CopyFromSource {
	cols := rec.Columns()
	return pgx.CopyFromSlice(int(rec.NumRows()), func(i int) ([]any, error) {
		row := make([]any, len(cols))
		for c, a := range cols {
			v, err := pgValue(a, i)
			if err != nil {
				return nil, err
			}
			row[c] = v
		}
		return row, nil
	})
}

// pgValue is row i of a as a value pgx encodes for the column pgType
// chose.
func pgValue(a arrow.Array, i int) (any, error) {
	if a.IsNull(i) {
		return nil, nil
	}
	switch a := a.(type) {
	case *array.Int8:
		return int16(a.Value(i)), nil
	case *array.Uint8:
		return int16(a.Value(i)), nil
	case *array.Int16:
		return a.Value(i), nil
	case *array.Uint16:
		return int32(a.Value(i)), nil
	case *array.Int32:
		return a.Value(i), nil
	case *array.Uint32:
		return int64(a.Value(i)), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Float32:
		return a.Value(i), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.Boolean:
		return a.Value(i), nil
	case *array.String:
		return a.Value(i), nil
	case *array.LargeString:
		return a.Value(i), nil
	case *array.Dictionary:
		return pgValue(a.Dictionary(), a.GetValueIndex(i))
	case *array.Date32:
		return a.Value(i).ToTime(), nil
	case *array.Timestamp:
		return a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit), nil
	case *array.List:
		return listValue(a, i)
	}
	return nil, fmt.Errorf("%s values cannot be copied to PostgreSQL", a.DataType())
}

func listValue(a *array.List, i int) (any, error) {
	start, end := a.ValueOffsets(i)
	out := make([]any, 0, end-start)
	for j := start; j < end; j++ {
		v, err := pgValue(a.ListValues(), int(j))
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
