package diag

import "strings"

// Suggest returns the candidate closest to name for a "did you mean" hint,
// or "" when none is close enough. A case-insensitive exact match wins;
// otherwise the smallest edit distance within max(1, len(name)/3), ties
// broken by order in candidates.
func Suggest(name string, candidates []string) string {
	lower := strings.ToLower(name)
	for _, c := range candidates {
		if c != name && strings.ToLower(c) == lower {
			return c
		}
	}
	limit := len(name) / 3
	if limit < 1 {
		limit = 1
	}
	if limit > 3 {
		limit = 3
	}
	best, bestD := "", limit+1
	for _, c := range candidates {
		if c == name {
			continue
		}
		if d := distance(lower, strings.ToLower(c), bestD); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// DidYouMean formats a hint for name among candidates, or "".
func DidYouMean(name string, candidates []string) string {
	if s := Suggest(name, candidates); s != "" {
		return "did you mean " + Quote(s) + "?"
	}
	return ""
}

// Quote renders an identifier or value in double quotes for messages.
func Quote(s string) string {
	const max = 60
	r := []rune(s)
	if len(r) > max {
		s = string(r[:max]) + "…"
	}
	return `"` + s + `"`
}

// distance is the optimal-string-alignment edit distance between a and b,
// giving up (returning bound) once it cannot be below bound.
func distance(a, b string, bound int) int {
	ra, rb := []rune(a), []rune(b)
	if abs(len(ra)-len(rb)) >= bound {
		return bound
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin >= bound {
			return bound
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
