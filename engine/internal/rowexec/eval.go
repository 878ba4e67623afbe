// Package rowexec evaluates a plan for one row: single-user matching
// (Match, MatchRecord, TruthAt), constant folding and .why all run here,
// over the same plan nodes as the vectorized executor and with the same
// semantics, which the differential tests check row by row.
//
// Evaluation errors follow one rule, whatever the order of terms: an
// error counts only where its operand is needed. In `and`, a FALSE term
// decides the result and hides other terms' errors; in `or`, a TRUE term
// does; coalesce needs its later arguments only where the earlier ones
// are null. Every other operation needs all its operands.
package rowexec

import (
	"errors"
	"fmt"

	"github.com/segql/segql/engine/internal/funcs"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/value"
)

// Source supplies one row's column values. Implementations convert to
// the column's kind; a missing value is null.
type Source interface {
	Column(c *plan.Column, k value.Kind) (value.Value, error)
}

// EventSource is a Source that also knows the row's events: it computes
// event conditions (OpEvent) for the row.
type EventSource interface {
	Event(spec *plan.EventSpec, now int64) (value.Value, error)
}

// ErrNoEvents: an event condition was evaluated for a row whose source
// has no events.
var ErrNoEvents = errors.New("event conditions need the user's events, and none were given")

// NoColumns is the source of constant expressions: reading a column is
// an error (folding never reads one).
type NoColumns struct{}

// Column implements Source.
func (NoColumns) Column(c *plan.Column, _ value.Kind) (value.Value, error) {
	return value.Value{}, fmt.Errorf("engine: column %q read outside a row", c.Name)
}

// Nulls is a source whose every column is null (a dictionary predicate's
// result for rows whose value is null).
type Nulls struct{}

// Column implements Source.
func (Nulls) Column(_ *plan.Column, k value.Kind) (value.Value, error) { return value.NullOf(k), nil }

// Tracer observes every node's result during an evaluation (for .why).
type Tracer func(n *plan.Node, v value.Value, err error)

// Evaluator evaluates plan nodes for one row. The zero value is not
// usable; set Src and Env. It is not safe for concurrent use (it holds
// the row); create one per evaluation or per goroutine.
type Evaluator struct {
	Src   Source
	Env   funcs.Env
	Trace Tracer
	// Memo, when set, remembers shared nodes' results during one
	// evaluation, so a node with several parents (a segment referenced
	// many times) is evaluated once. Reset it between rows.
	Memo map[*plan.Node]Result
}

// Result is a node's value or error.
type Result struct {
	V   value.Value
	Err error
}

// Eval evaluates n.
func (e *Evaluator) Eval(n *plan.Node) (value.Value, error) {
	if n.Op == plan.OpSegment && e.Memo != nil {
		if r, ok := e.Memo[n]; ok {
			return r.V, r.Err
		}
	}
	v, err := e.eval(n)
	if err != nil {
		err = n.Positioned(err)
	}
	if v.K == value.KNull && v.Null {
		v.K = n.Kind
	}
	if e.Trace != nil {
		e.Trace(n, v, err)
	}
	if n.Op == plan.OpSegment && e.Memo != nil {
		e.Memo[n] = Result{V: v, Err: err}
	}
	return v, err
}

