package syntax

// Message texts of the parser, kept in one place. They are lower-case with
// identifiers and values quoted.
const (
	msgTooLong            = "expression is %d bytes long, over the limit of %d"
	msgTooDeep            = "expression nests deeper than the limit of %d"
	msgTooManyTokens      = "expression is too large (over the limit of %d nodes)"
	msgTooManyNodes       = "expression has %d nodes, over the limit of %d"
	msgListTooLong        = "list has %d items, over the limit of %d"
	msgListTooLongScan    = "list has more than %d items, over the limit"
	msgTooManyOperators   = "expression has more than %d operators, over the node limit"
	msgEmptyList          = "empty list: %s needs at least one value"
	msgBadUTF8            = "invalid UTF-8 encoding"
	msgNUL                = "NUL byte is not allowed in source text"
	msgBidi               = "bidirectional control character U+%04X is not allowed (it can make text display differently from how it parses; write it as an escape in a string)"
	msgBadNumber          = "invalid number %q"
	msgBadChar            = "unexpected character %q"
	msgUnterminatedString = "string literal not terminated"
	msgUnterminatedName   = "quoted name not terminated"
	msgEmptyName          = "empty quoted name"
	msgBadEscape          = "unknown escape sequence %q in string"
	msgBadEscapeRune      = "escape sequence %q is not a valid Unicode character"
	msgIntRange           = "integer %s is out of range (the limit is ±9223372036854775807)"
	msgFloatRange         = "number %s is out of range for a 64-bit float"
	msgDurRange           = "duration %s is out of range"
	msgUnexpected         = "unexpected %s"
	msgUnexpectedEnd      = "unexpected end of input"
	msgExpected           = "expected %s"
	msgTrailing           = "unexpected %s after the end of the expression"
)
