package sqlgen

import (
	"strconv"
	"strings"
	"time"
)

// Helpers shared by the dialects. Each dialect spells every method of the
// dialect interface itself (in its own file); these are the pieces they
// have in common.

// quoteWith quotes an identifier between q, doubling q inside. NUL cannot
// be in an identifier in any of the engines.
func quoteWith(name string, q byte) (string, error) {
	if name == "" {
		return "", notSupported("an empty name", "identifiers cannot be empty")
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", notSupported("a name containing NUL", "identifiers cannot contain NUL")
	}
	s := string(q)
	return s + strings.ReplaceAll(name, s, s+s) + s, nil
}

// quoteSQLString is 'text' with quotes doubled (no other escapes).
func quoteSQLString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteBackslashString is 'text' for engines whose string literals
// process backslash escapes: backslash and quote are escaped, control
// characters written as escapes.
func quoteBackslashString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\'':
			b.WriteString(`\'`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// floatText is the shortest decimal text that reads back as f exactly.
func floatText(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") { // "1" → "1.0", keeping it a decimal
		s += ".0"
	}
	return s
}

// timeText is the UTC wall clock of us: "2026-11-01 00:00:00[.ffffff]".
func timeText(us int64) string {
	return time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999")
}

func dateText(y, m, d int) string {
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
}

// likeEscaped rewrites a segql pattern (no escape character) for an
// engine whose LIKE treats backslash as the escape: backslashes doubled.
func likeEscaped(p string) string { return strings.ReplaceAll(p, `\`, `\\`) }

func join(vs []string) string { return strings.Join(vs, ", ") }

// andEach is f of every value, joined by AND (a list's "contains all").
func andEach(vs []string, f func(string) string) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = f(v)
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}
