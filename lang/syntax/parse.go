// Package syntax parses segql source text into package ast.
//
// The scanner is hand-written: it validates the text (UTF-8, no NUL or bidi
// controls, terminated strings), folds keywords to lower case and enforces
// the length and nesting limits before any recursion happens. The token
// stream is then parsed by a participle grammar (grammar.go) and lowered
// into the sealed ast, with exact byte spans. All functions are safe for
// concurrent use.
package syntax

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
)

// ParseExpr parses one segment expression. name labels positions in
// errors (it may be empty). On failure the error is a *diag.List.
func ParseExpr(name, src string, lim Limits) (ast.Expr, error) {
	p := newParser(name, src, lim)
	e := p.parseExpr(0, len(src))
	if err := p.errs.Err(); err != nil {
		return nil, err
	}
	return e, nil
}

// parser holds the state of one parse.
type parser struct {
	src   string
	lim   Limits
	errs  *diag.List
	toks  []lexer.Token
	nodes int
}

func newParser(name, src string, lim Limits) *parser {
	return &parser{src: src, lim: lim.withDefaults(), errs: &diag.List{Src: diag.Source{Name: name, Text: src}}}
}

// parseExpr parses src[from:to] as one expression; positions stay relative
// to the whole source.
func (p *parser) parseExpr(from, to int) ast.Expr {
	if to-from > p.lim.MaxSource {
		p.errs.Errorf(diag.Span{Pos: from, End: from}, msgTooLong, to-from, p.lim.MaxSource)
		return nil
	}
	toks := lex(p.src[:to], p.lim, p.errs, from)
	if toks == nil {
		return nil
	}
	if len(toks) == 1 {
		p.errs.Errorf(diag.Span{Pos: to, End: to}, msgUnexpectedEnd+"; "+msgExpected, "an expression")
		return nil
	}
	return p.parseTokens(toks)
}

// runParticiple parses the token slice, recovering from any panic inside
// participle so that hostile input can never crash the caller.
func (p *parser) runParticiple(toks []lexer.Token) (g *expression, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("internal parser error")
		}
	}()
	peek, err := lexer.Upgrade(&sliceLexer{toks: toks})
	if err != nil {
		return nil, err
	}
	return exprParser.ParseFromLexer(peek)
}

// sliceLexer replays scanned tokens.
type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (l *sliceLexer) Next() (lexer.Token, error) {
	t := l.toks[l.i]
	if l.i < len(l.toks)-1 {
		l.i++
	}
	return t, nil
}

// addParseError turns a participle error into a positioned diagnostic.
func (p *parser) addParseError(err error) {
	var ute *participle.UnexpectedTokenError
	if errors.As(err, &ute) {
		t := ute.Unexpected
		sp := diag.Span{Pos: t.Pos.Offset, End: t.Pos.Offset + len(t.Value)}
		if t.EOF() {
			p.errs.Errorf(sp, msgUnexpectedEnd)
			return
		}
		p.errs.Add(diag.Diagnostic{Span: sp, Msg: fmt.Sprintf(msgUnexpected, describe(t)), Hint: p.unexpectedHint(t.Value)})
		return
	}
	var perr participle.Error
	if errors.As(err, &perr) {
		off := perr.Position().Offset
		p.errs.Errorf(diag.Span{Pos: off, End: off}, "%s", perr.Message())
		return
	}
	p.errs.Errorf(diag.Span{Pos: 0, End: 0}, "%s", err.Error())
}

// describe names a token for an error message.
func describe(t lexer.Token) string {
	switch t.Type {
	case lexer.EOF:
		return "end of input"
	case tKeyword:
		return "keyword " + diag.Quote(t.Value)
	case tString:
		return "string " + diag.Quote(t.Value[1:len(t.Value)-1])
	}
	return diag.Quote(t.Value)
}

// endOf returns the end offset of the last token that starts before pos:
// participle's EndPos is the start of the following token.
func (p *parser) endOf(pos lexer.Position) int {
	i := sort.Search(len(p.toks), func(i int) bool { return p.toks[i].Pos.Offset >= pos.Offset })
	if i == 0 {
		return pos.Offset
	}
	t := p.toks[i-1]
	return t.Pos.Offset + len(t.Value)
}

// unexpectedHint explains an unexpected word: a misspelled keyword
// ("betwen"), or SQL typed by habit (select … where COND: just COND).
func (p *parser) unexpectedHint(word string) string {
	if fields := strings.Fields(p.src); len(fields) > 0 && strings.EqualFold(fields[0], "select") {
		low := strings.ToLower(p.src)
		if i := strings.LastIndex(low, " where "); i >= 0 {
			return "type just the condition, without select … where: " + strings.TrimSpace(p.src[i+len(" where "):])
		}
		return "type just the condition (what would follow where in SQL)"
	}
	if word == "" || keywords[strings.ToLower(word)] {
		return ""
	}
	words := make([]string, 0, len(keywords))
	for k := range keywords {
		words = append(words, k)
	}
	sort.Strings(words)
	return diag.DidYouMean(word, words)
}
