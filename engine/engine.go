package engine

import (
	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/stats"
	"github.com/segql/segql/lang/check"
)

// Engine evaluates segments over one table. It is safe for concurrent use.
// What it learns about the table's columns (rankings, per-batch value
// ranges, a row sample) is computed on first use and kept for its
// lifetime.
type Engine struct {
	table  *columnar.Table
	schema *arrowSchema
	fields []arrow.Field // the table's fields (Schema.Fields copies them)
	stats  *stats.Table
	data   bool         // false for OpenSchema: no rows to rank or sample
	events *eventsState // AttachEvents: the events table, or nil
}

// Open returns an engine over t. The engine does not take ownership of t:
// the caller keeps it alive (and releases it) for as long as the engine
// and its queries are used.
func Open(t *columnar.Table) *Engine {
	return &Engine{table: t, schema: newArrowSchema(t.Schema), fields: t.Schema.Fields(), stats: stats.New(t), data: true}
}

// OpenSchema returns an engine over an empty table with the given schema:
// enough to compile and check expressions (segql check) without data.
// Functions that rank the whole table (percent_rank, ntile, the RFM
// scores) do not compile on it: they need the rows.
func OpenSchema(s *arrow.Schema) *Engine {
	e := Open(columnar.NewTable("schema", s, nil))
	e.data = false
	return e
}

// Table returns the engine's table.
func (e *Engine) Table() *columnar.Table { return e.table }

// Schema returns the table's schema as the checker sees it (with the
// events table's, when one is attached: a check.EventSchema).
func (e *Engine) Schema() check.Schema {
	if e.events != nil {
		return &schemaWithEvents{arrowSchema: e.schema, events: e.events.schema}
	}
	return e.schema
}

// schemaWithEvents is the users table's schema and the events table's.
type schemaWithEvents struct {
	*arrowSchema
	events *eventSchema
}

func (s *schemaWithEvents) Events() check.Events { return s.events }

// ColumnIndex returns the position of a top-level column, or -1.
func (e *Engine) ColumnIndex(name string) int { return e.table.ColumnIndex(name) }

// ArrowSchema implements plan.Tables.
func (e *Engine) ArrowSchema() *arrow.Schema { return e.table.Schema }

// Ranking implements plan.Tables.
func (e *Engine) Ranking(col int) (*stats.Ranking, error) {
	if !e.data {
		return nil, ErrNeedsData
	}
	return e.stats.Ranking(col)
}
