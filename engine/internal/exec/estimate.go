package exec

import (
	"github.com/segql/segql/engine/internal/optimizer"
	"github.com/segql/segql/engine/internal/plan"
)

// estimate measures, once per program, every and/or term's selectivity
// on the table's sample rows, and orders each and/or's terms by it and by
// the plan's cost estimates (Plain programs keep the written order). The plan's own estimates
// stand for terms the sample cannot measure.
//
// now is the now() the sample sees (the first run's, or the caller's).
func (p *Program) estimate(now int64) {
	p.estOnce.Do(func() {
		p.estimates = make([]plan.Estimate, p.nslots)
		for s, n := range p.nodes {
			p.estimates[s] = n.Estimate
		}
		if !p.plain && p.stats != nil && len(p.logic) > 0 {
			p.sampleTerms(now)
		}
		p.orders = make([][]int, len(p.logic))
		for i, l := range p.logic {
			order := make([]int, len(l.terms))
			for j := range order {
				order[j] = j
			}
			if !p.plain {
				terms := make([]*plan.Node, len(l.terms))
				for j := range terms {
					terms[j] = &plan.Node{Estimate: p.estimates[l.termSlots[j]], Span: l.node.Args[j].Span}
				}
				if sorted := optimizer.OrderTerms(l.isAnd, terms, func(t *plan.Node) (float64, float64) {
					return t.Estimate.Cost, t.Estimate.Selectivity
				}); sorted != nil {
					for j, t := range sorted {
						for k := range terms {
							if terms[k] == t {
								order[j] = k
							}
						}
					}
				}
			}
			p.orders[i] = order
		}
	})
}

// sampleTerms evaluates each and/or term alone on the sample rows.
func (p *Program) sampleTerms(now int64) {
	sample := p.stats.Sample()
	if len(sample) == 0 {
		return
	}
	type acc struct{ rows, tr int64 }
	accs := map[int]*acc{}
	// Terms with event conditions keep the plan's estimate: sampling them
	// would build (or load) the events index before the run.
	skip := make([][]bool, len(p.logic))
	for i, l := range p.logic {
		skip[i] = make([]bool, len(l.terms))
		for j := range l.terms {
			skip[i][j] = readsEvents(l.node.Args[j])
		}
	}
	c := p.buildCtx(now, nil)
	for _, bs := range sample {
		c.bind(bs.Batch, p.table.Batches[bs.Batch])
		for i, l := range p.logic {
			for j, t := range l.terms {
				if skip[i][j] {
					continue
				}
				v := t.eval(c, bs.Sel)
				a := accs[l.termSlots[j]]
				if a == nil {
					a = &acc{}
					accs[l.termSlots[j]] = a
				}
				a.rows += int64(bs.Sel.N)
				for w := range bs.Sel.W {
					tw, _, _ := v.Truth(w)
					a.tr += int64(popcount(tw & bs.Sel.W[w]))
				}
			}
		}
	}
	for s, a := range accs {
		if a.rows == 0 {
			continue
		}
		// The sample measures how often each term is TRUE; its cost stays
		// the plan's estimate (a few thousand rows time too noisily to
		// order by, and runs measure cost themselves).
		e := p.estimates[s]
		e.Selectivity = float64(a.tr) / float64(a.rows)
		e.Sampled = true
		p.estimates[s] = e
	}
}

// termEstimate is the program's estimate of a term: cost per row and the
// share of rows it decides (FALSE for and, TRUE for or).
func (p *Program) termEstimate(l *logicOp, i int) (cost, decided float64) {
	e := p.estimates[l.termSlots[i]]
	if l.isAnd {
		return e.Cost, 1 - e.Selectivity
	}
	return e.Cost, e.Selectivity
}

// Estimates returns the program's estimate of every slot (sampled for
// and/or terms, with now() at now if this is the first use).
func (p *Program) Estimates(now int64) []plan.Estimate {
	p.estimate(now)
	return p.estimates
}

// Orders returns the order each and/or's terms start in (after sampling),
// by node.
func (p *Program) Orders(now int64) map[*plan.Node][]int {
	p.estimate(now)
	out := make(map[*plan.Node][]int, len(p.logic))
	for i, l := range p.logic {
		out[l.node] = p.orders[i]
	}
	return out
}

// readsEvents reports a term with an event condition.
func readsEvents(n *plan.Node) bool {
	found := false
	plan.Walk([]*plan.Node{n}, func(m *plan.Node) { found = found || m.Op == plan.OpEvent })
	return found
}
