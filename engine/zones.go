package engine

import (
	"math"
	"math/bits"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/lang/ast"
)

// zone is the range of one batch's non-null values of an integer, time or
// date column, in the column's own units (days for dates); none when the
// batch has no non-null value.
type zone struct {
	min, max int64
	none     bool
}

// batchZones returns the zone of column col in every batch of the
// engine's table, computed once per engine the first time a run needs it;
// nil for columns of other types, and for columns whose batches look
// alike (see zonesUseful), where zones would decide nothing. Safe for
// concurrent use.
func (e *Engine) batchZones(col int) []zone {
	zs, _ := e.zones.get(col, func() ([]zone, error) {
		batches := e.table.Batches
		if !rangeType(e.fields[col].Type) || !zonesUseful(batches, col) {
			return nil, nil
		}
		out := make([]zone, len(batches))
		parallelChunks(len(batches), func(i int) { out[i] = zoneOf(batches[i].Column(col)) })
		return out, nil
	})
	return zs
}

// zoneSamples is how many batches zonesUseful reads.
const zoneSamples = 8

// zonesUseful samples zoneSamples batches spread over the table: unless at
// least half of them span under half the range of all of them, the column
// is in no useful order (batches of a shuffled column span about the whole
// range, give or take a skewed tail) and a pass over the whole column to
// find the batch ranges would not pay for itself. Tables of at most
// zoneSamples batches are always worth it.
func zonesUseful(batches []arrow.RecordBatch, col int) bool {
	if len(batches) <= zoneSamples {
		return true
	}
	samples := make([]zone, zoneSamples)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range samples {
		z := zoneOf(batches[i*(len(batches)-1)/(zoneSamples-1)].Column(col))
		samples[i] = z
		if !z.none {
			lo, hi = min(lo, float64(z.min)), max(hi, float64(z.max))
		}
	}
	narrow := 0
	for _, z := range samples {
		if z.none || float64(z.max)-float64(z.min) < 0.5*(hi-lo) {
			narrow++
		}
	}
	return 2*narrow >= zoneSamples
}

func zoneOf(a arrow.Array) zone {
	switch x := a.(type) {
	case *array.Int8:
		return zoneIn(x.Int8Values(), a)
	case *array.Int16:
		return zoneIn(x.Int16Values(), a)
	case *array.Int32:
		return zoneIn(x.Int32Values(), a)
	case *array.Int64:
		return zoneIn(x.Int64Values(), a)
	case *array.Uint8:
		return zoneIn(x.Uint8Values(), a)
	case *array.Uint16:
		return zoneIn(x.Uint16Values(), a)
	case *array.Uint32:
		return zoneIn(x.Uint32Values(), a)
	case *array.Timestamp:
		vals := x.TimestampValues()
		return zoneIn(*(*[]int64)(ptrOf(&vals)), a)
	case *array.Date32:
		vals := x.Date32Values()
		return zoneIn(*(*[]int32)(ptrOf(&vals)), a)
	}
	return zone{min: math.MinInt64, max: math.MaxInt64} // decides nothing
}

// zoneIn scans the non-null values of a (whose values are vals), a
// validity word at a time (a may be in use by a running query: zoneIn
// only reads it): whole words of valid values by a plain min/max
// loop in T's width, partial words by their set bits.
func zoneIn[T intType](vals []T, a arrow.Array) zone {
	valid := bitmapOf(a, nil) // not NullN: a worker may be evaluating a
	seen := false
	var mn, mx T
	for w := 0; w < words(len(vals)); w++ {
		chunk := vals[w<<6 : min(w<<6+64, len(vals))]
		m := ^uint64(0)
		if valid != nil {
			m = valid[w]
		}
		if m == 0 {
			continue
		}
		if !seen {
			j := bits.TrailingZeros64(m)
			mn, mx, seen = chunk[j], chunk[j], true
		}
		if m == ^uint64(0) || (w<<6+64 > len(vals) && m == 1<<uint(len(chunk))-1) {
			for _, v := range chunk {
				mn, mx = min(mn, v), max(mx, v)
			}
			continue
		}
		for ; m != 0; m &= m - 1 {
			v := chunk[bits.TrailingZeros64(m)]
			mn, mx = min(mn, v), max(mx, v)
		}
	}
	if !seen {
		return zone{none: true}
	}
	return zone{min: int64(mn), max: int64(mx)}
}

// verdict is what a batch's zone says of a predicate on its non-null
// rows: nothing (the kernel runs), none of them, or all of them.
type verdict uint8

const (
	zoneRun verdict = iota
	zoneNone
	zoneAll
)

// zoneRef is a kernel's handle on its column's zones, fetched from the
// engine on the kernel's first batch.
type zoneRef struct {
	eng  *Engine
	col  int
	date bool // bounds are microseconds, the zones days
	zs   atomic.Pointer[[]zone]
}

// zonesFor returns a handle on column col's zones, or nil when there are
// none to consult (other types, the compiler of a dictionary's values, or
// WithoutOptimizations).
func (cp *compiler) zonesFor(col int) *zoneRef {
	if cp.eng == nil || cp.plain || !rangeType(cp.eng.fields[col].Type) {
		return nil
	}
	return &zoneRef{eng: cp.eng, col: col, date: cp.eng.fields[col].Type.ID() == arrow.DATE32}
}

func (z *zoneRef) get() []zone {
	if p := z.zs.Load(); p != nil {
		return *p
	}
	zs := z.eng.batchZones(z.col)
	z.zs.Store(&zs)
	return zs
}

// inRange judges lo <= x <= hi (inclusive bounds in comparison units:
// microseconds for times and dates) for the batch's non-null rows.
func (z *zoneRef) inRange(batch int, lo, hi int64) verdict {
	if z == nil {
		return zoneRun
	}
	zs := z.get()
	if batch >= len(zs) {
		return zoneRun
	}
	b := zs[batch]
	if z.date { // d·1d in [lo, hi] ⇔ d in [⌈lo/1d⌉, ⌊hi/1d⌋]
		lo, hi = ceilDiv(lo, dayMicros), floorDiv(hi, dayMicros)
	}
	switch {
	case b.none || lo > hi || b.max < lo || b.min > hi:
		return zoneNone
	case lo <= b.min && b.max <= hi:
		return zoneAll
	}
	return zoneRun
}

// compare judges x op c the same way; x != c is decided when the batch
// holds only c (none) or c lies outside its range (all).
func (z *zoneRef) compare(batch int, op ast.CompareOp, c int64) verdict {
	if z == nil {
		return zoneRun
	}
	const lo, hi = math.MinInt64, math.MaxInt64
	switch op {
	case ast.Gt:
		if c == hi {
			return zoneNone
		}
		return z.inRange(batch, c+1, hi)
	case ast.Ge:
		return z.inRange(batch, c, hi)
	case ast.Lt:
		if c == lo {
			return zoneNone
		}
		return z.inRange(batch, lo, c-1)
	case ast.Le:
		return z.inRange(batch, lo, c)
	case ast.Eq:
		return z.inRange(batch, c, c)
	}
	switch z.inRange(batch, c, c) {
	case zoneNone:
		return zoneAll
	case zoneAll:
		return zoneNone
	}
	return zoneRun
}

// fill sets every bit of a boolean vector's words (for zoneAll; callers
// then mask by validity and the tail).
func fill(bits []uint64) {
	for i := range bits {
		bits[i] = ^uint64(0)
	}
}
