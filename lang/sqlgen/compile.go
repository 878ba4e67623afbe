package sqlgen

import (
	"errors"
	"fmt"
	"math"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
)

// val is a compiled expression: SQL text that is safe to embed as an
// operand (an atom or parenthesized) and what the compiler knows of it.
type val struct {
	sql string
	t   *check.Type
	// form is the storage of a temporal value; durations are always BIGINT
	// microseconds (fMicros).
	form tform
	// konst marks a temporal or duration constant whose value is us; its
	// sql is the microsecond count.
	konst bool
	us    int64
	// narrow marks an integer whose SQL type may be narrower than BIGINT
	// (a narrow column, an unsigned column or a small literal).
	narrow bool
	// lit marks a literal (never NaN, never NULL unless t is Null).
	lit bool
}

func (v val) isNull() bool  { return v.t.Kind == check.Null }
func (v val) isFloat() bool { return v.t.IsFloat() }

// scope is the source and side table a definition's tree is read with.
type scope struct {
	src  diag.Source
	info *check.Info
}

// compiler compiles one expression (and the definitions it references).
type compiler struct {
	d     Dialect
	opts  *Options
	now   int64 // µs since the epoch
	sc    scope
	nodes int
	ranks []rank
	// segs caches compiled definitions by name (a DAG stays a DAG in
	// the cache; the SQL text still repeats, bounded by MaxNodes).
	segs map[string]compiledSegment
	// cols lists the top-level columns the expression being compiled
	// reads, in first-use order, through segments too.
	cols []string
	// events are the aggregates of the events pass; inFilter is set while
	// an event condition's filter (over the events' columns) compiles.
	events   []eventAgg
	seqs     []string // the sequences' joins (SELECT … GROUP BY user)
	inFilter bool
	// qualifier prefixes the columns of a filter compiled inside a
	// sequence's join (its step's alias), or is "".
	qualifier string
}

type compiledSegment struct {
	sql   string
	nodes int
	cols  []string
}

// use records a column the current expression reads.
func (c *compiler) use(cols ...string) {
	for _, col := range cols {
		if !slices.Contains(c.cols, col) {
			c.cols = append(c.cols, col)
		}
	}
}

// rank is a window column the query computes before filtering.
type rank struct {
	fn, col string
	k       int64
	alias   string
	t       *check.Type
	src     diag.Source // where the call is, for errors
	span    diag.Span
}

func (c *compiler) fail(n ast.Node, construct, reason string) error {
	return &Error{Dialect: c.d.Name(), Construct: construct, Reason: reason, Src: c.sc.src, Span: n.Bounds()}
}

// wrap turns a dialect's unsupported error into a positioned *Error.
func (c *compiler) wrap(n ast.Node, err error) error {
	var u *unsupported
	if errors.As(err, &u) {
		return c.fail(n, u.construct, u.reason)
	}
	return err
}

func (c *compiler) typ(e ast.Expr) *check.Type {
	if t, ok := c.sc.info.Types[e]; ok {
		return t
	}
	return check.TInvalid
}

func paren(s string) string { return "(" + s + ")" }

func intLit(n int64) string {
	switch {
	case n == math.MinInt64:
		return "(-9223372036854775807 - 1)"
	case n < 0:
		return "(" + strconv.FormatInt(n, 10) + ")"
	}
	return strconv.FormatInt(n, 10)
}

func intVal(n int64) val {
	return val{sql: intLit(n), t: check.TInt64, lit: true, narrow: n >= math.MinInt32 && n <= math.MaxInt32}
}

