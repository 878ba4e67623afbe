package columnar

import (
	"math"
	"sort"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Stats summarizes one column for people: how often it is null, how many
// distinct values it holds, its range or its most common values.
type Stats struct {
	Name     string
	Type     arrow.DataType
	Rows     int
	Nulls    int
	Distinct int      // distinct non-null values (of elements, for lists)
	Min, Max string   // for numbers, dates and timestamps
	Top      []string // the most common values with their counts, for strings, bools and list elements
}

// ColumnStats computes Stats for column c of t in one pass.
func ColumnStats(t *Table, c int) Stats {
	f := t.Schema.Field(c)
	s := Stats{Name: f.Name, Type: f.Type, Rows: int(t.NumRows())}
	counts := map[string]int{}
	nums := map[uint64]struct{}{}
	lo, hi := math.Inf(1), math.Inf(-1)
	var loS, hiS string
	for _, rec := range t.Batches {
		arr := rec.Column(c)
		s.Nulls += arr.NullN()
		switch a := arr.(type) {
		case *array.Dictionary, *array.String, *array.LargeString, *array.Boolean:
			countValues(a, counts)
		case array.ListLike:
			countValues(a.ListValues(), counts)
		default:
			for i := 0; i < arr.Len(); i++ {
				if arr.IsNull(i) {
					continue
				}
				x, ok := numeric(arr, i)
				if !ok {
					continue
				}
				nums[math.Float64bits(x)] = struct{}{}
				if x < lo {
					lo, loS = x, fmtValue(arr, i)
				}
				if x > hi {
					hi, hiS = x, fmtValue(arr, i)
				}
			}
		}
	}
	if len(counts) > 0 {
		s.Distinct, s.Top = len(counts), top(counts, 5)
	} else {
		s.Distinct, s.Min, s.Max = len(nums), loS, hiS
	}
	return s
}

func fmtValue(arr arrow.Array, i int) string { v, _ := FormatValue(arr, i); return v }

func countValues(arr arrow.Array, counts map[string]int) {
	if d, ok := arr.(*array.Dictionary); ok {
		perCode := make([]int, d.Dictionary().Len())
		for i := 0; i < d.Len(); i++ {
			if d.IsValid(i) {
				perCode[d.GetValueIndex(i)]++
			}
		}
		for code, n := range perCode {
			if n > 0 {
				counts[fmtValue(d.Dictionary(), code)] += n
			}
		}
		return
	}
	for i := 0; i < arr.Len(); i++ {
		if arr.IsValid(i) {
			counts[fmtValue(arr, i)]++
		}
	}
}

func numeric(arr arrow.Array, i int) (float64, bool) {
	switch a := arr.(type) {
	case *array.Int64:
		return float64(a.Value(i)), true
	case *array.Int32:
		return float64(a.Value(i)), true
	case *array.Int16:
		return float64(a.Value(i)), true
	case *array.Int8:
		return float64(a.Value(i)), true
	case *array.Uint64:
		return float64(a.Value(i)), true
	case *array.Uint32:
		return float64(a.Value(i)), true
	case *array.Uint16:
		return float64(a.Value(i)), true
	case *array.Uint8:
		return float64(a.Value(i)), true
	case *array.Float64:
		return a.Value(i), true
	case *array.Float32:
		return float64(a.Value(i)), true
	case *array.Date32:
		return float64(a.Value(i)), true
	case *array.Date64:
		return float64(a.Value(i)), true
	case *array.Timestamp:
		return float64(a.Value(i)), true
	}
	return 0, false
}

func top(counts map[string]int, n int) []string {
	type kv struct {
		k string
		v int
	}
	all := make([]kv, 0, len(counts))
	for k, v := range counts {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || all[i].v == all[j].v && all[i].k < all[j].k })
	out := []string{}
	for _, e := range all[:min(n, len(all))] {
		out = append(out, strconv.Quote(e.k)+" "+strconv.Itoa(e.v))
	}
	return out
}

// ValueCounts counts the non-null values of a string, dictionary or
// boolean column (the elements, for a list column), printed as
// FormatValue prints them; ok is false for other types (numbers, dates),
// whose values are better described by a range.
func ValueCounts(t *Table, c int) (counts map[string]int, ok bool) {
	switch typ := t.Schema.Field(c).Type.(type) {
	case *arrow.DictionaryType, *arrow.StringType, *arrow.LargeStringType, *arrow.BooleanType:
	case arrow.ListLikeType:
		switch typ.Elem().(type) {
		case *arrow.DictionaryType, *arrow.StringType, *arrow.LargeStringType, *arrow.BooleanType:
		default:
			return nil, false
		}
	default:
		return nil, false
	}
	counts = map[string]int{}
	for _, rec := range t.Batches {
		switch a := rec.Column(c).(type) {
		case array.ListLike:
			countValues(a.ListValues(), counts)
		default:
			countValues(a, counts)
		}
	}
	return counts, true
}
