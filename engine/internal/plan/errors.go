package plan

import (
	"errors"
	"strings"

	"github.com/segql/segql/lang/diag"
)

// EvalError is an error raised while evaluating rows (an integer
// overflow, a time beyond the microsecond range), with the position of
// the operation that raised it. It renders like a compile error: the
// source line with a caret under the operation.
type EvalError struct {
	Err  error // ErrOverflow, kernels.ErrTimeRange, …
	Src  diag.Source
	Span diag.Span
}

func (e *EvalError) Error() string {
	var b strings.Builder
	diag.RenderOne(&b, e.Src, diag.Diagnostic{Span: e.Span, Msg: e.Err.Error()})
	return strings.TrimRight(b.String(), "\n")
}

func (e *EvalError) Unwrap() error { return e.Err }

// Positioned wraps err with n's position, unless it already has one.
func (n *Node) Positioned(err error) error {
	var ee *EvalError
	if err == nil || errors.As(err, &ee) || n.Src == nil {
		return err
	}
	return &EvalError{Err: err, Src: *n.Src, Span: n.Span}
}

// CompileError is an error found while planning, at n's position: it
// renders with the source line and a caret like the checker's errors.
func CompileError(n *Node, format string, args ...any) error {
	l := &diag.List{}
	if n.Src != nil {
		l.Src = *n.Src
	}
	l.Errorf(n.Span, format, args...)
	return l
}
