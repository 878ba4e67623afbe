package ast

import "github.com/segql/segql/lang/diag"

// File is a parsed .seg file: a sequence of segment definitions with the
// comments that surround them.
type File struct {
	Name     string
	Segments []*Segment
	// Comments holds every comment in the file, in order, including those
	// attached to segments as Doc or Inner; the others stand free.
	Comments []*Comment
}

// Segment is `segment NAME = EXPR`.
type Segment struct {
	diag.Span
	Name     string
	NameSpan diag.Span
	Expr     Expr
	// Doc is the block of comment lines directly above the definition (no
	// blank line between); its text is the segment's description.
	Doc []*Comment
	// Inner holds comments inside the definition's expression.
	Inner []*Comment
	// BlankBefore records a blank line (or more) before the definition or
	// its doc comment, so formatting keeps the file's grouping.
	BlankBefore bool
}

// Comment is one `#` or `--` comment, to the end of its line.
type Comment struct {
	diag.Span
	Text string // as written, including the # or -- marker
	// OwnLine is false for a comment that follows code on its line.
	OwnLine bool
	// BlankBefore records a blank line above an own-line comment.
	BlankBefore bool
}

// Description returns the doc comment's text without markers, lines
// joined with spaces.
func (s *Segment) Description() string {
	out := ""
	for _, c := range s.Doc {
		t := c.Text
		switch {
		case len(t) >= 2 && t[:2] == "--":
			t = t[2:]
		case len(t) >= 1 && t[0] == '#':
			t = t[1:]
		}
		for len(t) > 0 && (t[0] == ' ' || t[0] == '\t') {
			t = t[1:]
		}
		if t == "" {
			continue
		}
		if out != "" {
			out += " "
		}
		out += t
	}
	return out
}
