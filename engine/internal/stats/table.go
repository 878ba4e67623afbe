// Package stats holds what the engine learns about a table's columns:
// rankings for the distribution functions, per-batch value ranges (zones)
// that decide whole batches, and the row sample selectivity estimates run
// on. Everything is computed on first use and kept for the engine's
// lifetime.
package stats

import (
	"sync"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/internal/memo"
	"github.com/segql/segql/internal/workers"
)

// Table is the statistics of one table. It is safe for concurrent use.
type Table struct {
	t      *columnar.Table
	ranks  memo.Cache[int, *Ranking]
	zones  memo.Cache[int, Zones]
	values memo.Cache[int, map[string]int]
	spans  memo.Cache[int, []zone]
	once   sync.Once
	sample []BatchSel
	// transient: no zones (Zones is nil, Beyond conservatively true).
	transient bool
}

// New returns the (empty, lazily filled) statistics of t.
func New(t *columnar.Table) *Table { return &Table{t: t} }

// NewTransient returns statistics of t that keep no per-batch ranges:
// for a table evaluated once (a streamed row group, whose statistics
// already decided it is worth reading), a pass over a column to find its
// batches' ranges would cost about what it could save.
func NewTransient(t *columnar.Table) *Table { return &Table{t: t, transient: true} }

// Ranking returns column col's ranking, building it on first use.
func (s *Table) Ranking(col int) (*Ranking, error) {
	return s.ranks.Get(col, func() (*Ranking, error) { return BuildRanking(s.t, col) })
}

// Values returns the counts of a string, dictionary or boolean column's
// values (nil for other types), computed on first use and shared: callers
// must not change the map.
func (s *Table) Values(col int) map[string]int {
	m, _ := s.values.Get(col, func() (map[string]int, error) {
		counts, _ := columnar.ValueCounts(s.t, col)
		return counts, nil
	})
	return m
}

// Zones are a column's per-batch value ranges (nil when it has none).
type Zones []zone

// Zones returns column col's zones, computed on first use: nil for
// columns of types without zones and for columns in no useful order.
func (s *Table) Zones(col int) Zones {
	if s.transient {
		return nil
	}
	zs, _ := s.zones.Get(col, func() (Zones, error) { return computeZones(s.t.Batches, col), nil })
	return zs
}

// Beyond reports whether batch b of column col (an integer, time or date
// column) holds a non-null stored value outside r. Every batch's range is
// computed on the column's first use, whatever its order (unlike Zones).
func (s *Table) Beyond(col, b int, r kernels.IntRange) bool {
	if s.transient {
		return true
	}
	spans, _ := s.spans.Get(col, func() ([]zone, error) {
		out := make([]zone, len(s.t.Batches))
		workers.Each(len(out), func(i int) { out[i] = zoneOf(s.t.Batches[i].Column(col)) })
		return out, nil
	})
	if b >= len(spans) {
		return true
	}
	z := spans[b]
	return !z.none && (z.min < r.Lo || z.max > r.Hi)
}

// Decide judges a range in the column's stored units for batch b.
func (zs Zones) Decide(b int, r kernels.IntRange) Verdict { return Decide(zs, b, r) }

// BatchSel is a selection of rows within one batch of the table.
type BatchSel struct {
	Batch int
	Sel   kernels.Sel
}

// Sample rows: up to sampleBatches batches spread over the table, and in
// each up to sampleRows rows spread over the batch.
const (
	sampleBatches = 8
	sampleRows    = 512
)

// Sample returns the rows selectivity estimates are measured on: about
// 4,096 rows spread evenly over the table, as selections of its batches
// (so evaluating them copies nothing).
func (s *Table) Sample() []BatchSel {
	s.once.Do(func() {
		nb := len(s.t.Batches)
		step := max(1, nb/sampleBatches)
		for b := 0; b < nb && len(s.sample) < sampleBatches; b += step {
			n := int(s.t.Batches[b].NumRows())
			if n == 0 {
				continue
			}
			w := make([]uint64, kernels.Words(n))
			every := max(1, n/sampleRows)
			count := 0
			for i := every / 2; i < n; i += every {
				kernels.SetBit(w, i)
				count++
			}
			s.sample = append(s.sample, BatchSel{Batch: b, Sel: kernels.Sel{W: w, N: count}})
		}
	})
	return s.sample
}
