package syntax

import (
	"strings"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
)

// MaxFileSource is the longest .seg file accepted (16 MiB). Each
// definition is also held to the expression limits.
const MaxFileSource = 16 << 20

// ParseFile parses a .seg file: definitions `segment NAME = EXPR`, each on
// one or more lines, with comments. The comment lines directly above a
// definition are its description. On failure the error is a *diag.List
// holding the problems of every definition.
func ParseFile(name, src string, lim Limits) (*ast.File, error) {
	p := newParser(name, src, lim)
	f := &ast.File{Name: name}
	if len(src) > MaxFileSource {
		p.errs.Errorf(diag.Span{}, "file is %d bytes long, over the limit of %d", len(src), MaxFileSource)
		return nil, p.errs
	}
	fileLim := p.lim
	fileLim.MaxNodes, fileLim.MaxList = 1<<30, 1<<30 // checked per definition
	sc := &scanner{src: src, lim: fileLim, errs: p.errs, comments: &f.Comments}
	toks := lexWith(sc, 0)
	if toks == nil {
		return nil, p.errs
	}
	for i := 0; i < len(toks)-1; {
		next := nextStatement(toks, i+1)
		if seg := p.statement(toks[i:next]); seg != nil {
			f.Segments = append(f.Segments, seg)
		}
		i = next
	}
	attachComments(f, src)
	if err := p.errs.Err(); err != nil {
		p.errs.Sort()
		p.errs.Cap(10)
		return nil, p.errs
	}
	return f, nil
}

// isStatementStart reports `segment NAME =` at toks[i].
func isStatementStart(toks []lexer.Token, i int) bool {
	return i+2 < len(toks) && toks[i].Type == tIdent && strings.EqualFold(toks[i].Value, "segment") &&
		(toks[i+1].Type == tIdent || toks[i+1].Type == tQIdent) && toks[i+2].Type == tPunct && toks[i+2].Value == "="
}

func nextStatement(toks []lexer.Token, from int) int {
	for j := from; j < len(toks)-1; j++ {
		if isStatementStart(toks, j) {
			return j
		}
	}
	return len(toks) - 1
}

// statement parses one definition from its tokens.
func (p *parser) statement(toks []lexer.Token) *ast.Segment {
	first := toks[0]
	if !isStatementStart(toks, 0) {
		p.errs.Add(diag.Diagnostic{Span: diag.Span{Pos: first.Pos.Offset, End: first.Pos.Offset + len(first.Value)},
			Msg: "expected a definition: segment NAME = expression"})
		return nil
	}
	nameTok := toks[1]
	name := nameTok.Value
	if nameTok.Type == tQIdent {
		name = strings.ReplaceAll(name[1:len(name)-1], "``", "`")
	}
	seg := &ast.Segment{Name: name, NameSpan: diag.Span{Pos: nameTok.Pos.Offset, End: nameTok.Pos.Offset + len(nameTok.Value)}}
	// The statement's end of input is right after its last token, so an
	// incomplete expression is reported where it stops.
	last := toks[len(toks)-1]
	eof := last.Pos.Offset + len(last.Value)
	body := append(append([]lexer.Token(nil), toks[3:]...), lexer.Token{Type: lexer.EOF, Pos: lexer.Position{Offset: eof}})
	if len(body) == 1 {
		eq := toks[2].Pos.Offset
		p.errs.Errorf(diag.Span{Pos: eq, End: eq + 1}, "segment %s has no expression after \"=\"", diag.Quote(name))
		return nil
	}
	seg.Expr = p.parseTokens(body)
	if seg.Expr == nil {
		return nil
	}
	seg.Span = diag.Span{Pos: first.Pos.Offset, End: seg.Expr.Bounds().End}
	return seg
}

// parseTokens runs the grammar over one expression's tokens.
func (p *parser) parseTokens(toks []lexer.Token) ast.Expr {
	p.toks = toks
	g, err := p.runParticiple(toks)
	if err != nil {
		p.addParseError(err)
		return nil
	}
	p.nodes = 0
	e := p.lowerExpr(g)
	if p.nodes > p.lim.MaxNodes {
		p.errs.Errorf(e.Bounds(), msgTooManyNodes, p.nodes, p.lim.MaxNodes)
	}
	return e
}

// attachComments gives each definition its doc comment block and the
// comments inside it; the rest stay free in f.Comments order.
func attachComments(f *ast.File, src string) {
	for i, seg := range f.Segments {
		prevEnd := 0
		if i > 0 {
			prevEnd = f.Segments[i-1].End
		}
		seg.BlankBefore = blankBefore(src, seg.Pos)
		var doc []*ast.Comment
		for _, c := range f.Comments {
			switch {
			case c.Pos >= seg.Pos && (c.Pos < seg.End || (!c.OwnLine && linesBetween(src, seg.End, c.Pos) == 0)):
				seg.Inner = append(seg.Inner, c)
			case c.Pos >= prevEnd && c.Pos < seg.Pos && c.OwnLine:
				if c.BlankBefore || !adjacent(doc, c, src) {
					doc = doc[:0]
				}
				doc = append(doc, c)
			}
		}
		if len(doc) > 0 && linesBetween(src, doc[len(doc)-1].End, seg.Pos) == 1 {
			seg.Doc = append([]*ast.Comment(nil), doc...)
			seg.BlankBefore = doc[0].BlankBefore
		}
	}
}

// adjacent reports whether c is on the line right after the block's last.
func adjacent(block []*ast.Comment, c *ast.Comment, src string) bool {
	return len(block) == 0 || linesBetween(src, block[len(block)-1].End, c.Pos) == 1
}

func linesBetween(src string, from, to int) int {
	if from > to {
		return 0
	}
	return strings.Count(src[from:to], "\n")
}
