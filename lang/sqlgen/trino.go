package sqlgen

import (
	"regexp/syntax"
	"strings"

	"github.com/segql/segql/lang/check"
)

// trino is Trino (and Presto-derived engines). LIKE has no default escape;
// there is no ILIKE (lower-cased LIKE); float comparisons follow IEEE
// (NaN handled explicitly); round() rounds halves up, not away from zero
// (written out); regular expressions are printed in Java syntax; list
// tests use filter() so null elements are ignored. Not verified on a live
// server.
type trino struct{}

func init() { register(trino{}) }

func (trino) Name() string { return "trino" }

func (trino) ident(n string) (string, error) { return quoteWith(n, '"') }

func (trino) str(s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", notSupported("a string containing NUL", "write it without NUL")
	}
	return quoteSQLString(s), nil
}

var trinoTypes = map[sqlKind]string{kBigint: "BIGINT", kDouble: "DOUBLE", kText: "VARCHAR", kBool: "BOOLEAN", kDate: "DATE", kTimestamp: "TIMESTAMP(6)"}

func (trino) cast(x string, k sqlKind) string { return "CAST(" + x + " AS " + trinoTypes[k] + ")" }
func (t trino) float(f float64) string        { return t.cast(floatText(f), kDouble) }

func (trino) timestamp(us int64, f tform) string {
	s := time6(us)
	if f == fZoned {
		return "TIMESTAMP '" + s + " UTC'"
	}
	return "TIMESTAMP '" + s + "'"
}

// time6 is the wall clock with exactly six fractional digits (a
// TIMESTAMP(6) literal).
func time6(us int64) string {
	s := timeText(us)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return s + strings.Repeat("0", 7-(len(s)-i))
	}
	return s + ".000000"
}

func (trino) date(y, m, d int) string { return "DATE '" + dateText(y, m, d) + "'" }

func (trino) epochMicros(x string, f tform) string {
	switch f {
	case fZoned:
		return "date_diff('microsecond', TIMESTAMP '1970-01-01 00:00:00.000000 UTC', " + x + ")"
	case fDate:
		x = "CAST(" + x + " AS TIMESTAMP(6))"
	}
	return "date_diff('microsecond', TIMESTAMP '1970-01-01 00:00:00.000000', " + x + ")"
}

func (trino) naive(x string, f tform) string {
	switch f {
	case fZoned:
		return "CAST(" + x + " AT TIME ZONE 'UTC' AS TIMESTAMP(6))"
	case fMicros:
		return "date_add('microsecond', " + x + ", TIMESTAMP '1970-01-01 00:00:00.000000')"
	}
	return x
}

func (trino) field(name, x string) string {
	fn := map[string]string{"year": "year", "month": "month", "isodow": "day_of_week"}[name]
	return fn + "(" + x + ")"
}

func (t trino) structField(x, name string) (string, error) {
	f, err := t.ident(name)
	return x + "." + f, err
}

func (trino) caseMap(upper bool, x string) string {
	if upper {
		return "upper(" + x + ")"
	}
	return "lower(" + x + ")"
}

func (trino) strLen(x string) string  { return "length(" + x + ")" }
func (trino) listLen(x string) string { return "cardinality(" + x + ")" }

func (t trino) like(x, p string, fold bool) (string, error) {
	q, err := t.str(p)
	if fold {
		return "(lower(" + x + ") LIKE lower(" + q + "))", err
	}
	return "(" + x + " LIKE " + q + ")", err
}

func (t trino) regex(x string, re *syntax.Regexp) (string, error) {
	p, err := printRegex(re, javaFlavor)
	if err != nil {
		return "", err
	}
	q, err := t.str(p)
	return "regexp_like(" + x + ", " + q + ")", err
}

func (trino) contains(x, y string) string   { return "(strpos(" + x + ", " + y + ") > 0)" }
func (trino) startsWith(x, y string) string { return "starts_with(" + x + ", " + y + ")" }
func (trino) endsWith(x, y string) string {
	return "(CASE WHEN " + x + " IS NULL OR " + y + " IS NULL THEN NULL WHEN length(" + y + ") = 0 THEN TRUE ELSE substr(" + x + ", -length(" + y + ")) = " + y + " END)"
}

func (trino) listHas(l, v string, _ *check.Type) (string, error) {
	return "(cardinality(filter(" + l + ", e -> e = " + v + ")) > 0)", nil
}

func (trino) listHasAny(l string, vs []string, _ *check.Type) (string, error) {
	return "(cardinality(filter(" + l + ", e -> e IN (" + join(vs) + "))) > 0)", nil
}

func (t trino) listHasAll(l string, vs []string, et *check.Type) (string, error) {
	return andEach(vs, func(v string) string { s, _ := t.listHas(l, v, et); return s }), nil
}

func (trino) md5Prefix(s string) string {
	return "from_base(substr(to_hex(md5(to_utf8(" + s + "))), 1, 8), 16)"
}

func (trino) intDiv(a, b string) string        { return "(" + a + " / " + b + ")" }
func (trino) mod(a, b string) string           { return "mod(" + a + ", " + b + ")" }
func (trino) fmod(a, b string) (string, error) { return "mod(" + a + ", " + b + ")", nil }
func (trino) roundHalfAway(x string) string {
	return "(truncate(" + x + ") + CASE WHEN abs(" + x + " - truncate(" + x + ")) >= 0.5 THEN sign(" + x + ") ELSE 0 END)"
}
func (trino) intArith(op byte, a, b string) string {
	return "(" + a + " " + string(op) + " " + b + ")"
}
func (trino) neg(a string) string       { return "(-" + a + ")" }
func (trino) ieeeNaN() bool             { return true }
func (trino) isNaN(x string) string     { return "is_nan(" + x + ")" }
func (trino) sqlInList() bool           { return true }
func (trino) concat(a, b string) string { return "(" + a + " || " + b + ")" }
func (trino) bytewise(x string) string  { return x }
func (trino) floorCeil(ceil bool, x string) string {
	if ceil {
		return "ceil(" + x + ")"
	}
	return "floor(" + x + ")"
}
