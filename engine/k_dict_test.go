package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
)

// dictColumnTable builds batches of a dictionary column d whose dictionary has
// entries v0 … v(size-1) with one null entry (index nullAt), codes drawn
// at random and every tenth row null; each batch has its own dictionary
// order, so the same value has different codes in different batches.
func dictColumnTable(t *testing.T, size, nullAt int) *columnar.Table {
	t.Helper()
	mem := memory.NewGoAllocator()
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}
	schema := arrow.NewSchema([]arrow.Field{{Name: "d", Type: dt, Nullable: true}}, nil)
	r := rand.New(rand.NewPCG(uint64(size), 9))
	var batches []arrow.RecordBatch
	for b, rows := range []int{1000, 64, 257} {
		db := array.NewStringBuilder(mem)
		order := r.Perm(size)
		if b == 0 {
			for i := range order {
				order[i] = i
			}
		}
		for _, v := range order {
			if v == nullAt {
				db.AppendNull()
			} else {
				db.Append(fmt.Sprintf("v%d", v))
			}
		}
		dict := db.NewArray()
		ib := array.NewInt16Builder(mem)
		for i := 0; i < rows; i++ {
			if i%10 == 3 {
				ib.AppendNull()
			} else {
				ib.Append(int16(r.IntN(size)))
			}
		}
		idx := ib.NewArray()
		col := array.NewDictionaryArray(dt, idx, dict)
		batches = append(batches, array.NewRecordBatch(schema, []arrow.Array{col}, int64(rows)))
		dict.Release()
		idx.Release()
	}
	return columnar.NewTable("dict", schema, batches)
}

// TestDictionaryPredicatesMatchPlain checks the dictionary kernels (runs
// of codes selected by range passes, the 64-entry masks, the per-row
// table) against row-by-row evaluation, including UNKNOWN entries (a null
// in the dictionary) and predicates that are true for null rows.
func TestDictionaryPredicatesMatchPlain(t *testing.T) {
	exprs := []string{
		`d = "v3"`, `d != "v3"`, `d = "nope"`, `d in ("v1", "v2", "v3")`, `d in ("v0", "v2", "v4", "v6", "v8", "v10", "v12", "v14", "v16", "v18")`,
		`d not in ("v1", "v5")`, `d like "v1%"`, `d like "%5"`, `d < "v5"`, `d >= "v50"`, `d is null`, `d is not null`,
		`d = "v3" or d is null`, `not (d = "v7")`, `d in ("v1", "v2") or true`, `d in ("v1", "v2") and false`,
		`lower(d) = "v9"`, `d matches "^v[0-4]$"`,
	}
	for _, shape := range []struct{ size, nullAt int }{{5, 2}, {40, 0}, {40, -1}, {64, 63}, {65, 10}, {300, 299}} {
		tbl := dictColumnTable(t, shape.size, shape.nullAt)
		eng := Open(tbl)
		for _, src := range exprs {
			requireSameAsPlain(t, eng, src)
		}
		tbl.Release()
	}
}

func TestTrueRuns(t *testing.T) {
	runs, ok := trueRuns([]uint8{0, 1, 1, 0, 1, 0, 0, 1}, nil)
	require.True(t, ok)
	require.Equal(t, []codeRun{{1, 2}, {4, 4}, {7, 7}}, runs)
	runs, ok = trueRuns([]uint8{0, 0}, runs)
	require.True(t, ok)
	require.Empty(t, runs)
	_, ok = trueRuns([]uint8{1, 2, 0}, nil)
	require.False(t, ok, "an UNKNOWN entry needs the per-row table")
	many := make([]uint8, 2*maxCodeRuns+2)
	for i := range many {
		many[i] = uint8(i % 2)
	}
	_, ok = trueRuns(many, nil)
	require.False(t, ok, "more than maxCodeRuns runs")
}
