package columnar

import (
	"encoding/json"
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
		return a.Value(i)
	case *array.Float32:
		return float64(a.Value(i))
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		m := map[string]any{}
		for f := 0; f < a.NumField(); f++ {
			m[st.Field(f).Name] = JSONValue(a.Field(f), i)
		}
		return m
	}
	s, _ := FormatValue(arr, i)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}
