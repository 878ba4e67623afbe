package sqlgen

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
)

// Event conditions compile to one pass over the events table grouped by
// user, with one conditional aggregate per condition (CASE WHEN inside
// the aggregate, which every dialect has and which, like segql, does not
// count an event whose filter is UNKNOWN), left-joined to the users:
//
//	SELECT segql_u.*, segql_ev.segql_e0, … FROM users AS segql_u
//	LEFT JOIN (SELECT user_id AS segql_uid,
//	                  count(CASE WHEN event = 'purchase' AND time BETWEEN … THEN 1 END) AS segql_e0, …
//	           FROM events WHERE user_id IS NOT NULL AND event IS NOT NULL AND time IS NOT NULL
//	           GROUP BY user_id) AS segql_ev ON segql_u.user_id = segql_ev.segql_uid
//
// A user without events gets NULL aggregates from the join; counts read
// them as 0, sums as 0 (segql's sum over no events).

// EventOptions name the events table for event conditions.
type EventOptions struct {
	Table            []string // default "events"
	User, Name, Time string   // its columns; defaults "user_id", "event", "time"
	// UserID is the users table's id column (default "user_id").
	UserID string
	// Zoned reports an events column stored with a time zone. May be nil.
	Zoned func(column string) bool
}

// ErrNoEvents: an expression has event conditions and Options.Events is
// nil.
var ErrNoEvents = errors.New("event conditions need Options.Events")

// eventAgg is one aggregate column of the events pass.
type eventAgg struct {
	sql   string // the aggregate expression
	alias string
}

func (o *EventOptions) user() string   { return orDefault(o.User, "user_id") }
func (o *EventOptions) name() string   { return orDefault(o.Name, "event") }
func (o *EventOptions) time() string   { return orDefault(o.Time, "time") }
func (o *EventOptions) userID() string { return orDefault(o.UserID, "user_id") }

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// event compiles an event condition to a reference to its aggregate
// column(s).
func (c *compiler) event(e *ast.Event) (val, error) {
	if c.opts.Events == nil {
		return val{}, c.fail(e, e.Func.String(), "an event condition needs the events table (sqlgen Options.Events; segql sql --events)")
	}
	if c.inFilter {
		return val{}, c.fail(e, e.Func.String(), "an event condition cannot be used inside another's where")
	}
	if len(e.Steps) > 0 {
		return c.sequence(e)
	}
	cond, err := c.eventCond(e)
	if err != nil {
		return val{}, err
	}
	prop := ""
	if e.Prop != "" {
		if prop, err = c.d.ident(e.Prop); err != nil {
			return val{}, c.wrap(e, err)
		}
	}
	count := func() string { return c.eventColumn("count(CASE WHEN " + cond + " THEN 1 END)") }
	zero := func(col string) string { return "coalesce(" + col + ", 0)" }
	// orNull is an aggregate that is null over no events. The events
	// count decides, not the join's null: ClickHouse fills an unmatched
	// row of a LEFT JOIN with zeros unless join_use_nulls is set.
	orNull := func(col string) string {
		return paren("CASE WHEN " + zero(count()) + " = 0 THEN NULL ELSE " + col + " END")
	}
	switch e.Func {
	case ast.EvDid:
		return c.did(e, zero(count())), nil
	case ast.EvCount:
		return val{sql: paren(zero(count())), t: check.TInt64}, nil
	case ast.EvCountDistinct:
		col := c.eventColumn("count(DISTINCT CASE WHEN " + cond + " THEN " + prop + " END)")
		return val{sql: paren(zero(col)), t: check.TInt64}, nil
	case ast.EvActiveDays:
		tm, form := c.eventTime()
		day := c.d.intDiv(c.d.epochMicros(tm, form), "86400000000")
		// intDiv truncates toward zero: days before 1970 need the floor.
		day = "(CASE WHEN " + c.d.epochMicros(tm, form) + " < 0 AND " + c.d.mod(c.d.epochMicros(tm, form), "86400000000") + " <> 0 THEN " + day + " - 1 ELSE " + day + " END)"
		col := c.eventColumn("count(DISTINCT CASE WHEN " + cond + " THEN " + day + " END)")
		return val{sql: paren(zero(col)), t: check.TInt64}, nil
	case ast.EvFirstTime, ast.EvLastTime:
		tm, form := c.eventTime()
		fn := "min"
		if e.Func == ast.EvLastTime {
			fn = "max"
		}
		col := c.eventColumn(fn + "(CASE WHEN " + cond + " THEN " + tm + " END)")
		return val{sql: orNull(col), t: check.TTimestamp, form: form}, nil
	}
	t := c.typ(e)
	switch e.Func {
	case ast.EvSum:
		sum := c.eventColumn("sum(CASE WHEN " + cond + " THEN " + prop + " END)")
		if t.IsInteger() {
			sum = c.d.cast(sum, kBigint) // an overflow is an error, as in segql
		}
		return val{sql: paren("CASE WHEN " + zero(count()) + " = 0 THEN 0 ELSE " + sum + " END"), t: t}, nil
	case ast.EvAvg:
		col := c.eventColumn("avg(CASE WHEN " + cond + " THEN " + c.d.cast(prop, kDouble) + " END)")
		return val{sql: orNull(col), t: check.TFloat64}, nil
	}
	// min, max
	fn := "min"
	if e.Func == ast.EvMax {
		fn = "max"
	}
	x := prop
	if t.Kind == check.String {
		x = c.d.bytewise(prop)
	}
	col := c.eventColumn(fn + "(CASE WHEN " + cond + " THEN " + x + " END)")
	v := val{sql: orNull(col), t: t}
	if t.IsTemporal() {
		v.form = fNaive
		if t.Kind == check.Date {
			v.form = fDate
		} else if z := c.opts.Events.Zoned; z != nil && z(e.Prop) {
			v.form = fZoned
		}
	}
	return v, nil
}

