package engine

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// likeMatcher matches SQL LIKE patterns (`%` any sequence, `_` one
// character, no escape character). Common shapes get a direct test;
// everything else runs a linear-time wildcard matcher. ilike lower-cases
// the pattern once and each value as it is matched.
type likeMatcher struct {
	fold   bool
	shape  likeShape
	lit    []byte   // the literal part of prefix/suffix/infix/exact shapes
	pat    []rune   // the whole pattern, for likeGeneral
	parts  [][]byte // unused by general matching; kept for explain
	simple string
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

func newLikeMatcher(pattern string, fold bool) *likeMatcher {
	if fold {
		pattern = strings.ToLower(pattern)
	}
	m := &likeMatcher{fold: fold, pat: []rune(pattern), simple: pattern}
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

// match tests s. It does not allocate for ASCII input.
func (m *likeMatcher) match(s []byte) bool {
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

func (m *likeMatcher) matchFold(s []byte) bool {
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
