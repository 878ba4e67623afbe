package engine

import (
	"math"
	"strconv"
	"time"
)

// kind is the physical kind of a value in plans and vectors. Dates are
// timestamps at midnight UTC; all times are microseconds since the epoch.
type kind uint8

const (
	kNull kind = iota
	kBool
	kInt
	kFloat
	kStr
	kTime
	kDur
	kList
)

// Value is one scalar value. The zero Value is null.
type Value struct {
	K    kind
	Null bool
	B    bool
	I    int64 // kInt, kTime (µs), kDur (µs)
	F    float64
	S    string
	L    []Value // kList elements
}

func null(k kind) Value        { return Value{K: k, Null: true} }
func boolVal(b bool) Value     { return Value{K: kBool, B: b} }
func intVal(i int64) Value     { return Value{K: kInt, I: i} }
func floatVal(f float64) Value { return Value{K: kFloat, F: f} }
func strVal(s string) Value    { return Value{K: kStr, S: s} }
func timeVal(us int64) Value   { return Value{K: kTime, I: us} }
func durVal(us int64) Value    { return Value{K: kDur, I: us} }
func (v Value) float() float64 {
	if v.K == kInt {
		return float64(v.I)
	}
	return v.F
}

// String renders a value for explanations and tests.
func (v Value) String() string {
	if v.Null {
		return "null"
	}
	switch v.K {
	case kBool:
		return strconv.FormatBool(v.B)
	case kInt:
		return strconv.FormatInt(v.I, 10)
	case kFloat:
		return strconv.FormatFloat(v.F, 'g', -1, 64)
	case kStr:
		return strconv.Quote(v.S)
	case kTime:
		return time.UnixMicro(v.I).UTC().Format(time.RFC3339Nano)
	case kDur:
		return (time.Duration(v.I) * time.Microsecond).String()
	case kList:
		s := "["
		for i, e := range v.L {
			if i > 0 {
				s += ", "
			}
			s += e.String()
		}
		return s + "]"
	}
	return "null"
}

// cmpFloat orders floats as DuckDB does: NaN equals NaN and sorts above
// everything else; -0.0 equals 0.0.
func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	}
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	}
	return -1
}
