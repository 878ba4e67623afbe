package check

import (
	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
)

// arith types `x op y`: numbers (integers stay int64 except under `/`,
// which is always float64), temporal ± duration, temporal - temporal
// (a duration) and duration ± duration.
func (c *checker) arith(e *ast.Arith) *Type {
	tx, ty := c.expr(e.X), c.expr(e.Y)
	if tx.Kind == Invalid || ty.Kind == Invalid {
		return TInvalid
	}
	if tx.Kind == Null || ty.Kind == Null {
		other := tx
		if tx.Kind == Null {
			other = ty
		}
		if e.Op == ast.Div && other.IsNumeric() {
			return TFloat64
		}
		return normalize(other)
	}
	if t := arithResult(e.Op, tx, ty); t != nil {
		return t
	}
	c.errorf(e.OpSpan, msgArith, diag.Quote(e.Op.String()), tx, ty)
	return TInvalid
}

func arithResult(op ast.ArithOp, x, y *Type) *Type {
	switch {
	case x.IsNumeric() && y.IsNumeric():
		if op == ast.Div || x.IsFloat() || y.IsFloat() {
			return TFloat64
		}
		return TInt64
	case x.IsTemporal() && y.Kind == Duration && (op == ast.Add || op == ast.Sub):
		return TTimestamp
	case x.Kind == Duration && y.IsTemporal() && op == ast.Add:
		return TTimestamp
	case x.IsTemporal() && y.IsTemporal() && op == ast.Sub:
		return TDuration
	case x.Kind == Duration && y.Kind == Duration && (op == ast.Add || op == ast.Sub):
		return TDuration
	}
	return nil
}

// call checks a built-in function call.
func (c *checker) call(e *ast.Call) *Type {
	f, ok := functions[e.Name]
	args := make([]*Type, len(e.Args))
	for i, a := range e.Args {
		args[i] = c.expr(a)
	}
	if !ok {
		hint := diag.DidYouMean(e.Name, FunctionNames())
		c.hintf(e.NameSpan, hint, msgUnknownFunc, diag.Quote(e.Name))
		return TInvalid
	}
	if len(args) < f.min || (f.max >= 0 && len(args) > f.max) {
		c.errorf(e.Span, msgArgCount, e.Name, f.arity, len(args))
		return TInvalid
	}
	for _, t := range args {
		if t.Kind == Invalid {
			return TInvalid
		}
	}
	return f.sig(c, e, args)
}

// argKind checks argument i against ok; null is accepted everywhere.
func (c *checker) argKind(call *ast.Call, i int, args []*Type, want string, ok func(*Type) bool) bool {
	if i >= len(args) || args[i].Kind == Null || ok(args[i]) {
		return true
	}
	c.errorf(call.Args[i].Bounds(), msgArgType, call.Name, i+1, want, args[i])
	return false
}
