package engine

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/segql/segql/engine/internal/exec"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/plan"
)

// Plan is a query's physical plan as a value: the optimizer's rules that
// applied, and the steps the program runs, each with its kernel, the
// optimizer's estimate and, from a run, what it observed.
type Plan struct {
	Source   string
	Rows     int64     // rows of the table
	Batches  int       // record batches of the table
	Rules    []RuleUse // optimizer rules that rewrote something
	Root     *Step     // the first step
	Observed bool      // the steps carry a run's observations
	Elapsed  time.Duration
	Members  int // from a run
}

// RuleUse is an optimizer rule and how many nodes it rewrote.
type RuleUse struct {
	Name  string
	Count int
}

// Step is one operation of the plan. And, or, not and named segments
// have their parts as sub-steps (an and/or's in the order estimated on a
// sample, the order each worker starts from); other steps are leaves.
type Step struct {
	Op     string // and, or, not, segment, range, dictionary, compare, …
	Text   string // what it computes, in segql
	Kernel string // how it runs
	Rule   string // the optimizer rule that made it, if any
	Shared bool   // one evaluation serves several parents

	EstCost        float64 // nanoseconds per row
	EstSelectivity float64 // fraction of rows TRUE (predicates)
	Sampled        bool    // the estimate was measured on a sample of the table

	Evals    int64 // batches it ran on (from a run)
	RowsIn   int64 // rows it was asked for
	RowsOut  int64 // and/or terms: rows left undecided after it (not for a shared step, a term of several)
	RowsTrue int64 // and, or and the plan's root: TRUE rows among those asked
	// Observed is the share of its rows the step passed: TRUE rows for
	// and, or and the root; rows not FALSE for a term of an and; TRUE rows
	// for a term of an or; -1 when the run did not measure it.
	Observed float64
	Time     time.Duration
	// Reorders counts, for an and/or, the times a worker changed the
	// order of its terms during the run, from what it observed; the
	// terms' rows in and out are then totals over the orders used.
	Reorders int64
	Steps    []*Step
	// Repeat marks a shared step shown in full earlier in the plan: it
	// has no sub-steps here, so a plan grows with its nodes, not with the
	// paths through them.
	Repeat bool
}

// Explain returns the query's plan (without observations: run it for
// those, and see Result.Explain).
func (q *Query) Explain() *Plan {
	return q.explain(nil)
}

// Explain returns the plan of the query the result is of, with what each
// step observed in the run that made the result.
func (r *Result) Explain() *Plan {
	p := r.query.explain(r.stats)
	p.Elapsed, p.Members = r.Elapsed, r.Count()
	return p
}

func (q *Query) explain(observed []exec.NodeStats) *Plan {
	p := &Plan{Source: q.src, Rows: q.engine.table.NumRows(), Batches: len(q.engine.table.Batches),
		Observed: observed != nil}
	for _, a := range q.applied {
		p.Rules = append(p.Rules, RuleUse{Name: a.Rule, Count: a.Count})
	}
	slots := map[*plan.Node]int{}
	for s, n := range q.prog.Nodes() {
		if _, ok := slots[n]; !ok {
			slots[n] = s
		}
	}
	now := q.now
	if now.IsZero() {
		now = time.Now()
	}
	b := &stepBuilder{shown: map[*plan.Node]bool{}, q: q, slots: slots, est: q.prog.Estimates(now.UnixMicro()), observed: observed,
		parents: plan.Parents([]*plan.Node{q.root}), orders: q.prog.Orders(now.UnixMicro())}
	p.Root = b.step(q.root, plan.OpConst)
	return p
}

type stepBuilder struct {
	shown    map[*plan.Node]bool // steps with sub-steps already in the plan
	q        *Query
	slots    map[*plan.Node]int
	est      []plan.Estimate
	observed []exec.NodeStats
	parents  map[*plan.Node]int
	orders   map[*plan.Node][]int
}

