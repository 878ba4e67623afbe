package plan

import (
	"context"
	"fmt"

	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/value"
	"github.com/segql/segql/lang/ast"
	"github.com/segql/segql/lang/check"
	"github.com/segql/segql/lang/diag"
	"github.com/segql/segql/lang/printer"
)

// EventSpec is what an OpEvent node computes for each user: an aggregate
// of the user's events of one name, in a window, that pass a filter.
// `did` is planned as a comparison of a count.
type EventSpec struct {
	Func     ast.EventFunc // EvDid only for a sequence (Steps is set): TRUE where it happened
	Name     string        // the event name
	Prop     int           // the events table column the aggregate reads, or -1
	PropKind value.Kind
	// Filter is a predicate over the events table (its columns, now()),
	// or nil; only events it is TRUE for count.
	Filter *Node
	// Lo and Hi bound the event time (inclusive), or are nil (open).
	// They read no column: constants and now(). With Sort, the two are
	// swapped when Lo is later (between 60d and 30d ago).
	Lo, Hi *Node
	Sort   bool
	// Text is the condition as written (canonical), for explanations; Key
	// identifies it for caching (the same text over the same table).
	Text string
	// Source computes the condition over the engine's events.
	Source EventSource
	// Steps are a sequence's later steps; Within, when set, bounds the
	// time from its first event to its last (a duration that reads no
	// column).
	Steps  []EventStep
	Within *Node
}

// EventStep is a later step of a sequence.
type EventStep struct {
	Name   string
	Filter *Node // over the events table, or nil
}

// EventSource computes event conditions for the users of a table.
// Implementations are safe for concurrent use.
type EventSource interface {
	// Prepare returns spec's evaluation for runs at now (microseconds),
	// computing what it needs once (a filter over all events) and caching
	// it by spec and now.
	Prepare(ctx context.Context, spec *EventSpec, now int64) (EventRun, error)
}

// EventRun is an event condition prepared for one now.
type EventRun interface {
	// Value is the condition's value for the user at table row user.
	Value(user int64) (value.Value, error)
	// Vector computes the selected users first … first+out.N-1 into out,
	// which has the node's kind; it may compute unselected rows too.
	Vector(out *kernels.Vec, first int64, sel kernels.Sel) error
}

// EventTables is what lowering needs of the events table: its schema (for
// filters) and the source that evaluates conditions over it.
type EventTables interface {
	EventTables() (Tables, EventSource)
}

// event lowers an event condition.
func (u *unit) event(e *ast.Event, t *check.Type) (*Node, error) {
	et, ok := u.l.tables.(EventTables)
	var evt Tables
	var src EventSource
	if ok {
		evt, src = et.EventTables()
	}
	if src == nil {
		return nil, fmt.Errorf("%s needs an events table", e.Func)
	}
	spec := &EventSpec{Func: e.Func, Name: e.Name, Prop: -1, Source: src, Text: printer.Expr(e)}
	if len(e.Steps) > 0 {
		return u.sequence(e, spec, evt)
	}
	if e.Func == ast.EvDid {
		spec.Func = ast.EvCount
		spec.Text = printer.Expr(&ast.Event{Func: ast.EvCount, Name: e.Name, Filter: e.Filter, Window: e.Window})
	}
	if e.Prop != "" {
		idx := evt.ArrowSchema().FieldIndices(e.Prop)
		if len(idx) == 0 {
			return nil, fmt.Errorf("the events table has no property %s", diag.Quote(e.Prop))
		}
		spec.Prop = idx[0]
		spec.PropKind = kernels.KindOf(evt.ArrowSchema().Field(idx[0]).Type)
	}
	if e.Filter != nil {
		f, err := NewLowerer(u.l.ctx, evt, nil).Lower(e.Filter, u.info, u.src)
		if err != nil {
			return nil, err
		}
		spec.Filter = f
	}
	if err := u.window(spec, e.Window); err != nil {
		return nil, err
	}
	kind := value.KInt
	if e.Func != ast.EvDid {
		kind = KindOf(t)
	}
	n := u.node(OpEvent, kind, e.Span)
	n.Event = spec
	if e.Func != ast.EvDid {
		return n, nil
	}
	return u.did(e, n), nil
}

// sequence lowers did A then B …: a boolean per user (never null), its
// within the time from the first event to the last.
func (u *unit) sequence(e *ast.Event, spec *EventSpec, evt Tables) (*Node, error) {
	spec.Text = printer.Expr(&ast.Event{Func: ast.EvDid, Name: e.Name, Filter: e.Filter, Window: e.Window, Steps: e.Steps})
	lower := func(f ast.Expr) (*Node, error) {
		if f == nil {
			return nil, nil
		}
		return NewLowerer(u.l.ctx, evt, nil).Lower(f, u.info, u.src)
	}
	var err error
	if spec.Filter, err = lower(e.Filter); err != nil {
		return nil, err
	}
	for _, st := range e.Steps {
		f, err := lower(st.Filter)
		if err != nil {
			return nil, err
		}
		spec.Steps = append(spec.Steps, EventStep{Name: st.Name, Filter: f})
	}
	if w := e.Window; w != nil && w.Within != nil {
		if spec.Within, err = u.lower(w.Within); err != nil {
			return nil, err
		}
	} else if err := u.window(spec, w); err != nil {
		return nil, err
	}
	n := u.node(OpEvent, value.KBool, e.Span)
	n.Event = spec
	return u.negateIf(e.Not, n, e.Span), nil
}

// did compares the count: at least once, or as its times clause says;
// `did not` negates.
func (u *unit) did(e *ast.Event, count *Node) *Node {
	op, times := kernels.Ge, int64(1)
	if t := e.Times; t != nil {
		times = t.N
		op = [...]kernels.CmpOp{ast.AtLeast: kernels.Ge, ast.AtMost: kernels.Le, ast.Exactly: kernels.Eq}[t.Op]
	}
	c := &Node{Op: OpConst, Kind: value.KInt, Val: value.Int(times), Src: u.src, Span: e.Span}
	cmp := CompareNode(op, count, c, u.src, e.Span)
	return u.negateIf(e.Not, cmp, e.Span)
}

// window lowers an event window into time bounds.
func (u *unit) window(spec *EventSpec, w *ast.Window) error {
	if w == nil {
		return nil
	}
	now := u.node(OpNow, value.KTime, w.Span)
	ago := func(d ast.Expr) (*Node, error) {
		x, err := u.lower(d)
		if err != nil {
			return nil, err
		}
		n := u.node(OpArith, value.KTime, d.Bounds(), now, x)
		n.Arith = kernels.Sub
		return n, nil
	}
	var err error
	switch {
	case w.Within != nil:
		spec.Hi = now
		spec.Lo, err = ago(w.Within)
	case w.Ago:
		spec.Sort = true
		if spec.Lo, err = ago(w.Lo); err == nil {
			spec.Hi, err = ago(w.Hi)
		}
	default:
		if spec.Lo, err = u.lower(w.Lo); err == nil {
			spec.Hi, err = u.lower(w.Hi)
		}
	}
	return err
}
