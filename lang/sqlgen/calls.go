package sqlgen

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
)

// bucketCount is the number of experiment buckets (SPEC.md, "Experiment
// buckets").
const bucketCount = 10000

func (c *compiler) call(e *ast.Call) (val, error) {
	if check.IsRankFunction(e.Name) {
		return c.rankCall(e)
	}
	if e.Name == "now" {
		return val{sql: intLit(c.now), t: check.TTimestamp, form: fMicros, konst: true, us: c.now}, nil
	}
	args := make([]val, len(e.Args))
	for i, a := range e.Args {
		v, err := c.expr(a)
		if err != nil {
			return val{}, err
		}
		args[i] = v
	}
	t := c.typ(e)
	switch e.Name {
	case "lower", "upper":
		return val{sql: c.d.caseMap(e.Name == "upper", c.text(args[0])), t: t}, nil
	case "len", "length":
		if args[0].t.Kind == check.List {
			return val{sql: c.d.listLen(args[0].sql), t: t}, nil
		}
		return val{sql: c.d.strLen(c.text(args[0])), t: t}, nil
	case "abs":
		if t.IsFloat() {
			return val{sql: "abs(" + c.double(args[0]) + ")", t: t}, nil
		}
		return val{sql: "abs(" + c.big(args[0]) + ")", t: t}, nil
	case "floor", "ceil":
		if t.IsFloat() {
			return val{sql: c.d.floorCeil(e.Name == "ceil", c.double(args[0])), t: t}, nil
		}
		return val{sql: c.big(args[0]), t: t}, nil
	case "round":
		return c.round(e, t, args)
	case "coalesce":
		return c.coalesce(t, args), nil
	case "starts_with":
		return boolVal(c.d.startsWith(c.text(args[0]), c.text(args[1]))), nil
	case "ends_with":
		return boolVal(c.d.endsWith(c.text(args[0]), c.text(args[1]))), nil
	case "days_since":
		return c.daysSince(args[0]), nil
	case "year", "month", "day_of_week":
		return c.calendar(e.Name, args[0]), nil
	case "bucket":
		s, err := c.bucket(args[0], e.Args[1].(*ast.Literal).Str)
		if err != nil {
			return val{}, c.wrap(e.Args[1], err)
		}
		return val{sql: s, t: t}, nil
	case "sample":
		share, _ := check.SampleShare(e.Args[1])
		// sample is bucket < share × 10000 compared as floats; buckets are
		// integers, so the bound is the ceiling.
		bound := math.Ceil(share * bucketCount)
		s, err := c.bucket(args[0], e.Args[2].(*ast.Literal).Str)
		if err != nil {
			return val{}, c.wrap(e.Args[2], err)
		}
		return boolVal(paren(s + " < " + strconv.FormatInt(int64(bound), 10))), nil
	}
	return val{}, c.fail(e, fmt.Sprintf("function %s", e.Name), "not known to the SQL compiler")
}

// text is a string operand (an untyped NULL typed as text).
func (c *compiler) text(v val) string {
	if v.isNull() {
		return c.d.cast("NULL", kText)
	}
	return v.sql
}

func (c *compiler) round(e *ast.Call, t *check.Type, args []val) (val, error) {
	digits := int64(0)
	if len(e.Args) == 2 {
		l, ok := e.Args[1].(*ast.Literal)
		if !ok || l.Kind != ast.Int {
			return val{}, c.fail(e.Args[1], "round with computed digits", "write the number of digits as an integer literal")
		}
		digits = l.Int
	}
	x := args[0]
	if !t.IsFloat() {
		return val{sql: c.roundInt(c.big(x), digits), t: t}, nil
	}
	xs := c.double(x)
	switch {
	case digits == 0:
		return val{sql: c.d.roundHalfAway(xs), t: t}, nil
	case digits > 308:
		return val{sql: xs, t: t}, nil
	case digits < -308:
		return val{sql: paren(c.d.float(0) + " * " + xs), t: t}, nil
	}
	// As the engine: r = round(x × 10^d) / 10^d, and x itself where r is
	// not finite.
	p := c.d.float(math.Pow(10, float64(digits)))
	r := paren(c.d.roundHalfAway(paren(xs+" * "+p)) + " / " + p)
	return val{sql: paren("CASE WHEN " + r + " - " + r + " = 0 THEN " + r + " ELSE " + xs + " END"), t: t}, nil
}

// roundInt rounds a BIGINT to tens, hundreds, … halves away from zero; an
// overflow of the result is an error, as in the engine.
func (c *compiler) roundInt(x string, d int64) string {
	switch {
	case d >= 0:
		return x
	case d < -18:
		return paren(x + " * 0")
	}
	p := strconv.FormatInt(int64(math.Pow10(int(-d))), 10)
	r := c.d.mod(x, p)
	q := paren(c.d.intDiv(x, p) + " + CASE WHEN 2 * abs(" + r + ") >= " + p + " THEN CASE WHEN " + x + " < 0 THEN -1 ELSE 1 END ELSE 0 END")
	return c.d.intArith('*', q, p)
}