// step describes n, a part of a parent with operation parent.
func (b *stepBuilder) step(n *plan.Node, parent plan.Op) *Step {
	s := &Step{Op: n.Op.String(), Text: plan.Format(n), Kernel: b.kernel(n), Rule: n.Rule, Shared: b.parents[n] > 1,
		Observed: -1}
	if slot, ok := b.slots[n]; ok {
		e := b.est[slot]
		s.EstCost, s.EstSelectivity, s.Sampled = e.Cost, e.Selectivity, e.Sampled
		if b.observed != nil {
			o := b.observed[slot]
			s.Evals, s.RowsIn, s.RowsOut, s.RowsTrue, s.Time = o.Evals, o.RowsIn, o.RowsOut, o.RowsTrue, time.Duration(o.Nanos)
			s.Reorders = o.Reorders
			s.Observed = observedShare(n, parent, o)
			if s.Shared && o.Term { // its rows out mix the and/ors it is a term of
				s.RowsOut, s.Observed = 0, -1
			}
		}
	}
	if n.Op == plan.OpSegment {
		s.Text = n.Name
	}
	if len(n.Args) > 0 {
		if b.shown[n] {
			s.Repeat = true
			return s
		}
		b.shown[n] = true
	}
	switch n.Op {
	case plan.OpAnd, plan.OpOr:
		order := b.orders[n]
		if order == nil {
			for i := range n.Args {
				order = append(order, i)
			}
		}
		for _, i := range order {
			s.Steps = append(s.Steps, b.step(n.Args[i], n.Op))
		}
	case plan.OpNot, plan.OpSegment:
		s.Steps = append(s.Steps, b.step(n.Args[0], n.Op))
	}
	return s
}

// observedShare is the share of its rows a step passed (see Step.Observed).
func observedShare(n *plan.Node, parent plan.Op, o exec.NodeStats) float64 {
	if o.RowsIn == 0 {
		return -1
	}
	in := float64(o.RowsIn)
	switch {
	case n.Op == plan.OpAnd || n.Op == plan.OpOr || parent == plan.OpConst:
		return float64(o.RowsTrue) / in
	case o.Term && parent == plan.OpAnd:
		return float64(o.RowsOut) / in
	case o.Term && parent == plan.OpOr:
		return float64(o.RowsIn-o.RowsOut) / in
	}
	return -1
}

// kernel describes how a step runs.
func (b *stepBuilder) kernel(n *plan.Node) string {
	switch n.Op {
	case plan.OpAnd:
		return "narrows rows: later terms see only rows not yet FALSE"
	case plan.OpOr:
		return "narrows rows: later terms see only rows not yet TRUE"
	case plan.OpRange:
		return rangeKernel(n)
	case plan.OpDict:
		return "once per dictionary entry, then by code per row"
	case plan.OpLinear:
		return fmt.Sprintf("linear form over %s columns, in chunks, no overflow possible", typeNames(n.Args))
	case plan.OpChunked:
		return fmt.Sprintf("arithmetic a chunk of %d rows at a time, in cache", 1024)
	case plan.OpInRuns:
		return fmt.Sprintf("%d range pass(es) over %s values", len(n.Runs), n.Args[0].Col.Type)
	case plan.OpInSet:
		return fmt.Sprintf("hash set of %d values", n.Set.Len())
	case plan.OpIsNull:
		if x := n.Args[0]; x.Op == plan.OpColumn && x.Col.Top() {
			return "validity bitmap only"
		}
	case plan.OpLike:
		return "like: " + n.Like.Shape()
	case plan.OpMatches:
		return "RE2 regular expression (linear time)"
	case plan.OpContains:
		return fmt.Sprintf("list elements against %d value(s)", len(n.Needles.Needles))
	case plan.OpCompare:
		return "row by row over " + n.Args[0].Kind.String() + " values"
	case plan.OpCall:
		return "function " + n.Fn.Name
	case plan.OpRank:
		return "precomputed ranks of " + n.Args[0].Col.Name
	case plan.OpSegment:
		return "named segment"
	case plan.OpConst:
		return "constant"
	}
	return ""
}

func rangeKernel(n *plan.Node) string {
	col := n.Args[0].Col
	bd := n.Bounds
	simd := ""
	if kernels.SIMD() {
		simd = ", AVX2"
	}
	switch {
	case bd.Float != nil:
		return fmt.Sprintf("range over %s values%s", col.Type, simd)
	case bd.Uint != nil:
		return fmt.Sprintf("exact unsigned comparison over %s values%s", col.Type, simd)
	case !bd.Fixed():
		return fmt.Sprintf("range over %s values, bounds fixed per run%s", col.Type, simd)
	}
	r := bd.Scale.Native(bd.Cmp)
	not := ""
	if r.Neg {
		not = "not in "
	}
	return fmt.Sprintf("%s%s over %s values%s", not, boundsText(r), col.Type, simd)
}

func boundsText(r kernels.IntRange) string {
	switch {
	case r.Empty():
		return "empty range"
	case r.Lo == math.MinInt64 && r.Hi == math.MaxInt64:
		return "every value"
	case r.Lo == math.MinInt64:
		return fmt.Sprintf("≤ %d", r.Hi)
	case r.Hi == math.MaxInt64:
		return fmt.Sprintf("≥ %d", r.Lo)
	case r.Lo == r.Hi:
		return fmt.Sprintf("= %d", r.Lo)
	}
	return fmt.Sprintf("[%d, %d]", r.Lo, r.Hi)
}

