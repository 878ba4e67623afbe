package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/check"
)

// The match endpoint decodes its JSON with a scanner of its own, straight
// into typed per-column slots that the engine reads without boxing
// (engine.Record): encoding/json into maps cost most of a match. It
// accepts exactly what decode + userRow accept and gives the same values
// (FuzzMatchDecode checks it against them).

// colKind is how a column's JSON value is decoded and read.
type colKind uint8

const (
	kInt colKind = iota
	kUint64
	kFloat
	kStr
	kBool
	kTime
	kOther // lists, structs: decoded by jsonValue, read through Lookup
)

func kindOf(t arrow.DataType) colKind {
	if dt, ok := t.(*arrow.DictionaryType); ok {
		t = dt.ValueType
	}
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		return kInt
	case arrow.UINT64:
		return kUint64
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		return kFloat
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return kStr
	case arrow.BOOL:
		return kBool
	case arrow.DATE32, arrow.DATE64, arrow.TIMESTAMP:
		return kTime
	}
	return kOther
}

// elemKind is the element kind of a list of integers, floats, strings or
// booleans; kOther for anything else.
func elemKind(t arrow.DataType) colKind {
	switch t.ID() {
	case arrow.LIST, arrow.LARGE_LIST:
		switch k := kindOf(t.(arrow.ListLikeType).Elem()); k {
		case kInt, kFloat, kStr, kBool:
			return k
		}
	}
	return kOther
}

// slot is one column's value for one user.
type slot struct {
	set bool // given and not null
	i   int64
	f   float64
	s   string
	b   bool
	x   any // kOther values; a uint64 above the int64 range
}

// userRecord is one user's values by column position: an engine.Record
// for the compiled closures and an engine.Row for lists and structs.
// It is reused across users (reset) and requests (a pool per dataset).
type userRecord struct {
	d     *dataset
	slots []slot
	big   bool // a uint64 beyond int64: evaluate through Lookup
}

func (r *userRecord) reset() {
	clear(r.slots)
	r.big = false
}

func (r *userRecord) Int(col int) (int64, bool)     { s := &r.slots[col]; return s.i, s.set }
func (r *userRecord) Float(col int) (float64, bool) { s := &r.slots[col]; return s.f, s.set }
func (r *userRecord) Str(col int) (string, bool)    { s := &r.slots[col]; return s.s, s.set }
func (r *userRecord) Bool(col int) (bool, bool)     { s := &r.slots[col]; return s.b, s.set }
func (r *userRecord) Time(col int) (int64, bool)    { s := &r.slots[col]; return s.i, s.set }

// Lookup implements engine.Row: every column reads (nil for null).
func (r *userRecord) Lookup(name string) (any, bool) {
	ci, ok := r.d.index[name]
	if !ok {
		return nil, false
	}
	s := &r.slots[ci]
	if !s.set {
		return nil, true
	}
	switch r.d.kinds[ci] {
	case kInt:
		return s.i, true
	case kUint64:
		if s.x != nil {
			return s.x, true
		}
		return s.i, true
	case kFloat:
		return s.f, true
	case kStr:
		return s.s, true
	case kBool:
		return s.b, true
	case kTime:
		return time.UnixMicro(s.i).UTC(), true
	}
	return s.x, true
}

// truth evaluates q for the record.
func (r *userRecord) truth(q *engine.Query, now time.Time) (engine.Truth, error) {
	if r.big {
		return q.TruthAt(r, now)
	}
	return q.TruthRecord(r, now)
}

func (d *dataset) getRecord() *userRecord {
	if r, ok := d.records.Get().(*userRecord); ok {
		return r
	}
	return &userRecord{d: d, slots: make([]slot, len(d.cols))}
}

func (d *dataset) putRecord(r *userRecord) {
	r.reset()
	d.records.Put(r)
}

// scanner reads one JSON text.
type scanner struct {
	b        []byte
	i        int
	depth    int    // of the value skip is in
	lastKind string // the JSON kind of a value of the wrong kind
}

