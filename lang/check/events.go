package check

import (
	"slices"

	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/diag"
)

// Events describes the events table: its columns (the properties, and the
// user, name and time columns) and, when known, the event names present.
type Events interface {
	Schema
	// EventNames lists the event names in the table, sorted; nil when they
	// are not known (a schema without data), so any name is accepted.
	EventNames() []string
}

// EventSchema is a Schema that also describes an events table: Check
// takes its events when Config.Events is nil (so definitions checked
// against an engine's schema may use event conditions).
type EventSchema interface {
	Schema
	Events() Events
}

// eventsOf returns the events a schema describes, or nil.
func eventsOf(s Schema) Events {
	if es, ok := s.(EventSchema); ok {
		return es.Events()
	}
	return nil
}

// event checks an event condition and returns its type: an integer for
// counts, the property's type for min and max, a float for avg, a
// timestamp for first_time and last_time, a boolean for did.
func (c *checker) event(e *ast.Event) *Type {
	if c.filter {
		c.errorf(e.Span, "an event condition cannot be used inside another's where")
		return TInvalid
	}
	ev := c.cfg.Events
	if ev == nil {
		c.errorf(e.FuncSpan, "%s is an event condition and needs an events table: load one with --events FILE (or .load FILE as events in the shell)", e.Func)
		return TInvalid
	}
	ok := c.eventName(e, ev)
	pt := c.eventProp(e, ev)
	c.eventFilter(e, ev)
	c.eventWindow(e.Window)
	ok = c.eventSteps(e, ev) && ok
	if t := e.Times; t != nil && t.N < 0 {
		c.errorf(t.Span, "a count of times cannot be negative")
	}
	if !ok || pt == TInvalid {
		return TInvalid
	}
	switch e.Func {
	case ast.EvDid:
		return TBool
	case ast.EvCount, ast.EvCountDistinct, ast.EvActiveDays:
		return TInt64
	case ast.EvAvg:
		return TFloat64
	case ast.EvSum, ast.EvMin, ast.EvMax:
		return normalize(pt)
	}
	return TTimestamp // first_time, last_time
}

// eventSteps checks a sequence's later steps: their names and filters.
// A sequence takes no count of times.
func (c *checker) eventSteps(e *ast.Event, ev Events) bool {
	if len(e.Steps) == 0 {
		return true
	}
	ok := true
	if e.Times != nil {
		c.errorf(e.Times.Span, "a sequence is done or not: it takes no count of times")
		ok = false
	}
	for _, st := range e.Steps {
		step := &ast.Event{Func: e.Func, Name: st.Name, NameSpan: st.NameSpan, Filter: st.Filter}
		ok = c.eventName(step, ev) && ok
		c.eventFilter(step, ev)
	}
	return ok
}

// eventName checks that the event occurs in the table (when its names are
// known).
func (c *checker) eventName(e *ast.Event, ev Events) bool {
	names := ev.EventNames()
	if names == nil || slices.Contains(names, e.Name) {
		return true
	}
	c.hintf(e.NameSpan, diag.DidYouMean(e.Name, names), "there are no events named %s in the events table", diag.Quote(e.Name))
	return false
}

// eventProp checks the property an aggregate reads: sum and avg take
// numbers, min and max numbers, strings or times, count_distinct any
// scalar; counts and times take none.
func (c *checker) eventProp(e *ast.Event, ev Events) *Type {
	needs := e.Func == ast.EvSum || e.Func == ast.EvAvg || e.Func == ast.EvMin || e.Func == ast.EvMax || e.Func == ast.EvCountDistinct
	if e.Prop == "" {
		if needs {
			c.errorf(e.NameSpan, "%s needs a property of the event: %s(%s.PROPERTY …)", e.Func, e.Func, e.Name)
			return TInvalid
		}
		return nil
	}
	if !needs {
		hint := ""
		if e.Func == ast.EvCount {
			hint = "to count distinct values write count_distinct(" + e.Name + "." + e.Prop + " …)"
		}
		c.hintf(e.PropSpan, hint, "%s takes an event, not a property", e.Func)
		return TInvalid
	}
	col, ok := ev.Column(e.Prop)
	if !ok {
		c.hintf(e.PropSpan, diag.DidYouMean(e.Prop, columnNames(ev)), "the events table has no property %s", diag.Quote(e.Prop))
		return TInvalid
	}
	t := col.Type
	var fits bool
	switch e.Func {
	case ast.EvSum, ast.EvAvg:
		fits = t.IsNumeric()
	case ast.EvMin, ast.EvMax:
		fits = t.IsNumeric() || t.IsTemporal() || t.Kind == String
	default:
		fits = t.IsNumeric() || t.IsTemporal() || t.Kind == String || t.Kind == Bool
	}
	if !fits {
		c.errorf(e.PropSpan, "%s cannot take property %s of type %s", e.Func, diag.Quote(e.Prop), t)
		return TInvalid
	}
	return t
}

func columnNames(s Schema) []string {
	var out []string
	for _, col := range s.Columns() {
		out = append(out, col.Name)
	}
	return out
}

// eventFilter checks a where filter against the events table's columns.
func (c *checker) eventFilter(e *ast.Event, ev Events) {
	if e.Filter == nil {
		return
	}
	sub := &checker{cfg: Config{Schema: ev}, errs: c.errs, info: c.info, filter: true, users: c.cfg.Schema}
	t := sub.expr(e.Filter)
	if t.Kind != Bool && t.Kind != Null && t.Kind != Invalid {
		c.errorf(e.Filter.Bounds(), "the where of an event condition must be a boolean expression, this is %s", t)
	}
	if w := trailingWithin(e.Filter); w != nil && e.Window == nil && c.info.Types[w.X] != nil && !c.info.Types[w.X].IsTemporal() {
		form := e.Func.String() + "(" + e.Name + " within … where …)"
		if e.Func == ast.EvDid {
			form = "did " + e.Name + " within … where …"
		}
		c.hintf(w.Span, "put the window before where: "+form, "this within is read as part of the where filter")
	}
}

// trailingWithin returns the `within` a filter ends with, if any.
func trailingWithin(f ast.Expr) *ast.Within {
	if l, ok := f.(*ast.Logical); ok {
		f = l.Terms[len(l.Terms)-1]
	}
	w, _ := f.(*ast.Within)
	return w
}

// eventWindow checks a window's bounds: durations for within and for
// between … ago, times (or dates as strings) for between. They may use
// now() but no column.
func (c *checker) eventWindow(w *ast.Window) {
	if w == nil {
		return
	}
	bounds := []ast.Expr{w.Within}
	if w.Within == nil {
		bounds = []ast.Expr{w.Lo, w.Hi}
	}
	for _, b := range bounds {
		ast.Inspect(b, func(x ast.Expr) bool {
			if r, ok := x.(*ast.Ref); ok {
				c.errorf(r.Span, "a window's bounds cannot read columns")
			}
			return true
		})
		t := c.expr(b)
		switch {
		case t.Kind == Invalid:
		case w.Within != nil || w.Ago:
			if t.Kind != Duration {
				c.errorf(b.Bounds(), "this window takes a duration such as 30d, not %s", t)
			}
		default:
			t = c.asTime(b, t, TTimestamp)
			if !t.IsTemporal() && t.Kind != Invalid {
				c.errorf(b.Bounds(), "a between window takes times or dates (\"2026-01-01\"), not %s; for durations write between 60d and 30d ago", t)
			}
		}
	}
}
