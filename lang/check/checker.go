package check

import (
	"fmt"
	"regexp"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
)

// RefKind tells what a name resolved to.
type RefKind uint8

// Name resolutions.
const (
	ColumnRef RefKind = iota
	SegmentRef
)

// Ref is the resolution of one *ast.Ref.
type Ref struct {
	Kind   RefKind
	Column string   // ColumnRef: the top-level column
	Fields []string // ColumnRef: struct field path below Column, if any
	Name   string   // SegmentRef: the segment's name
}

// Info is the checker's side table. It is filled by Check and read-only
// afterwards, so it may be shared by concurrent readers.
type Info struct {
	// Types holds the type of every expression in the tree.
	Types map[ast.Expr]*Type
	// Refs resolves every name.
	Refs map[*ast.Ref]Ref
	// Times holds string literals used as dates or timestamps, converted at
	// compile time to microseconds since the epoch (UTC).
	Times map[*ast.Literal]int64
	// Regexps holds the compiled pattern of every `matches`.
	Regexps map[*ast.Matches]*regexp.Regexp
	// Warnings lists non-fatal findings, such as empty ranges.
	Warnings []diag.Diagnostic
}

// Config says what names mean.
type Config struct {
	Schema   Schema
	Segments Segments // may be nil
	// Events describes the events table of event conditions (count(…),
	// did …); nil when there is none, which makes them an error.
	Events Events
	// MaxErrors caps the reported errors (default 10).
	MaxErrors int
}

// Check types e, which was parsed from src. It returns the side table, or a
// *diag.List holding every error found (warnings are in Info either way).
// Check is safe for concurrent use with distinct or shared trees.
func Check(e ast.Expr, src diag.Source, cfg Config) (*Info, error) {
	if cfg.Events == nil && cfg.Schema != nil {
		cfg.Events = eventsOf(cfg.Schema)
	}
	c := &checker{
		cfg:  cfg,
		errs: &diag.List{Src: src},
		info: &Info{
			Types: make(map[ast.Expr]*Type, 16),
			Refs:  make(map[*ast.Ref]Ref, 4),
		},
	}
	t := c.expr(e)
	if t.Kind != Bool && t.Kind != Invalid {
		c.errorf(e.Bounds(), "a segment must be a boolean expression, this is %s", t)
	}
	c.errs.Sort()
	c.info.Warnings = c.errs.Warnings()
	max := cfg.MaxErrors
	if max <= 0 {
		max = 10
	}
	c.errs.Cap(max)
	if err := c.errs.Err(); err != nil {
		return c.info, err
	}
	return c.info, nil
}

type checker struct {
	cfg  Config
	errs *diag.List
	info *Info
	// filter is set while checking an event condition's filter, whose
	// names are the events table's columns; users is then the users
	// table's schema (for messages).
	filter bool
	users  Schema
}

func (c *checker) errorf(sp diag.Span, format string, args ...any) {
	c.errs.Errorf(sp, format, args...)
}

func (c *checker) hintf(sp diag.Span, hint, format string, args ...any) {
	c.errs.Add(diag.Diagnostic{Span: sp, Msg: fmt.Sprintf(format, args...), Hint: hint})
}

func (c *checker) warnf(sp diag.Span, format string, args ...any) {
	c.errs.Add(diag.Diagnostic{Span: sp, Severity: diag.Warning, Msg: fmt.Sprintf(format, args...)})
}

// expr checks e and records its type.
func (c *checker) expr(e ast.Expr) *Type {
	t := c.exprType(e)
	c.info.Types[e] = t
	return t
}