func (p *scanner) ws() {
	if p.i < len(p.b) && p.b[p.i] > ' ' {
		return
	}
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, 0 at the end.
func (p *scanner) peek() byte {
	p.ws()
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *scanner) syntax(what string) *requestError {
	if p.i >= len(p.b) {
		return badRequest(codeBadJSON, "the JSON ends early")
	}
	return badRequest(codeBadJSON, "invalid JSON at byte %d: %s", p.i, what)
}

// expect consumes c.
func (p *scanner) expect(c byte) *requestError {
	if p.peek() != c {
		return p.syntax(fmt.Sprintf("expected %q", c))
	}
	p.i++
	return nil
}

// literal consumes true, false or null.
func (p *scanner) literal(word string) *requestError {
	if !bytes.HasPrefix(p.b[p.i:], []byte(word)) {
		return p.syntax("invalid literal")
	}
	p.i += len(word)
	return nil
}

// str consumes a string and returns its text, unescaped as encoding/json
// does (an unpaired surrogate reads as U+FFFD).
func (p *scanner) str() (string, *requestError) {
	b, err := p.strBytes()
	return string(b), err
}

// strBytes consumes a string and returns its raw bytes when it holds no
// escape (no copy), or its unescaped text as new bytes.
func (p *scanner) strBytes() ([]byte, *requestError) {
	if p.peek() != '"' {
		return nil, p.syntax("expected a string")
	}
	p.i++
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if plainByte[c] {
			p.i++
			continue
		}
		switch {
		case c == '"':
			p.i++
			return p.b[start : p.i-1], nil
		case c == '\\':
			s, err := p.escaped(start)
			return []byte(s), err
		case c < 0x20:
			return nil, p.syntax("control character in a string")
		}
		p.i++
	}
	return nil, p.syntax("unterminated string")
}

// plainByte marks the bytes a string holds as they are: not a quote, a
// backslash or a control character.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// escaped finishes a string that holds escapes, from start.
func (p *scanner) escaped(start int) (string, *requestError) {
	out := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(out), nil
		case c < 0x20:
			return "", p.syntax("control character in a string")
		case c != '\\':
			out = append(out, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return "", p.syntax("unterminated string")
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.syntax("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				save := p.i
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					p.i += 2
					if r2, ok := p.hex4(); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							out = utf8.AppendRune(out, dec)
							continue
						}
					}
				}
				p.i = save
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			p.i--
			return "", p.syntax("invalid escape")
		}
	}
	return "", p.syntax("unterminated string")
}

func (p *scanner) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*16 + rune(c)
	}
	p.i += 4
	return r, true
}

// number consumes a number and returns its text.
func (p *scanner) number() ([]byte, *requestError) {
	p.ws()
	start := p.i
	if p.i < len(p.b) && p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.i < len(p.b) && '1' <= p.b[p.i] && p.b[p.i] <= '9':
		p.digits()
	default:
		return nil, p.syntax("invalid number")
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return nil, p.syntax("invalid number")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return nil, p.syntax("invalid number")
		}
	}
	return p.b[start:p.i], nil
}