// expr compiles e.
func (c *compiler) expr(e ast.Expr) (val, error) {
	c.nodes++
	if max := c.opts.maxNodes(); c.nodes > max {
		return val{}, &Error{Dialect: c.d.Name(), Construct: "this expression", Reason: fmt.Sprintf("its definitions expand to more than %d operations", max), Src: c.sc.src, Span: e.Bounds(), cause: ErrTooLarge}
	}
	switch e := e.(type) {
	case *ast.Ref:
		return c.ref(e)
	case *ast.Literal:
		return c.literal(e)
	case *ast.Unary:
		return c.unary(e)
	case *ast.Logical:
		return c.logical(e)
	case *ast.Compare:
		x, y, err := c.pair(e.X, e.Y)
		if err != nil {
			return val{}, err
		}
		return c.compare(e, e.Op, x, y)
	case *ast.Arith:
		return c.arith(e)
	case *ast.Between:
		return c.between(e)
	case *ast.In:
		return c.in(e)
	case *ast.IsNull:
		x, err := c.expr(e.X)
		if err != nil {
			return val{}, err
		}
		if e.Not {
			return boolVal(paren(x.sql + " IS NOT NULL")), nil
		}
		return boolVal(paren(x.sql + " IS NULL")), nil
	case *ast.Like:
		return c.like(e)
	case *ast.Matches:
		return c.matches(e)
	case *ast.Contains:
		return c.contains(e)
	case *ast.Within:
		return c.within(e)
	case *ast.Call:
		return c.call(e)
	case *ast.Event:
		return c.event(e)
	}
	return val{}, fmt.Errorf("sqlgen: unexpected node %T", e)
}

func boolVal(s string) val { return val{sql: s, t: check.TBool} }

func (c *compiler) pair(a, b ast.Expr) (val, val, error) {
	x, err := c.expr(a)
	if err != nil {
		return val{}, val{}, err
	}
	y, err := c.expr(b)
	return x, y, err
}

func (c *compiler) ref(r *ast.Ref) (val, error) {
	res, ok := c.sc.info.Refs[r]
	if !ok {
		return val{}, c.fail(r, "an unresolved name", "the expression did not check")
	}
	if res.Kind == check.SegmentRef {
		return c.segment(r, res.Name)
	}
	zoned := c.opts.Zoned
	if c.inFilter {
		zoned = c.opts.Events.Zoned
	} else {
		c.use(res.Column)
	}
	s, err := c.d.ident(res.Column)
	if err != nil {
		return val{}, c.wrap(r, err)
	}
	if c.qualifier != "" {
		s = c.qualifier + "." + s
	}
	for _, f := range res.Fields {
		if s, err = c.d.structField(s, f); err != nil {
			return val{}, c.wrap(r, err)
		}
	}
	t := c.typ(r)
	v := val{sql: s, t: t, narrow: t.IsInteger() && t.Kind != check.Int64}
	switch t.Kind {
	case check.Date:
		v.form = fDate
	case check.Timestamp:
		v.form = fNaive
		if len(res.Fields) == 0 && zoned != nil && zoned(res.Column) {
			v.form = fZoned
		}
	}
	return v, nil
}

// segment compiles a reference to a named segment: its definition's
// expression in parentheses, compiled once per query.
func (c *compiler) segment(r *ast.Ref, name string) (val, error) {
	if s, ok := c.segs[name]; ok {
		c.nodes += s.nodes // the text repeats: count its size again
		if max := c.opts.maxNodes(); c.nodes > max {
			return val{}, &Error{Dialect: c.d.Name(), Construct: "this expression", Reason: fmt.Sprintf("its definitions expand to more than %d operations", max), Src: c.sc.src, Span: r.Span, cause: ErrTooLarge}
		}
		c.use(s.cols...)
		return boolVal(s.sql), nil
	}
	before, outer := c.nodes, c.cols
	c.cols = nil
	var def *check.Definition
	if c.opts.Segments != nil {
		def = c.opts.Segments.Lookup(name)
	}
	if def == nil || def.Info == nil {
		return val{}, c.fail(r, fmt.Sprintf("segment %q", name), "its definition is missing or did not check")
	}
	saved := c.sc
	c.sc = scope{src: def.Src, info: def.Info}
	v, err := c.expr(def.Segment.Expr)
	c.sc = saved
	cols := c.cols
	c.cols = outer
	c.use(cols...)
	if err != nil {
		return val{}, err
	}
	s := paren(v.sql)
	if v.isNull() {
		s = c.d.cast("NULL", kBool)
	}
	if c.segs == nil {
		c.segs = map[string]compiledSegment{}
	}
	c.segs[name] = compiledSegment{s, c.nodes - before, cols}
	return boolVal(s), nil
}