func (e *Evaluator) eval(n *plan.Node) (value.Value, error) {
	switch n.Op {
	case plan.OpConst:
		return n.Val, nil
	case plan.OpColumn:
		return e.Src.Column(n.Col, n.Kind)
	case plan.OpNow:
		return value.Time(e.Env.Now), nil
	case plan.OpAnd, plan.OpOr:
		return e.logic(n)
	case plan.OpCoalesce:
		return e.coalesce(n)
	case plan.OpSegment, plan.OpDict:
		return e.Eval(n.Args[0])
	case plan.OpError:
		return value.Value{}, n.Err
	case plan.OpEvent:
		es, ok := e.Src.(EventSource)
		if !ok {
			return value.Value{}, ErrNoEvents
		}
		return es.Event(n.Event, e.Env.Now)
	case plan.OpRange, plan.OpLinear, plan.OpInRuns, plan.OpChunked:
		return e.Eval(n.Logical)
	}
	switch len(n.Args) {
	case 1:
		if n.Op != plan.OpCall && n.Op != plan.OpRank && n.Op != plan.OpIn {
			x, err := e.Eval(n.Args[0])
			if err != nil && n.Op == plan.OpIsNull && n.Args[0].Op == plan.OpColumn && errors.Is(err, kernels.ErrTimeRange) {
				return value.Bool(n.Negated), nil // present, if not convertible: `is null` reads no value
			}
			if err != nil {
				return value.Value{}, err
			}
			if err := takesBig(n, x); err != nil {
				return value.Value{}, err
			}
			return unary(n, x)
		}
	case 2:
		if n.Op == plan.OpCompare || n.Op == plan.OpArith {
			x, err := e.Eval(n.Args[0])
			if err != nil {
				return value.Value{}, err
			}
			y, err := e.Eval(n.Args[1])
			if err != nil {
				return value.Value{}, err
			}
			if err := takesBig(n, x, y); err != nil {
				return value.Value{}, err
			}
			return binary(n, x, y)
		}
	}
	args := make([]value.Value, 0, len(n.Args))
	for _, a := range n.Args {
		v, err := e.Eval(a)
		if err != nil {
			return value.Value{}, err
		}
		args = append(args, v)
	}
	if err := takesBig(n, args...); err != nil {
		return value.Value{}, err
	}
	return Apply(n, args, &e.Env)
}

// takesBig returns ErrUintRange when an operation other than a
// comparison, an in-list, a null test or the conversion to float gets a
// uint64 value above MaxInt64, which only those take exactly.
func takesBig(n *plan.Node, args ...value.Value) error {
	switch n.Op {
	case plan.OpCompare, plan.OpIn, plan.OpInSet, plan.OpIsNull, plan.OpCast:
		return nil
	}
	for _, a := range args {
		if a.U {
			return kernels.ErrUintRange
		}
	}
	return nil
}

// logic is Kleene and/or with errors counted only where needed: a term
// that decides the result (FALSE for and, TRUE for or) hides the others'
// errors, whatever their order.
func (e *Evaluator) logic(n *plan.Node) (value.Value, error) {
	isAnd := n.Op == plan.OpAnd
	sawNull := false
	var firstErr error
	for _, t := range n.Args {
		v, err := e.Eval(t)
		switch {
		case err != nil:
			if firstErr == nil {
				firstErr = err
			}
		case v.Null:
			sawNull = true
		case v.B != isAnd: // a FALSE term decides and, a TRUE one decides or
			return value.Bool(!isAnd), nil
		}
	}
	switch {
	case firstErr != nil:
		return value.Value{}, firstErr
	case sawNull:
		return value.NullOf(value.KBool), nil
	}
	return value.Bool(isAnd), nil
}

// coalesce returns the first non-null argument; later arguments are
// evaluated (and their errors count) only while earlier ones are null.
func (e *Evaluator) coalesce(n *plan.Node) (value.Value, error) {
	for _, a := range n.Args {
		v, err := e.Eval(a)
		if err != nil {
			return value.Value{}, err
		}
		if v.U {
			return value.Value{}, kernels.ErrUintRange
		}
		if !v.Null {
			return v, nil
		}
	}
	return value.NullOf(n.Kind), nil
}

// errNoOp reports a node the evaluator does not know (a bug).
var errNoOp = errors.New("engine: no row evaluation for this operation")

// Apply computes n from its evaluated arguments (n is neither a
// connective nor coalesce).
func Apply(n *plan.Node, a []value.Value, env *funcs.Env) (value.Value, error) {
	switch n.Op {
	case plan.OpIn:
		return in(a)
	case plan.OpCall, plan.OpRank:
		return call(n, a, env)
	case plan.OpCompare, plan.OpArith:
		return binary(n, a[0], a[1])
	}
	return unary(n, a[0])
}