func (p *scanner) digits() int {
	n := 0
	for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

// skip consumes one value of any kind, checking its syntax.
func (p *scanner) skip() *requestError {
	switch c := p.peek(); c {
	case '{', '[':
		if p.depth++; p.depth > maxDepth {
			return badRequest(codeBadJSON, "the JSON is nested more than %d levels deep (at byte %d)", maxDepth, p.i)
		}
		err := p.skipNested(c)
		p.depth--
		return err
	case '"':
		_, err := p.strBytes()
		return err
	case 't':
		return p.literal("true")
	case 'f':
		return p.literal("false")
	case 'n':
		return p.literal("null")
	}
	_, err := p.number()
	return err
}

// skipNested consumes an object or an array.
func (p *scanner) skipNested(c byte) *requestError {
	switch c {
	case '{':
		p.i++
		if p.peek() == '}' {
			p.i++
			return nil
		}
		for {
			if _, err := p.strBytes(); err != nil {
				return err
			}
			if err := p.expect(':'); err != nil {
				return err
			}
			if err := p.skip(); err != nil {
				return err
			}
			if done, err := p.next('}'); err != nil || done {
				return err
			}
		}
	case '[':
		p.i++
		if p.peek() == ']' {
			p.i++
			return nil
		}
		for {
			if err := p.skip(); err != nil {
				return err
			}
			if done, err := p.next(']'); err != nil || done {
				return err
			}
		}
	}
	return nil
}

// next consumes a comma (false) or the closing byte (true).
func (p *scanner) next(closing byte) (bool, *requestError) {
	switch p.peek() {
	case ',':
		p.i++
		return false, nil
	case closing:
		p.i++
		return true, nil
	}
	return false, p.syntax(fmt.Sprintf("expected ',' or %q", closing))
}

// kindAt names the JSON kind of the value that starts at the next byte.
func (p *scanner) kindAt() string {
	switch p.peek() {
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case '[':
		return "array"
	case '{':
		return "object"
	}
	return "number"
}

// matchBody is a parsed match request: the segments, and the spans of
// the user objects (each merged into the one before, as encoding/json
// merges repeated keys into a map) or of the users array.
type matchBody struct {
	segments []string
	user     [][2]int
	hasUser  bool
	users    [2]int
	hasUsers bool
	nusers   int // elements of users
	// events is the span of the user's events array, with hasEvents.
	events    [2]int
	hasEvents bool
}

// parseMatch parses a match request's top level.
func parseMatch(b []byte) (*matchBody, *requestError) {
	p := &scanner{b: b}
	m := &matchBody{}
	if p.peek() != '{' {
		return nil, p.topType("the body")
	}
	p.i++
	p.depth = 1
	if p.peek() == '}' {
		p.i++
		return m, p.end()
	}
	for {
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if err := p.expect(':'); err != nil {
			return nil, err
		}
		switch foldKey(key) { // field names match as encoding/json matches them: case-insensitively
		case "SEGMENTS":
			m.segments, err = p.strings()
		case "USER":
			m.hasUser, m.user, err = p.span('{', "user", m.user)
		case "USERS":
			m.hasUsers, m.users, m.nusers, err = p.array("users")
		case "EVENTS":
			m.hasEvents, m.events, _, err = p.array("events")
		default:
			err = badRequest(codeBadJSON, "unknown field %q", key)
		}
		if err != nil {
			return nil, err
		}
		if done, err := p.next('}'); err != nil {
			return nil, err
		} else if done {
			return m, p.end()
		}
	}
}

// foldKey folds a field name as encoding/json does to match it to a
// struct field: ASCII letters upper-cased, other runes through
// ToUpper(ToLower(r)) (so the Kelvin sign is K, the long s is S).
func foldKey(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		b = utf8.AppendRune(b, unicode.ToUpper(unicode.ToLower(r)))
		i += n
	}
	return string(b)
}

// end checks that nothing but white space follows the object (peek's 0
// cannot tell the end from a NUL byte).
func (p *scanner) end() *requestError {
	if p.ws(); p.i < len(p.b) {
		return badRequest(codeBadJSON, "unexpected data after the JSON object (at byte %d)", p.i)
	}
	return nil
}

// topType is the error for a value of the wrong JSON kind at field.
func (p *scanner) topType(field string) *requestError {
	want := "an object"
	switch field {
	case "segments", "users":
		want = "an array"
	case "segments[]":
		field, want = "segments", "a string"
	}
	if err := p.skip(); err != nil {
		return err
	}
	return badRequest(codeBadJSON, "%s: expected %s, got a JSON %s", field, want, p.lastKind)
}

// strings consumes null or an array of strings.
func (p *scanner) strings() ([]string, *requestError) {
	switch p.peek() {
	case 'n':
		return nil, p.literal("null")
	case '[':
	default:
		p.lastKind = p.kindAt()
		return nil, p.topType("segments")
	}
	p.i++
	out := []string{}
	if p.peek() == ']' {
		p.i++
		return out, nil
	}
	for {
		if p.peek() != '"' {
			p.lastKind = p.kindAt()
			return nil, p.topType("segments[]")
		}
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		if done, err := p.next(']'); err != nil || done {
			return out, err
		}
	}
}