func (c *compiler) literal(l *ast.Literal) (val, error) {
	switch l.Kind {
	case ast.Null:
		return val{sql: "NULL", t: check.TNull, lit: true}, nil
	case ast.Bool:
		if l.Bool {
			return val{sql: "TRUE", t: check.TBool, lit: true}, nil
		}
		return val{sql: "FALSE", t: check.TBool, lit: true}, nil
	case ast.Int:
		v := intVal(l.Int)
		return v, nil
	case ast.Float:
		return c.floatVal(l, l.Float)
	case ast.Percent:
		return c.floatVal(l, l.Fraction())
	case ast.Duration:
		us := l.Dur.Micros()
		return val{sql: intLit(us), t: check.TDuration, form: fMicros, konst: true, us: us, lit: true}, nil
	case ast.String:
		if us, ok := c.sc.info.Times[l]; ok {
			return val{sql: intLit(us), t: c.typ(l), form: fMicros, konst: true, us: us, lit: true}, nil
		}
		s, err := c.d.str(l.Str)
		if err != nil {
			return val{}, c.wrap(l, err)
		}
		return val{sql: s, t: check.TString, lit: true}, nil
	}
	return val{}, c.fail(l, "this literal", "unknown kind")
}

func (c *compiler) floatVal(n ast.Node, f float64) (val, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return val{}, c.fail(n, "a non-finite number", "write a finite literal")
	}
	return val{sql: c.d.float(f), t: check.TFloat64, lit: true}, nil
}

// big returns v as BIGINT SQL (casting narrow integers and typing NULL).
func (c *compiler) big(v val) string {
	if v.narrow || v.isNull() {
		return c.d.cast(v.sql, kBigint)
	}
	return v.sql
}

// double returns v as DOUBLE SQL.
func (c *compiler) double(v val) string {
	if v.isFloat() && !v.isNull() {
		return v.sql
	}
	return c.d.cast(v.sql, kDouble)
}

// micros returns a temporal or duration value as BIGINT microseconds.
func (c *compiler) micros(v val) string {
	switch {
	case v.isNull():
		return c.d.cast("NULL", kBigint)
	case v.konst || v.form == fMicros:
		return v.sql
	}
	return c.d.epochMicros(v.sql, v.form)
}

// timeIn renders a temporal constant in form f (a date only when it is a
// midnight; a date column is compared with a timestamp otherwise).
func (c *compiler) timeIn(us int64, f tform) string {
	switch f {
	case fDate:
		if us%86400e6 == 0 {
			t := time.UnixMicro(us).UTC()
			return c.d.date(t.Year(), int(t.Month()), t.Day())
		}
		return c.d.timestamp(us, fNaive)
	case fNaive, fZoned:
		return c.d.timestamp(us, f)
	}
	return intLit(us)
}

func (c *compiler) unary(e *ast.Unary) (val, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return val{}, err
	}
	if e.Op == ast.Not {
		return boolVal(paren("NOT " + c.boolSQL(x))), nil
	}
	switch t := c.typ(e); {
	case x.konst:
		if x.us == math.MinInt64 {
			return val{}, c.fail(e, "this negation", "it overflows")
		}
		return val{sql: intLit(-x.us), t: t, form: fMicros, konst: true, us: -x.us, lit: true}, nil
	case t.Kind == check.Duration:
		return val{sql: c.d.neg(c.micros(x)), t: t, form: fMicros}, nil
	case t.IsFloat():
		return val{sql: paren("-" + c.double(x)), t: t}, nil
	case t.Kind == check.Null:
		return x, nil
	}
	return val{sql: c.d.neg(c.big(x)), t: check.TInt64}, nil
}

