package sqlgen

import (
	"regexp/syntax"
	"strings"

	"github.com/segql/segql/lang/check"
)

// bigQuery is Google BigQuery (GoogleSQL). Float comparisons follow IEEE
// (NaN handled explicitly); there is no ILIKE (lower-cased LIKE); lists
// are tested with UNNEST so null elements are ignored; float % has no
// equivalent (an error). Not verified on a live service.
type bigQuery struct{}

func init() { register(bigQuery{}) }

func (bigQuery) Name() string { return "bigquery" }

func (bigQuery) ident(n string) (string, error) {
	if _, err := quoteWith(n, '`'); err != nil {
		return "", err
	}
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(n) + "`", nil
}

func (bigQuery) str(s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", notSupported("a string containing NUL", "BigQuery string literals cannot hold NUL")
	}
	return quoteBackslashString(s), nil
}

var bqTypes = map[sqlKind]string{kBigint: "INT64", kDouble: "FLOAT64", kText: "STRING", kBool: "BOOL", kDate: "DATE", kTimestamp: "DATETIME"}

func (bigQuery) cast(x string, k sqlKind) string { return "CAST(" + x + " AS " + bqTypes[k] + ")" }
func (b bigQuery) float(f float64) string        { return b.cast(floatText(f), kDouble) }

func (bigQuery) timestamp(us int64, f tform) string {
	if f == fZoned {
		return "TIMESTAMP '" + timeText(us) + "+00'"
	}
	return "DATETIME '" + timeText(us) + "'"
}

func (bigQuery) date(y, m, d int) string { return "DATE '" + dateText(y, m, d) + "'" }

func (bigQuery) epochMicros(x string, f tform) string {
	if f == fZoned {
		return "UNIX_MICROS(" + x + ")"
	}
	return "UNIX_MICROS(TIMESTAMP(" + x + ", 'UTC'))"
}

func (bigQuery) naive(x string, f tform) string {
	switch f {
	case fZoned:
		return "DATETIME(" + x + ", 'UTC')"
	case fMicros:
		return "DATETIME(TIMESTAMP_MICROS(" + x + "), 'UTC')"
	}
	return x
}

// field: DAYOFWEEK counts from Sunday = 1; ISO counts from Monday = 1.
func (bigQuery) field(name, x string) string {
	if name == "isodow" {
		return "(MOD(EXTRACT(DAYOFWEEK FROM " + x + ") + 5, 7) + 1)"
	}
	return "EXTRACT(" + strings.ToUpper(name) + " FROM " + x + ")"
}

func (b bigQuery) structField(x, name string) (string, error) {
	f, err := b.ident(name)
	return x + "." + f, err
}

func (bigQuery) caseMap(upper bool, x string) string {
	if upper {
		return "UPPER(" + x + ")"
	}
	return "LOWER(" + x + ")"
}

func (bigQuery) strLen(x string) string  { return "LENGTH(" + x + ")" }
func (bigQuery) listLen(x string) string { return "ARRAY_LENGTH(" + x + ")" }

// like: BigQuery's LIKE escapes with backslash.
func (b bigQuery) like(x, p string, fold bool) (string, error) {
	s, err := b.str(likeEscaped(p))
	if fold {
		return "(LOWER(" + x + ") LIKE LOWER(" + s + "))", err
	}
	return "(" + x + " LIKE " + s + ")", err
}

func (b bigQuery) regex(x string, re *syntax.Regexp) (string, error) {
	s, err := b.str(re.String())
	return "REGEXP_CONTAINS(" + x + ", " + s + ")", err
}

func (bigQuery) contains(x, y string) string   { return "(STRPOS(" + x + ", " + y + ") > 0)" }
func (bigQuery) startsWith(x, y string) string { return "STARTS_WITH(" + x + ", " + y + ")" }
func (bigQuery) endsWith(x, y string) string   { return "ENDS_WITH(" + x + ", " + y + ")" }

func unnestHas(l, cond string) string {
	return "(CASE WHEN " + l + " IS NULL THEN NULL ELSE EXISTS(SELECT 1 FROM UNNEST(" + l + ") AS e WHERE " + cond + ") END)"
}

func (bigQuery) listHas(l, v string, _ *check.Type) (string, error) {
	return unnestHas(l, "e = "+v), nil
}

func (bigQuery) listHasAny(l string, vs []string, _ *check.Type) (string, error) {
	return unnestHas(l, "e IN ("+join(vs)+")"), nil
}

func (b bigQuery) listHasAll(l string, vs []string, t *check.Type) (string, error) {
	return andEach(vs, func(v string) string { s, _ := b.listHas(l, v, t); return s }), nil
}

func (bigQuery) md5Prefix(s string) string {
	return "CAST(CONCAT('0x', SUBSTR(TO_HEX(MD5(" + s + ")), 1, 8)) AS INT64)"
}

func (bigQuery) intDiv(a, b string) string { return "DIV(" + a + ", " + b + ")" }
func (bigQuery) mod(a, b string) string    { return "MOD(" + a + ", " + b + ")" }
func (bigQuery) fmod(a, b string) (string, error) {
	return "", notSupported("% on floating-point numbers", "BigQuery's MOD takes integers and NUMERIC only")
}
func (bigQuery) roundHalfAway(x string) string { return "ROUND(" + x + ")" }
func (bigQuery) intArith(op byte, a, b string) string {
	return "(" + a + " " + string(op) + " " + b + ")"
}
func (bigQuery) neg(a string) string       { return "(-" + a + ")" }
func (bigQuery) ieeeNaN() bool             { return true }
func (bigQuery) isNaN(x string) string     { return "IS_NAN(" + x + ")" }
func (bigQuery) sqlInList() bool           { return true }
func (bigQuery) concat(a, b string) string { return "CONCAT(" + a + ", " + b + ")" }
func (bigQuery) bytewise(x string) string  { return x }
func (bigQuery) floorCeil(ceil bool, x string) string {
	if ceil {
		return "CEIL(" + x + ")"
	}
	return "FLOOR(" + x + ")"
}