// span consumes null (clearing spans) or a value opening with open,
// appended to spans.
func (p *scanner) span(open byte, field string, spans [][2]int) (bool, [][2]int, *requestError) {
	switch p.peek() {
	case 'n':
		return false, nil, p.literal("null")
	case open:
		start := p.i
		if err := p.skip(); err != nil {
			return false, nil, err
		}
		return true, append(spans, [2]int{start, p.i}), nil
	}
	p.lastKind = p.kindAt()
	return false, nil, p.topType(field)
}

// array consumes null or an array, returning its span and its number of
// elements.
func (p *scanner) array(field string) (bool, [2]int, int, *requestError) {
	switch p.peek() {
	case 'n':
		return false, [2]int{}, 0, p.literal("null")
	case '[':
	default:
		p.lastKind = p.kindAt()
		return false, [2]int{}, 0, p.topType(field)
	}
	start := p.i
	p.i++
	if p.peek() == ']' {
		p.i++
		return true, [2]int{start, p.i}, 0, nil
	}
	p.depth++
	defer func() { p.depth-- }()
	for n := 1; ; n++ {
		if err := p.skip(); err != nil {
			return false, [2]int{}, 0, err
		}
		if done, err := p.next(']'); err != nil {
			return false, [2]int{}, 0, err
		} else if done {
			return true, [2]int{start, p.i}, n, nil
		}
	}
}

// decodeUser decodes the user object at span into r; n is its index in
// users, or -1 for user (for error paths, built only on an error).
func (d *dataset) decodeUser(b []byte, span [2]int, r *userRecord, n int) *requestError {
	return d.decodeUserAt(&scanner{b: b[:span[1]], i: span[0]}, r, n)
}

// decodeUserAt decodes the user object at p's position into r, leaving p
// after it.
func (d *dataset) decodeUserAt(p *scanner, r *userRecord, n int) *requestError {
	if p.peek() == 'n' { // an element of users
		return badRequest(codeBadRequest, "%s: give the user's values as an object", userPath(n))
	}
	if p.peek() != '{' {
		p.lastKind = p.kindAt()
		return badRequest(codeBadJSON, "users: expected an object, got a JSON %s", p.lastKind)
	}
	p.i++
	if p.peek() == '}' {
		p.i++
		return nil
	}
	for {
		key, err := p.strBytes()
		if err != nil {
			return err
		}
		if err := p.expect(':'); err != nil {
			return err
		}
		ci, ok := d.index[string(key)]
		if !ok {
			return unknownKey(userPath(n), string(key), d.cols)
		}
		if err := d.decodeValue(p, ci, r, n); err != nil {
			return err
		}
		if done, err := p.next('}'); err != nil || done {
			return err
		}
	}
}

// userPath names user n of a batch, or the one user (-1).
func userPath(n int) string {
	if n < 0 {
		return "user"
	}
	return "users[" + strconv.Itoa(n) + "]"
}

// decodeValue decodes column ci's value into its slot, for user n.
func (d *dataset) decodeValue(p *scanner, ci int, r *userRecord, n int) *requestError {
	s := &r.slots[ci]
	*s = slot{}
	c := p.peek()
	if c == 'n' {
		return p.literal("null")
	}
	kind := d.kinds[ci]
	path := func() string { return userPath(n) + "." + d.cols[ci] }
	wrong := func(want string) *requestError {
		got := map[string]string{"string": "a string", "bool": "a boolean", "array": "an array", "object": "an object", "number": "a number"}[p.kindAt()]
		return badRequest(codeBadRequest, "%s: expected %s, got %s", path(), want, got)
	}
	switch kind {
	case kInt, kUint64, kFloat:
		if c != '-' && (c < '0' || c > '9') {
			if kind == kFloat {
				return wrong("a number")
			}
			return wrong("an integer")
		}
		tok, err := p.number()
		if err != nil {
			return err
		}
		return s.setNumber(tok, kind, r, path)
	case kStr:
		if c != '"' {
			return wrong("a string")
		}
		v, err := p.str()
		s.s, s.set = v, err == nil
		return err
	case kBool:
		switch c {
		case 't':
			s.b, s.set = true, true
			return p.literal("true")
		case 'f':
			s.set = true
			return p.literal("false")
		}
		return wrong("true or false")
	case kTime:
		if c != '"' {
			return wrong(`a date or time string ("2026-11-01" or RFC 3339)`)
		}
		v, err := p.str()
		if err != nil {
			return err
		}
		us, ok := check.ParseTime(v)
		if !ok {
			return badRequest(codeBadRequest, "%s: %q is not a date or time (2026-11-01, 2026-11-01T10:00:00Z)", path(), v)
		}
		s.i, s.set = us, true
		return nil
	}
	if c == '[' {
		if elem := d.elems[ci]; elem != kOther {
			if done, err := d.decodeList(p, s, elem, ci, n); done || err != nil {
				return err
			}
		}
	}
	start := p.i
	if err := p.skip(); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(p.b[start:p.i]))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return jsonError(err)
	}
	x, rerr := jsonValue(v, d.fields[d.cols[ci]].Type, path())
	if rerr != nil {
		return rerr
	}
	s.x, s.set = x, x != nil
	return nil
}

