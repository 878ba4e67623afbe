package engine

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
)

// refEval is the reference evaluator used only by tests: a direct,
// row-at-a-time reading of SPEC.md over the syntax tree, sharing no code
// with the engine's kernels. Values are nil (null), int64, float64,
// string, bool, refTime, refDur or []any.
type refEval struct {
	info *check.Info
	now  int64
	// asWritten holds the comparisons an in-list is made of: SPEC.md's
	// moved constants apply to comparisons as written, not to in-lists.
	asWritten map[*ast.Compare]bool
}

type refTime int64 // µs since the epoch
type refDur int64  // µs

var errRefOverflow = errors.New("overflow")

// member reports whether e is TRUE for row.
func (r *refEval) member(e ast.Expr, row map[string]any) (bool, error) {
	v, err := r.eval(e, row)
	b, _ := v.(bool)
	return b, err
}

func (r *refEval) eval(e ast.Expr, row map[string]any) (any, error) {
	switch e := e.(type) {
	case *ast.Ref:
		return row[e.Path[0]], nil
	case *ast.Literal:
		return r.literal(e), nil
	case *ast.Unary:
		x, err := r.eval(e.X, row)
		if err != nil || x == nil {
			return nil, err
		}
		if e.Op == ast.Not {
			return !x.(bool), nil
		}
		return refNeg(x)
	case *ast.Logical:
		return r.logical(e, row)
	case *ast.Compare:
		if v, err, moved := r.moved(e, row); moved {
			return v, err
		}
		return r.binary(row, e.X, e.Y, func(a, b any) (any, error) { return refCompare(e.Op, a, b), nil })
	case *ast.Arith:
		t := r.info.Types[e]
		return r.binary(row, e.X, e.Y, func(a, b any) (any, error) { return refArith(e.Op, t, a, b) })
	case *ast.Between:
		lo := &ast.Compare{Op: ast.Ge, X: e.X, Y: e.Lo}
		hi := &ast.Compare{Op: ast.Le, X: e.X, Y: e.Hi}
		v, err := r.logical(&ast.Logical{Op: ast.And, Terms: []ast.Expr{lo, hi}}, row)
		return refNot(e.Not, v), err
	case *ast.In:
		var terms []ast.Expr
		for _, it := range e.List {
			c := &ast.Compare{Op: ast.Eq, X: e.X, Y: it}
			if r.asWritten == nil {
				r.asWritten = map[*ast.Compare]bool{}
			}
			r.asWritten[c] = true
			terms = append(terms, c)
		}
		v, err := r.logical(&ast.Logical{Op: ast.Or, Terms: append(terms, &ast.Literal{Kind: ast.Bool})}, row)
		return refNot(e.Not, v), err
	case *ast.IsNull:
		x, err := r.eval(e.X, row)
		return (x == nil) != e.Not, err
	}
	return r.predicate(e, row)
}

func refNot(not bool, v any) any {
	if b, ok := v.(bool); ok && not {
		return !b
	}
	return v
}

func (r *refEval) literal(l *ast.Literal) any {
	if us, ok := r.info.Times[l]; ok {
		return refTime(us)
	}
	switch l.Kind {
	case ast.Bool:
		return l.Bool
	case ast.Int:
		return l.Int
	case ast.Float:
		return l.Float
	case ast.Percent:
		return l.Float / 100
	case ast.String:
		return l.Str
	case ast.Duration:
		return refDur(l.Dur.Micros())
	}
	return nil
}

// logical is Kleene and/or; an error in a term counts only when no other
// term decides the result (FALSE for and, TRUE for or), whatever the
// order of the terms (SPEC.md, "Evaluation errors").
func (r *refEval) logical(e *ast.Logical, row map[string]any) (any, error) {
	and := e.Op == ast.And
	unknown := false
	var firstErr error
	for _, t := range e.Terms {
		v, err := r.eval(t, row)
		switch {
		case err != nil:
			if firstErr == nil {
				firstErr = err
			}
		case v == nil:
			unknown = true
		case v.(bool) != and:
			return !and, nil
		}
	}
	switch {
	case firstErr != nil:
		return nil, firstErr
	case unknown:
		return nil, nil
	}
	return and, nil
}

func (r *refEval) binary(row map[string]any, x, y ast.Expr, f func(a, b any) (any, error)) (any, error) {
	a, err := r.eval(x, row)
	if err != nil {
		return nil, err
	}
	b, err := r.eval(y, row)
	if err != nil || a == nil || b == nil {
		return nil, err
	}
	return f(a, b)
}

func asFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// refOrder orders two values; floats put NaN above everything.
func refOrder(a, b any) int {
	_, af := a.(float64)
	_, bf := b.(float64)
	if af || bf {
		x, _ := asFloat(a)
		y, _ := asFloat(b)
		switch xn, yn := math.IsNaN(x), math.IsNaN(y); {
		case xn && yn:
			return 0
		case xn:
			return 1
		case yn:
			return -1
		}
		return sign(x - y)
	}
	switch a := a.(type) {
	case int64:
		return cmp3(a, b.(int64))
	case refTime:
		return cmp3(int64(a), int64(b.(refTime)))
	case refDur:
		return cmp3(int64(a), int64(b.(refDur)))
	case string:
		return strings.Compare(a, b.(string))
	case bool:
		return cmp3(b2i(a), b2i(b.(bool)))
	}
	panic("unordered")
}

func cmp3(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func sign(x float64) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func refCompare(op ast.CompareOp, a, b any) any {
	c := refOrder(a, b)
	return map[ast.CompareOp]bool{ast.Eq: c == 0, ast.Ne: c != 0, ast.Lt: c < 0, ast.Le: c <= 0, ast.Gt: c > 0, ast.Ge: c >= 0}[op]
}

func refNeg(x any) (any, error) {
	switch x := x.(type) {
	case float64:
		return -x, nil
	case int64:
		if x == math.MinInt64 {
			return nil, errRefOverflow
		}
		return -x, nil
	case refDur:
		return -x, nil
	}
	return nil, errors.New("bad negation")
}

func refArith(op ast.ArithOp, t *check.Type, a, b any) (any, error) {
	if t.IsFloat() {
		x, _ := asFloat(a)
		y, _ := asFloat(b)
		switch op {
		case ast.Add:
			return x + y, nil
		case ast.Sub:
			return x - y, nil
		case ast.Mul:
			return x * y, nil
		case ast.Div:
			if y == 0 {
				return nil, nil
			}
			return x / y, nil
		}
		if y == 0 {
			return nil, nil
		}
		return math.Mod(x, y), nil
	}
	x, y := big.NewInt(micros(a)), big.NewInt(micros(b))
	var res big.Int
	switch op {
	case ast.Add:
		res.Add(x, y)
	case ast.Sub:
		res.Sub(x, y)
	case ast.Mul:
		res.Mul(x, y)
	case ast.Mod:
		if y.Sign() == 0 {
			return nil, nil
		}
		if q := new(big.Int).Quo(x, y); !q.IsInt64() {
			return nil, errRefOverflow // as DuckDB, which divides first: -2⁶³ % -1 overflows
		}
		res.Rem(x, y) // truncated, sign of the dividend
	}
	if !res.IsInt64() {
		return nil, errRefOverflow
	}
	return wrapKind(t, res.Int64()), nil
}

func micros(v any) int64 {
	switch v := v.(type) {
	case int64:
		return v
	case refTime:
		return int64(v)
	case refDur:
		return int64(v)
	}
	panic("not integral")
}

func wrapKind(t *check.Type, v int64) any {
	switch t.Kind {
	case check.Timestamp:
		return refTime(v)
	case check.Duration:
		return refDur(v)
	}
	return v
}

func (r *refEval) predicate(e ast.Expr, row map[string]any) (any, error) {
	switch e := e.(type) {
	case *ast.Like:
		x, err := r.eval(e.X, row)
		if err != nil || x == nil {
			return nil, err
		}
		return refNot(e.Not, likeRegexp(e.Pattern.(*ast.Literal).Str, e.Fold).MatchString(x.(string))), nil
	case *ast.Matches:
		x, err := r.eval(e.X, row)
		if err != nil || x == nil {
			return nil, err
		}
		return refNot(e.Not, regexp.MustCompile(e.Pattern.(*ast.Literal).Str).MatchString(x.(string))), nil
	case *ast.Contains:
		return r.contains(e, row)
	case *ast.Within: // now() - d <= x and x <= now()
		x, err := r.eval(e.X, row)
		if err != nil {
			return nil, err
		}
		d, err := r.eval(e.D, row)
		if err != nil {
			return nil, err
		}
		from, fromErr := refArith(ast.Sub, check.TTimestamp, refTime(r.now), d)
		lo := any(nil)
		if fromErr == nil && x != nil && from != nil {
			lo = refOrder(from, x) <= 0
		}
		var hi any
		if x != nil {
			hi = int64(x.(refTime)) <= r.now
		}
		switch {
		case hi == false || lo == false:
			return false, nil
		case fromErr != nil:
			return nil, fromErr
		case lo == nil || hi == nil:
			return nil, nil
		}
		return true, nil
	case *ast.Call:
		return r.call(e, row)
	}
	panic("reference: unknown node")
}

func likeRegexp(p string, fold bool) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?s)")
	if fold {
		b.WriteString("(?i)")
	}
	b.WriteString("^")
	for _, c := range p {
		switch c {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

func (r *refEval) contains(e *ast.Contains, row map[string]any) (any, error) {
	x, err := r.eval(e.X, row)
	if err != nil {
		return nil, err
	}
	needles := make([]any, len(e.Values))
	for i, ve := range e.Values {
		if needles[i], err = r.eval(ve, row); err != nil {
			return nil, err // every operand is needed
		}
	}
	if x == nil {
		return nil, nil
	}
	has := func(v any) bool {
		if s, ok := x.(string); ok {
			return strings.Contains(s, v.(string))
		}
		for _, el := range x.([]any) {
			if el != nil && refOrder(el, v) == 0 {
				return true
			}
		}
		return false
	}
	all := e.Mode == ast.ContainsAll
	for _, v := range needles {
		if v == nil {
			continue // a null value matches nothing (contains any ignores it)
		}
		if has(v) != all {
			return !all, nil
		}
	}
	return all, nil
}

func (r *refEval) call(e *ast.Call, row map[string]any) (any, error) {
	if e.Name == "coalesce" { // later arguments only where earlier ones are null
		for _, a := range e.Args {
			v, err := r.eval(a, row)
			if err != nil {
				return nil, err
			}
			if v != nil {
				if i, ok := v.(int64); ok && r.info.Types[e].IsFloat() {
					return float64(i), nil
				}
				return v, nil
			}
		}
		return nil, nil
	}
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		v, err := r.eval(a, row)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	if e.Name == "coalesce" {
		for _, a := range args {
			if a != nil {
				if i, ok := a.(int64); ok && r.info.Types[e].IsFloat() {
					return float64(i), nil
				}
				return a, nil
			}
		}
		return nil, nil
	}
	if e.Name == "now" {
		return refTime(r.now), nil
	}
	for _, a := range args {
		if a == nil {
			return nil, nil
		}
	}
	return refFunc(e.Name, args, r.now)
}

// refBucket is SPEC.md's formula, computed through hex text.
func refBucket(id any, salt string) int64 {
	text := fmt.Sprint(id)
	sum := md5.Sum([]byte(salt + ":" + text))
	n, err := strconv.ParseUint(hex.EncodeToString(sum[:])[:8], 16, 32)
	if err != nil {
		panic(err)
	}
	return int64(n % 10000)
}

func refFunc(name string, a []any, now int64) (any, error) {
	switch name {
	case "bucket":
		return refBucket(a[0], a[1].(string)), nil
	case "sample":
		share, _ := asFloat(a[1])
		return float64(refBucket(a[0], a[2].(string))) < share*10000, nil
	}
	t := func() time.Time { return time.UnixMicro(int64(a[0].(refTime))).UTC() }
	switch name {
	case "lower":
		return strings.ToLower(a[0].(string)), nil
	case "upper":
		return strings.ToUpper(a[0].(string)), nil
	case "len", "length":
		if s, ok := a[0].(string); ok {
			return int64(len([]rune(s))), nil
		}
		return int64(len(a[0].([]any))), nil
	case "abs":
		if f, ok := a[0].(float64); ok {
			return math.Abs(f), nil
		}
		if a[0].(int64) == math.MinInt64 {
			return nil, errRefOverflow
		}
		if a[0].(int64) < 0 {
			return -a[0].(int64), nil
		}
		return a[0], nil
	case "round":
		if f, ok := a[0].(float64); ok {
			return math.Round(f), nil
		}
		return a[0], nil
	case "floor":
		if f, ok := a[0].(float64); ok {
			return math.Floor(f), nil
		}
		return a[0], nil
	case "ceil":
		if f, ok := a[0].(float64); ok {
			return math.Ceil(f), nil
		}
		return a[0], nil
	case "starts_with":
		return strings.HasPrefix(a[0].(string), a[1].(string)), nil
	case "ends_with":
		return strings.HasSuffix(a[0].(string), a[1].(string)), nil
	case "days_since":
		d := new(big.Int).Sub(big.NewInt(now), big.NewInt(int64(a[0].(refTime))))
		if !d.IsInt64() {
			return nil, errRefOverflow
		}
		q, m := new(big.Int).DivMod(d, big.NewInt(86400e6), new(big.Int)) // Euclidean: floor for a positive divisor
		_ = m
		return q.Int64(), nil
	case "year":
		return int64(t().Year()), nil
	case "month":
		return int64(t().Month()), nil
	case "day_of_week":
		return int64((int(t().Weekday())+6)%7 + 1), nil
	}
	return nil, errors.New("reference: unknown function " + name)
}

// moved evaluates a comparison by SPEC.md's moved constants, or reports
// that the rule does not apply: `A op k`, k an integer constant and A
// integer arithmetic e + c, c + e, e − c, c − e or e · c with c an
// integer constant, is decided on e alone, exactly — compared with k − c,
// k + c, c − k (operator flipped) or k / c (flipped for c < 0) — when that
// constant is an int64 (and c divides k); where it is not, equality is
// FALSE and, for e · c only, inequality TRUE (NULL for a null e);
// otherwise the arithmetic is computed as written.
func (r *refEval) moved(e *ast.Compare, row map[string]any) (any, error, bool) {
	if r.asWritten[e] {
		return nil, nil, false
	}
	op, a, kx := e.Op, e.X, e.Y
	if _, ok := r.constInt(a); ok {
		op, a, kx = flipCompare(op), kx, a
	}
	k, ok := r.constInt(kx)
	ar, isArith := a.(*ast.Arith)
	if !ok || !isArith || !r.info.Types[ar].IsInteger() {
		return nil, nil, false
	}
	x, c, cFirst := ar.X, int64(0), false
	if v, ok := r.constInt(ar.Y); ok {
		c = v
	} else if v, ok := r.constInt(ar.X); ok {
		x, c, cFirst = ar.Y, v, true
	} else {
		return nil, nil, false
	}
	if !r.info.Types[x].IsInteger() || !readsRow(x) { // constant arithmetic is folded, as written
		return nil, nil, false
	}
	K, C := new(big.Rat).SetInt64(k), new(big.Rat).SetInt64(c)
	var m *big.Rat
	switch {
	case ar.Op == ast.Add:
		m = new(big.Rat).Sub(K, C)
	case ar.Op == ast.Sub && cFirst:
		m, op = new(big.Rat).Sub(C, K), flipCompare(op)
	case ar.Op == ast.Sub:
		m = new(big.Rat).Add(K, C)
	case ar.Op == ast.Mul && c != 0:
		m = new(big.Rat).Quo(K, C)
		if c < 0 {
			op = flipCompare(op)
		}
	default:
		return nil, nil, false
	}
	fits := m.IsInt() && m.Num().IsInt64()
	if !fits {
		switch {
		case op == ast.Eq:
		case op == ast.Ne && ar.Op == ast.Mul && !m.IsInt():
		case ar.Op == ast.Mul && m.IsInt(): // only 2⁶³, above every int64: exact
		default:
			return nil, nil, false
		}
	}
	v, err := r.eval(x, row)
	if err != nil || v == nil {
		return nil, err, true
	}
	// e op m, exactly (m may be fractional or beyond int64).
	d := new(big.Rat).SetInt64(v.(int64)).Cmp(m)
	return refCompare(op, int64(d), int64(0)), nil, true
}

// constInt evaluates an expression that reads no column and not now() to
// a non-null integer.
func (r *refEval) constInt(x ast.Expr) (int64, bool) {
	if readsRow(x) || !r.info.Types[x].IsInteger() {
		return 0, false
	}
	v, err := r.eval(x, nil)
	i, ok := v.(int64)
	return i, err == nil && ok
}

// readsRow reports an expression that reads a column or now().
func readsRow(x ast.Expr) bool {
	found := false
	ast.Inspect(x, func(n ast.Expr) bool {
		switch n := n.(type) {
		case *ast.Ref:
			found = true
		case *ast.Call:
			if n.Name == "now" {
				found = true
			}
		}
		return !found
	})
	return found
}

func flipCompare(op ast.CompareOp) ast.CompareOp {
	switch op {
	case ast.Lt:
		return ast.Gt
	case ast.Le:
		return ast.Ge
	case ast.Gt:
		return ast.Lt
	case ast.Ge:
		return ast.Le
	}
	return op
}
