// Package ast declares the syntax tree of segql expressions.
//
// The tree is sealed: only this package defines Expr implementations. Every
// node carries its byte span in the source. Trees are immutable after
// parsing; the checker records types in side tables keyed by node pointer.
package ast

import "github.com/segql/segql/lang/diag"

// Node is any syntax tree node.
type Node interface {
	// Bounds returns the node's byte span; it is promoted from the embedded
	// diag.Span of every node.
	Bounds() diag.Span
	node()
}

// Expr is an expression node.
type Expr interface {
	Node
	expr()
}

// Ref names a column, a struct field path (a.b.c) or a saved segment.
type Ref struct {
	diag.Span
	Path []string
}

// Name returns the dotted path.
func (r *Ref) Name() string {
	if len(r.Path) == 1 {
		return r.Path[0]
	}
	n := r.Path[0]
	for _, p := range r.Path[1:] {
		n += "." + p
	}
	return n
}

// LitKind is the kind of a literal.
type LitKind uint8

// Literal kinds.
const (
	Null LitKind = iota
	Bool
	Int
	Float
	String
	Duration
	Percent // Float holds the number as written: 10% has Float 10
)

// DurationUnit is the unit letter of a duration literal.
type DurationUnit byte

// Duration is a duration literal's count and unit, as written.
type DurationValue struct {
	N    int64
	Unit DurationUnit // one of 's', 'm', 'h', 'd', 'w'
}

// UnitMicros maps duration units to microseconds.
var UnitMicros = map[DurationUnit]int64{
	's': 1e6, 'm': 60e6, 'h': 3600e6, 'd': 86400e6, 'w': 7 * 86400e6,
}

// Micros returns the duration in microseconds. The parser guarantees it
// does not overflow.
func (d DurationValue) Micros() int64 { return d.N * UnitMicros[d.Unit] }

// Literal is a constant written in the source.
type Literal struct {
	diag.Span
	Kind  LitKind
	Bool  bool
	Int   int64
	Float float64
	Str   string
	Dur   DurationValue
}

// Fraction is a percent literal's value as a fraction (10% is 0.1).
func (l *Literal) Fraction() float64 { return l.Float / 100 }

// UnaryOp is a prefix operator.
type UnaryOp uint8

// Prefix operators.
const (
	Not UnaryOp = iota
	Neg
)

// Unary is `not X` or `-X`.
type Unary struct {
	diag.Span
	Op UnaryOp
	X  Expr
}

// LogicalOp is and/or.
type LogicalOp uint8

// Boolean connectives.
const (
	And LogicalOp = iota
	Or
)

// Logical is an n-ary and/or (at least two terms). Nested terms of the same
// operator are flattened by the parser, so `a and (b and c)` and
// `a and b and c` are the same tree.
type Logical struct {
	diag.Span
	Op    LogicalOp
	Terms []Expr
}

// CompareOp is a comparison operator.
type CompareOp uint8

// Comparison operators; `==` parses as Eq and `<>` as Ne.
const (
	Eq CompareOp = iota
	Ne
	Lt
	Le
	Gt
	Ge
)

// Compare is `X op Y`.
type Compare struct {
	diag.Span
	Op     CompareOp
	OpSpan diag.Span
	X, Y   Expr
}

// ArithOp is an arithmetic operator.
type ArithOp uint8

// Arithmetic operators.
const (
	Add ArithOp = iota
	Sub
	Mul
	Div
	Mod
)

// Arith is `X op Y`.
type Arith struct {
	diag.Span
	Op     ArithOp
	OpSpan diag.Span
	X, Y   Expr
}

// Between is `X [not] between Lo and Hi` (inclusive).
type Between struct {
	diag.Span
	Not       bool
	X, Lo, Hi Expr
}

// In is `X [not] in (List...)`.
type In struct {
	diag.Span
	Not  bool
	X    Expr
	List []Expr
}

// IsNull is `X is [not] null`.
type IsNull struct {
	diag.Span
	Not bool
	X   Expr
}

// Like is `X [not] like P` or, with Fold, `X [not] ilike P`.
type Like struct {
	diag.Span
	Not     bool
	Fold    bool
	X       Expr
	Pattern Expr
}

// Matches is `X [not] matches P` (RE2, unanchored search).
type Matches struct {
	diag.Span
	Not     bool
	X       Expr
	Pattern Expr
}

// ContainsMode tells `contains`, `contains any` and `contains all` apart.
type ContainsMode uint8

