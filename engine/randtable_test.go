package engine

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/segql/segql/columnar"
)

var testAnchor = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

var (
	testStrings = []string{"", "a", "b", "ab", "Ab", "ba", "abc", "x%y", "é", "É"}
	testWords   = []string{"a", "b", "c", "yoga", "deals"}
)

var randSchema = arrow.NewSchema([]arrow.Field{
	{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "b", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "d", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}, Nullable: true},
	{Name: "p", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "t", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "dt", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "l", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	{Name: "li", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
}, nil)

// randRows makes n rows of random values (nil is null) in the Go form the
// reference evaluator reads.
func randRows(r *rand.Rand, n int, nullP float64) []map[string]any {
	rows := make([]map[string]any, n)
	maybe := func(v any) any {
		if r.Float64() < nullP {
			return nil
		}
		return v
	}
	for i := range rows {
		f := float64(r.IntN(200)-50) / 4
		switch r.IntN(40) {
		case 0:
			f = math.NaN()
		case 1:
			f = math.Copysign(0, -1)
		case 2:
			f = math.Inf(1 - 2*r.IntN(2))
		}
		day := testAnchor.Truncate(24*time.Hour).UnixMicro() - int64(r.IntN(120))*86400e6
		var list []any
		for range r.IntN(4) {
			list = append(list, maybe(testWords[r.IntN(len(testWords))]))
		}
		var ints []any
		for range r.IntN(4) {
			ints = append(ints, maybe(int64(r.IntN(10))))
		}
		rows[i] = map[string]any{
			"a": maybe(int64(r.IntN(31) - 10)), "b": maybe(int64(r.IntN(31) - 10)), "f": maybe(f),
			"s": maybe(testStrings[r.IntN(len(testStrings))]), "d": maybe(testStrings[r.IntN(len(testStrings))]),
			"p":  maybe(r.IntN(2) == 1),
			"t":  maybe(refTime(testAnchor.UnixMicro() - int64(r.Int64N(100*86400e6)) + int64(r.Int64N(5*86400e6)))),
			"dt": maybe(refTime(day)), "l": maybe(list), "li": maybe(ints),
		}
		if list == nil && rows[i]["l"] != nil {
			rows[i]["l"] = []any{}
		}
		if ints == nil && rows[i]["li"] != nil {
			rows[i]["li"] = []any{}
		}
	}
	return rows
}

// buildTable turns rows into a table of batches of batchSize rows, each a
// slice (non-zero offset) of whole-table arrays.
func buildTable(mem memory.Allocator, rows []map[string]any, batchSize int) *columnar.Table {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	b := array.NewRecordBuilder(mem, randSchema)
	defer b.Release()
	for _, row := range rows {
		for i, f := range randSchema.Fields() {
			appendValue(b.Field(i), row[f.Name])
		}
	}
	whole := b.NewRecordBatch()
	defer whole.Release()
	var batches []arrow.RecordBatch
	for start := 0; start < len(rows); start += batchSize {
		end := min(start+batchSize, len(rows))
		batches = append(batches, whole.NewSlice(int64(start), int64(end)))
	}
	if len(batches) == 0 {
		batches = append(batches, whole.NewSlice(0, 0))
	}
	return columnar.NewTable("rand", randSchema, batches)
}

func appendValue(b array.Builder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(v.(int64))
	case *array.Int32Builder:
		b.Append(int32(v.(int64)))
	case *array.Float64Builder:
		b.Append(v.(float64))
	case *array.StringBuilder:
		b.Append(v.(string))
	case *array.BinaryDictionaryBuilder:
		_ = b.AppendString(v.(string))
	case *array.BooleanBuilder:
		b.Append(v.(bool))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(v.(refTime)))
	case *array.Date32Builder:
		b.Append(arrow.Date32(int64(v.(refTime)) / 86400e6))
	case *array.ListBuilder:
		b.Append(true)
		for _, e := range v.([]any) {
			appendValue(b.ValueBuilder(), e)
		}
	}
}
