// Package plan is segql's intermediate form: a typed expression graph
// lowered from the checked syntax tree, rewritten by the optimizer's rules,
// and run by the vectorized executor and the row evaluator alike.
//
// A plan is a DAG: a named segment referenced several times (directly or
// through other segments) is one node with several parents, so its size
// grows with the definitions, never with the number of paths through them.
// Nodes are immutable once a plan is finished; rules build new nodes
// rather than edit old ones.
package plan

import (
	"regexp"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/funcs"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/stats"
	"github.com/segql/segql/engine/internal/value"
	"github.com/segql/segql/lang/diag"
)

// Op is a plan operation.
type Op uint8

// Logical operations, lowered from the syntax tree.
const (
	OpConst       Op = iota // Val
	OpColumn                // Col
	OpNow                   // the run's now()
	OpNot                   // Args[0]
	OpAnd                   // Args: two or more terms
	OpOr                    // Args: two or more terms
	OpIsNull                // Args[0]; Negated: is not null
	OpCompare               // Args[0] Cmp Args[1], operands of one kind
	OpArith                 // Args[0] Arith Args[1]
	OpNeg                   // -Args[0]
	OpCast                  // Args[0], an integer, as a float
	OpIn                    // Args[0] in (Args[1:]...), before the items are folded
	OpInSet                 // Args[0] in Set
	OpLike                  // Args[0] like Like
	OpMatches               // Args[0] matches Re
	OpContains              // list Args[0] contains Needles (Args[1:] before folding)
	OpStrContains           // string Args[0] contains Needles
	OpCall                  // Fn(Args...)
	OpCoalesce              // the first non-null of Args
	OpRank                  // percent_rank, ntile and the RFM scores of column Args[0]
	OpSegment               // the named segment Name, defined by Args[0]
	OpError                 // a constant whose evaluation failed: Err
	OpEvent                 // an aggregate of each user's events: Event

	// Physical operations, introduced by optimizer rules.
	OpRange   // Args[0] (a column) within IntRange or FloatPred bounds
	OpDict    // Args[0], a predicate over one dictionary-encoded column, per entry
	OpLinear  // Σ Coef·Args + Offset Cmp Bound over narrow integer columns
	OpInRuns  // Args[0] (a column) in a set that forms few runs of integers
	OpChunked // Logical, a comparison of arithmetic over the columns Args, a chunk of rows at a time
	OpNumOps
)

var opNames = [...]string{
	OpConst: "const", OpColumn: "column", OpNow: "now", OpNot: "not", OpAnd: "and", OpOr: "or", OpIsNull: "is null",
	OpCompare: "compare", OpArith: "arith", OpNeg: "neg", OpCast: "cast", OpIn: "in", OpInSet: "in set", OpLike: "like",
	OpMatches: "matches", OpContains: "contains", OpStrContains: "contains", OpCall: "call", OpCoalesce: "coalesce",
	OpRank: "rank", OpSegment: "segment", OpError: "error", OpEvent: "event", OpRange: "range", OpDict: "dictionary", OpLinear: "linear",
	OpInRuns: "in runs", OpChunked: "chunked arithmetic",
}

func (op Op) String() string { return opNames[op] }

// Node is one operation of a plan.
type Node struct {
	Op   Op
	Kind value.Kind // the result's kind
	Args []*Node

	// Where the node was written, for errors, explanations and .why: the
	// source (the query's text or a definition's file) and the span in it.
	// Nodes a rule synthesizes have the span of what they replace.
	Src  *diag.Source
	Span diag.Span

	Val      value.Value // Const
	Col      *Column     // Column
	Cmp      kernels.CmpOp
	Arith    kernels.ArithOp
	Negated  bool // IsNull: is not null; Range, InRuns: not in the range
	Set      *Set
	Like     *kernels.Like
	Re       *regexp.Regexp
	Needles  *kernels.Contains // Contains; StrContains uses its Needles and All
	Fn       *funcs.Func       // Call
	Param    funcs.Param       // Call, Rank: constant parameters
	Name     string            // Segment
	Err      error             // Error: an *EvalError
	Bounds   Bounds            // Range
	Lin      *LinearSpec       // Linear
	Runs     []kernels.CodeRun // InRuns
	Rule     string            // the optimizer rule that made the node
	Logical  *Node             // physical nodes: the logical expression they compute (row evaluation, explanations)
	Estimate Estimate          // the optimizer's estimate for the node
	Event    *EventSpec        // Event
}

// Column is a reference to a top-level column or a struct field below one.
type Column struct {
	Index  int            // the top-level column
	Fields []int          // field indexes below it, for a.b.c
	Name   string         // the dotted name
	Type   arrow.DataType // the referenced value's Arrow type
	Elem   value.Kind     // a list's element kind
}

// Top reports a top-level column (no struct fields).
func (c *Column) Top() bool { return len(c.Fields) == 0 }