// binary computes a comparison or an arithmetic operation.
func binary(n *plan.Node, x, y value.Value) (value.Value, error) {
	if n.Op == plan.OpArith {
		return Arith(n.Arith, n.Kind, x, y)
	}
	if x.Null || y.Null {
		return value.NullOf(value.KBool), nil
	}
	return value.Bool(n.Cmp.Holds(value.Compare(x, y))), nil
}

// unary computes an operation of one operand.
func unary(n *plan.Node, x value.Value) (value.Value, error) {
	switch n.Op {
	case plan.OpNot:
		if x.Null {
			return value.NullOf(value.KBool), nil
		}
		return value.Bool(!x.B), nil
	case plan.OpIsNull:
		return value.Bool(x.Null != n.Negated), nil
	case plan.OpCast:
		if x.Null {
			return value.NullOf(value.KFloat), nil
		}
		return value.Float(x.AsFloat()), nil
	case plan.OpNeg:
		return negate(x)
	}
	return predicate(n, x)
}

func predicate(n *plan.Node, x value.Value) (value.Value, error) {
	if x.Null {
		return value.NullOf(value.KBool), nil
	}
	switch n.Op {
	case plan.OpInSet:
		switch {
		case n.Set.Has(x):
			return value.Bool(true), nil
		case n.Set.HasNull:
			return value.NullOf(value.KBool), nil
		}
		return value.Bool(false), nil
	case plan.OpLike:
		return value.Bool(n.Like.Match([]byte(x.S))), nil
	case plan.OpMatches:
		return value.Bool(n.Re.MatchString(x.S)), nil
	case plan.OpContains:
		return value.Bool(n.Needles.ListHolds(x.L)), nil
	case plan.OpStrContains:
		return value.Bool(kernels.ContainsString([]byte(x.S), n.Needles.Bytes, n.Needles.All)), nil
	}
	return value.Value{}, errNoOp
}

// in evaluates `x in (items…)` before folding: x = item for any item.
func in(a []value.Value) (value.Value, error) {
	x, sawNull := a[0], false
	if x.Null {
		return value.NullOf(value.KBool), nil
	}
	for _, it := range a[1:] {
		if it.Null {
			sawNull = true
			continue
		}
		if value.Compare(x, it) == 0 {
			return value.Bool(true), nil
		}
	}
	if sawNull {
		return value.NullOf(value.KBool), nil
	}
	return value.Bool(false), nil
}

func call(n *plan.Node, a []value.Value, env *funcs.Env) (value.Value, error) {
	for _, v := range a {
		if v.Null {
			return value.NullOf(n.Kind), nil
		}
	}
	v, err := n.Fn.Scalar(a, &n.Param, env)
	if err != nil {
		return value.Value{}, err
	}
	return v, nil
}

func negate(v value.Value) (value.Value, error) {
	if v.Null {
		return v, nil
	}
	switch v.K {
	case value.KFloat:
		return value.Float(-v.F), nil
	case value.KInt, value.KDur:
		r, res := kernels.IntArith(kernels.Sub, 0, v.I)
		if res == kernels.IntOverflow {
			return value.Value{}, value.ErrOverflow
		}
		v.I = r
		return v, nil
	}
	return value.Value{}, fmt.Errorf("engine: cannot negate %v", v)
}

// Arith computes a op b with result kind k.
func Arith(op kernels.ArithOp, k value.Kind, a, b value.Value) (value.Value, error) {
	if a.Null || b.Null {
		return value.NullOf(k), nil
	}
	if k == value.KFloat {
		r, ok := kernels.FloatArith(op, a.AsFloat(), b.AsFloat())
		if !ok {
			return value.NullOf(value.KFloat), nil
		}
		return value.Float(r), nil
	}
	r, res := kernels.IntArith(op, a.I, b.I)
	switch res {
	case kernels.IntOverflow:
		return value.Value{}, value.ErrOverflow
	case kernels.IntNull:
		return value.NullOf(k), nil
	}
	return value.Value{K: k, I: r}, nil
}