// boolSQL is a boolean operand: the untyped NULL literal becomes a typed
// one.
func (c *compiler) boolSQL(v val) string {
	if v.isNull() {
		return c.d.cast("NULL", kBool)
	}
	return v.sql
}

func (c *compiler) logical(e *ast.Logical) (val, error) {
	parts := make([]string, len(e.Terms))
	for i, t := range e.Terms {
		v, err := c.expr(t)
		if err != nil {
			return val{}, err
		}
		parts[i] = c.boolSQL(v)
	}
	op := " AND "
	if e.Op == ast.Or {
		op = " OR "
	}
	return boolVal(paren(strings.Join(parts, op))), nil
}

var cmpSQL = map[ast.CompareOp]string{ast.Eq: "=", ast.Ne: "<>", ast.Lt: "<", ast.Le: "<=", ast.Gt: ">", ast.Ge: ">="}

// flip is the operator with its operands swapped: a < b is b > a.
var flip = map[ast.CompareOp]ast.CompareOp{ast.Eq: ast.Eq, ast.Ne: ast.Ne, ast.Lt: ast.Gt, ast.Le: ast.Ge, ast.Gt: ast.Lt, ast.Ge: ast.Le}

// compare compiles x op y with segql's meaning for its operand types.
func (c *compiler) compare(n ast.Node, op ast.CompareOp, x, y val) (val, error) {
	tx, ty := x.t, y.t
	switch {
	case tx.IsTemporal() || ty.IsTemporal():
		return boolVal(c.compareTime(op, x, y)), nil
	case tx.Kind == check.Duration || ty.Kind == check.Duration:
		return boolVal(paren(c.micros(x) + " " + cmpSQL[op] + " " + c.micros(y))), nil
	case (x.isFloat() || y.isFloat()) && c.d.ieeeNaN():
		return boolVal(c.compareNaN(op, x, y)), nil
	}
	xs := c.operand(x, y)
	if op != ast.Eq && op != ast.Ne && (tx.Kind == check.String || ty.Kind == check.String) {
		xs = c.d.bytewise(xs)
	}
	return boolVal(paren(xs + " " + cmpSQL[op] + " " + c.operand(y, x))), nil
}

// operand is v's SQL as a comparison operand against other: an untyped
// NULL takes the other side's type.
func (c *compiler) operand(v, other val) string {
	if !v.isNull() {
		return v.sql
	}
	switch {
	case other.t.IsInteger():
		return c.d.cast("NULL", kBigint)
	case other.t.IsFloat():
		return c.d.cast("NULL", kDouble)
	case other.t.Kind == check.String:
		return c.d.cast("NULL", kText)
	case other.t.Kind == check.Bool:
		return c.d.cast("NULL", kBool)
	}
	return v.sql
}

// compareTime compares two temporal values as instants: a column against
// a constant keeps the column's own type (so engines can use indexes and
// statistics), anything else compares microseconds.
func (c *compiler) compareTime(op ast.CompareOp, x, y val) string {
	switch {
	case x.konst && y.konst:
		return paren(intLit(x.us) + " " + cmpSQL[op] + " " + intLit(y.us))
	case y.konst && x.form != fMicros && !x.isNull():
		return paren(x.sql + " " + cmpSQL[op] + " " + c.timeIn(y.us, x.form))
	case x.konst && y.form != fMicros && !y.isNull():
		return paren(y.sql + " " + cmpSQL[flip[op]] + " " + c.timeIn(x.us, y.form))
	case x.form == y.form && x.form != fMicros,
		x.form == fDate && y.form == fNaive, x.form == fNaive && y.form == fDate:
		return paren(x.sql + " " + cmpSQL[op] + " " + y.sql)
	}
	return paren(c.micros(x) + " " + cmpSQL[op] + " " + c.micros(y))
}

