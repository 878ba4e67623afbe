package sqlgen

import (
	"regexp/syntax"
	"strings"

	"github.com/segql/segql/lang/check"
)

// snowflake is Snowflake. Names are always quoted (Snowflake upper-cases
// unquoted ones); string literals process backslash escapes (escaped);
// LIKE has no default escape (segql's patterns need none). Integer
// arithmetic is NUMBER(38): a result beyond int64, an error in segql, is
// exact in Snowflake (documented). Regular expressions are refused:
// Snowflake's POSIX syntax has no lookaround and no code-point escapes to
// print RE2 patterns exactly. Not verified on a live service.
type snowflake struct{}

func init() { register(snowflake{}) }

func (snowflake) Name() string { return "snowflake" }

func (snowflake) ident(n string) (string, error) { return quoteWith(n, '"') }

func (snowflake) str(s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", notSupported("a string containing NUL", "write it without NUL")
	}
	return quoteBackslashString(s), nil
}

var sfTypes = map[sqlKind]string{kBigint: "BIGINT", kDouble: "DOUBLE", kText: "VARCHAR", kBool: "BOOLEAN", kDate: "DATE", kTimestamp: "TIMESTAMP_NTZ"}

func (snowflake) cast(x string, k sqlKind) string { return "CAST(" + x + " AS " + sfTypes[k] + ")" }
func (s snowflake) float(f float64) string        { return s.cast(floatText(f), kDouble) }

func (snowflake) timestamp(us int64, f tform) string {
	if f == fZoned {
		return "CAST('" + timeText(us) + " +00:00' AS TIMESTAMP_TZ)"
	}
	return "CAST('" + timeText(us) + "' AS TIMESTAMP_NTZ)"
}

func (snowflake) date(y, m, d int) string { return "CAST('" + dateText(y, m, d) + "' AS DATE)" }

func (snowflake) epochMicros(x string, f tform) string {
	if f == fDate {
		x = "CAST(" + x + " AS TIMESTAMP_NTZ)"
	}
	return "DATE_PART(EPOCH_MICROSECOND, " + x + ")"
}

func (snowflake) naive(x string, f tform) string {
	switch f {
	case fZoned:
		return "CAST(CONVERT_TIMEZONE('UTC', " + x + ") AS TIMESTAMP_NTZ)"
	case fMicros:
		return "TO_TIMESTAMP_NTZ(" + x + ", 6)"
	}
	return x
}

func (snowflake) field(name, x string) string {
	fn := map[string]string{"year": "YEAR", "month": "MONTH", "isodow": "DAYOFWEEKISO"}[name]
	return fn + "(" + x + ")"
}

func (snowflake) structField(x, name string) (string, error) {
	return "", notSupported("a struct field", "Snowflake has no struct type (use a column)")
}

func (snowflake) caseMap(upper bool, x string) string {
	if upper {
		return "UPPER(" + x + ")"
	}
	return "LOWER(" + x + ")"
}

func (snowflake) strLen(x string) string  { return "LENGTH(" + x + ")" }
func (snowflake) listLen(x string) string { return "ARRAY_SIZE(" + x + ")" }

func (s snowflake) like(x, p string, fold bool) (string, error) {
	q, err := s.str(p)
	if fold {
		return "(LOWER(" + x + ") LIKE LOWER(" + q + "))", err
	}
	return "(" + x + " LIKE " + q + ")", err
}

func (snowflake) regex(x string, re *syntax.Regexp) (string, error) {
	return "", notSupported("matches", "Snowflake's POSIX regular expressions cannot spell every RE2 pattern exactly (no lookaround, no code-point escapes)")
}

func (snowflake) contains(x, y string) string   { return "CONTAINS(" + x + ", " + y + ")" }
func (snowflake) startsWith(x, y string) string { return "STARTSWITH(" + x + ", " + y + ")" }
func (snowflake) endsWith(x, y string) string   { return "ENDSWITH(" + x + ", " + y + ")" }

func (snowflake) listHas(l, v string, _ *check.Type) (string, error) {
	return "ARRAY_CONTAINS(CAST(" + v + " AS VARIANT), " + l + ")", nil
}

func (snowflake) listHasAny(l string, vs []string, _ *check.Type) (string, error) {
	return "ARRAYS_OVERLAP(" + l + ", ARRAY_CONSTRUCT(" + join(vs) + "))", nil
}

func (s snowflake) listHasAll(l string, vs []string, t *check.Type) (string, error) {
	return andEach(vs, func(v string) string { s, _ := s.listHas(l, v, t); return s }), nil
}

func (snowflake) md5Prefix(s string) string {
	return "TO_NUMBER(SUBSTR(MD5(" + s + "), 1, 8), 'XXXXXXXX')"
}

func (snowflake) intDiv(a, b string) string        { return "TRUNC(" + a + " / " + b + ")" }
func (snowflake) mod(a, b string) string           { return "MOD(" + a + ", " + b + ")" }
func (snowflake) fmod(a, b string) (string, error) { return "MOD(" + a + ", " + b + ")", nil }
func (snowflake) roundHalfAway(x string) string    { return "ROUND(" + x + ")" }
func (snowflake) intArith(op byte, a, b string) string {
	return "(" + a + " " + string(op) + " " + b + ")"
}
func (snowflake) neg(a string) string       { return "(-" + a + ")" }
func (snowflake) ieeeNaN() bool             { return false }
func (snowflake) isNaN(x string) string     { return "(" + x + " = 'NaN')" }
func (snowflake) sqlInList() bool           { return true }
func (snowflake) concat(a, b string) string { return "(" + a + " || " + b + ")" }
func (snowflake) bytewise(x string) string  { return x }
func (snowflake) floorCeil(ceil bool, x string) string {
	if ceil {
		return "CEIL(" + x + ")"
	}
	return "FLOOR(" + x + ")"
}
