package syntax

import (
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
)

// Token types handed to participle. Keyword values are lower-cased;
// QIdent, String and number values are the raw source text.
const (
	tKeyword lexer.TokenType = iota + 1
	tIdent
	tQIdent
	tInt
	tFloat
	tString
	tDuration
	tPercent
	tPunct
)

// symbols is a function, not a variable, because participle calls it while
// the package's variables are still being initialized.
func symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF": lexer.EOF, "Keyword": tKeyword, "Ident": tIdent, "QIdent": tQIdent,
		"Int": tInt, "Float": tFloat, "String": tString, "Duration": tDuration, "Percent": tPercent, "Punct": tPunct,
	}
}

// keywords are reserved words, matched case-insensitively. Function names
// are not keywords.
var keywords = map[string]bool{
	"and": true, "or": true, "not": true, "between": true, "in": true, "is": true,
	"null": true, "like": true, "ilike": true, "matches": true, "contains": true,
	"any": true, "all": true, "within": true, "true": true, "false": true,
}

// eventWords are the words of event conditions' clauses (not reserved):
// after `10%` they end the operand, so `where discount > 10% at least 2
// times` reads 10% as a percentage.
var eventWords = map[string]bool{"where": true, "at": true, "exactly": true, "times": true, "ago": true}

// IsKeyword reports whether name (in any case) is reserved.
func IsKeyword(name string) bool { return keywords[strings.ToLower(name)] }

// scanner turns source text into tokens, checking the limits that must be
// enforced before the recursive parser runs.
type scanner struct {
	// comments, when non-nil, receives every comment scanned.
	comments *[]*ast.Comment
	src      string
	off      int
	lim      Limits
	toks     []lexer.Token
	errs     *diag.List
	depth    depthTracker
	failed   bool
}

// lex scans src[from:]. On the first lexical error it records a
// diagnostic and stops; tokens is then nil.
func lex(src string, lim Limits, errs *diag.List, from int) []lexer.Token {
	return lexWith(&scanner{src: src, lim: lim, errs: errs, off: from}, from)
}

func lexWith(s *scanner, from int) []lexer.Token {
	src, lim := s.src, s.lim
	if from == 0 && strings.HasPrefix(src, "\uFEFF") {
		s.off = 3 // a leading byte-order mark is ignored
	}
	s.toks = make([]lexer.Token, 0, len(src)/4+2)
	for !s.failed {
		if !s.next() {
			break
		}
		if len(s.toks) > lim.maxTokens() {
			s.fail(diag.Span{Pos: s.off, End: s.off}, msgTooManyTokens, lim.MaxNodes)
		}
	}
	if s.failed {
		return nil
	}
	s.toks = append(s.toks, lexer.Token{Type: lexer.EOF, Pos: lexer.Position{Offset: len(src), Line: 1, Column: 1}})
	return s.toks
}

func (s *scanner) fail(sp diag.Span, format string, args ...any) {
	if !s.failed {
		s.errs.Errorf(sp, format, args...)
		s.failed = true
	}
}

func (s *scanner) emit(t lexer.TokenType, start int, value string) {
	s.toks = append(s.toks, lexer.Token{Type: t, Value: value, Pos: lexer.Position{Offset: start, Line: 1, Column: 1}})
	sp := diag.Span{Pos: start, End: start + len(value)}
	if d := s.depth.see(t, value); d > s.lim.MaxDepth {
		s.fail(sp, msgTooDeep, s.lim.MaxDepth)
	}
	if s.depth.operators > s.lim.MaxNodes {
		s.fail(sp, msgTooManyOperators, s.lim.MaxNodes)
	}
	if s.depth.items > s.lim.MaxList {
		s.fail(sp, msgListTooLongScan, s.lim.MaxList)
	}
}

// next scans one token; it returns false at the end of input or on error.
func (s *scanner) next() bool {
	s.skipSpaceAndComments()
	if s.failed || s.off >= len(s.src) {
		return false
	}
	c := s.src[s.off]
	switch {
	case isIdentStart(c):
		s.scanIdent()
	case isDigit(c) || (c == '.' && s.off+1 < len(s.src) && isDigit(s.src[s.off+1])):
		s.scanNumber()
	case c == '"' || c == '\'':
		s.scanString(c)
	case c == '`':
		s.scanQuotedIdent()
	default:
		s.scanPunct()
	}
	return !s.failed
}

func (s *scanner) skipSpaceAndComments() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			s.off++
		case c == '#' || (c == '-' && strings.HasPrefix(s.src[s.off:], "--")):
			s.skipComment()
		default:
			return
		}
	}
}

// skipComment skips to the end of the line, still rejecting bytes that are
// never allowed in source text.
func (s *scanner) skipComment() {
	start := s.off
	for s.off < len(s.src) && s.src[s.off] != '\n' {
		if !s.checkChar() {
			return
		}
	}
	if s.comments != nil {
		*s.comments = append(*s.comments, &ast.Comment{
			Span: diag.Span{Pos: start, End: s.off}, Text: strings.TrimRight(s.src[start:s.off], " \t\r"),
			OwnLine: ownLine(s.src, start), BlankBefore: blankBefore(s.src, start),
		})
	}
}