// compareNaN compares floats on an engine whose comparisons follow IEEE,
// giving segql's order: NaN equals NaN and is above every other number.
func (c *compiler) compareNaN(op ast.CompareOp, x, y val) string {
	nan := func(v val) string {
		if !v.isFloat() || v.lit {
			return "FALSE"
		}
		return c.d.isNaN(v.sql)
	}
	xs, ys := c.operand(x, y), c.operand(y, x)
	if op == ast.Lt || op == ast.Le {
		op, x, y, xs, ys = flip[op], y, x, ys, xs
	}
	nx, ny := nan(x), nan(y)
	plain := xs + " " + cmpSQL[op] + " " + ys
	switch op {
	case ast.Eq, ast.Ne:
		s := plain
		if nx != "FALSE" && ny != "FALSE" {
			s = paren(xs+" = "+ys) + " OR (" + nx + " AND " + ny + ")"
			if op == ast.Ne {
				return paren("NOT (" + s + ")")
			}
		}
		return paren(s)
	case ast.Gt:
		switch {
		case nx == "FALSE":
			return paren(plain)
		case ny == "FALSE":
			return paren(plain + " OR " + nx)
		}
		return paren(plain + " OR (" + nx + " AND NOT " + ny + ")")
	default: // Ge
		if nx == "FALSE" {
			return paren(plain)
		}
		if y.lit {
			return paren(plain + " OR " + nx)
		}
		return paren(plain + " OR (" + nx + " AND " + ys + " IS NOT NULL)")
	}
}

func (c *compiler) arith(e *ast.Arith) (val, error) {
	x, y, err := c.pair(e.X, e.Y)
	if err != nil {
		return val{}, err
	}
	t := c.typ(e)
	switch {
	case t.Kind == check.Timestamp || t.Kind == check.Duration:
		return c.timeArith(e, t, x, y)
	case t.Kind == check.Null:
		return val{sql: "NULL", t: t}, nil
	case e.Op == ast.Div:
		return val{sql: paren(c.double(x) + " / NULLIF(" + c.double(y) + ", 0)"), t: t}, nil
	case t.IsFloat() && e.Op == ast.Mod:
		s, err := c.d.fmod(c.double(x), "NULLIF("+c.double(y)+", 0)")
		if err != nil {
			return val{}, c.wrap(e, err)
		}
		return val{sql: s, t: t}, nil
	case t.IsFloat():
		return val{sql: paren(c.double(x) + " " + e.Op.String() + " " + c.double(y)), t: t}, nil
	}
	xs, ys := c.bigPair(x, y)
	if e.Op == ast.Mod {
		return val{sql: c.d.mod(xs, "NULLIF("+ys+", 0)"), t: t}, nil
	}
	return val{sql: c.d.intArith(e.Op.String()[0], xs, ys), t: t}, nil
}

// bigPair is the operands of integer arithmetic, computed in BIGINT: one
// BIGINT operand is enough (SQL widens the other), so a narrow column or
// a small literal is cast only when both are narrow.
func (c *compiler) bigPair(x, y val) (string, string) {
	switch {
	case x.isNull() || y.isNull():
		return c.big(x), c.big(y)
	case !x.narrow || !y.narrow:
		return x.sql, y.sql
	case x.lit && !y.lit:
		return x.sql, c.big(y)
	}
	return c.big(x), y.sql
}

// timeArith is temporal ± duration, temporal − temporal and duration ±
// duration, in microseconds (folded when both sides are constants).
func (c *compiler) timeArith(e *ast.Arith, t *check.Type, x, y val) (val, error) {
	if x.isNull() || y.isNull() {
		return val{sql: c.d.cast("NULL", kBigint), t: t, form: fMicros}, nil
	}
	op := e.Op.String()[0]
	if x.konst && y.konst {
		var r int64
		var ok bool
		switch op {
		case '+':
			r, ok = addOK(x.us, y.us)
		default:
			r, ok = addOK(x.us, -y.us)
			ok = ok && y.us != math.MinInt64
		}
		if !ok {
			return val{}, c.fail(e, "this time arithmetic", "it overflows")
		}
		return val{sql: intLit(r), t: t, form: fMicros, konst: true, us: r}, nil
	}
	return val{sql: c.d.intArith(op, c.micros(x), c.micros(y)), t: t, form: fMicros}, nil
}

