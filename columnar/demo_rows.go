package columnar

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// demoGen generates one batch of demo users from its own random stream.
type demoGen struct {
	r      *rand.Rand
	seed   uint64
	anchor time.Time
	mem    memory.Allocator
	dicts  map[string]arrow.Array
}

// demoUser is one generated row before it is appended to the builders.
type demoUser struct {
	age                                      int32
	ageNull                                  bool
	gender, education, occupation            int16 // -1 = null
	income                                   float64
	incomeNull                               bool
	place                                    int
	signup                                   int32 // days since epoch
	lastSeen, lastPurchase                   int64 // µs
	sessions, p30, p90, orders               int32
	revenue, aov, discount, churn            float64
	premium                                  bool
	plan, device                             int16
	nps                                      int32
	npsNull, optIn, optInNull, interestsNull bool
	interests                                []string
	id                                       int64
	engagement                               float64
	dealSeeker                               bool
	purchases                                []demoPurchase // oldest first
}

var placeCum = func() []float64 {
	out := make([]float64, len(placeWeights))
	s := 0.0
	for i, w := range placeWeights {
		s += w
		out[i] = s
	}
	for i := range out {
		out[i] /= s
	}
	return out
}()

// placeIndex maps a place to the dictionary index of each of its fields.
var placeIndex = func() [][4]int16 {
	idx := func(get func(place) string) map[string]int16 {
		m := map[string]int16{}
		for _, p := range places {
			if _, ok := m[get(p)]; !ok {
				m[get(p)] = int16(len(m))
			}
		}
		return m
	}
	c, r, ci, cl := idx(func(p place) string { return p.country }), idx(func(p place) string { return p.region }),
		idx(func(p place) string { return p.city }), idx(func(p place) string { return p.climate })
	out := make([][4]int16, len(places))
	for i, p := range places {
		out[i] = [4]int16{c[p.country], r[p.region], ci[p.city], cl[p.climate]}
	}
	return out
}()

func (g *demoGen) chance(p float64) bool { return g.r.Float64() < p }

func (g *demoGen) user(id int64) demoUser {
	r := g.r
	u := demoUser{id: id}
	age := 18 + math.Abs(r.NormFloat64()*16+14)
	u.age = int32(min(age, 90))
	u.ageNull = g.chance(0.02)
	u.gender = int16(weighted(r, []float64{0.49, 0.97, 1}))
	if g.chance(0.015) {
		u.gender = -1
	}
	// Older users earn more, up to their fifties.
	base := 18000 + 1100*math.Min(float64(u.age-18), 37)
	u.income = math.Round(base*math.Exp(r.NormFloat64()*0.45)/100) * 100
	u.incomeNull = g.chance(0.05)
	u.education = int16(weighted(r, []float64{0.3, 0.65, 0.88, 0.94, 1}))
	if u.education >= 2 {
		u.income = math.Round(u.income*1.25/100) * 100
	}
	if g.chance(0.02) {
		u.education = -1
	}
	u.occupation = g.occupation(u.age)
	u.place = weighted(r, placeCum)
	days := int32(g.anchor.Unix() / 86400)
	u.signup = days - int32(r.IntN(6*365))
	g.behaviour(&u, days)
	return u
}

