package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/segql/segql/columnar"
)

// listColumnTable builds batches of a list<string> column l: random lists
// of 0 to 6 elements drawn from words of equal and different lengths, some
// null elements, some null lists; the second batch is a slice (its offsets
// start inside the values).
func listColumnTable(t *testing.T) *columnar.Table {
	t.Helper()
	mem := memory.NewGoAllocator()
	schema := arrow.NewSchema([]arrow.Field{{Name: "l", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true}}, nil)
	words := []string{"yoga", "yogi", "meditation", "meditatioN", "", "fitness", "runner", "running"}
	r := rand.New(rand.NewPCG(5, 6))
	build := func(rows int) arrow.Array {
		lb := array.NewListBuilder(mem, arrow.BinaryTypes.String)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		for i := 0; i < rows; i++ {
			if r.IntN(15) == 0 {
				lb.AppendNull()
				continue
			}
			lb.Append(true)
			for range r.IntN(7) {
				if r.IntN(20) == 0 {
					vb.AppendNull()
				} else {
					vb.Append(words[r.IntN(len(words))])
				}
			}
		}
		return lb.NewArray()
	}
	whole := build(700)
	sliced := array.NewSlice(whole, 133, 600)
	small := build(5)
	var batches []arrow.RecordBatch
	for _, a := range []arrow.Array{whole, sliced, small} {
		batches = append(batches, array.NewRecordBatch(schema, []arrow.Array{a}, int64(a.Len())))
	}
	return columnar.NewTable("lists", schema, batches)
}

// TestListContainsMatchesPlain checks the bitmap kernel for `contains` and
// `contains any` on string lists against the per-element masks.
func TestListContainsMatchesPlain(t *testing.T) {
	tbl := listColumnTable(t)
	defer tbl.Release()
	eng := Open(tbl)
	for _, src := range []string{
		`l contains "meditation"`, `l contains "yoga"`, `l contains ""`, `l contains "absent"`,
		`l contains any ("yoga", "yogi")`, `l contains any ("running", "fitness", "runner")`,
		`not (l contains "runner")`, `l contains all ("yoga", "yogi")`,
	} {
		requireSameAsPlain(t, eng, src)
	}
}
