package sqlgen

import (
	"fmt"
	"regexp/syntax"
	"sort"
	"strings"

	"github.com/segql/segql/lang/check"
)

// Dialect is one SQL engine's spelling of segql's semantics. The set is
// closed: Lookup returns the dialects this package defines.
type Dialect interface {
	// Name is the dialect's name as the CLI spells it ("postgres").
	Name() string
	dialect
}

// sqlKind is a scalar SQL type the compiler casts to.
type sqlKind uint8

const (
	kBigint sqlKind = iota
	kDouble
	kText
	kBool
	kDate
	kTimestamp
)

// tform is how a temporal value is stored in the engine.
type tform uint8

const (
	fDate   tform = iota // a calendar date
	fNaive               // a timestamp without zone, read as UTC
	fZoned               // a timestamp with zone (an instant)
	fMicros              // a BIGINT of microseconds since the epoch (computed)
)

// dialect is the per-engine layer. Arguments are compiled SQL fragments,
// each safe to embed as an operand (atoms or parenthesized).
type dialect interface {
	// ident quotes one identifier exactly (case-sensitive).
	ident(name string) (string, error)
	// str is a string literal with exactly the bytes of s.
	str(s string) (string, error)
	// cast converts x to a scalar type (NULL stays NULL).
	cast(x string, k sqlKind) string
	// float is a DOUBLE literal of exactly f (finite).
	float(f float64) string
	// timestamp is a literal of the instant us (microseconds since the
	// epoch) in form fNaive (UTC wall clock) or fZoned.
	timestamp(us int64, f tform) string
	// date is a DATE literal.
	date(y int, m int, d int) string
	// epochMicros converts a temporal of form f to BIGINT microseconds.
	epochMicros(x string, f tform) string
	// naive converts a temporal of form f (or fMicros) to a timestamp
	// without zone in UTC.
	naive(x string, f tform) string
	// field extracts year, month or isodow from a naive timestamp or a date
	// as BIGINT.
	field(name string, x string) string
	// structField reads field name of struct x.
	structField(x, name string) (string, error)
	// caseMap is lower(x) or upper(x) with Unicode mappings.
	caseMap(upper bool, x string) string
	// strLen counts characters (code points); listLen elements.
	strLen(x string) string
	listLen(x string) string
	// like matches SQL pattern p (segql: no escape character); fold
	// ignores case.
	like(x, p string, fold bool) (string, error)
	// regex is an unanchored search for re (parsed with syntax.Perl).
	regex(x string, re *syntax.Regexp) (string, error)
	// contains is a substring test.
	contains(x, y string) string
	startsWith(x, y string) string
	endsWith(x, y string) string
	// listHas tests whether list l has an element equal to v (null
	// elements ignored; UNKNOWN when l is NULL). elem is the SQL element type.
	listHas(l string, v string, elem *check.Type) (string, error)
	// listHasAll tests whether l has every value of vs (non-null literals).
	listHasAll(l string, vs []string, elem *check.Type) (string, error)
	// listHasAny tests whether l has at least one value of vs.
	listHasAny(l string, vs []string, elem *check.Type) (string, error)
	// md5Prefix is the first four bytes of md5(s) as a big-endian unsigned
	// integer (BIGINT).
	md5Prefix(s string) string
	// intDiv is BIGINT division truncating toward zero; mod the remainder
	// with the dividend's sign (b is never zero where it matters).
	intDiv(a, b string) string
	mod(a, b string) string
	// fmod is the floating-point remainder (C's fmod) of DOUBLEs.
	fmod(a, b string) (string, error)
	// roundHalfAway rounds a DOUBLE to an integral DOUBLE, halves away
	// from zero.
	roundHalfAway(x string) string
	// intArith is BIGINT a op b ('+', '-', '*'), an error on overflow;
	// neg is -a.
	intArith(op byte, a, b string) string
	neg(a string) string
	// ieeeNaN reports that the engine's float comparisons follow IEEE
	// (NaN unequal to itself and unordered); isNaN then tests for it.
	ieeeNaN() bool
	isNaN(x string) string
	// sqlInList reports whether x IN (…) has SQL's null semantics.
	sqlInList() bool
	// floorCeil is floor or ceil of a DOUBLE, as a DOUBLE.
	floorCeil(ceil bool, x string) string
	// concat joins two strings (NULL if either is).
	concat(a, b string) string
	// bytewise makes a string operand order by code point (segql's
	// order) whatever the database's collation.
	bytewise(x string) string
}

var dialects = map[string]Dialect{}

func register(d Dialect) { dialects[d.Name()] = d }

// Lookup returns the dialect called name, or an error listing them.
func Lookup(name string) (Dialect, error) {
	if d, ok := dialects[strings.ToLower(name)]; ok {
		return d, nil
	}
	return nil, fmt.Errorf("%w %q (dialects: %s)", ErrUnknownDialect, name, strings.Join(Names(), ", "))
}

// Names lists the dialects, sorted.
func Names() []string {
	out := make([]string, 0, len(dialects))
	for n := range dialects {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