func (c *checker) exprType(e ast.Expr) *Type {
	switch e := e.(type) {
	case *ast.Ref:
		return c.ref(e)
	case *ast.Literal:
		return literalType(e)
	case *ast.Unary:
		return c.unary(e)
	case *ast.Logical:
		for _, t := range e.Terms {
			c.boolOperand(t, e.Op.String())
		}
		return TBool
	case *ast.Compare:
		c.compare(e.X, e.Y, c.expr(e.X), c.expr(e.Y), e.OpSpan, "comparison", true)
		return TBool
	case *ast.Arith:
		return c.arith(e)
	case *ast.Between:
		return c.between(e)
	case *ast.In:
		return c.in(e)
	case *ast.IsNull:
		c.expr(e.X)
		return TBool
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
	panic(fmt.Sprintf("check: unexpected node %T", e))
}

func literalType(l *ast.Literal) *Type {
	return [...]*Type{ast.Null: TNull, ast.Bool: TBool, ast.Int: TInt64, ast.Float: TFloat64,
		ast.String: TString, ast.Duration: TDuration, ast.Percent: TFloat64}[l.Kind]
}

// ref resolves a name: a column (with struct fields), else a segment.
func (c *checker) ref(r *ast.Ref) *Type {
	col, ok := c.cfg.Schema.Column(r.Path[0])
	if !ok {
		full := r.Name()
		if c.cfg.Segments != nil && c.cfg.Segments.IsSegment(full) {
			c.info.Refs[r] = Ref{Kind: SegmentRef, Name: full}
			return TBool
		}
		c.unknownName(r, full)
		return TInvalid
	}
	t := col.Type
	for _, f := range r.Path[1:] {
		if t.Kind != Struct {
			c.errorf(r.Span, msgNotStruct, diag.Quote(col.Name), t, diag.Quote(f))
			return TInvalid
		}
		ft := fieldType(t, f)
		if ft == nil {
			c.hintf(r.Span, diag.DidYouMean(f, fieldNames(t)), msgUnknownField, diag.Quote(col.Name), diag.Quote(f))
			return TInvalid
		}
		t = ft
	}
	if t.Kind == Unsupported || (t.Kind == List && (t.Elem.Kind == Unsupported || t.Elem.Kind == List || t.Elem.Kind == Struct)) {
		c.errorf(r.Span, msgUnsupportedType, diag.Quote(r.Name()), t)
		return TInvalid
	}
	c.info.Refs[r] = Ref{Kind: ColumnRef, Column: col.Name, Fields: r.Path[1:]}
	return t
}

// unknownName reports a name that resolves to nothing. With segments
// defined it says the name is neither kind and names the kind of the
// suggestion; without, it is an unknown column.
func (c *checker) unknownName(r *ast.Ref, full string) {
	if c.filter {
		hint := diag.DidYouMean(full, c.names())
		if c.users != nil {
			if _, ok := c.users.Column(r.Path[0]); ok {
				hint = "a where reads the events' columns; put conditions on the user outside the event condition"
			}
		}
		c.hintf(r.Span, hint, "the events table has no column %s", diag.Quote(full))
		return
	}
	if c.cfg.Segments == nil || len(c.cfg.Segments.SegmentNames()) == 0 {
		c.hintf(r.Span, diag.DidYouMean(full, c.names()), msgUnknownColumn, diag.Quote(full))
		return
	}
	hint := ""
	if s := diag.Suggest(full, c.names()); s != "" {
		kind := "column"
		if c.cfg.Segments.IsSegment(s) {
			kind = "segment"
		}
		hint = "did you mean " + kind + " " + diag.Quote(s) + "?"
	}
	c.hintf(r.Span, hint, msgUnknownName, diag.Quote(full))
}

// names lists columns and segments for "did you mean".
func (c *checker) names() []string {
	var out []string
	for _, col := range c.cfg.Schema.Columns() {
		out = append(out, col.Name)
	}
	if c.cfg.Segments != nil {
		out = append(out, c.cfg.Segments.SegmentNames()...)
	}
	return out
}

func fieldType(t *Type, name string) *Type {
	for _, f := range t.Fields {
		if f.Name == name {
			return f.Type
		}
	}
	return nil
}

func fieldNames(t *Type) []string {
	out := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		out[i] = f.Name
	}
	return out
}

func (c *checker) boolOperand(e ast.Expr, op string) {
	t := c.expr(e)
	if t.Kind != Bool && t.Kind != Null && t.Kind != Invalid {
		c.errorf(e.Bounds(), msgNotBool, op, t)
	}
}

func (c *checker) unary(e *ast.Unary) *Type {
	if e.Op == ast.Not {
		c.boolOperand(e.X, "not")
		return TBool
	}
	t := c.expr(e.X)
	switch {
	case t.IsNumeric():
		return numericResult(t)
	case t.Kind == Duration || t.Kind == Null || t.Kind == Invalid:
		return t
	}
	c.errorf(e.Span, msgNeg, t)
	return TInvalid
}
