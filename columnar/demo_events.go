package columnar

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The demo events table: what the demo users did, consistent with their
// behavioural columns (see purchases and DemoEvents).

// DemoEventNames are the demo events' names, sorted.
var DemoEventNames = []string{"add_to_cart", "email_open", "login", "purchase", "push_click", "refund", "session_start", "view_item"}

// Indexes into DemoEventNames.
const (
	evAddToCart = iota
	evEmailOpen
	evLogin
	evPurchase
	evPushClick
	evRefund
	evSessionStart
	evViewItem
)

var (
	categories = []string{"beauty", "books", "electronics", "fashion", "grocery", "home", "sports", "toys"}
	campaigns  = []string{"black_friday", "newsletter", "spring_sale", "welcome", "winback"}
)

// DemoEventsSchema is the schema of the demo events table.
var DemoEventsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "user_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "event", Type: dictString()},
	{Name: "time", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "category", Type: dictString(), Nullable: true},
	{Name: "device", Type: dictString()},
	{Name: "campaign", Type: dictString(), Nullable: true},
}, nil)

// demoEvent is one generated event.
type demoEvent struct {
	user     int64
	time     int64
	name     int16
	cents    int64 // -1: no amount
	category int16 // -1: null
	device   int16
	campaign int16 // -1: null
}

// DemoEvents builds the events of the demo users that Demo(opts) builds:
// about 30 per user on average, heavy-tailed (a few very active users), in
// the order of the users. It is deterministic for the options, and
// consistent with the users' columns: for every user
//
//	purchases_30d = count(purchase within 30d)
//	purchases_90d = count(purchase within 90d)
//	orders_total  = count(purchase)
//	last_purchase = last_time(purchase)
//	revenue_total = sum(purchase.amount), rounded to cents
//	sessions_30d  = count(session_start within 30d)
//	last_seen     = last_time(login)
//
// with now() at the options' anchor. Batches are generated in parallel,
// each from the users' batch's own random streams.
func DemoEvents(opts DemoOptions) *Table {
	opts = demoDefaults(opts)
	batches := demoBatches(opts, func(g *demoGen, start, n int) arrow.RecordBatch {
		evs := make([]demoEvent, 0, n*40) // about 33 per user: grown rarely
		for i := range n {
			u := g.user(int64(start + i + 1))
			evs = g.events(&u, evs)
		}
		return g.eventBatch(evs)
	})
	return NewTable("events", DemoEventsSchema, batches)
}

// demoDefaults fills the options' defaults.
func demoDefaults(opts DemoOptions) DemoOptions {
	if opts.Rows <= 0 {
		opts.Rows = DemoRows
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Anchor.IsZero() {
		opts.Anchor = time.Now().UTC().Truncate(24 * time.Hour)
	}
	if opts.Mem == nil {
		opts.Mem = memory.DefaultAllocator
	}
	return opts
}

// events appends a user's events to evs.
func (g *demoGen) events(u *demoUser, evs []demoEvent) []demoEvent {
	const day = int64(86400e6)
	r := rand.New(rand.NewPCG(g.seed^0x0e7e_4750, uint64(u.id)))
	anchor := g.anchor.UnixMicro()
	signup := int64(u.signup) * day
	fav := int16(r.IntN(len(categories)))
	cat := func() int16 {
		if r.IntN(3) > 0 {
			return fav
		}
		return int16(r.IntN(len(categories)))
	}
	device := func() int16 {
		if r.IntN(10) > 0 {
			return u.device
		}
		return int16(r.IntN(len(devices)))
	}
	add := func(name int16, t, cents int64, category, campaign int16) {
		evs = append(evs, demoEvent{user: u.id, time: t, name: name, cents: cents, category: category, device: device(), campaign: campaign})
	}
	uniform := func(lo, hi int64) int64 { // a whole second in [lo, hi)
		if n := (hi - lo) / 1e6; n > 0 {
			return lo + r.Int64N(n)*1e6
		}
		return lo
	}
	// Purchases, each after a view and an add to cart; a few refunded.
	for _, p := range u.purchases {
		c := cat()
		if p.time >= anchor-90*day { // older history keeps the purchases only
			add(evViewItem, max(signup, p.time-int64(5+r.IntN(600))*60e6), p.cents, c, -1)
			add(evAddToCart, max(signup, p.time-int64(1+r.IntN(5))*60e6), p.cents, c, -1)
		}
		add(evPurchase, p.time, p.cents, c, -1)
		if r.IntN(20) == 0 {
			if t := p.time + int64(1+r.IntN(10))*day; t <= anchor {
				add(evRefund, t, p.cents, c, -1)
			}
		}
	}
	// Logins: one at the last visit, others before it.
	add(evLogin, u.lastSeen, -1, -1, -1)
	for range poisson(r, 1+u.engagement) {
		add(evLogin, uniform(signup, u.lastSeen), -1, -1, -1)
	}
	// Sessions: sessions_30d in the last 30 days (not after the last
	// visit), more before; each views a few items, sometimes carts one.
	sessions := make([]int64, 0, u.sessions)
	for range u.sessions {
		sessions = append(sessions, uniform(max(signup, anchor-30*day), min(u.lastSeen, anchor)+1e6))
	}
	if lo, hi := signup, min(u.lastSeen+1e6, anchor-30*day); lo < hi {
		for range poisson(r, math.Min(0.5*u.engagement*u.engagement, 100)) {
			sessions = append(sessions, uniform(lo, hi))
		}
	}
	for _, t := range sessions {
		add(evSessionStart, t, -1, -1, -1)
		for range poisson(r, 0.7) {
			price := int64(math.Round(1500 * math.Exp(r.NormFloat64()*0.7)))
			c := cat()
			add(evViewItem, t+int64(1+r.IntN(1200))*1e6, price, c, -1)
			if r.IntN(8) == 0 {
				add(evAddToCart, t+int64(1201+r.IntN(600))*1e6, price, c, -1)
			}
		}
	}
	// Messages: email opens for opted-in users, push clicks on phones.
	if u.optIn && !u.optInNull {
		for range poisson(r, 3*u.engagement) {
			add(evEmailOpen, uniform(max(signup, anchor-180*day), anchor), -1, -1, int16(r.IntN(len(campaigns))))
		}
	}
	if u.device <= 1 { // ios, android
		for range poisson(r, 1.5*u.engagement) {
			add(evPushClick, uniform(max(signup, anchor-180*day), anchor), -1, -1, int16(r.IntN(len(campaigns))))
		}
	}
	return evs
}

// eventBatch turns events into a record.
func (g *demoGen) eventBatch(evs []demoEvent) arrow.RecordBatch {
	n := len(evs)
	ts := DemoEventsSchema.Field(2).Type.(*arrow.TimestampType)
	cols := []arrow.Array{
		buildInt64(g, n, func(i int) (int64, bool) { return evs[i].user, true }),
		g.dict("event", n, func(i int) int16 { return evs[i].name }),
		buildTS(g, ts, n, func(i int) (int64, bool) { return evs[i].time, true }),
		buildFloat64(g, n, func(i int) (float64, bool) { return float64(evs[i].cents) / 100, evs[i].cents >= 0 }),
		g.dict("category", n, func(i int) int16 { return evs[i].category }),
		g.dict("device", n, func(i int) int16 { return evs[i].device }),
		g.dict("campaign", n, func(i int) int16 { return evs[i].campaign }),
	}
	rec := array.NewRecordBatch(DemoEventsSchema, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}
