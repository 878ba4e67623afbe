package sqlgen

import (
	"regexp/syntax"
	"strings"

	"github.com/segql/segql/lang/check"
)

// spark is Spark SQL (3.4 and later). String literals process backslash
// escapes (escaped); LIKE escapes with backslash; integer arithmetic is
// done in DECIMAL(38, 0) and checked, so it fails on overflow whatever
// spark.sql.ansi.enabled says; size() of NULL is NULL here; regular
// expressions are printed in Java syntax for RLIKE; timestamps convert
// through microseconds so the session zone never applies. Not verified on
// a live cluster.
type spark struct{}

func init() { register(spark{}) }

func (spark) Name() string { return "spark" }

func (spark) ident(n string) (string, error) { return quoteWith(n, '`') }

func (spark) str(s string) (string, error) {
	return strings.Replace(quoteBackslashString(s), "\x00", `\u0000`, -1), nil
}

var sparkTypes = map[sqlKind]string{kBigint: "BIGINT", kDouble: "DOUBLE", kText: "STRING", kBool: "BOOLEAN", kDate: "DATE", kTimestamp: "TIMESTAMP_NTZ"}

func (spark) cast(x string, k sqlKind) string { return "CAST(" + x + " AS " + sparkTypes[k] + ")" }
func (s spark) float(f float64) string        { return s.cast(floatText(f), kDouble) }

func (spark) timestamp(us int64, f tform) string {
	if f == fZoned {
		return "TIMESTAMP '" + timeText(us) + "+00:00'"
	}
	return "TIMESTAMP_NTZ '" + timeText(us) + "'"
}

func (spark) date(y, m, d int) string { return "DATE '" + dateText(y, m, d) + "'" }

func (spark) epochMicros(x string, f tform) string {
	switch f {
	case fZoned:
		return "unix_micros(" + x + ")"
	case fDate:
		return "(CAST(unix_date(" + x + ") AS BIGINT) * 86400000000)"
	}
	return "timestampdiff(MICROSECOND, TIMESTAMP_NTZ '1970-01-01 00:00:00', " + x + ")"
}

func (s spark) naive(x string, f tform) string {
	switch f {
	case fZoned:
		x = "unix_micros(" + x + ")"
	case fDate, fNaive:
		return x
	}
	return "timestampadd(MICROSECOND, " + x + ", TIMESTAMP_NTZ '1970-01-01 00:00:00')"
}

// field: weekday() counts from Monday = 0.
func (spark) field(name, x string) string {
	switch name {
	case "isodow":
		return "CAST(weekday(" + x + ") + 1 AS BIGINT)"
	}
	return "CAST(" + name + "(" + x + ") AS BIGINT)"
}

func (s spark) structField(x, name string) (string, error) {
	f, err := s.ident(name)
	return x + "." + f, err
}

func (spark) caseMap(upper bool, x string) string {
	if upper {
		return "upper(" + x + ")"
	}
	return "lower(" + x + ")"
}

func (spark) strLen(x string) string { return "CAST(char_length(" + x + ") AS BIGINT)" }
func (spark) listLen(x string) string {
	return "(CASE WHEN " + x + " IS NULL THEN NULL ELSE CAST(size(" + x + ") AS BIGINT) END)"
}

func (s spark) like(x, p string, fold bool) (string, error) {
	q, err := s.str(likeEscaped(p))
	if fold {
		return "(lower(" + x + ") LIKE lower(" + q + "))", err
	}
	return "(" + x + " LIKE " + q + ")", err
}

func (s spark) regex(x string, re *syntax.Regexp) (string, error) {
	p, err := printRegex(re, javaFlavor)
	if err != nil {
		return "", err
	}
	q, err := s.str(p)
	return "(" + x + " RLIKE " + q + ")", err
}

func (spark) contains(x, y string) string   { return "(instr(" + x + ", " + y + ") > 0)" }
func (spark) startsWith(x, y string) string { return "startswith(" + x + ", " + y + ")" }
func (spark) endsWith(x, y string) string   { return "endswith(" + x + ", " + y + ")" }

func sparkHas(l, cond string) string {
	return "(CASE WHEN " + l + " IS NULL THEN NULL ELSE size(filter(" + l + ", e -> " + cond + ")) > 0 END)"
}

func (spark) listHas(l, v string, _ *check.Type) (string, error) { return sparkHas(l, "e = "+v), nil }
func (spark) listHasAny(l string, vs []string, _ *check.Type) (string, error) {
	return sparkHas(l, "e IN ("+join(vs)+")"), nil
}

func (s spark) listHasAll(l string, vs []string, t *check.Type) (string, error) {
	return andEach(vs, func(v string) string { s, _ := s.listHas(l, v, t); return s }), nil
}

func (spark) md5Prefix(s string) string {
	return "CAST(conv(substr(md5(" + s + "), 1, 8), 16, 10) AS BIGINT)"
}

func (spark) intDiv(a, b string) string        { return "(" + a + " DIV " + b + ")" }
func (spark) mod(a, b string) string           { return "(" + a + " % " + b + ")" }
func (spark) fmod(a, b string) (string, error) { return "(" + a + " % " + b + ")", nil }
func (spark) roundHalfAway(x string) string    { return "round(" + x + ")" }

// intArith computes in DECIMAL(38, 0), where no product of two int64
// overflows, and raises an error outside the int64 range.
func (spark) intArith(op byte, a, b string) string {
	r := "(CAST(" + a + " AS DECIMAL(38, 0)) " + string(op) + " CAST(" + b + " AS DECIMAL(38, 0)))"
	return "(CASE WHEN " + r + " BETWEEN -9223372036854775808 AND 9223372036854775807 THEN CAST(" + r + " AS BIGINT) WHEN " + r + " IS NOT NULL THEN raise_error('integer overflow') END)"
}

func (s spark) neg(a string) string     { return s.intArith('-', "0", a) }
func (spark) ieeeNaN() bool             { return false }
func (spark) isNaN(x string) string     { return "isnan(" + x + ")" }
func (spark) sqlInList() bool           { return true }
func (spark) concat(a, b string) string { return "concat(" + a + ", " + b + ")" }
func (spark) bytewise(x string) string  { return x }
func (spark) floorCeil(ceil bool, x string) string {
	if ceil {
		return "CAST(ceil(" + x + ") AS DOUBLE)"
	}
	return "CAST(floor(" + x + ") AS DOUBLE)"
}
