package stats

import (
	"fmt"
	"math"
	"slices"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/value"
)

// Ranking holds a column's ranks over the whole table: for every row the
// number of non-null values strictly below its value (ties share a rank),
// and the sorted distinct values, so a value from outside the table (a
// single user's row) is ranked against the same distribution. Immutable
// once built; shared by every query of an engine.
type Ranking struct {
	Float bool     // keys are float64 bits (ordered as DuckDB orders floats)
	N     int64    // non-null values
	Rows  []int32  // per table row: rank, or -1 where null
	keys  []uint64 // every non-null value's order-preserving key, sorted
}

// BuildRanking sorts a numeric or temporal column's non-null values with
// their rows (a radix sort on order-preserving keys) and assigns ranks.
func BuildRanking(t *columnar.Table, col int) (*Ranking, error) {
	total := t.NumRows()
	if total > math.MaxInt32 {
		return nil, fmt.Errorf("ranking column %s: tables over %d rows are not supported", t.Schema.Field(col).Name, math.MaxInt32)
	}
	k := kernels.KindOf(t.Schema.Field(col).Type)
	r := &Ranking{Float: k == value.KFloat, Rows: make([]int32, total)}
	keys := make([]uint64, 0, total)
	idx := make([]int32, 0, total)
	var v kernels.Vec
	for b, rec := range t.Batches {
		arr := rec.Column(col)
		v.Reset(k, arr.Len())
		if err := kernels.Load(&v, arr, kernels.All(v.N)); err != nil {
			return nil, fmt.Errorf("ranking column %s: %w", t.Schema.Field(col).Name, err)
		}
		base := int32(t.BatchOffset(b))
		for i := 0; i < v.N; i++ {
			if v.HasErr(i) {
				return nil, fmt.Errorf("ranking column %s: row %d: %w", t.Schema.Field(col).Name, int(base)+i, v.Cause)
			}
			if !v.IsValid(i) {
				r.Rows[base+int32(i)] = -1
				continue
			}
			if r.Float {
				keys = append(keys, floatKey(v.F64[i]))
			} else {
				keys = append(keys, intKey(v.I64[i]))
			}
			idx = append(idx, base+int32(i))
		}
	}
	radixSort(keys, idx)
	r.N, r.keys = int64(len(keys)), keys
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		for _, row := range idx[i:j] {
			r.Rows[row] = int32(i)
		}
		i = j
	}
	return r, nil
}

const (
	radixBits = 11
	radixMask = 1<<radixBits - 1
)

// intKey maps int64 order onto uint64 order.
func intKey(x int64) uint64 { return uint64(x) ^ 1<<63 }

// floatKey maps float64 order onto uint64 order, with -0 equal to 0 and
// every NaN equal and above +Inf (DuckDB's order).
func floatKey(f float64) uint64 {
	switch {
	case f != f:
		return math.MaxUint64
	case f == 0:
		f = 0
	}
	b := math.Float64bits(f)
	if b&(1<<63) != 0 {
		return ^b
	}
	return b | 1<<63
}

// radixSort sorts keys ascending, permuting idx alongside: a stable LSD
// sort by 11-bit digits (small enough for the scatter to stay in cache)
// that skips digits every key shares, so small integer ranges need one or
// two passes.
func radixSort(keys []uint64, idx []int32) {
	n := len(keys)
	if n < 2 {
		return
	}
	var or, and uint64 = 0, ^uint64(0)
	for _, k := range keys {
		or |= k
		and &= k
	}
	varying := or ^ and
	origK, origI := keys, idx
	k2, i2 := make([]uint64, n), make([]int32, n)
	var count [1 << radixBits]int
	for shift := uint(0); shift < 64; shift += radixBits {
		if (varying>>shift)&radixMask == 0 {
			continue
		}
		clear(count[:])
		for _, k := range keys {
			count[(k>>shift)&radixMask]++
		}
		sum := 0
		for d, c := range count {
			count[d] = sum
			sum += c
		}
		for i, k := range keys {
			d := (k >> shift) & radixMask
			k2[count[d]], i2[count[d]] = k, idx[i]
			count[d]++
		}
		keys, k2 = k2, keys
		idx, i2 = i2, idx
	}
	// After an odd number of passes the sorted data is in the scratch
	// slices; the caller holds the originals, so copy back.
	if &keys[0] != &origK[0] {
		copy(origK, keys)
		copy(origI, idx)
	}
}

// RankOf returns the rank of a value from outside the table: the number
// of the column's values strictly below it.
func (r *Ranking) RankOf(x value.Value) int64 {
	var key uint64
	switch {
	case r.Float:
		key = floatKey(x.AsFloat())
	case x.K == value.KFloat: // an int column ranked against a float value
		f := math.Ceil(x.F)
		if f != f || f >= math.MaxInt64 {
			return r.N
		}
		if f < math.MinInt64 {
			return 0
		}
		key = intKey(int64(f))
	default:
		key = intKey(x.I)
	}
	i, _ := slices.BinarySearch(r.keys, key) // the first key >= key
	return int64(i)
}

// Rank functions' results from a rank among n values. A value above
// every value of the table (only possible for a single user's row) has
// rank n: it is clamped to the top, percent_rank 1 and the last tile.

// PercentRank is rank / (n - 1), 0 when n <= 1.
func PercentRank(rank, n int64) float64 {
	if n <= 1 {
		return 0
	}
	return min(1, float64(rank)/float64(n-1))
}

// Ntile is 1 + ⌊tiles·rank / n⌋, at most tiles.
func Ntile(rank, n, tiles int64) int64 {
	if n == 0 {
		return 1
	}
	return min(tiles, 1+tiles*rank/n)
}
