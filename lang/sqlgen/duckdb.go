package sqlgen

import (
	"regexp/syntax"
	"strings"

	"github.com/segql/segql/lang/check"
)

// duckDB is DuckDB (1.x). Its semantics are segql's reference: lists,
// RE2 and NaN ordering need no translation.
type duckDB struct{}

func init() { register(duckDB{}) }

func (duckDB) Name() string { return "duckdb" }

func (duckDB) ident(n string) (string, error) { return quoteWith(n, '"') }

// str writes NUL, which the SQL parser cannot read, as chr(0).
func (duckDB) str(s string) (string, error) {
	if !strings.ContainsRune(s, 0) {
		return quoteSQLString(s), nil
	}
	parts := strings.Split(s, "\x00")
	for i, p := range parts {
		parts[i] = quoteSQLString(p)
	}
	return "(" + strings.Join(parts, " || chr(0) || ") + ")", nil
}

var duckTypes = map[sqlKind]string{kBigint: "BIGINT", kDouble: "DOUBLE", kText: "VARCHAR", kBool: "BOOLEAN", kDate: "DATE", kTimestamp: "TIMESTAMP"}

func (duckDB) cast(x string, k sqlKind) string { return "CAST(" + x + " AS " + duckTypes[k] + ")" }
func (d duckDB) float(f float64) string        { return d.cast(floatText(f), kDouble) }

func (duckDB) timestamp(us int64, f tform) string {
	if f == fZoned {
		return "TIMESTAMPTZ '" + timeText(us) + "+00'"
	}
	return "TIMESTAMP '" + timeText(us) + "'"
}

func (duckDB) date(y, m, d int) string { return "DATE '" + dateText(y, m, d) + "'" }

func (duckDB) epochMicros(x string, f tform) string {
	if f == fDate {
		return "epoch_us(CAST(" + x + " AS TIMESTAMP))"
	}
	return "epoch_us(" + x + ")"
}

func (duckDB) naive(x string, f tform) string {
	switch f {
	case fZoned:
		return "timezone('UTC', " + x + ")"
	case fMicros:
		return "make_timestamp(" + x + ")"
	}
	return x
}

func (duckDB) field(name, x string) string { return name + "(" + x + ")" }

func (d duckDB) structField(x, name string) (string, error) {
	s, err := d.str(name)
	return "struct_extract(" + x + ", " + s + ")", err
}

func (duckDB) caseMap(upper bool, x string) string {
	if upper {
		return "upper(" + x + ")"
	}
	return "lower(" + x + ")"
}

func (duckDB) strLen(x string) string  { return "length(" + x + ")" }
func (duckDB) listLen(x string) string { return "len(" + x + ")" }

func (d duckDB) like(x, p string, fold bool) (string, error) {
	op := " LIKE "
	if fold {
		op = " ILIKE "
	}
	if !strings.Contains(p, `\`) {
		s, err := d.str(p)
		return "(" + x + op + s + ")", err
	}
	s, err := d.str(likeEscaped(p))
	return "(" + x + op + s + ` ESCAPE '\')`, err
}

func (d duckDB) regex(x string, re *syntax.Regexp) (string, error) {
	s, err := d.str(re.String())
	return "regexp_matches(" + x + ", " + s + ")", err
}

func (duckDB) contains(x, y string) string   { return "contains(" + x + ", " + y + ")" }
func (duckDB) startsWith(x, y string) string { return "starts_with(" + x + ", " + y + ")" }
func (duckDB) endsWith(x, y string) string   { return "suffix(" + x + ", " + y + ")" }

func (duckDB) listHas(l, v string, _ *check.Type) (string, error) {
	return "list_contains(" + l + ", " + v + ")", nil
}

func (duckDB) listHasAll(l string, vs []string, _ *check.Type) (string, error) {
	return "list_has_all(" + l + ", [" + join(vs) + "])", nil
}

func (duckDB) listHasAny(l string, vs []string, _ *check.Type) (string, error) {
	return "list_has_any(" + l + ", [" + join(vs) + "])", nil
}

func (duckDB) md5Prefix(s string) string {
	return "CAST(CAST('0x' || substr(md5(" + s + "), 1, 8) AS UBIGINT) AS BIGINT)"
}

func (duckDB) intDiv(a, b string) string { return "(" + a + " // " + b + ")" }
func (duckDB) mod(a, b string) string    { return "(" + a + " % " + b + ")" }

// fmod: DuckDB's % on DOUBLEs is C's fmod (its fmod function floors).
func (duckDB) fmod(a, b string) (string, error) { return "(" + a + " % " + b + ")", nil }
func (duckDB) roundHalfAway(x string) string    { return "round(" + x + ")" }
func (duckDB) intArith(op byte, a, b string) string {
	return "(" + a + " " + string(op) + " " + b + ")"
}
func (duckDB) neg(a string) string   { return "(-" + a + ")" }
func (duckDB) ieeeNaN() bool         { return false }
func (duckDB) isNaN(x string) string { return "isnan(" + x + ")" }
func (duckDB) sqlInList() bool       { return true }

func (duckDB) floorCeil(ceil bool, x string) string {
	if ceil {
		return "ceil(" + x + ")"
	}
	return "floor(" + x + ")"
}

func (duckDB) concat(a, b string) string { return "(" + a + " || " + b + ")" }

func (duckDB) bytewise(x string) string { return x }
