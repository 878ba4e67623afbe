package kernels

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Like matches SQL LIKE patterns (`%` any sequence, `_` one character, no
// escape character). Common shapes get a direct test; everything else
// runs a linear-time wildcard matcher. ilike lower-cases the pattern once
// and each value as it is matched. Immutable and safe for concurrent use.
type Like struct {
	text  string // the pattern as written
	fold  bool
	shape likeShape
	lit   []byte // the literal part of prefix/suffix/infix/exact shapes
	pat   []rune // the whole pattern, for likeGeneral
}

type likeShape uint8

const (
	likeExact likeShape = iota
	likePrefix
	likeSuffix
	likeInfix
	likeAny
	likeGeneral
)

// NewLike compiles a pattern; fold makes it ilike.
func NewLike(pattern string, fold bool) *Like {
	text := pattern
	if fold {
		pattern = strings.ToLower(pattern)
	}
	m := &Like{text: text, fold: fold, pat: []rune(pattern)}
	inner := strings.Trim(pattern, "%")
	switch {
	case strings.ContainsRune(inner, '%') || strings.ContainsRune(pattern, '_'):
		m.shape = likeGeneral
	case inner == "":
		m.shape = likeAny
		if pattern == "" {
			m.shape = likeExact
		}
	case pattern == inner:
		m.shape = likeExact
	case pattern == inner+"%" || (strings.HasSuffix(pattern, "%") && !strings.HasPrefix(pattern, "%")):
		m.shape = likePrefix
	case !strings.HasSuffix(pattern, "%"):
		m.shape = likeSuffix
	default:
		m.shape = likeInfix
	}
	m.lit = []byte(inner)
	return m
}

// Pattern is the pattern as written.
func (m *Like) Pattern() string { return m.text }

// Fold reports ilike.
func (m *Like) Fold() bool { return m.fold }

// Shape names the test a pattern runs, for explanations.
func (m *Like) Shape() string {
	if m.fold && m.shape != likeAny {
		return "wildcard, case-folded"
	}
	return [...]string{"equality", "prefix", "suffix", "substring", "any", "wildcard"}[m.shape]
}

// Match tests s. It does not allocate for ASCII input.
func (m *Like) Match(s []byte) bool {
	if m.fold {
		return m.matchFold(s)
	}
	switch m.shape {
	case likeExact:
		return bytes.Equal(s, m.lit)
	case likePrefix:
		return bytes.HasPrefix(s, m.lit)
	case likeSuffix:
		return bytes.HasSuffix(s, m.lit)
	case likeInfix:
		return bytes.Contains(s, m.lit)
	case likeAny:
		return true
	}
	return wildcard(m.pat, s, false)
}

func (m *Like) matchFold(s []byte) bool {
	if m.shape == likeAny {
		return true
	}
	return wildcard(m.pat, s, true)
}

// wildcard matches pattern p against s with greedy backtracking to the
// last `%` only, which is linear in len(p)*len(s) at worst.
func wildcard(p []rune, s []byte, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		r, n := utf8.DecodeRune(s[si:])
		if fold {
			r = lowerRune(r)
		}
		switch {
		case pi < len(p) && p[pi] == '%':
			starP, starS = pi, si
			pi++
			continue
		case pi < len(p) && (p[pi] == '_' || p[pi] == r):
			pi++
			si += n
			continue
		case starP >= 0:
			pi = starP + 1
			_, m := utf8.DecodeRune(s[starS:])
			starS += m
			si = starS
			continue
		}
		return false
	}
	for pi < len(p) && p[pi] == '%' {
		pi++
	}
	return pi == len(p)
}

func lowerRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 32
		}
		return r
	}
	return []rune(strings.ToLower(string(r)))[0]
}
