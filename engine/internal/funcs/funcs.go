// Package funcs is the engine's table of built-in functions: for every
// function the checker knows (lang/check declares names, arities and type
// rules), the implementations per argument kind — a scalar kernel for the
// row evaluator and constant folding, a vector kernel for the executor —
// and a cost estimate. Calls are resolved once, at plan time, to a *Func;
// nothing dispatches on a function's name while rows are evaluated.
//
// A test keeps this table and the checker's in step.
package funcs

import (
	"fmt"
	"sort"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/stats"
	"github.com/segql/segql/engine/internal/value"
)

// Env is what a function reads besides its arguments.
type Env struct {
	Now       int64 // the run's now(), in microseconds
	RowOffset int64 // the table row of the batch's first row (rank functions)
}

// Param holds a call's constant parameters, bound at plan time.
type Param struct {
	Salt   string         // bucket: the salt followed by ":"
	Tiles  int64          // ntile and the scores: the number of tiles
	Invert bool           // r_score over a number (days since): fewer is better
	Rank   *stats.Ranking // rank functions: the column's ranking
}

// ScalarFn computes one row from non-null arguments (every argument, for
// null-aware functions).
type ScalarFn func(args []value.Value, p *Param, env *Env) (value.Value, error)

// VectorFn computes the selected rows of a batch into out, which the
// executor has reset to the result kind with the validity of a row whose
// arguments are all valid and their errors. A kernel may compute
// unselected and null rows too (their argument values are stale but safe
// to read), but it reports errors, with out.Fail, only for selected valid
// rows.
type VectorFn func(out *kernels.Vec, args []*kernels.Vec, p *Param, sel kernels.Sel, env *Env)

// Func is one implementation of a built-in function for given argument
// kinds.
type Func struct {
	Name   string
	Result value.Kind
	Cost   float64 // per row, in units of a simple comparison
	Scalar ScalarFn
	Vector VectorFn // nil for Special functions
	// Special functions are planned as their own operations: now() (the
	// run's instant), coalesce (lazy: later arguments only where earlier
	// ones are null), sample (a bucket comparison) and the rank functions.
	Special bool
}

// entry lists a function's implementations; pick chooses one by argument
// kinds.
type entry struct {
	pick func(args []value.Kind) *Func
}

var table = map[string]entry{}

func register(name string, pick func(args []value.Kind) *Func) {
	table[name] = entry{pick: pick}
}

// one registers a function with a single implementation.
func one(f *Func) { register(f.Name, func([]value.Kind) *Func { return f }) }

// Resolve returns the implementation of name for the argument kinds (the
// checker has accepted the call, so every name and kind here is valid).
func Resolve(name string, args []value.Kind) (*Func, error) {
	e, ok := table[name]
	if !ok {
		return nil, fmt.Errorf("engine: no implementation of function %q", name)
	}
	f := e.pick(args)
	if f == nil {
		return nil, fmt.Errorf("engine: no implementation of %s for %v", name, args)
	}
	return f, nil
}

// Names lists the functions in the table, sorted.
func Names() []string {
	out := make([]string, 0, len(table))
	for n := range table {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// numeric picks the integer or float implementation by the first argument.
func numeric(i, f *Func) func([]value.Kind) *Func {
	return func(a []value.Kind) *Func {
		if len(a) > 0 && a[0] == value.KFloat {
			return f
		}
		return i
	}
}