func (g *demoGen) occupation(age int32) int16 {
	switch {
	case g.chance(0.03):
		return -1
	case age < 25 && g.chance(0.55):
		return 0
	case age > 66 && g.chance(0.8):
		return 13
	}
	return int16(1 + g.r.IntN(12) + g.r.IntN(2)*int(boolInt(g.chance(0.05)))*1)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// behaviour fills the behavioural and psychographic fields: engaged users
// are seen recently and buy more; deal seekers have a high discount share.
func (g *demoGen) behaviour(u *demoUser, today int32) {
	r := g.r
	engagement := r.ExpFloat64() // mean 1
	anchorUS := g.anchor.UnixMicro()
	signupUS := int64(u.signup) * 86400e6
	gap := int64(r.ExpFloat64() * 20 / engagement * 86400e6)
	u.lastSeen = max(anchorUS-gap-int64(r.IntN(86400))*1e6, signupUS)
	u.sessions = int32(math.Min(r.ExpFloat64()*6*engagement, 200))
	if anchorUS-u.lastSeen > 30*86400e6 {
		u.sessions = 0
	}
	dealSeeker := g.chance(0.22)
	rate := 0.6 * engagement
	if dealSeeker {
		rate *= 1.4
	}
	u.p30 = poisson(r, rate)
	u.p90 = u.p30 + poisson(r, 2*rate)
	tenure := float64(today-u.signup) / 30
	u.orders = u.p90 + poisson(r, rate*tenure*0.5)
	u.premium = g.chance(0.12 + 0.1*math.Min(engagement, 2))
	u.plan = int16(weighted(r, []float64{0.55, 0.85, 1, 1}))
	if u.premium {
		u.plan = 2 + int16(boolInt(g.chance(0.15)))
	}
	u.engagement, u.dealSeeker = engagement, dealSeeker
	if u.orders > 0 {
		aov := 25 + 40*math.Exp(r.NormFloat64()*0.6) + float64(u.age)*0.8
		if u.premium {
			aov *= 1.3
		}
		d := r.Float64() * 0.35
		if dealSeeker {
			d = 0.5 + r.Float64()*0.5
		}
		u.discount = math.Round(d*1000) / 1000
		_ = r.ExpFloat64() // draws kept, so the columns after them do not change
		if u.p30 > 0 {
			_ = r.IntN(30 * 86400)
		}
		g.purchases(u, aov, anchorUS, signupUS)
	}
	since := float64(anchorUS-u.lastSeen) / 86400e6
	u.churn = math.Round(math.Min(1, since/90+0.1*r.Float64())*1000) / 1000
	u.nps = int32(min(10, max(0, int(7+r.NormFloat64()*2.2+boolF(u.premium)))))
	u.npsNull = g.chance(0.55)
	u.optIn = g.chance(0.4)
	u.optInNull = g.chance(0.02)
	u.device = int16(weighted(r, []float64{0.35, 0.7, 0.9, 1}))
	u.interests = g.interests(u, dealSeeker)
	u.interestsNull = g.chance(0.01)
}

func boolF(b bool) float64 { return float64(boolInt(b)) }

// demoPurchase is one purchase of a demo user.
type demoPurchase struct {
	time  int64 // µs
	cents int64
}

// userRand is a demo user's own random stream, for the events: the same
// user gets the same events whether or not the events table is built.
func (g *demoGen) userRand(id int64) *rand.Rand {
	return rand.New(rand.NewPCG(g.seed^0x5e9a_e7e2, uint64(id)))
}

// purchases places the user's purchases in time (p30 in the last 30 days,
// p90-p30 in the 60 days before, the rest between signup and then; counts
// fold into later windows when the user signed up too recently for an
// earlier one) and derives the purchase columns from them, so that
// purchases_30d is count(purchase within 30d), orders_total is
// count(purchase), last_purchase is last_time(purchase) and revenue_total
// is sum(purchase.amount) rounded to cents. A purchase is a visit: the
// last visit is at least the last purchase.
func (g *demoGen) purchases(u *demoUser, aov float64, anchorUS, signupUS int64) {
	const day = int64(86400e6)
	if signupUS >= anchorUS-30*day {
		u.p90, u.orders = u.p30, u.p30
	} else if signupUS >= anchorUS-90*day {
		u.orders = u.p90
	}
	if u.orders == 0 {
		return
	}
	pr := g.userRand(u.id)
	// uniform returns a whole second in [lo, hi) (lo when empty).
	uniform := func(lo, hi int64) int64 {
		n := (hi - lo) / 1e6
		if n <= 0 {
			return lo
		}
		return lo + pr.Int64N(n)*1e6
	}
	ps := make([]demoPurchase, 0, u.orders)
	add := func(n int32, lo, hi int64) {
		for range n {
			c := int64(math.Round(aov * math.Exp(pr.NormFloat64()*0.35) * 100))
			ps = append(ps, demoPurchase{time: uniform(lo, hi), cents: max(c, 99)})
		}
	}
	add(u.orders-u.p90, signupUS, anchorUS-90*day)
	add(u.p90-u.p30, max(signupUS, anchorUS-90*day), anchorUS-30*day)
	add(u.p30, max(signupUS, anchorUS-30*day), anchorUS+1e6)
	slices.SortStableFunc(ps, func(a, b demoPurchase) int { return cmp.Compare(a.time, b.time) })
	var cents int64
	for _, p := range ps {
		cents += p.cents
	}
	u.purchases = ps
	u.revenue = float64(cents) / 100
	u.aov = math.Round(float64(cents)/float64(u.orders)) / 100
	u.lastPurchase = ps[len(ps)-1].time
	u.lastSeen = max(u.lastSeen, u.lastPurchase)
}

// interests picks 0–5 interests with correlations to age and behaviour.
func (g *demoGen) interests(u *demoUser, dealSeeker bool) []string {
	w := make([]float64, len(interests))
	for i := range w {
		w[i] = 1
	}
	young, old := u.age < 30, u.age > 50
	set := func(name string, v float64) {
		for i, n := range interests {
			if n == name {
				w[i] *= v
			}
		}
	}
	if young {
		set("gaming", 4)
		set("fitness", 2)
		set("running", 1.5)
		set("fashion", 2)
	}
	if old {
		set("meditation", 2.5)
		set("mindful_living", 2.5)
		set("reading", 2)
		set("gaming", 0.3)
	}
	if dealSeeker {
		set("deals", 8)
	} else {
		set("deals", 0.4)
	}
	if u.churn > 0.6 {
		set("stress_relief", 2)
	}
	n := g.r.IntN(6)
	out := make([]string, 0, n)
	for len(out) < n {
		tot := 0.0
		for _, x := range w {
			tot += x
		}
		pick, acc := g.r.Float64()*tot, 0.0
		for i, x := range w {
			acc += x
			if pick < acc {
				out = append(out, interests[i])
				w[i] = 0
				break
			}
		}
	}
	return out
}

func weighted(r *rand.Rand, cum []float64) int {
	x := r.Float64() * cum[len(cum)-1]
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}

func poisson(r *rand.Rand, lambda float64) int32 {
	if lambda > 30 {
		return int32(max(0, math.Round(lambda+math.Sqrt(lambda)*r.NormFloat64())))
	}
	l, k, p := math.Exp(-lambda), int32(0), 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}
