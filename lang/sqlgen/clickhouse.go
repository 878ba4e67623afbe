package sqlgen

import (
	"regexp/syntax"
	"strings"

	"github.com/segql/segql/lang/check"
)

// clickHouse is ClickHouse. Its defaults differ from segql in ways the SQL
// states explicitly: integer arithmetic wraps (segql's is checked: done in
// Int128 and converted with accurateCast, which fails on overflow), IN
// treats NULL as a value (written as OR of equalities), float comparisons
// follow IEEE (NaN handled explicitly), '.' in match() crosses newlines
// (the pattern carries its flags), lower/upper are ASCII-only (the UTF-8
// variants are used). Not verified on a live server.
type clickHouse struct{}

func init() { register(clickHouse{}) }

func (clickHouse) Name() string { return "clickhouse" }

func (clickHouse) ident(n string) (string, error) {
	if _, err := quoteWith(n, '"'); err != nil {
		return "", err
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(n) + `"`, nil
}

func (clickHouse) str(s string) (string, error) {
	return strings.Replace(quoteBackslashString(s), "\x00", `\0`, -1), nil
}

var chTypes = map[sqlKind]string{kBigint: "Nullable(Int64)", kDouble: "Nullable(Float64)", kText: "Nullable(String)",
	kBool: "Nullable(Bool)", kDate: "Nullable(Date32)", kTimestamp: "Nullable(DateTime64(6, 'UTC'))"}

func (clickHouse) cast(x string, k sqlKind) string {
	if k == kBigint {
		return "accurateCast(" + x + ", 'Nullable(Int64)')"
	}
	return "CAST(" + x + " AS " + chTypes[k] + ")"
}

func (clickHouse) float(f float64) string { return "toFloat64(" + floatText(f) + ")" }

func (clickHouse) timestamp(us int64, _ tform) string {
	return "toDateTime64('" + timeText(us) + "', 6, 'UTC')"
}

func (clickHouse) date(y, m, d int) string { return "toDate32('" + dateText(y, m, d) + "')" }

func (clickHouse) epochMicros(x string, _ tform) string {
	return "toUnixTimestamp64Micro(toDateTime64(" + x + ", 6, 'UTC'))"
}

func (clickHouse) naive(x string, f tform) string {
	if f == fMicros {
		return "fromUnixTimestamp64Micro(" + x + ", 'UTC')"
	}
	return "toTimeZone(toDateTime64(" + x + ", 6, 'UTC'), 'UTC')"
}

func (clickHouse) field(name, x string) string {
	fn := map[string]string{"year": "toYear", "month": "toMonth", "isodow": "toDayOfWeek"}[name]
	return "toInt64(" + fn + "(" + x + "))"
}

func (c clickHouse) structField(x, name string) (string, error) {
	s, err := c.str(name)
	return "tupleElement(" + x + ", " + s + ")", err
}

func (clickHouse) caseMap(upper bool, x string) string {
	if upper {
		return "upperUTF8(" + x + ")"
	}
	return "lowerUTF8(" + x + ")"
}

func (clickHouse) strLen(x string) string  { return "toInt64(lengthUTF8(" + x + "))" }
func (clickHouse) listLen(x string) string { return "toInt64(length(" + x + "))" }

// like: ClickHouse's LIKE escapes with backslash.
func (c clickHouse) like(x, p string, fold bool) (string, error) {
	s, _ := c.str(likeEscaped(p))
	if fold {
		return "(lowerUTF8(" + x + ") LIKE lowerUTF8(" + s + "))", nil
	}
	return "(" + x + " LIKE " + s + ")", nil
}

func (c clickHouse) regex(x string, re *syntax.Regexp) (string, error) {
	s, _ := c.str(re.String())
	return "match(" + x + ", " + s + ")", nil
}

func (clickHouse) contains(x, y string) string   { return "(position(" + x + ", " + y + ") > 0)" }
func (clickHouse) startsWith(x, y string) string { return "startsWith(" + x + ", " + y + ")" }
func (clickHouse) endsWith(x, y string) string   { return "endsWith(" + x + ", " + y + ")" }

func (clickHouse) listHas(l, v string, _ *check.Type) (string, error) {
	return "has(" + l + ", " + v + ")", nil
}

func (clickHouse) listHasAll(l string, vs []string, _ *check.Type) (string, error) {
	return "hasAll(" + l + ", [" + join(vs) + "])", nil
}

func (clickHouse) listHasAny(l string, vs []string, _ *check.Type) (string, error) {
	return "hasAny(" + l + ", [" + join(vs) + "])", nil
}

func (clickHouse) md5Prefix(s string) string {
	return "toInt64(reinterpretAsUInt32(reverse(substring(MD5(" + s + "), 1, 4))))"
}

func (clickHouse) intDiv(a, b string) string        { return "intDiv(" + a + ", " + b + ")" }
func (clickHouse) mod(a, b string) string           { return "(" + a + " % " + b + ")" }
func (clickHouse) fmod(a, b string) (string, error) { return "(" + a + " % " + b + ")", nil }

// roundHalfAway: round() on floats rounds halves to even in ClickHouse.
func (clickHouse) roundHalfAway(x string) string {
	return "(trunc(" + x + ") + if(abs(" + x + " - trunc(" + x + ")) >= 0.5, sign(" + x + "), 0))"
}

func (clickHouse) intArith(op byte, a, b string) string {
	return "accurateCast(toInt128(" + a + ") " + string(op) + " toInt128(" + b + "), 'Nullable(Int64)')"
}

func (clickHouse) neg(a string) string {
	return "accurateCast(-toInt128(" + a + "), 'Nullable(Int64)')"
}

func (clickHouse) ieeeNaN() bool             { return true }
func (clickHouse) isNaN(x string) string     { return "isNaN(" + x + ")" }
func (clickHouse) sqlInList() bool           { return false }
func (clickHouse) concat(a, b string) string { return "concat(" + a + ", " + b + ")" }
func (clickHouse) bytewise(x string) string  { return x }

func (clickHouse) floorCeil(ceil bool, x string) string {
	if ceil {
		return "ceil(" + x + ")"
	}
	return "floor(" + x + ")"
}
