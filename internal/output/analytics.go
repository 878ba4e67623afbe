package output

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/segql/segql/analytics"
)

// Bar draws share (0–1) of width cells with eighth-block precision.
func Bar(share float64, width int) string {
	if share <= 0 || math.IsNaN(share) {
		return ""
	}
	eighths := int(math.Round(min(share, 1) * float64(width*8)))
	if eighths == 0 {
		return "▏"
	}
	s := strings.Repeat("█", eighths/8)
	if r := eighths % 8; r > 0 {
		s += string([]rune("▏▎▍▌▋▊▉")[r-1])
	}
	return s
}

// Spark draws values as a row of block heights scaled to the largest.
func Spark(vals []float64) string {
	top := 0.0
	for _, v := range vals {
		top = max(top, v)
	}
	levels := []rune("▁▂▃▄▅▆▇█")
	var b strings.Builder
	for _, v := range vals {
		i := 0
		if top > 0 {
			i = int(math.Round(v / top * float64(len(levels)-1)))
		}
		b.WriteRune(levels[i])
	}
	return b.String()
}

// Number formats a statistic compactly: integers with separators, others
// with up to 4 significant decimals.
func Number(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return strconv.FormatFloat(x, 'g', -1, 64)
	case x == math.Trunc(x) && math.Abs(x) < 1e15:
		if x < 0 {
			return "-" + Thousands(int(-x))
		}
		return Thousands(int(x))
	case math.Abs(x) >= 1000:
		return Thousands(int(math.Round(x)))
	}
	return strconv.FormatFloat(x, 'g', 4, 64)
}

func stat(x float64, kind string) string {
	if kind == "time" {
		return time.UnixMicro(int64(x)).UTC().Format("2006-01-02")
	}
	return Number(x)
}

func pct(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) + "%" }

// Profile renders a profile for people: columns by how strongly they
// distinguish the segment, numeric ones with their quantiles and the
// segment's spread over the base's deciles, categorical and list ones
// with their top values, bars and lifts.
func Profile(w io.Writer, p *analytics.Profile) {
	share := 0.0
	if p.Base > 0 {
		share = float64(p.Size) / float64(p.Base)
	}
	fmt.Fprintf(w, "%s users of %s in the base (%s); columns by how much they set the segment apart\n",
		Thousands(p.Size), Thousands(p.Base), pct(share))
	for _, c := range p.Columns {
		fmt.Fprintf(w, "\n%s  (%s, score %.2f)\n", c.Name, c.Kind, c.Score)
		switch {
		case c.Kind == "numeric" || c.Kind == "time":
			profileNumeric(w, c)
		default:
			profileValues(w, c)
		}
		if c.Suppressed {
			fmt.Fprintln(w, "  (cells under the minimum size are not shown)")
		}
	}
	if len(p.Identifying) > 0 {
		fmt.Fprintf(w, "\nleft out: %s (a different value on nearly every row; name them with --columns to profile them)\n",
			strings.Join(p.Identifying, ", "))
	}
	profileEvents(w, p.Events)
}

// profileEvents prints what the segment's users did against the base.
func profileEvents(w io.Writer, evs []analytics.EventProfile) {
	if len(evs) == 0 {
		return
	}
	fmt.Fprintln(w, "\nevents (all time): per user and share of users with one, segment against base")
	width := len("event")
	for _, ev := range evs {
		width = max(width, len(ev.Name))
	}
	fmt.Fprintf(w, "  %-*s  %8s  %8s  %7s  %7s\n", width, "event", "per user", "base", "share", "base")
	for _, ev := range evs {
		if ev.Suppressed {
			fmt.Fprintf(w, "  %-*s  %8s  %8.2f  %7s  %7s\n", width, ev.Name, "—", ev.BasePerUser, "—", pct(ev.BaseShare))
			continue
		}
		fmt.Fprintf(w, "  %-*s  %8.2f  %8.2f  %7s  %7s\n", width, ev.Name, ev.PerUser, ev.BasePerUser, pct(ev.Share), pct(ev.BaseShare))
	}
}

func profileNumeric(w io.Writer, c analytics.ColumnProfile) {
	rows := [][]string{{"", "mean", "p10", "median", "p90", "nulls"}}
	add := func(name string, s *analytics.NumStats) {
		if s == nil || s.Count == 0 {
			rows = append(rows, []string{name, "—", "—", "—", "—", Thousands(s.Nulls)})
			return
		}
		rows = append(rows, []string{name, stat(s.Mean, c.Kind), stat(s.P10, c.Kind), stat(s.Median, c.Kind), stat(s.P90, c.Kind), Thousands(s.Nulls)})
	}
	if c.Segment != nil {
		add("segment", c.Segment)
	}
	add("base", c.Base)
	if s, b := c.Segment, c.Base; s != nil && b != nil && s.Count > 0 && b.Count > 0 && c.Kind == "numeric" {
		rows = append(rows, []string{"difference", signed(s.Mean - b.Mean), signed(s.P10 - b.P10), signed(s.Median - b.Median), signed(s.P90 - b.P90), ""})
	}
	indent(w, rows, []bool{false, true, true, true, true, true})
	if len(c.Bins) > 0 {
		fmt.Fprintf(w, "  segment across the base's deciles, low to high  %s\n", Spark(c.Bins))
	}
}