func (c *compiler) coalesce(t *check.Type, args []val) val {
	// Temporal arguments keep their type when they share one; otherwise
	// (mixed forms, constants, NULLs) they are compared as microseconds.
	form := fMicros
	if t.IsTemporal() {
		form = args[0].form
		for _, a := range args {
			if a.isNull() || a.konst || a.form != form {
				form = fMicros
			}
		}
	}
	parts := make([]string, len(args))
	for i, a := range args {
		switch {
		case t.IsTemporal() && form == fMicros:
			parts[i] = c.micros(a)
		case t.IsTemporal():
			parts[i] = a.sql
		case t.IsFloat():
			parts[i] = c.double(a)
		case t.IsInteger():
			parts[i] = c.big(a)
		case t.Kind == check.String:
			parts[i] = c.text(a)
		default:
			parts[i] = c.boolSQL(a)
		}
	}
	return val{sql: "coalesce(" + strings.Join(parts, ", ") + ")", t: t, form: form}
}

// daysSince is floor((now - t) / 1 day) in microseconds, exactly.
func (c *compiler) daysSince(t val) val {
	if t.isNull() {
		return val{sql: c.d.cast("NULL", kBigint), t: check.TInt64}
	}
	diff := c.d.intArith('-', intLit(c.now), c.micros(t))
	const day = "86400000000"
	q := paren(c.d.intDiv(diff, day) + " - CASE WHEN " + c.d.mod(diff, day) + " < 0 THEN 1 ELSE 0 END")
	return val{sql: q, t: check.TInt64}
}

// calendar is year, month or ISO day of week in UTC.
func (c *compiler) calendar(name string, t val) val {
	if t.isNull() {
		return val{sql: c.d.cast("NULL", kBigint), t: check.TInt64}
	}
	field := map[string]string{"year": "year", "month": "month", "day_of_week": "isodow"}[name]
	var x string
	switch {
	case t.konst:
		x = c.d.timestamp(t.us, fNaive)
	case t.form == fDate || t.form == fNaive:
		x = t.sql
	default:
		x = c.d.naive(t.sql, t.form)
	}
	return val{sql: c.d.field(field, x), t: check.TInt64}
}

// bucket is int(first 8 hex digits of md5(salt || ':' || id)) mod 10000.
func (c *compiler) bucket(id val, salt string) (string, error) {
	prefix, err := c.d.str(salt + ":")
	if err != nil {
		return "", err
	}
	idText := c.d.cast(id.sql, kText)
	if id.t.Kind == check.String {
		idText = id.sql
	}
	return c.d.mod(c.d.md5Prefix(c.d.concat(prefix, idText)), strconv.Itoa(bucketCount)), nil
}

// rankCall registers a window column for a distribution function and
// refers to it; the query computes it over the whole table.
func (c *compiler) rankCall(e *ast.Call) (val, error) {
	ref := e.Args[0].(*ast.Ref)
	col := c.sc.info.Refs[ref].Column
	c.use(col)
	var k int64
	if e.Name == "ntile" {
		k = e.Args[1].(*ast.Literal).Int
	}
	t := c.typ(e)
	colType := c.typ(ref)
	for _, r := range c.ranks {
		if r.fn == e.Name && r.col == col && r.k == k {
			return val{sql: r.alias, t: t}, nil
		}
	}
	alias, err := c.d.ident(fmt.Sprintf("segql_rank_%d", len(c.ranks)))
	if err != nil {
		return val{}, c.wrap(e, err)
	}
	c.ranks = append(c.ranks, rank{fn: e.Name, col: col, k: k, alias: alias, t: colType, src: c.sc.src, span: e.Span})
	return val{sql: alias, t: t}, nil
}

// rankSQL is the window expression of r over the whole table: with n the
// number of non-null values and rk their rank (ties share it), segql's
// percent_rank, ntile and scores (SPEC.md, "Distribution functions").
func (c *compiler) rankSQL(r rank) (string, error) {
	col, err := c.d.ident(r.col)
	if err != nil {
		return "", err
	}
	order := col
	if r.t.IsFloat() && c.d.ieeeNaN() {
		// NaN is above every number in segql's order: sort it last
		// explicitly (nulls last of all, excluded below anyway).
		order = "CASE WHEN " + col + " IS NULL THEN 2 WHEN " + c.d.isNaN(col) + " THEN 1 ELSE 0 END, " + col
	}
	rk := "(" + c.d.cast("rank() OVER (ORDER BY "+order+" ASC NULLS LAST)", kBigint) + " - 1)"
	n := c.d.cast("count("+col+") OVER ()", kBigint)
	ntile := func(k int64) string {
		return paren("1 + " + c.d.intDiv(paren(strconv.FormatInt(k, 10)+" * "+rk), n))
	}
	var s string
	switch r.fn {
	case "percent_rank":
		s = "CASE WHEN " + n + " = 1 THEN " + c.d.float(0) + " ELSE " + c.d.cast(rk, kDouble) + " / " + c.d.cast(paren(n+" - 1"), kDouble) + " END"
	case "ntile":
		s = ntile(r.k)
	case "r_score":
		s = ntile(5)
		if !r.t.IsTemporal() {
			s = "6 - " + s
		}
	default: // f_score, m_score
		s = ntile(5)
	}
	return "CASE WHEN " + col + " IS NULL THEN NULL ELSE " + s + " END", nil
}