// setNumber stores a number token of an integer or float column.
func (s *slot) setNumber(tok []byte, kind colKind, r *userRecord, path func() string) *requestError {
	if kind == kFloat {
		f, err := strconv.ParseFloat(string(tok), 64)
		if err != nil {
			return badRequest(codeBadRequest, "%s: %s is out of range", path(), tok)
		}
		s.f, s.set = f, true
		return nil
	}
	if i, err := strconv.ParseInt(string(tok), 10, 64); err == nil {
		s.i, s.set = i, true
		return nil
	}
	if u, err := strconv.ParseUint(string(tok), 10, 64); err == nil && kind == kUint64 && u > math.MaxInt64 {
		s.x, s.set, r.big = u, true, true
		return nil
	}
	return badRequest(codeBadRequest, "%s: %s is not an integer of the column's range", path(), tok)
}

// decodeList decodes a list of scalars (elements of kind elem) without
// encoding/json. done is false, with the scanner where it was, when an
// element is not a plain scalar of its kind: the general path then
// decodes the list and reports what is wrong.
func (d *dataset) decodeList(p *scanner, s *slot, elem colKind, ci, n int) (done bool, err *requestError) {
	start := p.i
	p.i++
	out := []any{}
	var tmp slot
	for p.peek() != ']' || len(out) > 0 {
		if len(out) > 0 {
			if end, err := p.next(']'); err != nil || end {
				if err != nil {
					p.i = start
					return false, nil
				}
				s.x, s.set = out, true
				return true, nil
			}
		}
		c := p.peek()
		var v any
		switch {
		case c == 'n' && p.literal("null") == nil:
		case elem == kStr && c == '"':
			str, e := p.str()
			if e != nil {
				p.i = start
				return false, nil
			}
			v = str
		case (elem == kInt || elem == kFloat) && (c == '-' || ('0' <= c && c <= '9')):
			tok, e := p.number()
			if e != nil || tmp.setNumber(tok, elem, nil, func() string { return "" }) != nil {
				p.i = start
				return false, nil
			}
			if elem == kInt {
				v = tmp.i
			} else {
				v = tmp.f
			}
		case elem == kBool && (c == 't' || c == 'f'):
			word := "true"
			if c == 'f' {
				word = "false"
			}
			if p.literal(word) != nil {
				p.i = start
				return false, nil
			}
			v = c == 't'
		default:
			p.i = start
			return false, nil
		}
		out = append(out, v)
	}
	p.i++
	s.x, s.set = out, true
	return true, nil
}

