package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
)

// The event tests build random users and events tables and compare every
// path (the vectorized run, Match over a table row, Match over a user's
// own events) with a reference written from SPEC.md's section on event
// conditions.

var evNow = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

var evNames = []string{"view", "buy", "login", "add to cart"}

var evUsersSchema = arrow.NewSchema([]arrow.Field{
	{Name: "user_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "age", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

var evSchema = arrow.NewSchema([]arrow.Field{
	{Name: "user_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "event", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "time", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "qty", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "cat", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}, Nullable: true},
}, nil)

// refEvent is one event as the reference reads it (nil: null).
type refEvent struct {
	row    int
	user   *int64
	name   *string
	time   *int64
	amount *float64
	qty    *int64
	cat    *string
}

type evWorld struct {
	ids    []*int64
	events []refEvent
	users  *columnar.Table
	evs    *columnar.Table
}

func ptr[T any](v T) *T { return &v }

// randWorld makes users (dense ids, or shuffled with duplicates and nulls)
// and events (ties in time, nulls in every column, unknown users, events
// in the future).
func randWorld(r *rand.Rand) *evWorld {
	w := &evWorld{}
	nu := r.IntN(60)
	dense := r.IntN(2) == 0
	for i := range nu {
		id := ptr(int64(i + 1))
		if !dense {
			switch r.IntN(10) {
			case 0:
				id = nil
			case 1:
				id = ptr(int64(r.IntN(nu) + 1)) // a duplicate, likely
			default:
				id = ptr(int64(r.IntN(3*nu) + 1))
			}
		}
		w.ids = append(w.ids, id)
	}
	ne := r.IntN(400)
	for i := range ne {
		e := refEvent{row: i}
		if r.IntN(25) != 0 {
			e.user = ptr(int64(r.IntN(3*nu+2) + 1))
		}
		if r.IntN(30) != 0 {
			e.name = ptr(evNames[r.IntN(len(evNames))])
		}
		if r.IntN(30) != 0 {
			e.time = ptr(evNow.UnixMicro() - int64(r.IntN(120)-10)*12*3600e6)
		}
		if r.IntN(5) != 0 {
			f := float64(r.IntN(40)-10) / 4
			switch r.IntN(30) {
			case 0:
				f = math.NaN()
			case 1:
				f = math.Copysign(0, -1)
			}
			e.amount = ptr(f)
		}
		if r.IntN(5) != 0 {
			q := int64(r.IntN(11) - 5)
			if r.IntN(60) == 0 {
				q = math.MaxInt64 - int64(r.IntN(3))
			}
			e.qty = ptr(q)
		}
		if r.IntN(4) != 0 {
			e.cat = ptr([]string{"a", "b", "c", "ab"}[r.IntN(4)])
		}
		w.events = append(w.events, e)
	}
	w.users = w.buildUsers(r)
	w.evs = w.buildEvents(r)
	return w
}

func sliceBatches(r *rand.Rand, whole arrow.RecordBatch, schema *arrow.Schema, name string) *columnar.Table {
	size := 1 + r.IntN(100)
	var batches []arrow.RecordBatch
	n := int(whole.NumRows())
	for start := 0; start < n; start += size {
		batches = append(batches, whole.NewSlice(int64(start), int64(min(start+size, n))))
	}
	if len(batches) == 0 {
		batches = append(batches, whole.NewSlice(0, 0))
	}
	return columnar.NewTable(name, schema, batches)
}

func (w *evWorld) buildUsers(r *rand.Rand) *columnar.Table {
	b := array.NewRecordBuilder(memory.DefaultAllocator, evUsersSchema)
	defer b.Release()
	for i, id := range w.ids {
		appendPtr(b.Field(0), id)
		b.Field(1).(*array.Int64Builder).Append(int64(i % 7))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return sliceBatches(r, rec, evUsersSchema, "users")
}

func (w *evWorld) buildEvents(r *rand.Rand) *columnar.Table { return w.buildEventsAs(r, evSchema) }

// buildEventsAs builds the events with schema (evSchema, or its time
// column in milliseconds).
func (w *evWorld) buildEventsAs(r *rand.Rand, schema *arrow.Schema) *columnar.Table {
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, e := range w.events {
		appendPtr(b.Field(0), e.user)
		appendPtr(b.Field(1), e.name)
		if e.time != nil && schema.Field(2).Type.(*arrow.TimestampType).Unit == arrow.Millisecond {
			appendPtr(b.Field(2), ptr(*e.time/1000))
		} else {
			appendPtr(b.Field(2), e.time)
		}
		appendPtr(b.Field(3), e.amount)
		appendPtr(b.Field(4), e.qty)
		appendPtr(b.Field(5), e.cat)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return sliceBatches(r, rec, schema, "events")
}

func appendPtr[T any](b array.Builder, p *T) {
	if p == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		b.Append(any(*p).(int64))
	case *array.StringBuilder:
		b.Append(any(*p).(string))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(any(*p).(int64)))
	case *array.Float64Builder:
		b.Append(any(*p).(float64))
	case *array.BinaryDictionaryBuilder:
		_ = b.AppendString(any(*p).(string))
	}
}

// evFilter is a filter's text and its three-valued meaning.
type evFilter struct {
	text string
	eval func(e refEvent) (truth int) // 1 TRUE, 0 FALSE, -1 UNKNOWN
}

func tri(b bool) int {
	if b {
		return 1
	}
	return 0
}

var evFilters = []evFilter{
	{"amount > 1", func(e refEvent) int {
		if e.amount == nil {
			return -1
		}
		return tri(*e.amount > 1 || math.IsNaN(*e.amount)) // NaN is above every number, as in SQL
	}},
	{"qty = 2", func(e refEvent) int {
		if e.qty == nil {
			return -1
		}
		return tri(*e.qty == 2)
	}},
	{`cat in ("a", "b")`, func(e refEvent) int {
		if e.cat == nil {
			return -1
		}
		return tri(*e.cat == "a" || *e.cat == "b")
	}},
	{"amount is null", func(e refEvent) int { return tri(e.amount == nil) }},
	{`(qty > 0 and cat = "a")`, func(e refEvent) int {
		a, b := -1, -1
		if e.qty != nil {
			a = tri(*e.qty > 0)
		}
		if e.cat != nil {
			b = tri(*e.cat == "a")
		}
		switch {
		case a == 0 || b == 0:
			return 0
		case a == 1 && b == 1:
			return 1
		}
		return -1
	}},
}

// evCond is a random event condition with its reference.
type evCond struct {
	fn     string // count, sum, … or did, or seq (a sequence)
	name   string
	steps  []evStep // seq: the later steps
	conv   int64    // seq: the most time from first to last (-1: any)
	prop   string
	filter *evFilter
	lo, hi int64 // window, inclusive; lo > hi: empty
	window string
}

func randCond(r *rand.Rand) evCond {
	c := evCond{name: evNames[r.IntN(len(evNames))], lo: math.MinInt64, hi: math.MaxInt64}
	fns := []string{"count", "count_distinct", "sum", "avg", "min", "max", "active_days", "first_time", "last_time", "did", "seq", "seq"}
	c.fn = fns[r.IntN(len(fns))]
	if c.fn == "seq" {
		return randSequence(r, c)
	}
	switch c.fn {
	case "sum", "avg":
		c.prop = []string{"amount", "qty"}[r.IntN(2)]
	case "min", "max", "count_distinct":
		c.prop = []string{"amount", "qty", "cat"}[r.IntN(3)]
	}
	if r.IntN(2) == 0 {
		c.filter = &evFilters[r.IntN(len(evFilters))]
	}
	now := evNow.UnixMicro()
	switch r.IntN(4) {
	case 1:
		d := int64(r.IntN(60))
		c.window = fmt.Sprintf("within %dd", d)
		c.lo, c.hi = now-d*86400e6, now
	case 2:
		a, b := now-int64(r.IntN(120))*12*3600e6, now-int64(r.IntN(120))*12*3600e6
		c.window = fmt.Sprintf("between %q and %q", time.UnixMicro(a).UTC().Format(time.RFC3339), time.UnixMicro(b).UTC().Format(time.RFC3339))
		c.lo, c.hi = a, b
	case 3:
		a, b := int64(r.IntN(60)), int64(r.IntN(60))
		c.window = fmt.Sprintf("between %dd and %dd ago", a, b)
		c.lo, c.hi = now-max(a, b)*86400e6, now-min(a, b)*86400e6
	}
	return c
}

// evStep is a later step of a sequence.
type evStep struct {
	name   string
	filter *evFilter
}

// randSequence draws a sequence of 2 or 3 steps (names often repeated),
// with a within (the time from first to last) or a between window.
func randSequence(r *rand.Rand, c evCond) evCond {
	pick := func() string { return evNames[r.IntN(2)] } // view, buy: repeats are common
	c.name = pick()
	c.conv = -1
	if r.IntN(2) == 0 {
		c.filter = &evFilters[r.IntN(len(evFilters))]
	}
	for range 1 + r.IntN(2) {
		st := evStep{name: pick()}
		if r.IntN(3) == 0 {
			st.filter = &evFilters[r.IntN(len(evFilters))]
		}
		c.steps = append(c.steps, st)
	}
	now := evNow.UnixMicro()
	switch r.IntN(3) {
	case 0:
		h := int64(r.IntN(200))
		c.window = fmt.Sprintf("within %dh", h)
		c.conv = h * 3600e6
	case 1:
		a, b := int64(r.IntN(60)), int64(r.IntN(60))
		c.window = fmt.Sprintf("between %dd and %dd ago", a, b)
		c.lo, c.hi = now-max(a, b)*86400e6, now-min(a, b)*86400e6
	}
	return c
}

// seqText is a sequence in segql.
func (c evCond) seqText() string {
	quote := func(n string) string {
		if strings.Contains(n, " ") {
			return "`" + n + "`"
		}
		return n
	}
	s := "did " + quote(c.name)
	if c.filter != nil {
		s += " where " + c.filter.text
	}
	for _, st := range c.steps {
		s += " then " + quote(st.name)
		if st.filter != nil {
			s += " where (" + st.filter.text + ")"
		}
	}
	if c.window != "" {
		s += " " + c.window
	}
	return s
}

// refSequence searches every choice of distinct events for the steps.
func (w *evWorld) refSequence(c evCond, u int) bool {
	id := w.ids[u]
	if id == nil {
		return false
	}
	match := func(e refEvent, name string, f *evFilter) bool {
		return e.user != nil && *e.user == *id && e.name != nil && *e.name == name && e.time != nil &&
			*e.time >= c.lo && *e.time <= c.hi && (f == nil || f.eval(e) == 1)
	}
	type step struct {
		name   string
		filter *evFilter
	}
	steps := []step{{c.name, c.filter}}
	for _, st := range c.steps {
		steps = append(steps, step{st.name, st.filter})
	}
	var try func(i int, used []int, first, prev int64) bool
	try = func(i int, used []int, first, prev int64) bool {
		if i == len(steps) {
			return true
		}
		for k, e := range w.events {
			if !match(e, steps[i].name, steps[i].filter) || slices.Contains(used, k) {
				continue
			}
			t := *e.time
			if i > 0 && (t < prev || (c.conv >= 0 && t > first+c.conv)) {
				continue
			}
			f := first
			if i == 0 {
				f = t
			}
			if try(i+1, append(slices.Clone(used), k), f, t) {
				return true
			}
		}
		return false
	}
	return try(0, nil, 0, 0)
}

// text is the condition in segql (did: the at least N times form).
func (c evCond) text(times int64) string {
	name := c.name
	if strings.Contains(name, " ") {
		name = "`" + name + "`"
	}
	if c.prop != "" {
		name += "." + c.prop
	}
	if c.fn == "did" {
		s := "did " + name
		if c.window != "" {
			s += " " + c.window
		}
		if c.filter != nil {
			s += " where " + c.filter.text
		}
		return s + fmt.Sprintf(" at least %d times", times)
	}
	s := c.fn + "(" + name
	if c.filter != nil {
		s += " where " + c.filter.text
	}
	if c.window != "" {
		s += " " + c.window
	}
	return s + ")"
}

// refValue computes the condition for user row u: the value (nil: null)
// or an error.
func (w *evWorld) refValue(c evCond, u int) (any, error) {
	id := w.ids[u]
	var evs []refEvent
	if id != nil {
		for _, e := range w.events {
			if e.user == nil || *e.user != *id || e.name == nil || *e.name != c.name || e.time == nil {
				continue
			}
			if *e.time < c.lo || *e.time > c.hi {
				continue
			}
			if c.filter != nil && c.filter.eval(e) != 1 {
				continue
			}
			evs = append(evs, e)
		}
	}
	slices.SortStableFunc(evs, func(a, b refEvent) int { return cmp.Compare(*a.time, *b.time) })
	switch c.fn {
	case "count", "did":
		return int64(len(evs)), nil
	case "active_days":
		days := map[int64]bool{}
		for _, e := range evs {
			days[int64(math.Floor(float64(*e.time)/86400e6))] = true
		}
		return int64(len(days)), nil
	case "first_time", "last_time":
		if len(evs) == 0 {
			return nil, nil
		}
		if c.fn == "first_time" {
			return *evs[0].time, nil
		}
		return *evs[len(evs)-1].time, nil
	}
	var fs []float64
	var is []int64
	var ss []string
	for _, e := range evs {
		switch {
		case c.prop == "amount" && e.amount != nil:
			fs = append(fs, *e.amount)
		case c.prop == "qty" && e.qty != nil:
			is = append(is, *e.qty)
		case c.prop == "cat" && e.cat != nil:
			ss = append(ss, *e.cat)
		}
	}
	n := len(fs) + len(is) + len(ss)
	switch c.fn {
	case "count_distinct":
		seen := map[string]bool{}
		for _, f := range fs {
			if f == 0 {
				f = 0
			}
			seen[fmt.Sprint(f)] = true
		}
		for _, i := range is {
			seen[fmt.Sprint(i)] = true
		}
		for _, s := range ss {
			seen[s] = true
		}
		return int64(len(seen)), nil
	case "sum":
		if n == 0 {
			if len(evs) > 0 {
				return nil, nil
			}
			if c.prop == "amount" {
				return 0.0, nil
			}
			return int64(0), nil
		}
		if c.prop == "amount" {
			t := 0.0
			for _, f := range fs {
				t += f
			}
			return t, nil
		}
		t := int64(0)
		for _, i := range is {
			if (i > 0 && t > math.MaxInt64-i) || (i < 0 && t < math.MinInt64-i) {
				return nil, ErrOverflow
			}
			t += i
		}
		return t, nil
	}
	if n == 0 {
		return nil, nil
	}
	switch c.fn {
	case "avg":
		t := 0.0
		for _, f := range fs {
			t += f
		}
		for _, i := range is {
			t += float64(i)
		}
		return t / float64(n), nil
	case "min", "max":
		sign := 1
		if c.fn == "max" {
			sign = -1
		}
		switch c.prop {
		case "amount":
			best := fs[0]
			for _, f := range fs[1:] {
				if sign*floatCmp(f, best) < 0 {
					best = f
				}
			}
			return best, nil
		case "qty":
			best := is[0]
			for _, i := range is[1:] {
				if sign*cmp.Compare(i, best) < 0 {
					best = i
				}
			}
			return best, nil
		}
		best := ss[0]
		for _, s := range ss[1:] {
			if sign*cmp.Compare(s, best) < 0 {
				best = s
			}
		}
		return best, nil
	}
	panic(c.fn)
}

func floatCmp(a, b float64) int {
	switch an, bn := a != a, b != b; {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return cmp.Compare(a, b)
}

// predicate turns a condition into a predicate `cond >= v` with v a value
// some user has (so the bound is exercised), and its reference truth.
func (w *evWorld) predicate(r *rand.Rand, c evCond) (string, func(u int) (int, error)) {
	var pick any
	for range 5 {
		if len(w.ids) == 0 {
			break
		}
		if v, err := w.refValue(c, r.IntN(len(w.ids))); err == nil && v != nil {
			pick = v
			break
		}
	}
	if c.fn == "seq" {
		not := r.IntN(3) == 0
		text := c.seqText()
		if not {
			text = "not " + text
		}
		return text, func(u int) (int, error) {
			return tri(w.refSequence(c, u) != not), nil
		}
	}
	if c.fn == "did" {
		times := int64(r.IntN(3))
		if p, ok := pick.(int64); ok {
			times = p
		}
		return c.text(times), func(u int) (int, error) {
			v, err := w.refValue(c, u)
			if err != nil {
				return 0, err
			}
			return tri(v.(int64) >= times), nil
		}
	}
	lit := "1"
	switch p := pick.(type) {
	case int64:
		lit = fmt.Sprint(p)
		if c.fn == "first_time" || c.fn == "last_time" {
			lit = fmt.Sprintf("%q", time.UnixMicro(p).UTC().Format(time.RFC3339))
		}
	case float64:
		lit = fmt.Sprint(p)
		if math.IsNaN(p) || math.IsInf(p, 0) {
			lit = "1.5"
		}
	case string:
		lit = fmt.Sprintf("%q", p)
	default:
		if c.fn == "first_time" || c.fn == "last_time" {
			lit = `"2026-05-01"`
		} else if c.prop == "cat" && (c.fn == "min" || c.fn == "max") {
			lit = `"b"`
		}
	}
	text := c.text(0) + " >= " + lit
	return text, func(u int) (int, error) {
		v, err := w.refValue(c, u)
		if err != nil || v == nil {
			return -1, err
		}
		switch x := v.(type) {
		case int64:
			if c.fn == "first_time" || c.fn == "last_time" {
				t, _ := time.Parse(time.RFC3339, strings.Trim(lit, `"`))
				if len(lit) == len(`"2026-05-01"`) {
					t, _ = time.Parse("2006-01-02", strings.Trim(lit, `"`))
				}
				return tri(x >= t.UnixMicro()), nil
			}
			var b float64
			fmt.Sscan(lit, &b)
			if c.fn == "avg" || strings.ContainsAny(lit, ".e") {
				return tri(float64(x) >= b), nil
			}
			var bi int64
			fmt.Sscan(lit, &bi)
			return tri(x >= bi), nil
		case float64:
			var b float64
			fmt.Sscan(lit, &b)
			return tri(floatCmp(x, b) >= 0), nil
		case string:
			return tri(x >= strings.Trim(lit, `"`)), nil
		}
		panic(v)
	}
}

// userEvents returns user row u's events for WithEvents, in table order
// (ignored ones left out, as the index does).
func (w *evWorld) userEvents(u int) []Event {
	id := w.ids[u]
	if id == nil {
		return nil
	}
	var out []Event
	for _, e := range w.events {
		if e.user == nil || *e.user != *id || e.name == nil || e.time == nil {
			continue
		}
		ev := Event{Name: *e.name, Time: time.UnixMicro(*e.time).UTC(), Props: map[string]any{}}
		if e.amount != nil {
			ev.Props["amount"] = *e.amount
		}
		if e.qty != nil {
			ev.Props["qty"] = *e.qty
		}
		if e.cat != nil {
			ev.Props["cat"] = *e.cat
		}
		out = append(out, ev)
	}
	return out
}

func TestEventsDifferential(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 60
	}
	if n, err := strconv.Atoi(os.Getenv("SEGQL_EVENT_SEEDS")); err == nil {
		seeds = n // a longer search: SEGQL_EVENT_SEEDS=5000
	}
	for seed := range seeds {
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		w := randWorld(r)
		e := Open(w.users)
		_, err := e.AttachEvents(context.Background(), w.evs, "user_id", EventOptions{})
		require.NoError(t, err)
		for range 8 {
			c := randCond(r)
			text, ref := w.predicate(r, c)
			if r.IntN(3) == 0 {
				text = "age >= 2 and " + text
				inner := ref
				ref = func(u int) (int, error) {
					if u%7 < 2 {
						return 0, nil
					}
					return inner(u)
				}
			}
			q, err := e.Compile(text, WithNow(evNow))
			if err != nil {
				if strings.Contains(err.Error(), "there are no events named") {
					continue
				}
				t.Fatalf("seed %d: %s: %v", seed, text, err)
			}
			w.compare(t, e, q, text, ref, seed)
		}
	}
}

// compare checks Run, Match over table rows and Match over each user's
// own events against the reference.
func (w *evWorld) compare(t *testing.T, e *Engine, q *Query, text string, ref func(int) (int, error), seed int) {
	t.Helper()
	want := make([]int, len(w.ids))
	var wantErr error
	for u := range w.ids {
		v, err := ref(u)
		want[u] = v
		if err != nil && wantErr == nil {
			wantErr = err
		}
	}
	res, err := q.Run(context.Background())
	if wantErr != nil {
		if !errors.Is(err, wantErr) {
			t.Fatalf("seed %d: %s: Run error %v, want %v", seed, text, err, wantErr)
		}
	} else {
		require.NoError(t, err, "seed %d: %s", seed, text)
		got := make([]int, len(w.ids))
		res.Each(func(row int64) bool { got[row] = 1; return true })
		unknown := 0
		for u := range want {
			if want[u] == -1 {
				unknown++
			}
			if (want[u] == 1) != (got[u] == 1) {
				t.Fatalf("seed %d: %s: user row %d (id %v): Run says %d, the reference %d", seed, text, u, w.ids[u], got[u], want[u])
			}
		}
		require.Equal(t, unknown, res.Unknown(), "seed %d: %s: unknown rows", seed, text)
	}
	for u := range w.ids {
		wantTruth, werr := ref(u)
		tr, err := q.TruthAt(e.RowAt(int64(u)), evNow)
		checkTruth(t, seed, text, u, "Match(RowAt)", tr, err, wantTruth, werr)
		row, err := e.WithEvents(MapRow{"age": int64(u % 7)}, w.userEvents(u))
		require.NoError(t, err)
		tr, err = q.TruthAt(row, evNow)
		checkTruth(t, seed, text, u, "Match(WithEvents)", tr, err, wantTruth, werr)
	}
}

func checkTruth(t *testing.T, seed int, text string, u int, path string, got Truth, err error, want int, werr error) {
	t.Helper()
	if werr != nil {
		if !errors.Is(err, werr) {
			t.Fatalf("seed %d: %s: user row %d: %s error %v, want %v", seed, text, u, path, err, werr)
		}
		return
	}
	if err != nil {
		t.Fatalf("seed %d: %s: user row %d: %s: %v", seed, text, u, path, err)
	}
	w := map[int]Truth{1: True, 0: False, -1: Unknown}[want]
	if got != w {
		t.Fatalf("seed %d: %s: user row %d: %s says %s, the reference %s", seed, text, u, path, got, w)
	}
}

// TestEventsConcurrent: runs and single-user matches of event conditions
// from many goroutines, at many nows (more than the prepared-condition
// cache holds), agree with a sequential run (go test -race).
func TestEventsConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(99, 1))
	w := randWorld(r)
	for len(w.ids) < 20 {
		w = randWorld(r)
	}
	e := Open(w.users)
	_, err := e.AttachEvents(context.Background(), w.evs, "user_id", EventOptions{})
	require.NoError(t, err)
	q, err := e.Compile(`count(buy within 20d where amount > 1) >= 1 or sum(view.amount within 30d) > 2 or did login within 10d`)
	require.NoError(t, err)
	want := map[int64]int{}
	for d := range 80 {
		res, err := q.Run(context.Background(), At(evNow.Add(time.Duration(d)*12*time.Hour)))
		require.NoError(t, err)
		want[int64(d)] = res.Count()
	}
	done := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 40 {
				d := int64((g*7 + i*13) % 80)
				at := evNow.Add(time.Duration(d) * 12 * time.Hour)
				res, err := q.Run(context.Background(), At(at), Workers(2))
				if err != nil || res.Count() != want[d] {
					done <- fmt.Errorf("run at %v: %d members, want %d (%v)", at, res.Count(), want[d], err)
					return
				}
				n := 0
				for u := range w.ids {
					tr, err := q.TruthAt(e.RowAt(int64(u)), at)
					if err != nil {
						done <- err
						return
					}
					if tr == True {
						n++
					}
				}
				if n != want[d] {
					done <- fmt.Errorf("match at %v: %d members, want %d", at, n, want[d])
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		require.NoError(t, <-done)
	}
}

// TestEventsLayouts: an events table whose times are in milliseconds is
// indexed with copied times (not read from the table's microseconds);
// both layouts give the same members.
func TestEventsLayouts(t *testing.T) {
	fields := slices.Clone(evSchema.Fields())
	fields[2].Type = &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	msSchema := arrow.NewSchema(fields, nil)
	for seed := range 40 {
		r := rand.New(rand.NewPCG(uint64(seed), 21))
		w := randWorld(r)
		a, b := Open(w.users), Open(w.users)
		_, err := a.AttachEvents(context.Background(), w.evs, "user_id", EventOptions{})
		require.NoError(t, err)
		_, err = b.AttachEvents(context.Background(), w.buildEventsAs(r, msSchema), "user_id", EventOptions{})
		require.NoError(t, err)
		for range 6 {
			c := randCond(r)
			text, _ := w.predicate(r, c)
			qa, err := a.Compile(text, WithNow(evNow))
			if err != nil {
				continue
			}
			qb, err := b.Compile(text, WithNow(evNow))
			require.NoError(t, err, text)
			ra, erra := qa.Run(context.Background())
			rb, errb := qb.Run(context.Background())
			require.Equal(t, erra != nil, errb != nil, text)
			if erra == nil {
				require.Equal(t, ra.Count(), rb.Count(), "seed %d: %s", seed, text)
				require.Equal(t, ra.Unknown(), rb.Unknown(), "seed %d: %s", seed, text)
			}
		}
	}
}
