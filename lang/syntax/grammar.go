package syntax

import (
	"errors"
	"io"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The grammar structs below are private to this package: the parser lowers
// them into package ast at once. One struct per production.

type expression struct {
	Pos   lexer.Position
	Terms []*conjunction `parser:"@@ ( 'or' @@ )*"`
}

type conjunction struct {
	Pos   lexer.Position
	Terms []*negation `parser:"@@ ( 'and' @@ )*"`
}

type negation struct {
	Pos  lexer.Position
	Nots []*notKeyword `parser:"@@*"`
	Pred *predicate    `parser:"@@"`
}

type notKeyword struct {
	Pos lexer.Position
	Kw  string `parser:"@'not'"`
}

type predicate struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Left   *sum           `parser:"@@"`
	Tail   *predicateTail `parser:"@@?"`
}

type predicateTail struct {
	Cmp      *comparison   `parser:"@@"`
	Between  *betweenTail  `parser:"| @@"`
	In       *inTail       `parser:"| @@"`
	Is       *isNullTail   `parser:"| @@"`
	Like     *likeTail     `parser:"| @@"`
	Matches  *matchesTail  `parser:"| @@"`
	Contains *containsTail `parser:"| @@"`
	Within   *withinTail   `parser:"| @@"`
}

type comparison struct {
	Pos   lexer.Position
	Op    string `parser:"@('=' | '==' | '!=' | '<>' | '<=' | '>=' | '<' | '>')"`
	Right *sum   `parser:"@@"`
}

type betweenTail struct {
	Not bool `parser:"@'not'? 'between'"`
	Lo  *sum `parser:"@@ 'and'"`
	Hi  *sum `parser:"@@"`
}

type inTail struct {
	Not  bool       `parser:"@'not'? 'in'"`
	List *valueList `parser:"@@"`
}

type valueList struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Items  []*expression `parser:"'(' ( @@ ( ',' @@ )* )? ')'"`
}

type isNullTail struct {
	Not bool `parser:"'is' @'not'? 'null'"`
}

type likeTail struct {
	Not     bool   `parser:"@'not'?"`
	Op      string `parser:"@('like' | 'ilike')"`
	Pattern *sum   `parser:"@@"`
}

type matchesTail struct {
	Not     bool `parser:"@'not'? 'matches'"`
	Pattern *sum `parser:"@@"`
}

type containsTail struct {
	Mode  string     `parser:"'contains' ( @('any' | 'all')"`
	List  *valueList `parser:"@@"`
	Value *sum       `parser:"| @@ )"`
}

type withinTail struct {
	D *sum `parser:"'within' @@"`
}

type sum struct {
	Pos  lexer.Position
	Head *product `parser:"@@"`
	Ops  []*sumOp `parser:"@@*"`
}

type sumOp struct {
	Pos   lexer.Position
	Op    string   `parser:"@('+' | '-')"`
	Right *product `parser:"@@"`
}

type product struct {
	Pos  lexer.Position
	Head *unary       `parser:"@@"`
	Ops  []*productOp `parser:"@@*"`
}

type productOp struct {
	Pos   lexer.Position
	Op    string `parser:"@('*' | '/' | '%')"`
	Right *unary `parser:"@@"`
}

type unary struct {
	Pos  lexer.Position
	Negs []*minus `parser:"@@*"`
	X    *primary `parser:"@@"`
}

type minus struct {
	Pos lexer.Position
	Op  string `parser:"@'-'"`
}

type primary struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Agg    *eventAgg   `parser:"@@"`
	Did    *didExpr    `parser:"| @@"`
	Call   *call       `parser:"| @@"`
	Ref    *reference  `parser:"| @@"`
	Lit    *literal    `parser:"| @@"`
	Paren  *expression `parser:"| '(' @@ ')'"`
}

// eventAgg is an aggregate over the user's events. Its words match
// identifiers case-insensitively (they are not reserved: a column may be
// named count or where).
type eventAgg struct {
	Pos     lexer.Position
	Func    string      `parser:"@('count' | 'count_distinct' | 'sum' | 'avg' | 'min' | 'max' | 'active_days' | 'first_time' | 'last_time') '('"`
	Event   *eventRef   `parser:"@@"`
	Window  *window     `parser:"@@?"`
	Filter  *expression `parser:"( 'where' @@"`
	Window2 *window     `parser:"  @@? )?"`
	Ago     bool        `parser:"@'ago'? ')'"`
}

// didExpr is `did [not] EVENT [where PREDICATE] [at least N times] [WINDOW]`.
// Its filter is one predicate (several go in parentheses), so that `and`
// after it joins the user's conditions.
type didExpr struct {
	Pos     lexer.Position
	Did     string     `parser:"@'did'"`
	Not     bool       `parser:"@'not'?"`
	Event   *eventRef  `parser:"@@"`
	Window  *window    `parser:"@@?"`
	Filter  *predicate `parser:"( 'where' @@ )?"`
	Then    []*step    `parser:"@@*"`
	Ago     bool       `parser:"@'ago'?"`
	Times   *times     `parser:"@@?"`
	Window2 *window    `parser:"@@?"`
}

// step is a later step of a sequence: then EVENT [where PREDICATE].
type step struct {
	Pos    lexer.Position
	Event  *eventRef  `parser:"'then' @@"`
	Filter *predicate `parser:"( 'where' @@ )?"`
}

type eventRef struct {
	Pos  lexer.Position
	Name *name  `parser:"( @@"`
	Str  string `parser:"| @String )"`
	Prop *name  `parser:"( '.' @@ )?"`
}

type times struct {
	Pos lexer.Position
	Op  string `parser:"( @'exactly' | 'at' @('least' | 'most') )"`
	N   string `parser:"@Int 'times'"`
}

type window struct {
	Pos    lexer.Position
	EndPos lexer.Position
	Within *sum `parser:"'within' @@"`
	Lo     *sum `parser:"| 'between' @@"`
	Hi     *sum `parser:"'and' @@"`
	Ago    bool `parser:"@'ago'?"`
}

type call struct {
	Name string     `parser:"@Ident"`
	Args *valueList `parser:"@@"`
}

type reference struct {
	Parts []*name `parser:"@@ ( '.' @@ )*"`
}

type name struct {
	Pos   lexer.Position
	Plain string `parser:"@Ident"`
	Quote string `parser:"| @QIdent"`
}

type literal struct {
	Pos   lexer.Position
	Int   string `parser:"@Int"`
	Float string `parser:"| @Float"`
	Str   string `parser:"| @String"`
	Dur   string `parser:"| @Duration"`
	Pct   string `parser:"| @Percent"`
	Word  string `parser:"| @('true' | 'false' | 'null')"`
}

// lexerDef adapts the token types to participle. The scanner produces the
// tokens itself and hands them over as a PeekingLexer, so Lex is not used
// by this package.
type lexerDef struct{}

func (lexerDef) Symbols() map[string]lexer.TokenType { return symbols() }

func (lexerDef) Lex(string, io.Reader) (lexer.Lexer, error) {
	return nil, errors.New("segql: the syntax package lexes with its own scanner")
}

var exprParser = participle.MustBuild[expression](
	participle.Lexer(lexerDef{}),
	participle.UseLookahead(3),
	participle.CaseInsensitive("Ident"),
)

// EBNF returns the grammar of expressions in participle's EBNF notation.
// SPEC.md quotes it; a test keeps the two identical.
func EBNF() string { return exprParser.String() }