// did compares the count as the times clause says.
func (c *compiler) did(e *ast.Event, count string) val {
	op, n := ">=", int64(1)
	if t := e.Times; t != nil {
		n = t.N
		op = [...]string{ast.AtLeast: ">=", ast.AtMost: "<=", ast.Exactly: "="}[t.Op]
	}
	s := count + " " + op + " " + intLit(n)
	if e.Not {
		s = "NOT (" + s + ")"
	}
	return boolVal(paren(s))
}

// eventTime is the events' time column and its form.
func (c *compiler) eventTime() (string, tform) {
	o := c.opts.Events
	tm, _ := c.d.ident(o.time())
	form := fNaive
	if o.Zoned != nil && o.Zoned(o.time()) {
		form = fZoned
	}
	return tm, form
}

// eventCond is the condition an event must meet to count: its name, its
// window and its filter.
func (c *compiler) eventCond(e *ast.Event) (string, error) {
	o := c.opts.Events
	name, err := c.d.ident(o.name())
	if err != nil {
		return "", c.wrap(e, err)
	}
	lit, err := c.d.str(e.Name)
	if err != nil {
		return "", c.wrap(e, err)
	}
	parts := []string{name + " = " + lit}
	if w := e.Window; w != nil {
		lo, hi, err := c.windowBounds(e, w)
		if err != nil {
			return "", err
		}
		tm, form := c.eventTime()
		parts = append(parts, tm+" BETWEEN "+c.timeIn(lo, form)+" AND "+c.timeIn(hi, form))
	}
	if e.Filter != nil {
		c.inFilter = true
		v, err := c.expr(e.Filter)
		c.inFilter = false
		if err != nil {
			return "", err
		}
		parts = append(parts, c.boolSQL(v))
	}
	return strings.Join(parts, " AND "), nil
}