// match serves /v1/match through parseMatch and userRecords.
func (s *Server) match(w http.ResponseWriter, r *http.Request, snap *snapshot) {
	buf, rerr := s.readJSON(w, r, false) // the scanner bounds the depth
	if buf != nil {
		defer bodyPool.Put(buf)
	}
	if rerr != nil {
		failRequest(w, rerr)
		return
	}
	body := buf.Bytes()
	m, rerr := parseMatch(body)
	if rerr == nil && m.hasUser == m.hasUsers {
		rerr = badRequest(codeBadRequest, `give either "user" (one user's values) or "users" (a batch)`)
	}
	if rerr == nil && m.hasEvents && !m.hasUser {
		rerr = badRequest(codeBadRequest, `"events" are one user's: give them with "user"`)
	}
	if rerr != nil {
		failRequest(w, rerr)
		return
	}
	segs, rerr := snap.resolve(m.segments)
	if rerr != nil {
		failRequest(w, rerr)
		return
	}
	d := snap.data
	rec := d.getRecord()
	defer d.putRecord(rec)
	out := outPool.Get().(*bytes.Buffer)
	defer outPool.Put(out)
	out.Reset()
	out.WriteString(`{"version":"`)
	out.WriteString(snap.version)
	now := s.now()
	if m.hasUser {
		out.WriteString(`","segments":`)
		for _, sp := range m.user {
			if rerr = d.decodeUser(body, sp, rec, -1); rerr != nil {
				failRequest(w, rerr)
				return
			}
		}
		var row engine.Row = rec
		if m.hasEvents {
			if row, rerr = d.withEvents(rec, body[m.events[0]:m.events[1]]); rerr != nil {
				failRequest(w, rerr)
				return
			}
		}
		if rerr = appendTruths(out, segs, rec, row, now); rerr != nil {
			failRequest(w, rerr)
			return
		}
	} else {
		out.WriteString(`","results":[`)
		if rerr = s.matchBatch(r, out, body, m, segs, rec, now); rerr != nil {
			failRequest(w, rerr)
			return
		}
		out.WriteByte(']')
	}
	out.WriteString("}\n")
	writeBuffered(w, http.StatusOK, out.Bytes())
}

// matchBatch decodes and evaluates the users array at span one user at a
// time into out.
func (s *Server) matchBatch(r *http.Request, out *bytes.Buffer, body []byte, m *matchBody, segs []*segment, rec *userRecord, now time.Time) *requestError {
	deadline := time.Now().Add(s.cfg.Timeout) // the wall clock, whatever now() means
	p := &scanner{b: body[:m.users[1]], i: m.users[0] + 1}
	if p.peek() == ']' {
		return nil
	}
	if n := m.nusers; n > s.cfg.MaxBatch {
		return &requestError{status: http.StatusRequestEntityTooLarge, code: codeTooLarge,
			msg: fmt.Sprintf("%d users in one batch; at most %d", n, s.cfg.MaxBatch)}
	}
	d := rec.d
	for n := 0; ; n++ {
		if n%256 == 0 && n > 0 {
			if err := r.Context().Err(); err != nil {
				return &requestError{status: 499, code: codeTimeout, msg: err.Error()}
			}
			if time.Now().After(deadline) {
				return &requestError{status: http.StatusServiceUnavailable, code: codeTimeout,
					msg: fmt.Sprintf("the batch took longer than the deadline (%v) after %d users", s.cfg.Timeout, n)}
			}
		}
		rec.reset()
		if err := d.decodeUserAt(p, rec, n); err != nil {
			return err
		}
		if n > 0 {
			out.WriteByte(',')
		}
		if err := appendTruths(out, segs, rec, rec, now); err != nil {
			return err
		}
		if done, err := p.next(']'); err != nil || done {
			return err
		}
	}
}

// appendTruths writes {"name":true|false|null,...} for rec.
func appendTruths(out *bytes.Buffer, segs []*segment, rec *userRecord, row engine.Row, now time.Time) *requestError {
	out.WriteByte('{')
	for i, sg := range segs {
		var t engine.Truth
		var err error
		if row != engine.Row(rec) { // the user's events came with the request
			t, err = sg.q.TruthAt(row, now)
		} else {
			t, err = rec.truth(sg.q, now)
		}
		if err != nil {
			_, code := statusOf(err)
			return &requestError{status: http.StatusUnprocessableEntity, code: code,
				msg: fmt.Sprintf("segment %q: %v", sg.def.Name, err)}
		}
		if i > 0 {
			out.WriteByte(',')
		}
		out.WriteString(sg.jsonName)
		out.WriteString([...]string{engine.False: ":false", engine.True: ":true", engine.Unknown: ":null"}[t])
	}
	out.WriteByte('}')
	return nil
}

var (
	bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}
	outPool  = sync.Pool{New: func() any { return new(bytes.Buffer) }}
)