// ownLine reports whether only white space precedes off on its line.
func ownLine(src string, off int) bool {
	start := strings.LastIndexByte(src[:off], '\n') + 1
	return strings.TrimSpace(src[start:off]) == ""
}

// blankBefore reports whether the line above off's line is blank.
func blankBefore(src string, off int) bool {
	start := strings.LastIndexByte(src[:off], '\n')
	if start <= 0 {
		return false
	}
	prev := strings.LastIndexByte(src[:start], '\n') + 1
	return strings.TrimSpace(src[prev:start]) == ""
}

// checkChar validates the character at s.off and advances past it.
func (s *scanner) checkChar() bool {
	r, n := utf8.DecodeRuneInString(s.src[s.off:])
	sp := diag.Span{Pos: s.off, End: s.off + n}
	switch {
	case r == utf8.RuneError && n <= 1:
		s.fail(sp, msgBadUTF8)
	case r == 0:
		s.fail(sp, msgNUL)
	case diag.IsBidiControl(r):
		s.fail(sp, msgBidi, r)
	}
	s.off += n
	return !s.failed
}

func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }

func (s *scanner) scanIdent() {
	start := s.off
	for s.off < len(s.src) && isIdentChar(s.src[s.off]) {
		s.off++
	}
	word := s.src[start:s.off]
	if lw := strings.ToLower(word); keywords[lw] {
		s.emit(tKeyword, start, lw)
		return
	}
	s.emit(tIdent, start, word)
}

func (s *scanner) scanNumber() {
	start := s.off
	digits := func() int {
		n := 0
		for s.off < len(s.src) && isDigit(s.src[s.off]) {
			s.off++
			n++
		}
		return n
	}
	digits()
	isFloat := false
	if s.off < len(s.src) && s.src[s.off] == '.' && !(s.off+1 < len(s.src) && isIdentStart(s.src[s.off+1])) {
		isFloat = true
		s.off++
		digits()
	}
	if s.off < len(s.src) && (s.src[s.off] == 'e' || s.src[s.off] == 'E') {
		save := s.off
		s.off++
		if s.off < len(s.src) && (s.src[s.off] == '+' || s.src[s.off] == '-') {
			s.off++
		}
		if digits() == 0 {
			s.off = save
		} else {
			isFloat = true
		}
	}
	if !isFloat && s.off < len(s.src) && strings.IndexByte("smhdw", s.src[s.off]) >= 0 &&
		(s.off+1 >= len(s.src) || !isIdentChar(s.src[s.off+1])) {
		s.off++
		s.emit(tDuration, start, s.src[start:s.off])
		return
	}
	if s.off < len(s.src) && isIdentChar(s.src[s.off]) {
		end := s.off
		for end < len(s.src) && isIdentChar(s.src[end]) {
			end++
		}
		s.fail(diag.Span{Pos: start, End: end}, msgBadNumber, s.src[start:end])
		return
	}
	if s.isPercentSign() {
		s.off++
		s.emit(tPercent, start, s.src[start:s.off])
		return
	}
	if isFloat {
		s.emit(tFloat, start, s.src[start:s.off])
	} else {
		s.emit(tInt, start, s.src[start:s.off])
	}
}

// isPercentSign reports whether the '%' at the scanner's offset, right
// after a number, makes it a percent literal (`10%`) rather than the modulo
// operator: it does when no operand follows it (the end, punctuation other
// than an opening bracket, an operator keyword, the `segment` of a next
// definition, or a minus followed by a space or a comment: `-3` is an
// operand, `- 3` a subtraction), so `10 % 3`, `10%3`, `10%-3` and `10%x`
// stay modulo while `sample(id, 10%, "s")`, `x > 10%`, `x > 10% and y`,
// `5% + 1` and `5% - 1` are percentages.
func (s *scanner) isPercentSign() bool {
	if s.off >= len(s.src) || s.src[s.off] != '%' {
		return false
	}
	j := s.off + 1
	for j < len(s.src) && (s.src[j] == ' ' || s.src[j] == '\t' || s.src[j] == '\n' || s.src[j] == '\r') {
		j++
	}
	if j >= len(s.src) {
		return true
	}
	c := s.src[j]
	if isIdentStart(c) {
		k := j
		for k < len(s.src) && isIdentChar(s.src[k]) {
			k++
		}
		// `10% and …`: an operator keyword follows, so no operand does.
		switch w := strings.ToLower(s.src[j:k]); {
		case w == "true" || w == "false" || w == "null":
			return false
		default:
			return keywords[w] || w == "segment" || eventWords[w]
		}
	}
	if c == '-' { // a negative operand, unless a space or a comment follows
		return j+1 >= len(s.src) || strings.IndexByte(" \t\r\n-", s.src[j+1]) >= 0
	}
	return !(isDigit(c) || c >= 0x80 || strings.IndexByte("(\"`'.", c) >= 0)
}

