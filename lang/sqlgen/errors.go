package sqlgen

import (
	"errors"
	"fmt"

	"github.com/segql/segql/lang/diag"
)

var (
	// ErrUnsupported is wrapped by every *Error: the expression uses a
	// construct the dialect cannot express with segql's meaning.
	ErrUnsupported = errors.New("not expressible in SQL")
	// ErrUnknownDialect is returned by Lookup.
	ErrUnknownDialect = errors.New("unknown SQL dialect")
	// ErrTooLarge means the definitions expand to more SQL than MaxNodes.
	ErrTooLarge = errors.New("generated SQL too large")
)

// Error is a construct a dialect cannot express, with its position. Its
// Error method renders the source line with a caret, as checker errors do.
type Error struct {
	Dialect   string
	Construct string // what cannot be expressed, e.g. "a struct field"
	Reason    string // optional: why, or what to write instead
	Src       diag.Source
	Span      diag.Span
	cause     error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s cannot be expressed in %s SQL", e.Construct, e.Dialect)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	if e.Src.Text == "" { // a name from a flag, not from an expression
		return "segql: " + msg
	}
	l := &diag.List{Src: e.Src, Items: []diag.Diagnostic{{Span: e.Span, Msg: msg}}}
	return l.Error()
}

// Unwrap returns ErrUnsupported (or ErrTooLarge).
func (e *Error) Unwrap() error {
	if e.cause != nil {
		return e.cause
	}
	return ErrUnsupported
}

// unsupported is the error a dialect method returns; the compiler adds
// the dialect and position.
type unsupported struct{ construct, reason string }

func (u *unsupported) Error() string { return u.construct + ": " + u.reason }

func (u *unsupported) Unwrap() error { return ErrUnsupported }

func notSupported(construct, reason string) error { return &unsupported{construct, reason} }
