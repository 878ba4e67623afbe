package check

import (
	"sort"

	"github.com/segql/segql/lang/ast"
)

// A function's signature check: it receives the argument types (already
// checked) and returns the result type, reporting problems through c.
type sigFunc func(c *checker, call *ast.Call, args []*Type) *Type

type function struct {
	arity string // for messages: "1 argument", "1 or 2 arguments", …
	min   int
	max   int // -1: variadic
	sig   sigFunc
}

// functions is the table of built-in functions, by lower-case name.
var functions map[string]*function

func init() {
	str := func(c *checker, call *ast.Call, a []*Type) *Type {
		c.argKind(call, 0, a, "a string", func(t *Type) bool { return t.Kind == String })
		return TString
	}
	length := func(c *checker, call *ast.Call, a []*Type) *Type {
		c.argKind(call, 0, a, "a string or a list", func(t *Type) bool { return t.Kind == String || t.Kind == List })
		return TInt64
	}
	sameNumeric := func(c *checker, call *ast.Call, a []*Type) *Type {
		if !c.argKind(call, 0, a, "a number", (*Type).IsNumeric) {
			return TInvalid
		}
		if len(a) > 1 {
			c.argKind(call, 1, a, "an integer", (*Type).IsInteger)
		}
		return numericResult(a[0])
	}
	prefix := func(c *checker, call *ast.Call, a []*Type) *Type {
		c.argKind(call, 0, a, "a string", func(t *Type) bool { return t.Kind == String })
		c.argKind(call, 1, a, "a string", func(t *Type) bool { return t.Kind == String })
		return TBool
	}
	timePart := func(c *checker, call *ast.Call, a []*Type) *Type {
		c.argKind(call, 0, a, "a date or timestamp", (*Type).IsTemporal)
		return TInt64
	}
	functions = map[string]*function{
		"lower":       {"1 argument", 1, 1, str},
		"upper":       {"1 argument", 1, 1, str},
		"len":         {"1 argument", 1, 1, length},
		"length":      {"1 argument", 1, 1, length},
		"abs":         {"1 argument", 1, 1, sameNumeric},
		"round":       {"1 or 2 arguments", 1, 2, sameNumeric},
		"floor":       {"1 argument", 1, 1, sameNumeric},
		"ceil":        {"1 argument", 1, 1, sameNumeric},
		"coalesce":    {"at least 1 argument", 1, -1, coalesce},
		"starts_with": {"2 arguments", 2, 2, prefix},
		"ends_with":   {"2 arguments", 2, 2, prefix},
		"now":         {"no arguments", 0, 0, func(*checker, *ast.Call, []*Type) *Type { return TTimestamp }},
		"days_since":  {"1 argument", 1, 1, timePart},
		"year":        {"1 argument", 1, 1, timePart},
		"month":       {"1 argument", 1, 1, timePart},
		"day_of_week": {"1 argument", 1, 1, timePart},
	}
}

// FunctionNames lists the built-in functions, sorted.
func FunctionNames() []string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// numericResult widens a numeric type to the expression type Int64/Float64.
func numericResult(t *Type) *Type {
	switch {
	case t.IsInteger():
		return TInt64
	case t.IsFloat():
		return TFloat64
	}
	return t
}

// coalesce's result is the common type of its scalar arguments. Lists
// and structs are refused: no function returns one (contains, len and
// the comparisons take them from columns), so no later operator has to
// take a computed list.
func coalesce(c *checker, call *ast.Call, a []*Type) *Type {
	res := TNull
	for i, t := range a {
		if t.Kind == List || t.Kind == Struct {
			c.errorf(call.Args[i].Bounds(), "coalesce takes scalar values, not %s (test each column instead: (a contains x) or (b contains x))", t)
			return TInvalid
		}
		u, ok := commonType(res, t)
		if !ok {
			c.errorf(call.Args[i].Bounds(), msgMismatch, res, t, "coalesce")
			return TInvalid
		}
		res = u
	}
	return res
}

// commonType is the type two values are compared or combined in: numbers
// widen to float64 when one is a float, null takes the other's type.
func commonType(a, b *Type) (*Type, bool) {
	switch {
	case a.Kind == Invalid || b.Kind == Invalid:
		return TInvalid, true
	case a.Kind == Null:
		return normalize(b), true
	case b.Kind == Null:
		return normalize(a), true
	case a.IsNumeric() && b.IsNumeric():
		if a.IsFloat() || b.IsFloat() {
			return TFloat64, true
		}
		return TInt64, true
	case a.IsTemporal() && b.IsTemporal():
		if a.Kind == Date && b.Kind == Date {
			return TDate, true
		}
		return TTimestamp, true
	case a.Equal(b):
		return normalize(a), true
	}
	return nil, false
}

func normalize(t *Type) *Type {
	if t.IsNumeric() {
		return numericResult(t)
	}
	return t
}
