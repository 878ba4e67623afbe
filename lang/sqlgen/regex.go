package sqlgen

import (
	"fmt"
	"regexp/syntax"
	"strings"
	"unicode"
)

// reFlavor is a target regular-expression syntax. segql's patterns are
// RE2; engines whose syntax differs get the pattern printed from RE2's
// parse tree with every construct spelled explicitly: '.' as "not a
// newline", case-insensitive letters as classes, classes as code point
// ranges, anchors as text or line anchors, word boundaries as ASCII
// lookarounds. Constructs a flavor lacks are errors.
type reFlavor struct {
	name string
	// hex escapes a code point (in and out of brackets).
	hex func(r rune) string
	// Spellings; "" means unsupported.
	group, beginText, endText, beginLine, endLine string
	lookaround                                    bool
	maxRepeat                                     int
}

var (
	areFlavor = reFlavor{ // PostgreSQL's advanced regular expressions
		name:  "PostgreSQL regular expressions",
		hex:   func(r rune) string { return fmt.Sprintf(`\U%08X`, r) },
		group: "(?:", beginText: `^`, endText: `$`,
		beginLine: `(?:^|(?<=\n))`, endLine: `(?:$|(?=\n))`,
		lookaround: true, maxRepeat: 255,
	}
	javaFlavor = reFlavor{ // Trino (Joni, Java syntax) and Spark (java.util.regex)
		name:  "Java regular expressions",
		hex:   func(r rune) string { return fmt.Sprintf(`\x{%X}`, r) },
		group: "(?:", beginText: `\A`, endText: `\z`,
		beginLine: `(?:\A|(?<=\n))`, endLine: `(?:\z|(?=\n))`,
		lookaround: true, maxRepeat: 1000,
	}
)

const asciiWord = `0-9A-Za-z_`

// printRegex prints re in flavor f.
func printRegex(re *syntax.Regexp, f reFlavor) (string, error) {
	var b strings.Builder
	if err := f.print(&b, re); err != nil {
		return "", err
	}
	return b.String(), nil
}

func (f reFlavor) unsupported(what string) error {
	return notSupported("a regular expression with "+what, f.name+" have no equivalent")
}

func (f reFlavor) print(b *strings.Builder, re *syntax.Regexp) error {
	switch re.Op {
	case syntax.OpNoMatch:
		b.WriteString("[^" + f.hex(0) + "-" + f.hex(unicode.MaxRune) + "]")
	case syntax.OpEmptyMatch:
		b.WriteString(f.group + ")")
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && foldable(r) {
				b.WriteString("[" + f.classRange(r, r))
				for o := unicode.SimpleFold(r); o != r; o = unicode.SimpleFold(o) {
					b.WriteString(f.classRange(o, o))
				}
				b.WriteString("]")
				continue
			}
			b.WriteString(f.lit(r))
		}
	case syntax.OpCharClass:
		if len(re.Rune) == 0 {
			return f.print(b, &syntax.Regexp{Op: syntax.OpNoMatch})
		}
		b.WriteString("[")
		for i := 0; i+1 < len(re.Rune); i += 2 {
			b.WriteString(f.classRange(re.Rune[i], re.Rune[i+1]))
		}
		b.WriteString("]")
	case syntax.OpAnyCharNotNL:
		b.WriteString("[^" + f.hex('\n') + "]")
	case syntax.OpAnyChar:
		b.WriteString("[" + f.hex(0) + "-" + f.hex(unicode.MaxRune) + "]")
	case syntax.OpBeginLine:
		b.WriteString(f.beginLine)
	case syntax.OpEndLine:
		b.WriteString(f.endLine)
	case syntax.OpBeginText:
		b.WriteString(f.beginText)
	case syntax.OpEndText:
		b.WriteString(f.endText)
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		if !f.lookaround {
			return f.unsupported(`\b or \B`)
		}
		w, nw := `(?<=[`+asciiWord+`])`, `(?<![`+asciiWord+`])`
		a, na := `(?=[`+asciiWord+`])`, `(?![`+asciiWord+`])`
		if re.Op == syntax.OpWordBoundary {
			b.WriteString(f.group + w + na + "|" + nw + a + ")")
		} else {
			b.WriteString(f.group + w + a + "|" + nw + na + ")")
		}
	case syntax.OpCapture:
		b.WriteString(f.group)
		if err := f.print(b, re.Sub[0]); err != nil {
			return err
		}
		b.WriteString(")")
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		if err := f.atom(b, re.Sub[0]); err != nil {
			return err
		}
		switch re.Op {
		case syntax.OpStar:
			b.WriteString("*")
		case syntax.OpPlus:
			b.WriteString("+")
		case syntax.OpQuest:
			b.WriteString("?")
		default:
			if re.Min > f.maxRepeat || re.Max > f.maxRepeat {
				return f.unsupported(fmt.Sprintf("a repeat count above %d", f.maxRepeat))
			}
			switch {
			case re.Max == -1:
				fmt.Fprintf(b, "{%d,}", re.Min)
			case re.Min == re.Max:
				fmt.Fprintf(b, "{%d}", re.Min)
			default:
				fmt.Fprintf(b, "{%d,%d}", re.Min, re.Max)
			}
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if s.Op == syntax.OpAlternate {
				if err := f.atom(b, s); err != nil {
					return err
				}
				continue
			}
			if err := f.print(b, s); err != nil {
				return err
			}
		}
	case syntax.OpAlternate:
		b.WriteString(f.group)
		for i, s := range re.Sub {
			if i > 0 {
				b.WriteString("|")
			}
			if err := f.print(b, s); err != nil {
				return err
			}
		}
		b.WriteString(")")
	default:
		return f.unsupported(re.Op.String())
	}
	return nil
}

// atom prints re so that a following repetition applies to all of it.
func (f reFlavor) atom(b *strings.Builder, re *syntax.Regexp) error {
	single := re.Op == syntax.OpCharClass || re.Op == syntax.OpAnyChar || re.Op == syntax.OpAnyCharNotNL ||
		re.Op == syntax.OpCapture || re.Op == syntax.OpAlternate ||
		re.Op == syntax.OpLiteral && len(re.Rune) == 1
	if single {
		return f.print(b, re)
	}
	b.WriteString(f.group)
	if err := f.print(b, re); err != nil {
		return err
	}
	b.WriteString(")")
	return nil
}

func foldable(r rune) bool { return unicode.SimpleFold(r) != r }

// lit is a code point outside brackets: ASCII letters and digits as
// themselves, everything else escaped.
func (f reFlavor) lit(r rune) string {
	switch {
	case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
		return string(r)
	case r < 128 && unicode.IsPunct(r) || r < 128 && unicode.IsSymbol(r):
		return `\` + string(r)
	}
	return f.hex(r)
}

// classRange is lo-hi inside brackets.
func (f reFlavor) classRange(lo, hi rune) string {
	one := func(r rune) string {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return string(r)
		}
		return f.hex(r)
	}
	if lo == hi {
		return one(lo)
	}
	return one(lo) + "-" + one(hi)
}
