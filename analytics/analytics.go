// Package analytics describes and acts on segments computed by the
// engine: profiles (how a segment differs from its base, column by
// column), overlaps, k-means clusters, experiment splits and exports, all
// under one privacy guard (a minimum segment size and personal-data
// columns). It sits above the engine and uses only its public API.
package analytics

import (
	"fmt"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/memo"
	"github.com/segql/segql/lang/diag"
)

// Analyzer runs analytics over one engine's table. Summaries of whole
// columns (a profile's default base) are computed on first use and kept.
// It is safe for concurrent use.
type Analyzer struct {
	eng      *engine.Engine
	table    *columnar.Table
	profiles memo.Cache[int, *baseColumn]
}

// New returns an analyzer over eng's table.
func New(eng *engine.Engine) *Analyzer { return &Analyzer{eng: eng, table: eng.Table()} }

// Engine returns the analyzer's engine.
func (e *Analyzer) Engine() *engine.Engine { return e.eng }

// sameTable checks that results belong to the analyzer's table.
func (e *Analyzer) sameTable(what string, results ...*engine.Result) error {
	for _, r := range results {
		if r != nil && r.Table() != e.table && !sameRows(r.Table(), e.table) {
			return fmt.Errorf("%s: the results must come from this analyzer's engine", what)
		}
	}
	return nil
}

// sameRows reports a table that is a prefix view of another's batches (a
// sampled run's result).
func sameRows(a, b *columnar.Table) bool {
	return len(a.Batches) <= len(b.Batches) && len(a.Batches) > 0 && a.Batches[0] == b.Batches[0]
}

// unknownColumn describes a missing column with a suggestion.
func unknownColumn(t *columnar.Table, name string) string {
	var names []string
	for _, f := range t.Schema.Fields() {
		names = append(names, f.Name)
	}
	msg := fmt.Sprintf("no column %q in the table", name)
	if hint := diag.DidYouMean(name, names); hint != "" {
		msg += " (" + hint + ")"
	}
	return msg
}
