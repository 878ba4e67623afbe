package sqlgen

import (
	"regexp/syntax"
	"strings"

	"github.com/segql/segql/lang/check"
)

// postgres is PostgreSQL (12 and later; Citus too). The database must use
// a UTF-8 encoding with a Unicode-aware ctype (C.UTF-8, en_US.UTF-8, …)
// for lower, upper and ilike of non-ASCII text. Its NaN ordering is
// segql's; regular expressions are translated into its advanced syntax;
// LIKE escapes are explicit; float % goes through NUMERIC.
type postgres struct{}

func init() { register(postgres{}) }

func (postgres) Name() string { return "postgres" }

func (postgres) ident(n string) (string, error) { return quoteWith(n, '"') }

// str writes a standard string, or an E” string when the text holds a
// backslash, so that the meaning does not depend on
// standard_conforming_strings. PostgreSQL text cannot hold NUL.
func (postgres) str(s string) (string, error) {
	if strings.ContainsRune(s, 0) {
		return "", notSupported("a string containing NUL", "PostgreSQL text cannot hold NUL")
	}
	if !strings.Contains(s, `\`) {
		return quoteSQLString(s), nil
	}
	return "E'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'", nil
}

var pgTypes = map[sqlKind]string{kBigint: "BIGINT", kDouble: "DOUBLE PRECISION", kText: "TEXT", kBool: "BOOLEAN", kDate: "DATE", kTimestamp: "TIMESTAMP"}

func (postgres) cast(x string, k sqlKind) string { return "CAST(" + x + " AS " + pgTypes[k] + ")" }
func (p postgres) float(f float64) string        { return p.cast(floatText(f), kDouble) }

func (postgres) timestamp(us int64, f tform) string {
	if f == fZoned {
		return "TIMESTAMPTZ '" + timeText(us) + "+00'"
	}
	return "TIMESTAMP '" + timeText(us) + "'"
}

func (postgres) date(y, m, d int) string { return "DATE '" + dateText(y, m, d) + "'" }

// epochMicros: EXTRACT(EPOCH …) is NUMERIC (exact) since PostgreSQL 14;
// a timestamp without zone is read as UTC, a date as its midnight UTC.
func (postgres) epochMicros(x string, _ tform) string {
	return "CAST(EXTRACT(EPOCH FROM " + x + ") * 1000000 AS BIGINT)"
}

func (postgres) naive(x string, f tform) string {
	switch f {
	case fZoned:
		return "(" + x + " AT TIME ZONE 'UTC')"
	case fMicros:
		return "(TIMESTAMP '1970-01-01 00:00:00' + " + x + " * INTERVAL '1 microsecond')"
	}
	return x
}

func (postgres) field(name, x string) string {
	return "CAST(EXTRACT(" + strings.ToUpper(name) + " FROM " + x + ") AS BIGINT)"
}

func (p postgres) structField(x, name string) (string, error) {
	f, err := p.ident(name)
	return "(" + x + ")." + f, err
}

// caseMap: PostgreSQL maps with the database's ctype (glibc's simple
// mappings for C.UTF-8), which agree with segql's on every code point but
// one: segql, as DuckDB, upper-cases ß to ẞ (tested on every code point).
func (postgres) caseMap(upper bool, x string) string {
	if upper {
		return "translate(upper(" + x + "), 'ß', 'ẞ')"
	}
	return "lower(" + x + ")"
}

func (postgres) strLen(x string) string  { return "char_length(" + x + ")" }
func (postgres) listLen(x string) string { return "cardinality(" + x + ")" }

// like: PostgreSQL's LIKE escapes with backslash by default, so
// backslashes in segql's pattern are doubled and the escape is named.
// ilike compares lower-cased text, as segql defines it.
func (p postgres) like(x, pat string, fold bool) (string, error) {
	s, err := p.str(likeEscaped(pat))
	if err != nil {
		return "", err
	}
	esc := ""
	if strings.Contains(pat, `\`) {
		esc = ` ESCAPE E'\\'`
	}
	if fold {
		return "(lower(" + x + ") LIKE lower(" + s + ")" + esc + ")", nil
	}
	return "(" + x + " LIKE " + s + esc + ")", nil
}

func (p postgres) regex(x string, re *syntax.Regexp) (string, error) {
	pat, err := printRegex(re, areFlavor)
	if err != nil {
		return "", err
	}
	s, err := p.str("***:" + pat)
	return "(" + x + " ~ " + s + ")", err
}

func (postgres) contains(x, y string) string   { return "(strpos(" + x + ", " + y + ") > 0)" }
func (postgres) startsWith(x, y string) string { return "starts_with(" + x + ", " + y + ")" }
func (postgres) endsWith(x, y string) string {
	return "(right(" + x + ", char_length(" + y + ")) = " + y + ")"
}

// pgArray is ARRAY[vs] typed like the column's elements, so that the
// array operators (which need equal types) apply.
func pgArray(vs []string, elem *check.Type) string {
	t := map[check.Kind]string{check.Int8: "SMALLINT", check.Int16: "SMALLINT", check.Int32: "INTEGER", check.Int64: "BIGINT",
		check.Uint8: "SMALLINT", check.Uint16: "INTEGER", check.Uint32: "BIGINT", check.Uint64: "NUMERIC",
		check.Float32: "REAL", check.Float64: "DOUBLE PRECISION"}[elem.Kind]
	if t == "" {
		return "ARRAY[" + join(vs) + "]" // strings: the literal adopts the column's type
	}
	return "CAST(ARRAY[" + join(vs) + "] AS " + t + "[])"
}

// listHas uses @>, which ignores null elements (= ANY would give NULL
// for a list holding one).
func (postgres) listHas(l, v string, elem *check.Type) (string, error) {
	return "(" + l + " @> " + pgArray([]string{v}, elem) + ")", nil
}

func (postgres) listHasAll(l string, vs []string, elem *check.Type) (string, error) {
	return "(" + l + " @> " + pgArray(vs, elem) + ")", nil
}

func (postgres) listHasAny(l string, vs []string, elem *check.Type) (string, error) {
	return "(" + l + " && " + pgArray(vs, elem) + ")", nil
}

func (postgres) md5Prefix(s string) string {
	return "CAST(CAST('x' || substr(md5(" + s + "), 1, 8) AS BIT(32)) AS BIGINT)"
}

func (postgres) intDiv(a, b string) string { return "(" + a + " / " + b + ")" }
func (postgres) mod(a, b string) string    { return "(" + a + " % " + b + ")" }

// fmod: PostgreSQL has no floating-point remainder; NUMERIC's is exact on
// the NUMERIC values, which PostgreSQL converts from DOUBLE PRECISION with
// 15 significant digits (a documented difference).
func (postgres) fmod(a, b string) (string, error) {
	return "CAST(mod(CAST(" + a + " AS NUMERIC), CAST(" + b + " AS NUMERIC)) AS DOUBLE PRECISION)", nil
}

// roundHalfAway: round(DOUBLE PRECISION) rounds halves to even.
func (postgres) roundHalfAway(x string) string {
	return "(trunc(" + x + ") + CASE WHEN abs(" + x + " - trunc(" + x + ")) >= 0.5 THEN sign(" + x + ") ELSE 0 END)"
}

func (postgres) intArith(op byte, a, b string) string {
	return "(" + a + " " + string(op) + " " + b + ")"
}
func (postgres) neg(a string) string       { return "(-" + a + ")" }
func (postgres) ieeeNaN() bool             { return false }
func (postgres) isNaN(x string) string     { return "(" + x + " = 'NaN')" }
func (postgres) sqlInList() bool           { return true }
func (postgres) concat(a, b string) string { return "(" + a + " || " + b + ")" }

func (postgres) floorCeil(ceil bool, x string) string {
	if ceil {
		return "ceil(" + x + ")"
	}
	return "floor(" + x + ")"
}

// bytewise: the C collation orders UTF-8 text by code point.
func (postgres) bytewise(x string) string { return x + ` COLLATE "C"` }
