package repl

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/segql/segql/internal/output"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/printer"
)

// values runs `.values COLUMN [N]`: the N most common values (default 20)
// of a string, boolean or list column, with counts and shares.
func (s *Session) values(arg string) (string, error) {
	fields := strings.Fields(arg)
	if len(fields) == 0 || len(fields) > 2 {
		return "", fmt.Errorf("usage: %s", strings.TrimSpace(commandHelp[".values"]))
	}
	n := 20
	if len(fields) == 2 {
		v, err := strconv.Atoi(fields[1])
		if err != nil || v <= 0 {
			return "", fmt.Errorf(".values: %q is not a positive number of values", fields[1])
		}
		n = v
	}
	col := fields[0]
	if s.cur.t.ColumnIndex(col) < 0 {
		var names []string
		for _, f := range s.cur.t.Schema.Fields() {
			names = append(names, f.Name)
		}
		return "", fmt.Errorf("no column %s; %s", diag.Quote(col), diag.DidYouMean(col, names))
	}
	if s.cur.remote != nil {
		return "", fmt.Errorf(".values %w, and table %s is in PostgreSQL", ErrInWarehouse, s.cur.name)
	}
	counts := s.cur.eng.ValueCounts(col)
	if counts == nil {
		return "", fmt.Errorf("column %s holds numbers or times: .schema %s shows its range", diag.Quote(col), col)
	}
	return valueTable(counts, n, int(s.cur.t.NumRows()), s.privacy.MinSize), nil
}

// valueTable lists the n most common values, most common first; counts
// under the privacy minimum are shown as "<min".
func valueTable(counts map[string]int, n, rows, minSize int) string {
	type vc struct {
		v string
		n int
	}
	all := make([]vc, 0, len(counts))
	total := 0
	for v, c := range counts {
		all = append(all, vc{v, c})
		total += c
	}
	slices.SortFunc(all, func(a, b vc) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.v, b.v)) })
	table := [][]string{{"value", "rows", "share"}}
	for _, e := range all[:min(n, len(all))] {
		count, share := output.Thousands(e.n), fmt.Sprintf("%.2f%%", 100*float64(e.n)/float64(max(rows, 1)))
		if e.n < minSize {
			count, share = fmt.Sprintf("<%d", minSize), "-"
		}
		table = append(table, []string{printer.Quote(e.v), count, share})
	}
	var b strings.Builder
	output.Columns(&b, table, []bool{false, true, true})
	if len(all) > n {
		fmt.Fprintf(&b, "(%s more values; .values COLUMN N shows more)\n", output.Thousands(len(all)-n))
	}
	return b.String()
}

// valueContext matches the text before a value being typed after a
// string column: `col = "`, `col != `, `col in ("a", "`; group 1 is the
// column, group 2 an open quote.
var valueContext = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\s*(?:==?|!=|<>|\s(?:not\s+)?in\s*\((?:\s*"(?:[^"\\]|\\.)*"\s*,)*)\s*("?)$`)

// completeValue offers the values of the column a string is being compared
// with (quoted, or closing the open quote), most common first among those
// starting with word (case-insensitively); ok is false outside such a
// context.
func (s *Session) completeValue(head, word string) (cands []string, ok bool) {
	m := valueContext.FindStringSubmatch(head)
	if m == nil || s.cur.remote != nil {
		return nil, false
	}
	counts := s.cur.eng.ValueCounts(m[1])
	if counts == nil {
		return nil, false
	}
	lower := strings.ToLower(word)
	for v := range counts {
		if strings.HasPrefix(strings.ToLower(v), lower) {
			cands = append(cands, v)
		}
	}
	slices.SortFunc(cands, func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	if len(cands) > 200 {
		cands = cands[:200]
	}
	for i, v := range cands {
		q := printer.Quote(v) // a segql string literal
		if m[2] == `"` {
			q = q[1:]
		}
		cands[i] = q
	}
	return cands, true
}
