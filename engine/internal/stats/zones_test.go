package stats

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/internal/testtables"
)

func TestZoneVerdicts(t *testing.T) {
	tbl := testtables.Sorted()
	defer tbl.Release()
	st := New(tbl)
	n := st.Zones(0)
	require.Len(t, n, 9)
	rng := func(lo, hi int64) kernels.IntRange { return kernels.IntRange{Lo: lo, Hi: hi} }
	require.Equal(t, AllRows, n.Decide(1, rng(100, 199)))
	require.Equal(t, Run, n.Decide(1, rng(101, 199)))
	require.Equal(t, None, n.Decide(1, rng(200, 300)))
	require.Equal(t, None, n.Decide(4, rng(math.MinInt64, math.MaxInt64)), "an all-null batch has no rows to select")
	require.Equal(t, AllRows, n.Decide(0, kernels.CmpRange(kernels.Lt, 100)))
	require.Equal(t, None, n.Decide(0, kernels.CmpRange(kernels.Gt, math.MaxInt64)))
	require.Equal(t, AllRows, n.Decide(0, kernels.CmpRange(kernels.Ne, 100)))
	require.Equal(t, Run, n.Decide(0, kernels.CmpRange(kernels.Ne, 50)))
	require.Equal(t, None, n.Decide(8, kernels.CmpRange(kernels.Ne, 5)), "a batch holding only 5")
	day := st.Zones(1) // date32: zones hold days; ranges arrive in the column's units
	midnight := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	scale := kernels.ScaleOf(tbl.Schema.Field(1).Type)
	require.Equal(t, AllRows, day.Decide(0, scale.Native(kernels.CmpRange(kernels.Ge, midnight))))
	require.Equal(t, Run, day.Decide(0, scale.Native(kernels.CmpRange(kernels.Gt, midnight))), "the first day fails, the others pass")
	require.Equal(t, AllRows, day.Decide(0, scale.Native(rng(math.MinInt64, math.MaxInt64))), "the widest bounds do not overflow")
	require.Equal(t, Run, Zones(nil).Decide(0, rng(1, 2)), "no zones decide nothing")
}

// TestZonesSkippedWithoutOrder: a column whose batches all span about the
// same range gets no zones (the sample decides), a sorted one does.
func TestZonesSkippedWithoutOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(20, 21))
	build := func(v func() int) *columnar.Table {
		mem := memory.NewGoAllocator()
		schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int32}}, nil)
		var batches []arrow.RecordBatch
		for range 20 {
			b := array.NewInt32Builder(mem)
			for range 500 {
				b.Append(int32(v()))
			}
			batches = append(batches, array.NewRecordBatch(schema, []arrow.Array{b.NewArray()}, 500))
			b.Release()
		}
		return columnar.NewTable("t", schema, batches)
	}
	uniform := build(func() int { return r.IntN(31) - 10 })
	defer uniform.Release()
	require.Nil(t, New(uniform).Zones(0), "random values in every batch")
	// A skewed shuffled column (mostly 0 to 4, a few up to 99): batch
	// maxima differ, yet every batch spans most of the range.
	skewed := build(func() int {
		if r.IntN(50) == 0 {
			return r.IntN(100)
		}
		return r.IntN(5)
	})
	defer skewed.Release()
	require.Nil(t, New(skewed).Zones(0))
}
