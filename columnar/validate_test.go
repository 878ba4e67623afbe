package columnar

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"
)

// TestValidateFullAgreesWithArrow corrupts string columns (top-level,
// list elements, dictionary values; sliced or not) in the ways a
// malformed file can: invalid UTF-8 anywhere, offsets out of order or
// past the data, wrong null counts. validateFull must accept exactly
// what array.ValidateFull accepts.
func TestValidateFullAgreesWithArrow(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	words := []string{"", "a", "paris", "é", "日本", "meditation", "\xff", "a\xc3", "\xc3(", "ok\x80ok"}
	var accepted, refused int
	for round := 0; round < 3000; round++ {
		n := rng.IntN(40)
		sb := array.NewStringBuilder(memory.DefaultAllocator)
		for i := 0; i < n; i++ {
			switch w := words[rng.IntN(len(words))]; {
			case rng.IntN(8) == 0:
				sb.AppendNull()
			case rng.IntN(3) == 0 || len(w) > 0 && (w[0] == 0xff || w[len(w)-1] == 0xc3 || w == "\xc3(" || w == "ok\x80ok"):
				if rng.IntN(4) == 0 {
					sb.Append(w)
				} else {
					sb.Append("ascii")
				}
			default:
				sb.Append(w)
			}
		}
		strs := sb.NewStringArray()
		sb.Release()
		corrupt(rng, strs.Data())
		col := wrapStrings(rng, strs)
		strs.Release()
		if col == nil {
			continue // too corrupt for Arrow to build the array at all
		}
		want := arrowVerdict(col)
		got := validateColumn(col)
		require.Equal(t, want == nil, got == nil, "round %d: %s: arrow says %v, segql %v", round, col.DataType(), want, got)
		if got == nil {
			accepted++
		} else {
			refused++
		}
		col.Release()
	}
	require.Greater(t, accepted, 300)
	require.Greater(t, refused, 300)
}

// wrapStrings returns strs itself, as the elements of lists, or as a
// dictionary's values, sliced now and then; nil when Arrow cannot build
// that array.
func wrapStrings(rng *rand.Rand, strs *array.String) (col arrow.Array) {
	defer func() {
		if recover() != nil {
			col = nil
		}
	}()
	switch rng.IntN(3) {
	case 0:
		col = strs
		strs.Retain()
	case 1: // as the elements of lists of 0-3 strings
		offsets := []int32{0}
		for int(offsets[len(offsets)-1]) < strs.Len() {
			offsets = append(offsets, min(offsets[len(offsets)-1]+int32(rng.IntN(4)), int32(strs.Len())))
		}
		if rng.IntN(5) == 0 && len(offsets) > 2 {
			offsets[1], offsets[2] = offsets[2]+1, offsets[1]
		}
		ob := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets))
		d := array.NewData(arrow.ListOf(arrow.BinaryTypes.String), len(offsets)-1, []*memory.Buffer{nil, ob}, []arrow.ArrayData{strs.Data()}, 0, 0)
		col = array.MakeFromData(d)
		d.Release()
	case 2: // as a dictionary's values
		idx := make([]int32, rng.IntN(20))
		for i := range idx {
			idx[i] = int32(rng.IntN(max(strs.Len(), 1) + 1)) // one past the end now and then
		}
		ib := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(idx))
		d := array.NewData(&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, len(idx), []*memory.Buffer{nil, ib}, nil, 0, 0)
		d.SetDictionary(strs.Data())
		col = array.MakeFromData(d)
		d.Release()
	}
	return col
}

// arrowVerdict is Arrow's full validation, a panic being a refusal.
func arrowVerdict(c arrow.Array) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return array.ValidateFull(c)
}

// corrupt changes, now and then, an offset (out of order or past the
// data) or the null count of a string array.
func corrupt(rng *rand.Rand, d arrow.ArrayData) {
	offsets := arrow.Int32Traits.CastFromBytes(d.Buffers()[1].Bytes())
	switch rng.IntN(8) {
	case 0:
		if len(offsets) > 2 {
			i := 1 + rng.IntN(len(offsets)-2)
			offsets[i] = offsets[i+1] + 1
		}
	case 1:
		offsets[len(offsets)-1] += int32(1 + rng.IntN(3))
	case 2:
		d.(*array.Data).SetNullN(d.NullN() + 1)
	}
}