// Bounds are a Range node's bounds: an integer range in comparison units
// (integers, or microseconds for times), fixed or with ends computed per
// run from expressions of now(), scaled to the column's stored units when
// the range runs; or a float predicate; or an exact comparison of a uint64
// column.
type Bounds struct {
	Cmp   kernels.IntRange
	Scale kernels.Scale
	// LoExpr and HiExpr, when set, replace Cmp.Lo and Cmp.Hi by their value
	// for the run plus LoAdj and HiAdj (+1 for >, -1 for <: strict bounds
	// made inclusive). They read no column.
	LoExpr, HiExpr *Node
	LoAdj, HiAdj   int64
	Float          *kernels.FloatPred
	Uint           *UintCmp
	// NowDiff marks a range rewritten from days_since(column): where
	// now() − value overflows int64 the original raises ErrOverflow, and
	// so must the range.
	NowDiff bool
}

// UintCmp is `x op C` over a uint64 column, exact for values above int64.
type UintCmp struct {
	Op kernels.CmpOp
	C  int64
}

// Fixed reports bounds known at compile time.
func (b Bounds) Fixed() bool { return b.LoExpr == nil && b.HiExpr == nil }

// LinearSpec is Σ Coef[i]·Args[i] + Offset Cmp Bound, computed without
// overflow: the optimizer proves the sum fits int64 from the column types.
type LinearSpec struct {
	Coef   []int64
	Offset int64
	Cmp    kernels.CmpOp
	Bound  int64
}

// Estimate is what the optimizer expects of a node: its cost per row (in
// units of a simple comparison) and, for predicates, the fraction of rows
// it is TRUE for.
type Estimate struct {
	Cost        float64
	Selectivity float64
	Sampled     bool // Selectivity was measured on a sample of the table
}

// Set is the constant list of an `in`, hashed once.
type Set struct {
	Kind    value.Kind
	Ints    map[int64]struct{}
	Floats  map[float64]struct{}
	HasNaN  bool
	Strs    map[string]struct{}
	Bools   [2]bool
	HasNull bool
	Values  []value.Value // as written, for explanations and SQL
}

// NewSet hashes constant values of kind k.
func NewSet(k value.Kind, vals []value.Value) *Set {
	s := &Set{Kind: k, Values: vals}
	switch {
	case k.IsIntLike():
		s.Ints = make(map[int64]struct{}, len(vals))
	case k == value.KFloat:
		s.Floats = make(map[float64]struct{}, len(vals))
	case k == value.KStr:
		s.Strs = make(map[string]struct{}, len(vals))
	}
	for _, v := range vals {
		s.add(v)
	}
	return s
}

func (s *Set) add(v value.Value) {
	if v.Null {
		s.HasNull = true
		return
	}
	switch {
	case s.Kind.IsIntLike():
		s.Ints[v.I] = struct{}{}
	case s.Kind == value.KFloat:
		f := v.AsFloat()
		if f != f {
			s.HasNaN = true
			return
		}
		if f == 0 {
			f = 0 // -0.0 and 0.0 are one key
		}
		s.Floats[f] = struct{}{}
	case s.Kind == value.KStr:
		s.Strs[v.S] = struct{}{}
	case s.Kind == value.KBool:
		if v.B {
			s.Bools[1] = true
		} else {
			s.Bools[0] = true
		}
	}
}

// HasInt reports membership of an integer.
func (s *Set) HasInt(i int64) bool { _, ok := s.Ints[i]; return ok }

// HasFloat reports membership of a float (NaN equals NaN, -0.0 equals 0).
func (s *Set) HasFloat(f float64) bool {
	if f != f {
		return s.HasNaN
	}
	if f == 0 {
		f = 0
	}
	_, ok := s.Floats[f]
	return ok
}

// HasStr reports membership of a string's bytes.
func (s *Set) HasStr(b []byte) bool { _, ok := s.Strs[string(b)]; return ok }

// Has reports membership of a non-null scalar.
func (s *Set) Has(v value.Value) bool {
	switch {
	case s.Kind.IsIntLike():
		return !v.U && s.HasInt(v.I) // a big uint64 equals no int64
	case s.Kind == value.KFloat:
		return s.HasFloat(v.AsFloat())
	case s.Kind == value.KStr:
		_, ok := s.Strs[v.S]
		return ok
	case s.Kind == value.KBool:
		if v.B {
			return s.Bools[1]
		}
		return s.Bools[0]
	}
	return false
}

// Len is the number of distinct non-null members.
func (s *Set) Len() int {
	n := len(s.Ints) + len(s.Floats) + len(s.Strs)
	if s.HasNaN {
		n++
	}
	for _, b := range s.Bools {
		if b {
			n++
		}
	}
	return n
}

// Ranking is the part of a column ranking plans need.
type Ranking = stats.Ranking