func typeNames(args []*plan.Node) string {
	seen := map[string]bool{}
	var names []string
	for _, a := range args {
		t := a.Col.Type.(arrow.DataType).String()
		if !seen[t] {
			seen[t] = true
			names = append(names, t)
		}
	}
	return strings.Join(names, "/")
}

// String renders the plan as an indented table: one line per step, with
// its kernel, the estimated selectivity (* when measured on a sample), and
// from a run the observed selectivity, the rows it was asked for and left
// undecided (and/or terms), and its time (and/or terms).
func (p *Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "plan of %s over %s rows in %d batches", p.Source, thousands(p.Rows), p.Batches)
	if p.Observed {
		fmt.Fprintf(&b, ": %s members in %s", thousands(int64(p.Members)), p.Elapsed.Round(time.Microsecond))
	}
	b.WriteString("\n")
	if len(p.Rules) > 0 {
		parts := make([]string, len(p.Rules))
		for i, r := range p.Rules {
			parts[i] = fmt.Sprintf("%s ×%d", r.Name, r.Count)
		}
		b.WriteString("rules: " + strings.Join(parts, ", ") + "\n")
	}
	rows := [][]string{{"step", "kernel", "est.", "observed", "rows in", "rows out", "time"}}
	var walk func(s *Step, depth int)
	walk = func(s *Step, depth int) {
		rows = append(rows, p.stepRow(s, depth))
		for _, c := range s.Steps {
			walk(c, depth+1)
		}
	}
	walk(p.Root, 0)
	writeTable(&b, rows, p.Observed)
	if n := p.reordered(); n > 0 {
		fmt.Fprintf(&b, "terms are listed in their starting order; %d and/or changed it during the run from what it observed, and their terms' rows are totals over the orders used\n", n)
	}
	return b.String()
}

// reordered counts the and/or steps whose order changed during the run.
func (p *Plan) reordered() int {
	n := 0
	var walk func(s *Step)
	walk = func(s *Step) {
		if s.Reorders > 0 {
			n++
		}
		for _, c := range s.Steps {
			walk(c)
		}
	}
	walk(p.Root)
	return n
}

func (p *Plan) stepRow(s *Step, depth int) []string {
	text := s.Text
	if r := []rune(text); len(r) > 60 {
		text = string(r[:59]) + "…"
	}
	switch {
	case s.Repeat:
		text += " (shared, as above)"
	case s.Shared:
		text += " (shared)"
	}
	est := ""
	if s.EstSelectivity > 0 || s.Sampled {
		est = pct(s.EstSelectivity)
		if s.Sampled {
			est += "*"
		}
	}
	row := []string{indent(depth) + text, s.Kernel, est, "", "", "", ""}
	if p.Observed && s.RowsIn > 0 {
		if s.Observed >= 0 {
			row[3] = pct(s.Observed)
		}
		row[4] = thousands(s.RowsIn)
		if (s.Time > 0 || s.RowsOut > 0) && !s.Shared {
			row[5] = thousands(s.RowsOut)
		}
		if s.Time > 0 {
			row[6] = s.Time.Round(time.Microsecond).String()
		}
	}
	return row
}

// maxIndent is the deepest level a plan indents to; deeper steps show
// their level instead, so deep definitions keep the table readable.
const maxIndent = 12

func indent(depth int) string {
	if depth <= maxIndent {
		return strings.Repeat("  ", depth)
	}
	return strings.Repeat("  ", maxIndent) + fmt.Sprintf("[%d] ", depth)
}

func writeTable(b *strings.Builder, rows [][]string, observed bool) {
	cols := len(rows[0])
	if !observed {
		cols = 3
	}
	widths := make([]int, cols)
	for _, r := range rows {
		for i := 0; i < cols; i++ {
			widths[i] = max(widths[i], len([]rune(r[i])))
		}
	}
	for _, r := range rows {
		var line strings.Builder
		for i := 0; i < cols; i++ {
			cell := r[i]
			pad := strings.Repeat(" ", widths[i]-len([]rune(cell)))
			if i >= 2 { // numbers align right
				line.WriteString(pad + cell)
			} else {
				line.WriteString(cell + pad)
			}
			if i < cols-1 {
				line.WriteString("  ")
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}

func pct(x float64) string {
	switch {
	case x == 0:
		return "0%"
	case x < 0.001:
		return fmt.Sprintf("%.3f%%", 100*x)
	}
	return fmt.Sprintf("%.1f%%", 100*x)
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []string
	for len(s) > 3 {
		out = append([]string{s[len(s)-3:]}, out...)
		s = s[:len(s)-3]
	}
	out = append([]string{s}, out...)
	r := strings.Join(out, ",")
	if neg {
		r = "-" + r
	}
	return r
}
