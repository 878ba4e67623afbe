// Package value defines the scalar values of segql's engine: one value of
// an expression for one row, as the row evaluator, constant folding and
// the plan's constants hold them.
//
// Dates are timestamps at midnight UTC; times and durations are
// microseconds. The zero Value is a null of kind Null.
package value

import (
	"errors"
	"math"
	"strconv"
	"time"
)

// Kind is the physical kind of a value.
type Kind uint8

// Kinds.
const (
	KNull Kind = iota
	KBool
	KInt
	KFloat
	KStr
	KTime
	KDur
	KList
)

var kindNames = [...]string{"null", "bool", "int64", "float64", "string", "timestamp", "duration", "list"}

func (k Kind) String() string { return kindNames[k] }

// IsIntLike reports kinds held as int64: integers, times and durations.
func (k Kind) IsIntLike() bool { return k == KInt || k == KTime || k == KDur }

// Value is one scalar value.
type Value struct {
	K    Kind
	Null bool
	B    bool
	I    int64 // KInt, KTime (µs), KDur (µs)
	// U marks a KInt that is a uint64 above MaxInt64 (I holds its bits):
	// it compares exactly with integers and converts to float, and any
	// other operation on it is an error (ErrUintRange in the engine).
	U bool
	F float64
	S string
	L []Value // KList elements
}

// ErrOverflow is the error of integer arithmetic that overflows int64, as
// DuckDB raises an out-of-range error.
var ErrOverflow = errors.New("integer overflow")

// Constructors.
func NullOf(k Kind) Value   { return Value{K: k, Null: true} }
func Bool(b bool) Value     { return Value{K: KBool, B: b} }
func Int(i int64) Value     { return Value{K: KInt, I: i} }
func Float(f float64) Value { return Value{K: KFloat, F: f} }
func Str(s string) Value    { return Value{K: KStr, S: s} }
func Time(us int64) Value   { return Value{K: KTime, I: us} }
func Dur(us int64) Value    { return Value{K: KDur, I: us} }

// Uint is an unsigned integer: an Int when it fits int64, else a big one
// (U set).
func Uint(u uint64) Value {
	if u > math.MaxInt64 {
		return Value{K: KInt, I: int64(u), U: true}
	}
	return Int(int64(u))
}

// AsFloat returns a number as float64 (integers converted).
func (v Value) AsFloat() float64 {
	switch {
	case v.U:
		return float64(uint64(v.I))
	case v.K == KInt:
		return float64(v.I)
	}
	return v.F
}

// IsTrue reports a non-null TRUE.
func (v Value) IsTrue() bool { return !v.Null && v.K == KBool && v.B }

// String renders a value for explanations and tests.
func (v Value) String() string {
	if v.Null {
		return "null"
	}
	switch v.K {
	case KBool:
		return strconv.FormatBool(v.B)
	case KInt:
		if v.U {
			return strconv.FormatUint(uint64(v.I), 10)
		}
		return strconv.FormatInt(v.I, 10)
	case KFloat:
		return strconv.FormatFloat(v.F, 'g', -1, 64)
	case KStr:
		return strconv.Quote(v.S)
	case KTime:
		return time.UnixMicro(v.I).UTC().Format(time.RFC3339Nano)
	case KDur:
		return (time.Duration(v.I) * time.Microsecond).String()
	case KList:
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

// Equal reports identity of two values, nulls included (for tests and
// constant sets, not SQL equality).
func (v Value) Equal(w Value) bool {
	if v.Null || w.Null {
		return v.Null == w.Null
	}
	if v.K == KList || w.K == KList {
		if v.K != w.K || len(v.L) != len(w.L) {
			return false
		}
		for i := range v.L {
			if !v.L[i].Equal(w.L[i]) {
				return false
			}
		}
		return true
	}
	return v.K == w.K && Compare(v, w) == 0
}

// CmpFloat orders floats as DuckDB does: NaN equals NaN and sorts above
// everything else; -0.0 equals 0.0.
func CmpFloat(a, b float64) int {
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

// CmpInt orders integers.
func CmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Compare orders two non-null values of one kind (an integer and a float
// compare as floats).
func Compare(a, b Value) int {
	switch {
	case a.K == KFloat || b.K == KFloat:
		return CmpFloat(a.AsFloat(), b.AsFloat())
	case a.K == KStr:
		switch {
		case a.S < b.S:
			return -1
		case a.S > b.S:
			return 1
		}
		return 0
	case a.K == KBool:
		return boolInt(a.B) - boolInt(b.B)
	case a.U || b.U:
		return cmpBig(a, b)
	}
	return CmpInt(a.I, b.I)
}

// cmpBig orders integers of which one or both are big uint64 values: a
// big value is above every int64.
func cmpBig(a, b Value) int {
	switch {
	case a.U && b.U:
		x, y := uint64(a.I), uint64(b.I)
		if x < y {
			return -1
		} else if x > y {
			return 1
		}
		return 0
	case a.U:
		return 1
	}
	return -1
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