func signed(x float64) string {
	if x >= 0 {
		return "+" + Number(x)
	}
	return Number(x)
}

func profileValues(w io.Writer, c analytics.ColumnProfile) {
	rows := [][]string{{"value", "share", "", "base", "lift"}}
	for _, v := range c.Values {
		lift := "—"
		if v.BaseShare > 0 {
			lift = strconv.FormatFloat(v.Lift, 'f', 2, 64) + "×"
		}
		rows = append(rows, []string{v.Value, pct(v.Share), Bar(v.Share, 20), pct(v.BaseShare), lift})
	}
	indent(w, rows, []bool{false, true, false, true, true})
}

// indent writes Columns output indented by two spaces.
func indent(w io.Writer, rows [][]string, right []bool) {
	var b strings.Builder
	Columns(&b, rows, right)
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		if line != "" {
			io.WriteString(w, "  "+line)
		}
	}
}

func count(n int) string {
	if n < 0 {
		return "<min"
	}
	return Thousands(n)
}

// Overlap renders segment sizes, pairwise intersections and the
// membership combinations (an UpSet list with bars).
func Overlap(w io.Writer, o *analytics.Overlap) {
	rows := [][]string{{"segment", "size", "exclusive"}}
	for i, n := range o.Names {
		rows = append(rows, []string{n, Thousands(o.Sizes[i]), count(o.Exclusive[i])})
	}
	Columns(w, rows, []bool{false, true, true})
	fmt.Fprintln(w)
	rows = [][]string{{"a", "b", "both", "jaccard"}}
	for _, p := range o.Pairs {
		j := "—"
		if p.Both >= 0 {
			j = strconv.FormatFloat(p.Jaccard, 'f', 3, 64)
		}
		rows = append(rows, []string{p.NameA, p.NameB, count(p.Both), j})
	}
	Columns(w, rows, []bool{false, false, true, true})
	fmt.Fprintf(w, "\nin exactly these segments (%s in at least one)\n", Thousands(o.Union))
	top := 0
	for _, c := range o.Combinations {
		top = max(top, c.Count)
	}
	rows = [][]string{{"segments", "users", ""}}
	for _, c := range o.Combinations {
		bar := ""
		if c.Count > 0 && top > 0 {
			bar = Bar(float64(c.Count)/float64(top), 30)
		}
		rows = append(rows, []string{strings.Join(c.Segments, " & "), count(c.Count), bar})
	}
	Columns(w, rows, []bool{false, true, false})
	if o.Suppressed > 0 {
		fmt.Fprintf(w, "(%d cells under the minimum size are shown as <min)\n", o.Suppressed)
	}
}

// Clustering renders cluster sizes and centroids in the columns' units.
func Clustering(w io.Writer, c *analytics.Clustering) {
	total := c.Skipped
	for _, n := range c.Sizes {
		total += n
	}
	fmt.Fprintf(w, "k = %d, %d iterations, silhouette %.3f (sample)", c.K, c.Iterations, c.Silhouette)
	if c.Skipped > 0 {
		fmt.Fprintf(w, ", %s rows with a missing feature in no cluster", Thousands(c.Skipped))
	}
	fmt.Fprintln(w)
	if len(c.Candidates) > 0 {
		var parts []string
		for _, k := range c.Candidates {
			parts = append(parts, fmt.Sprintf("k=%d: %.3f", k.K, k.Silhouette))
		}
		fmt.Fprintf(w, "silhouette by k: %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w)
	head := append([]string{"cluster", "users", "share"}, c.Features...)
	rows := [][]string{head}
	right := make([]bool, len(head))
	for i := range right {
		right[i] = true
	}
	for i, n := range c.Sizes {
		row := []string{strconv.Itoa(i + 1), Thousands(n), pct(float64(n) / float64(max(1, total)))}
		for _, v := range c.Centroids[i] {
			row = append(row, Number(v))
		}
		rows = append(rows, row)
	}
	Columns(w, rows, right)
}

// Split renders an experiment's arms.
func Split(w io.Writer, s *analytics.Split) {
	rows := [][]string{{"arm", "percent", "buckets", "users", "share"}}
	for _, a := range s.Arms {
		rows = append(rows, []string{a.Name, Number(a.Percent) + "%", fmt.Sprintf("%d–%d", a.From, a.To-1), Thousands(a.Count),
			pct(float64(a.Count) / float64(max(1, s.Total)))})
	}
	if s.Held > 0 {
		rows = append(rows, []string{"(held out)", "", "", Thousands(s.Held), pct(float64(s.Held) / float64(max(1, s.Total)))})
	}
	Columns(w, rows, []bool{false, true, true, true, true})
	fmt.Fprintf(w, "salt %q: arm = the bucket range holding bucket(id, %q)\n", s.Salt, s.Salt)
}