// scanString scans a quoted string, validating its escapes. A string may not
// span lines; an unterminated one is reported at its opening quote.
func (s *scanner) scanString(quote byte) {
	start := s.off
	s.off++
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == quote:
			s.off++
			s.emit(tString, start, s.src[start:s.off])
			return
		case c == '\n':
			s.fail(diag.Span{Pos: start, End: s.off}, msgUnterminatedString)
			return
		case c == '\\':
			if !s.scanEscape() {
				return
			}
		default:
			if !s.checkChar() {
				return
			}
		}
	}
	s.fail(diag.Span{Pos: start, End: len(s.src)}, msgUnterminatedString)
}

// scanEscape validates one backslash escape at s.off.
func (s *scanner) scanEscape() bool {
	start := s.off
	s.off++
	if s.off >= len(s.src) {
		s.fail(diag.Span{Pos: start, End: s.off}, msgUnterminatedString)
		return false
	}
	c := s.src[s.off]
	s.off++
	hex := map[byte]int{'x': 2, 'u': 4, 'U': 8}[c]
	switch {
	case strings.IndexByte(`\'"ntr0`, c) >= 0:
		return true
	case hex > 0:
		if _, ok := decodeHex(s.src[s.off:], hex); !ok {
			s.fail(diag.Span{Pos: start, End: min(s.off+hex, len(s.src))}, msgBadEscape, s.src[start:min(s.off+hex, len(s.src))])
			return false
		}
		s.off += hex
		return true
	}
	s.fail(diag.Span{Pos: start, End: s.off}, msgBadEscape, s.src[start:s.off])
	return false
}

func (s *scanner) scanQuotedIdent() {
	start := s.off
	s.off++
	for s.off < len(s.src) {
		switch s.src[s.off] {
		case '`':
			if strings.HasPrefix(s.src[s.off:], "``") {
				s.off += 2
				continue
			}
			s.off++
			if s.off-start == 2 {
				s.fail(diag.Span{Pos: start, End: s.off}, msgEmptyName)
				return
			}
			s.emit(tQIdent, start, s.src[start:s.off])
			return
		case '\n':
			s.fail(diag.Span{Pos: start, End: s.off}, msgUnterminatedName)
			return
		default:
			if !s.checkChar() {
				return
			}
		}
	}
	s.fail(diag.Span{Pos: start, End: len(s.src)}, msgUnterminatedName)
}

var puncts = []string{"==", "!=", "<>", "<=", ">=", "(", ")", ",", ".", "+", "-", "*", "/", "%", "=", "<", ">"}

func (s *scanner) scanPunct() {
	for _, p := range puncts {
		if strings.HasPrefix(s.src[s.off:], p) {
			s.emit(tPunct, s.off, p)
			s.off += len(p)
			return
		}
	}
	start := s.off
	if !s.checkChar() {
		return
	}
	s.fail(diag.Span{Pos: start, End: s.off}, msgBadChar, s.src[start:s.off])
}

// depthTracker estimates nesting depth from the token stream: open
// parentheses plus runs of prefix operators, which the parser handles by
// recursion. It is an upper bound on the parser's recursion depth per level.
type depthTracker struct {
	stack   []int // prefix count saved at each open parenthesis
	total   int   // parentheses open plus saved prefix counts
	prefix  int   // prefix operators since the last operand boundary
	operand bool  // last token ended an operand
	commas  []int // commas seen at each open parenthesis
	items   int   // items of the innermost list so far, when over one
	// operators counts operator tokens; each makes at least one node, so
	// more than MaxNodes of them is rejected before parsing.
	operators int
}

func (d *depthTracker) see(t lexer.TokenType, v string) int {
	switch {
	case t == tPunct && v == "(":
		d.stack = append(d.stack, d.prefix)
		d.commas = append(d.commas, 0)
		d.total += d.prefix + 1
		d.prefix, d.operand = 0, false
	case t == tPunct && v == ")":
		if n := len(d.stack); n > 0 {
			d.prefix = d.stack[n-1]
			d.stack = d.stack[:n-1]
			d.commas = d.commas[:n-1]
			d.total -= d.prefix + 1
		}
		d.operand = true
	case (t == tKeyword && v == "not") || (t == tPunct && v == "-" && !d.operand):
		d.prefix++
		d.operand = false
	case t == tIdent || t == tQIdent || t == tInt || t == tFloat || t == tString || t == tDuration || t == tPercent ||
		(t == tKeyword && (v == "true" || v == "false" || v == "null")):
		d.operand = true
	case t == tKeyword || (t == tPunct && v != ","):
		d.operators++
		d.prefix, d.operand = 0, false
	case t == tPunct && v == ",":
		if n := len(d.commas); n > 0 {
			d.commas[n-1]++
			d.items = d.commas[n-1] + 1
		}
		d.prefix, d.operand = 0, false
	default:
		d.prefix, d.operand = 0, false
	}
	return d.total + d.prefix
}

func decodeHex(s string, n int) (rune, bool) {
	if len(s) < n {
		return 0, false
	}
	var r rune
	for i := 0; i < n; i++ {
		c := s[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c|0x20 >= 'a' && c|0x20 <= 'f':
			v = c | 0x20 - 'a' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}