// windowBounds evaluates a window's bounds (constants: now() is bound)
// in microseconds.
func (c *compiler) windowBounds(e *ast.Event, w *ast.Window) (lo, hi int64, err error) {
	konst := func(x ast.Expr) (int64, error) {
		v, err := c.expr(x)
		if err != nil {
			return 0, err
		}
		if !v.konst {
			return 0, c.fail(x, "this window bound", "it is not a constant")
		}
		return v.us, nil
	}
	ago := func(x ast.Expr) (int64, error) {
		d, err := konst(x)
		if err != nil {
			return 0, err
		}
		t, ok := addOK(c.now, -d)
		if !ok || d == math.MinInt64 {
			return 0, c.fail(x, "this window", "it overflows")
		}
		return t, nil
	}
	switch {
	case w.Within != nil:
		lo, err = ago(w.Within)
		return lo, c.now, err
	case w.Ago:
		if lo, err = ago(w.Lo); err != nil {
			return 0, 0, err
		}
		if hi, err = ago(w.Hi); err != nil {
			return 0, 0, err
		}
		return min(lo, hi), max(lo, hi), nil
	}
	if lo, err = konst(w.Lo); err != nil {
		return 0, 0, err
	}
	hi, err = konst(w.Hi)
	return lo, hi, err
}

// sequence compiles did A then B … to a join of the events with
// themselves, one alias per step, grouped by user: the user did it where
// the join has a row. Steps of one name would need the events told apart
// (a row number both sides of the join agree on), which is not done yet.
func (c *compiler) sequence(e *ast.Event) (val, error) {
	o := c.opts.Events
	names := []string{e.Name}
	filters := []ast.Expr{e.Filter}
	for _, st := range e.Steps {
		if slices.Contains(names, st.Name) {
			return val{}, c.fail(e, "a sequence that repeats an event", "its events would need telling apart")
		}
		names = append(names, st.Name)
		filters = append(filters, st.Filter)
	}
	var lo, hi, conv int64
	period := false
	if w := e.Window; w != nil && w.Within != nil {
		v, err := c.expr(w.Within)
		if err != nil {
			return val{}, err
		}
		if !v.konst {
			return val{}, c.fail(w.Within, "this within", "it is not a constant")
		}
		conv = v.us
	} else if w != nil {
		var err error
		if lo, hi, err = c.windowBounds(e, w); err != nil {
			return val{}, err
		}
		period = true
	}
	user, err1 := c.d.ident(o.user())
	name, err2 := c.d.ident(o.name())
	tm, form := c.eventTime()
	if err := errors.Join(err1, err2); err != nil {
		return val{}, c.wrap(e, err)
	}
	table, err := tableName(c.d, o.Table, "events", "the events table's name")
	if err != nil {
		return val{}, err
	}
	var from, where []string
	alias := func(i int) string { a, _ := c.d.ident("segql_s" + strconv.Itoa(i)); return a }
	for i, n := range names {
		a := alias(i)
		if i == 0 {
			from = append(from, table+" AS "+a)
		} else {
			from = append(from, "JOIN "+table+" AS "+a+" ON "+a+"."+user+" = "+alias(0)+"."+user)
		}
		lit, err := c.d.str(n)
		if err != nil {
			return val{}, c.wrap(e, err)
		}
		at := c.d.epochMicros(a+"."+tm, form)
		where = append(where, a+"."+name+" = "+lit, a+"."+tm+" IS NOT NULL")
		if period {
			where = append(where, a+"."+tm+" BETWEEN "+c.timeIn(lo, form)+" AND "+c.timeIn(hi, form))
		}
		if i > 0 {
			where = append(where, at+" >= "+c.d.epochMicros(alias(i-1)+"."+tm, form))
			if e.Window != nil && e.Window.Within != nil {
				where = append(where, at+" <= "+c.d.intArith('+', c.d.epochMicros(alias(0)+"."+tm, form), intLit(conv)))
			}
		}
		if filters[i] != nil {
			c.inFilter, c.qualifier = true, a
			v, err := c.expr(filters[i])
			c.inFilter, c.qualifier = false, ""
			if err != nil {
				return val{}, err
			}
			where = append(where, c.boolSQL(v))
		}
	}
	uid, _ := c.d.ident("segql_uid")
	flag, _ := c.d.ident("segql_q")
	sql := "SELECT " + alias(0) + "." + user + " AS " + uid + ", 1 AS " + flag + " FROM " + strings.Join(from, " ") +
		" WHERE " + strings.Join(where, " AND ") + " GROUP BY " + alias(0) + "." + user
	col := "segql_q" + strconv.Itoa(len(c.seqs))
	c.seqs = append(c.seqs, sql)
	ref, _ := c.d.ident(col)
	s := "coalesce(" + ref + ", 0) = 1"
	if e.Not {
		s = "NOT (" + s + ")"
	}
	return boolVal(paren(s)), nil
}