// Contains modes.
const (
	ContainsOne ContainsMode = iota
	ContainsAny
	ContainsAll
)

// Contains is `X contains V`, `X contains any (V...)` or `X contains all (V...)`.
type Contains struct {
	diag.Span
	Mode   ContainsMode
	X      Expr
	Values []Expr // exactly one for ContainsOne
}

// Within is `X within D`: now() - D <= X and X <= now().
type Within struct {
	diag.Span
	X Expr
	D Expr
}

// Call is a function call `name(args...)`; Name is lower-cased.
type Call struct {
	diag.Span
	Name     string
	NameSpan diag.Span
	Args     []Expr
}

func (*Ref) node()      {}
func (*Literal) node()  {}
func (*Unary) node()    {}
func (*Logical) node()  {}
func (*Compare) node()  {}
func (*Arith) node()    {}
func (*Between) node()  {}
func (*In) node()       {}
func (*IsNull) node()   {}
func (*Like) node()     {}
func (*Matches) node()  {}
func (*Contains) node() {}
func (*Within) node()   {}
func (*Call) node()     {}

func (*Ref) expr()      {}
func (*Literal) expr()  {}
func (*Unary) expr()    {}
func (*Logical) expr()  {}
func (*Compare) expr()  {}
func (*Arith) expr()    {}
func (*Between) expr()  {}
func (*In) expr()       {}
func (*IsNull) expr()   {}
func (*Like) expr()     {}
func (*Matches) expr()  {}
func (*Contains) expr() {}
func (*Within) expr()   {}
func (*Call) expr()     {}

// EventFunc is the aggregate an event condition computes.
type EventFunc uint8

// Event aggregates. Did is the `did [not] …` shorthand: a count compared
// with its Times (at least once when Times is nil).
const (
	EvCount EventFunc = iota
	EvCountDistinct
	EvSum
	EvAvg
	EvMin
	EvMax
	EvActiveDays
	EvFirstTime
	EvLastTime
	EvDid
)

var eventFuncNames = [...]string{EvCount: "count", EvCountDistinct: "count_distinct", EvSum: "sum", EvAvg: "avg",
	EvMin: "min", EvMax: "max", EvActiveDays: "active_days", EvFirstTime: "first_time", EvLastTime: "last_time", EvDid: "did"}

func (f EventFunc) String() string { return eventFuncNames[f] }

// EventFuncOf returns the aggregate named name (lower case), if any.
func EventFuncOf(name string) (EventFunc, bool) {
	for i, n := range eventFuncNames {
		if n == name && EventFunc(i) != EvDid {
			return EventFunc(i), true
		}
	}
	return 0, false
}

// TimesOp says how `did … N times` compares the count with N.
type TimesOp uint8

// Count comparisons of `did`.
const (
	AtLeast TimesOp = iota
	AtMost
	Exactly
)

// Times is the `at least N times` clause of `did`.
type Times struct {
	diag.Span
	Op TimesOp
	N  int64
}

// Window restricts an event condition to events in a time range: `within
// D` (now() - D through now()), `between A and B` (A through B) or, with
// Ago, `between D1 and D2 ago` (the earlier of now() - D1 and now() - D2
// through the later). Bounds are inclusive.
type Window struct {
	diag.Span
	Within Expr // a duration, or nil
	Lo, Hi Expr // between: times, or durations with Ago
	Ago    bool
}

// Event is a condition over the user's events: an aggregate such as
// `count(purchase where amount > 100 within 30d)` or `sum(purchase.amount
// within 90d)`, or the `did [not] purchase [at least 3 times] within 30d`
// shorthand. Name is the event name (Name == "" never happens), Prop the
// property the aggregate reads ("" for counts and times). Filter is an
// expression over the events table's columns, or nil.
type Event struct {
	diag.Span
	Func     EventFunc
	FuncSpan diag.Span
	Not      bool // did not
	Name     string
	NameSpan diag.Span
	Prop     string
	PropSpan diag.Span
	Filter   Expr
	Window   *Window
	Times    *Times
	// Steps are a sequence's later steps (did view_item then purchase
	// within 1d): each an event after the previous one. A sequence's
	// within is the time from its first event to its last.
	Steps []*EventStep
}

// EventStep is one later step of a sequence.
type EventStep struct {
	diag.Span
	Name     string
	NameSpan diag.Span
	Filter   Expr // nil: every event of the name
}

func (*Event) node() {}
func (*Event) expr() {}