func addOK(a, b int64) (int64, bool) {
	r := a + b
	return r, !((a >= 0) == (b >= 0) && (r >= 0) != (a >= 0))
}

func (c *compiler) between(e *ast.Between) (val, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return val{}, err
	}
	lo, hi, err := c.pair(e.Lo, e.Hi)
	if err != nil {
		return val{}, err
	}
	var s string
	if x.t.IsTemporal() || lo.t.IsTemporal() || hi.t.IsTemporal() ||
		c.d.ieeeNaN() && (x.isFloat() || lo.isFloat() || hi.isFloat()) {
		a, _ := c.compare(e, ast.Ge, x, lo)
		b, _ := c.compare(e, ast.Le, x, hi)
		s = paren(a.sql + " AND " + b.sql)
		if e.Not {
			s = paren("NOT " + s)
		}
		return boolVal(s), nil
	}
	kw := " BETWEEN "
	if e.Not {
		kw = " NOT BETWEEN "
	}
	other := x
	if x.isNull() {
		other = lo
	}
	xs := c.operand(x, lo)
	if x.t.Kind == check.String || lo.t.Kind == check.String {
		xs = c.d.bytewise(xs)
	}
	return boolVal(paren(xs + kw + c.operand(lo, other) + " AND " + c.operand(hi, other))), nil
}

func (c *compiler) in(e *ast.In) (val, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return val{}, err
	}
	items := make([]val, len(e.List))
	decompose := x.t.IsTemporal() || !c.d.sqlInList() || x.isNull()
	for i, it := range e.List {
		if items[i], err = c.expr(it); err != nil {
			return val{}, err
		}
		if items[i].t.IsTemporal() || c.d.ieeeNaN() && (x.isFloat() || items[i].isFloat()) {
			decompose = true
		}
	}
	if decompose {
		terms := make([]string, len(items))
		for i, it := range items {
			if it.isNull() {
				terms[i] = c.d.cast("NULL", kBool)
				continue
			}
			v, _ := c.compare(e, ast.Eq, x, it)
			terms[i] = v.sql
		}
		s := paren(strings.Join(terms, " OR "))
		if e.Not {
			s = paren("NOT " + s)
		}
		return boolVal(s), nil
	}
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = c.operand(it, x)
	}
	kw := " IN ("
	if e.Not {
		kw = " NOT IN ("
	}
	return boolVal(paren(x.sql + kw + strings.Join(parts, ", ") + ")")), nil
}

// constString is a pattern argument: segql requires a string literal.
func (c *compiler) constString(e ast.Expr, what string) (string, error) {
	l, ok := e.(*ast.Literal)
	if !ok || l.Kind != ast.String {
		return "", c.fail(e, what+" that is not a string literal", "write the pattern as a literal")
	}
	return l.Str, nil
}

func not(s string, n bool) string {
	if n {
		return paren("NOT " + s)
	}
	return s
}

func (c *compiler) like(e *ast.Like) (val, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return val{}, err
	}
	p, err := c.constString(e.Pattern, "a like pattern")
	if err != nil {
		return val{}, err
	}
	s, err := c.d.like(c.operand(x, val{t: check.TString}), p, e.Fold)
	if err != nil {
		return val{}, c.wrap(e, err)
	}
	return boolVal(not(s, e.Not)), nil
}

func (c *compiler) matches(e *ast.Matches) (val, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return val{}, err
	}
	p, err := c.constString(e.Pattern, "a regular expression")
	if err != nil {
		return val{}, err
	}
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return val{}, c.fail(e.Pattern, "this regular expression", err.Error())
	}
	s, err := c.d.regex(c.operand(x, val{t: check.TString}), re.Simplify())
	if err != nil {
		return val{}, c.wrap(e.Pattern, err)
	}
	return boolVal(not(s, e.Not)), nil
}

func elemKind(t *check.Type) sqlKind {
	switch {
	case t.IsInteger():
		return kBigint
	case t.IsFloat():
		return kDouble
	}
	return kText
}