// eventColumn adds an aggregate to the events pass (once per distinct
// SQL) and returns the column the joined table reads it as.
func (c *compiler) eventColumn(agg string) string {
	for _, a := range c.events {
		if a.sql == agg {
			return c.eventRef(a.alias)
		}
	}
	alias := "segql_e" + strconv.Itoa(len(c.events))
	c.events = append(c.events, eventAgg{sql: agg, alias: alias})
	return c.eventRef(alias)
}

// eventRef is an aggregate's column in the joined table (unqualified:
// the distribution functions may wrap the joined table in another).
func (c *compiler) eventRef(alias string) string {
	a, _ := c.d.ident(alias)
	return a
}

// eventsFrom is the users table left-joined to the events pass and to
// each sequence's join.
func (q *Query) eventsFrom(aggs []eventAgg, seqs []string, o *EventOptions) (string, error) {
	d := q.d
	ident := func(s string) (string, error) {
		id, err := d.ident(s)
		if err != nil {
			return "", &Error{Dialect: d.Name(), Construct: "the name " + s, Reason: err.Error()}
		}
		return id, nil
	}
	table, err := tableName(d, o.Table, "events", "the events table's name")
	if err != nil {
		return "", err
	}
	var names [8]string
	for i, s := range []string{o.user(), o.name(), o.time(), o.userID(), "segql_u", "segql_ev", "segql_uid", "segql_users"} {
		id, err := ident(s)
		if err != nil {
			return "", err
		}
		names[i] = id
	}
	user, name, tm, uid, u, ev, evUID, joined := names[0], names[1], names[2], names[3], names[4], names[5], names[6], names[7]
	sel := []string{user + " AS " + evUID}
	outer := []string{u + ".*"}
	for _, a := range aggs {
		alias, _ := ident(a.alias)
		sel = append(sel, a.sql+" AS "+alias)
		outer = append(outer, ev+"."+alias)
	}
	joins := ""
	if len(aggs) > 0 {
		pass := "SELECT " + strings.Join(sel, ", ") + " FROM " + table +
			" WHERE " + user + " IS NOT NULL AND " + name + " IS NOT NULL AND " + tm + " IS NOT NULL GROUP BY " + user
		joins = " LEFT JOIN (" + pass + ") AS " + ev + " ON " + u + "." + uid + " = " + ev + "." + evUID
	}
	flag, _ := ident("segql_q")
	for i, s := range seqs {
		a, _ := ident("segql_sq" + strconv.Itoa(i))
		col, _ := ident("segql_q" + strconv.Itoa(i))
		outer = append(outer, a+"."+flag+" AS "+col)
		joins += " LEFT JOIN (" + s + ") AS " + a + " ON " + u + "." + uid + " = " + a + "." + evUID
	}
	return "(SELECT " + strings.Join(outer, ", ") + " FROM " + q.table + " AS " + u + joins + ") AS " + joined, nil
}
