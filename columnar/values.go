package columnar

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// FormatValue renders row i of arr as text: numbers in Go's shortest
// form, dates as YYYY-MM-DD, timestamps as RFC 3339 in UTC, lists as JSON
// arrays. The second result is false for null.
func FormatValue(arr arrow.Array, i int) (string, bool) {
	if arr.IsNull(i) {
		return "", false
	}
	switch a := arr.(type) {
	case *array.Dictionary:
		return FormatValue(a.Dictionary(), a.GetValueIndex(i))
	case *array.String:
		return a.Value(i), true
	case *array.LargeString:
		return a.Value(i), true
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i)), true
	case *array.Float64:
		return strconv.FormatFloat(a.Value(i), 'g', -1, 64), true
	case *array.Float32:
		return strconv.FormatFloat(float64(a.Value(i)), 'g', -1, 32), true
	case *array.Date32:
		return a.Value(i).ToTime().Format("2006-01-02"), true
	case *array.Date64:
		return a.Value(i).ToTime().Format("2006-01-02"), true
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return a.Value(i).ToTime(unit).UTC().Format(time.RFC3339Nano), true
	case array.ListLike:
		b, _ := json.Marshal(JSONValue(arr, i))
		return string(b), true
	}
	s := arr.ValueStr(i)
	return strings.Trim(s, `"`), true
}

// JSONValue returns row i of arr as a value for encoding/json (nil for null).
// Non-finite floats are strings (see jsonFloat); integers are json.Number,
// exact for every int64 and uint64.
func JSONValue(arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Dictionary:
		return JSONValue(a.Dictionary(), a.GetValueIndex(i))
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues()
		out := make([]any, 0, end-start)
		for j := start; j < end; j++ {
			out = append(out, JSONValue(vals, int(j)))
		}
		return out
	case *array.Boolean:
		return a.Value(i)
	case *array.String, *array.LargeString, *array.Date32, *array.Date64, *array.Timestamp:
		s, _ := FormatValue(arr, i)
		return s
	case *array.Float64:
		return jsonFloat(a.Value(i))
	case *array.Float32:
		return jsonFloat(float64(a.Value(i)))
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		m := map[string]any{}
		for f := 0; f < a.NumField(); f++ {
			m[st.Field(f).Name] = JSONValue(a.Field(f), i)
		}
		return m
	}
	s, _ := FormatValue(arr, i)
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return json.Number(s)
	}
	if _, err := strconv.ParseUint(s, 10, 64); err == nil { // uint64 above int64: still a number
		return json.Number(s)
	}
	return s
}

// jsonFloat is a float's JSON value: the number, or for the values JSON
// has no number for, the strings "NaN", "Infinity" and "-Infinity" (as
// JavaScript's String() and Python's json module name them).
func jsonFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}
