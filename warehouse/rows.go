package warehouse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"github.com/segql/segql/lang/sqlgen"
)

// BatchRows is the number of rows per record batch Rows emits.
const BatchRows = 1 << 16

// Rows streams the columns cols (nil: all the source's columns) of q's
// members, ordered by the column order ("" for no order), at most limit
// rows (limit < 0: all), as record batches of at most BatchRows rows.
// emit does not take ownership; Rows stops at its first error. A value
// segql cannot represent (an infinite date) is an error naming the row
// and column.
func (s *Source) Rows(ctx context.Context, q *sqlgen.Query, cols []string, order string, limit int, mem memory.Allocator, emit func(arrow.RecordBatch) error) error {
	if cols == nil {
		for _, f := range s.schema.Fields() {
			cols = append(cols, f.Name)
		}
	}
	schema, err := s.project(cols)
	if err != nil {
		return err
	}
	sql, err := q.Rows(cols, order, limit)
	if err != nil {
		return err
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.conn.Query(ctx, sql)
	if err != nil {
		return queryErr(ctx, q, sql, err)
	}
	defer r.Close()
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	err = readBatches(r, b, emit)
	var ve valueError
	if errors.As(err, &ve) {
		return fmt.Errorf("%s: %w", s.t.shown, ve.error)
	}
	return queryErr(ctx, q, sql, err)
}

// valueError is a value the server sent that segql cannot represent.
type valueError struct{ error }

// project is the schema of the named columns.
func (s *Source) project(cols []string) (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		idx := s.schema.FieldIndices(c)
		if len(idx) == 0 {
			return nil, fmt.Errorf("%s has no column %q", s.t.shown, c)
		}
		fields[i] = s.schema.Field(idx[0])
	}
	return arrow.NewSchema(fields, nil), nil
}

// readBatches builds batches of the rows of r and emits each.
func readBatches(r pgx.Rows, b *array.RecordBuilder, emit func(arrow.RecordBatch) error) error {
	n, row := 0, 0
	flush := func() error {
		rec := b.NewRecordBatch()
		defer rec.Release()
		n = 0
		return emit(rec)
	}
	for r.Next() {
		vals, err := r.Values()
		if err != nil {
			return err
		}
		for i, v := range vals {
			if err := appendValue(b.Field(i), v); err != nil {
				return valueError{fmt.Errorf("row %d, column %q: %w", row+1, b.Schema().Field(i).Name, err)}
			}
		}
		n++
		row++
		if n == BatchRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := r.Err(); err != nil {
		return err
	}
	if n > 0 || row == 0 {
		return flush()
	}
	return nil
}

// appendValue appends one value as pgx decoded it to a builder of the
// type readSchema chose for its column.
func appendValue(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.Int16Builder:
		return appendAs(b.Append, v)
	case *array.Int32Builder:
		return appendAs(b.Append, v)
	case *array.Int64Builder:
		return appendAs(b.Append, v)
	case *array.Float32Builder:
		return appendAs(b.Append, v)
	case *array.Float64Builder:
		return appendAs(b.Append, v)
	case *array.BooleanBuilder:
		return appendAs(b.Append, v)
	case *array.StringBuilder:
		return appendAs(b.Append, v)
	case *array.Date32Builder:
		t, err := finite(v)
		if err == nil {
			b.Append(arrow.Date32(int32(math.Floor(float64(t.Unix()) / 86400))))
		}
		return err
	case *array.TimestampBuilder:
		t, err := finite(v)
		if err == nil {
			b.Append(arrow.Timestamp(t.UnixMicro()))
		}
		return err
	case *array.ListBuilder:
		return appendList(b, v)
	}
	return fmt.Errorf("unexpected column builder %T", b)
}

func appendAs[T any](add func(T), v any) error {
	x, ok := v.(T)
	if !ok {
		var want T
		return fmt.Errorf("the server sent %T where %T was expected", v, want)
	}
	add(x)
	return nil
}

func finite(v any) (time.Time, error) {
	t, ok := v.(time.Time)
	if !ok {
		return time.Time{}, fmt.Errorf("%v has no segql value (only finite dates and times do)", v)
	}
	return t, nil
}

func appendList(b *array.ListBuilder, v any) error {
	elems, ok := v.([]any)
	if !ok {
		return fmt.Errorf("the server sent %T where an array was expected", v)
	}
	b.Append(true)
	for _, e := range elems {
		if err := appendValue(b.ValueBuilder(), e); err != nil {
			return err
		}
	}
	return nil
}
