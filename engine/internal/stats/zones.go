package stats

import (
	"math"
	"math/bits"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/internal/workers"
)

// zone is the range of one batch's non-null values of an integer, time or
// date column, in the column's own units (days for dates); none when the
// batch has no non-null value.
type zone struct {
	min, max int64
	none     bool
}

// computeZones returns the zone of column col in every batch, or nil for
// columns of other types and for columns whose batches look alike (see
// zonesUseful), where zones would decide nothing.
func computeZones(batches []arrow.RecordBatch, col int) []zone {
	if len(batches) == 0 || !zoneType(batches[0].Column(col).DataType()) || !zonesUseful(batches, col) {
		return nil
	}
	out := make([]zone, len(batches))
	workers.Each(len(batches), func(i int) { out[i] = zoneOf(batches[i].Column(col)) })
	return out
}

// zoneType reports the column types zones are kept for (stored integers).
func zoneType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32,
		arrow.TIMESTAMP, arrow.DATE32, arrow.DATE64:
		return true
	}
	return false
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
		return zoneIn(*(*[]int64)(unsafe.Pointer(&vals)), a)
	case *array.Date32:
		vals := x.Date32Values()
		return zoneIn(*(*[]int32)(unsafe.Pointer(&vals)), a)
	case *array.Date64:
		vals := x.Date64Values()
		return zoneIn(*(*[]int64)(unsafe.Pointer(&vals)), a)
	}
	return zone{min: math.MinInt64, max: math.MaxInt64} // decides nothing
}

// zoneIn scans the non-null values of a (whose values are vals), a
// validity word at a time (a may be in use by a running query: zoneIn
// only reads it): whole words of valid values by a plain min/max
// loop in T's width, partial words by their set bits.
func zoneIn[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](vals []T, a arrow.Array) zone {
	valid := kernels.Validity(a, nil)
	seen := false
	var mn, mx T
	for w := 0; w < kernels.Words(len(vals)); w++ {
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

// Verdict is what a batch's zone says of a predicate on its non-null
// rows: nothing (the kernel runs), none of them, or all of them.
type Verdict uint8

// Verdicts.
const (
	Run Verdict = iota
	None
	AllRows
)

// Decide judges an integer range, in the column's stored units, for batch
// b's non-null rows. zs may be nil (no zones: Run).
func Decide(zs []zone, b int, r kernels.IntRange) Verdict {
	if b >= len(zs) {
		return Run
	}
	z := zs[b]
	var v Verdict
	switch {
	case z.none || r.Empty() || z.max < r.Lo || z.min > r.Hi:
		v = None
	case r.Lo <= z.min && z.max <= r.Hi:
		v = AllRows
	default:
		return Run
	}
	if r.Neg {
		v = None + AllRows - v
	}
	return v
}