func (c *compiler) contains(e *ast.Contains) (val, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return val{}, err
	}
	vals := make([]val, 0, len(e.Values))
	allLit := true
	for _, ve := range e.Values {
		v, err := c.expr(ve)
		if err != nil {
			return val{}, err
		}
		if v.isNull() && e.Mode != ast.ContainsOne {
			continue // ignored, as DuckDB's list_has_any/all do
		}
		allLit = allLit && v.lit
		vals = append(vals, v)
	}
	if x.t.Kind == check.String || x.isNull() && len(vals) == 1 && vals[0].t.Kind == check.String {
		return boolVal(c.d.contains(c.operand(x, vals[0]), c.operand(vals[0], x))), nil
	}
	if x.isNull() {
		return boolVal(c.d.cast("NULL", kBool)), nil
	}
	ek := elemKind(x.t.Elem)
	lit := func(v val) string {
		switch {
		case ek == kDouble && !v.isFloat(), v.isNull():
			return c.d.cast(v.sql, ek)
		case ek == kBigint && v.narrow:
			return c.d.cast(v.sql, kBigint)
		}
		return v.sql
	}
	nullList := func(s string) string {
		return paren("CASE WHEN " + x.sql + " IS NULL THEN NULL ELSE " + s + " END")
	}
	switch {
	case len(vals) == 0 && e.Mode == ast.ContainsAny:
		return boolVal(nullList("FALSE")), nil
	case len(vals) == 0:
		return boolVal(nullList("TRUE")), nil
	case e.Mode == ast.ContainsOne:
		s, err := c.d.listHas(x.sql, lit(vals[0]), x.t.Elem)
		if err != nil {
			return val{}, c.wrap(e, err)
		}
		if !vals[0].lit {
			s = paren("CASE WHEN " + vals[0].sql + " IS NULL THEN NULL ELSE " + s + " END")
		}
		return boolVal(s), nil
	case allLit:
		sqls := make([]string, len(vals))
		for i, v := range vals {
			sqls[i] = lit(v)
		}
		var s string
		if e.Mode == ast.ContainsAny {
			s, err = c.d.listHasAny(x.sql, sqls, x.t.Elem)
		} else {
			s, err = c.d.listHasAll(x.sql, sqls, x.t.Elem)
		}
		return boolVal(s), c.wrap(e, err)
	}
	// Values computed per row: a null value is ignored (FALSE in an any,
	// TRUE in an all), the list's null still gives UNKNOWN.
	terms := make([]string, len(vals))
	ignored, op := "FALSE", " OR "
	if e.Mode == ast.ContainsAll {
		ignored, op = "TRUE", " AND "
	}
	for i, v := range vals {
		s, err := c.d.listHas(x.sql, lit(v), x.t.Elem)
		if err != nil {
			return val{}, c.wrap(e, err)
		}
		terms[i] = paren("CASE WHEN " + v.sql + " IS NULL THEN " + ignored + " ELSE " + s + " END")
	}
	return boolVal(nullList(strings.Join(terms, op))), nil
}

func (c *compiler) within(e *ast.Within) (val, error) {
	x, d, err := c.pair(e.X, e.D)
	if err != nil {
		return val{}, err
	}
	if x.isNull() || d.isNull() {
		return boolVal(c.d.cast("NULL", kBool)), nil
	}
	if d.konst && !x.konst && x.form != fMicros {
		lo, ok := addOK(c.now, -d.us)
		if !ok || d.us == math.MinInt64 {
			return val{}, c.fail(e, "this window", "it overflows")
		}
		return boolVal(paren(x.sql + " BETWEEN " + c.timeIn(lo, x.form) + " AND " + c.timeIn(c.now, x.form))), nil
	}
	now := intLit(c.now)
	lo := c.d.intArith('-', now, c.micros(d))
	return boolVal(paren(c.micros(x) + " BETWEEN " + lo + " AND " + now)), nil
}
