package printer

import (
	"sort"
	"strings"

	"github.com/segql/segql/lang/ast"
)

// LineWidth is the width beyond which a definition is broken over lines.
const LineWidth = 100

// File returns the canonical text of a .seg file: one definition after
// another, each doc comment directly above its definition, free comments
// where they stood, and at most one blank line wherever the source had
// one or more. A definition that fits in LineWidth columns and has no
// comments inside is one line; otherwise its top-level and/or terms go one
// per line, indented by four spaces, each comment before (own-line) or
// after (end-of-line) the term it stood next to. Formatting is idempotent.
func File(f *ast.File) string {
	var b strings.Builder
	attached := map[*ast.Comment]bool{}
	for _, s := range f.Segments {
		for _, c := range s.Doc {
			attached[c] = true
		}
		for _, c := range s.Inner {
			attached[c] = true
		}
	}
	type item struct {
		pos int
		seg *ast.Segment
		com *ast.Comment
	}
	var items []item
	for _, s := range f.Segments {
		pos := s.Pos
		if len(s.Doc) > 0 {
			pos = s.Doc[0].Pos
		}
		items = append(items, item{pos: pos, seg: s})
	}
	for _, c := range f.Comments {
		if !attached[c] {
			items = append(items, item{pos: c.Pos, com: c})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].pos < items[j].pos })
	for i, it := range items {
		blank := (it.seg != nil && it.seg.BlankBefore) || (it.com != nil && it.com.BlankBefore)
		if i > 0 && blank {
			b.WriteByte('\n')
		}
		if it.com != nil {
			b.WriteString(it.com.Text + "\n")
			continue
		}
		if i > 0 && !blank && items[i-1].seg != nil && isMultiLine(items[i-1].seg) {
			b.WriteByte('\n') // keep a multi-line definition visually apart
		}
		Segment(&b, it.seg)
	}
	return b.String()
}

func isMultiLine(s *ast.Segment) bool {
	return len(s.Inner) > 0 || len(oneLine(s)) > LineWidth
}

func oneLine(s *ast.Segment) string {
	return "segment " + Name(s.Name) + " = " + Expr(s.Expr)
}

// Segment writes one definition with its doc comment.
func Segment(b *strings.Builder, s *ast.Segment) {
	for _, c := range s.Doc {
		b.WriteString(c.Text + "\n")
	}
	if !isMultiLine(s) {
		b.WriteString(oneLine(s) + "\n")
		return
	}
	b.WriteString("segment " + Name(s.Name) + " =\n")
	terms, op := []ast.Expr{s.Expr}, ""
	if l, ok := s.Expr.(*ast.Logical); ok {
		terms, op = l.Terms, l.Op.String()+" "
	}
	p := prec(s.Expr)
	comments := s.Inner
	for i, t := range terms {
		for len(comments) > 0 && comments[0].OwnLine && comments[0].Pos < t.Bounds().Pos {
			b.WriteString("    " + comments[0].Text + "\n")
			comments = comments[1:]
		}
		b.WriteString("    ")
		if i > 0 {
			b.WriteString(op)
		}
		if len(terms) > 1 {
			expr(b, t, p+1)
		} else {
			expr(b, t, 0)
		}
		next := -1
		if i+1 < len(terms) {
			next = terms[i+1].Bounds().Pos
		}
		for len(comments) > 0 && !comments[0].OwnLine && (next < 0 || comments[0].Pos < next) {
			b.WriteString("  " + comments[0].Text)
			comments = comments[1:]
		}
		b.WriteByte('\n')
		// Own-line comments inside this term (between its start and the
		// next term) move after it.
		for len(comments) > 0 && comments[0].OwnLine && next >= 0 && comments[0].Pos < next &&
			comments[0].Pos >= t.Bounds().Pos {
			b.WriteString("    " + comments[0].Text + "\n")
			comments = comments[1:]
		}
	}
	for _, c := range comments {
		b.WriteString("    " + c.Text + "\n")
	}
}
