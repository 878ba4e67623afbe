package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine/internal/events"
	"github.com/segql/segql/engine/internal/exec"
	"github.com/segql/segql/engine/internal/funcs"
	"github.com/segql/segql/engine/internal/kernels"
	"github.com/segql/segql/engine/internal/optimizer"
	"github.com/segql/segql/engine/internal/plan"
	"github.com/segql/segql/engine/internal/rowexec"
	"github.com/segql/segql/engine/internal/value"
	"github.com/segql/segql/lang/diag"
)

// EventOptions name the events table's columns. Empty fields take the
// first column present of: user "user_id", "user", "id"; name "event",
// "event_name", "name"; time "time", "timestamp", "event_time", "ts".
type EventOptions struct {
	User, Name, Time string
}

// EventStats describes an attached events table.
type EventStats struct {
	Rows    int64    // rows of the events table
	Indexed int64    // events indexed (the rest are ignored, below)
	Names   []string // event names, sorted
	// Ignored events: a null user, name or time, or a user id that is no
	// user of the table.
	NullUser, NullName, NullTime, UnknownUser int64
	IndexBytes                                int64 // memory of the index besides the table
	Columns                                   EventOptions
	Loaded                                    bool // false: attached lazily and not yet needed
}

// Warning returns a sentence about ignored events, or "".
func (s *EventStats) Warning() string {
	n := s.NullUser + s.NullName + s.NullTime + s.UnknownUser
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d events are ignored: %d with a null user, %d with a null name, %d with a null time, %d for users not in the table",
		n, s.Rows, s.NullUser, s.NullName, s.NullTime, s.UnknownUser)
}

// ErrNoEventsTable: an event condition was compiled by an engine without
// an events table.
var ErrNoEventsTable = errors.New("no events table is attached")

// eventsState is an engine's attached events table, indexed on first use
// when it is attached lazily.
type eventsState struct {
	schema   *eventSchema
	lower    *Engine // over the events table's schema: lowers filters
	fields   []arrow.Field
	cols     EventOptions
	idColumn string
	users    *Engine
	load     func(context.Context) (*columnar.Table, error)

	mu     sync.Mutex // guards what follows, and serializes loading
	store  *events.Store
	engine *Engine // over the events table: compiles and runs filters
	stats  EventStats
	progs  map[*plan.Node]*exec.Program // compiled filters
}

// eventSchema is the checker's view of the events table.
type eventSchema struct {
	*arrowSchema
	names []string
}

func (s *eventSchema) EventNames() []string { return s.names }

// AttachEvents indexes an events table (one row per event: a user id, an
// event name, a time and any property columns) by the users of this
// engine, whose id column is idColumn, so that queries compiled after it
// may use event conditions. The engine does not take ownership of
// events: the caller keeps it alive for as long as the engine is used.
// AttachEvents must not run concurrently with other uses of the engine.
func (e *Engine) AttachEvents(ctx context.Context, t *columnar.Table, idColumn string, o EventOptions) (*EventStats, error) {
	st, err := e.newEventsState(t.Schema, idColumn, o, func(context.Context) (*columnar.Table, error) { return t, nil })
	if err != nil {
		return nil, err
	}
	store, err := st.ready(ctx)
	if err != nil {
		return nil, err
	}
	st.schema.names = store.Names()
	e.events = st
	stats := st.stats
	return &stats, nil
}

// AttachEventsLazily attaches an events table that load returns on the
// first evaluation that needs it (a table generated or read only when
// asked for, such as the demo's events). Its schema is given now, and
// its event names when known (nil: any name compiles). The engine owns
// the loaded table. A failed or cancelled load is retried by the next
// evaluation.
func (e *Engine) AttachEventsLazily(schema *arrow.Schema, names []string, idColumn string, o EventOptions, load func(context.Context) (*columnar.Table, error)) error {
	st, err := e.newEventsState(schema, idColumn, o, load)
	if err != nil {
		return err
	}
	st.schema.names = names
	e.events = st
	return nil
}

func (e *Engine) newEventsState(schema *arrow.Schema, idColumn string, o EventOptions, load func(context.Context) (*columnar.Table, error)) (*eventsState, error) {
	if err := CheckIDColumn(e.table, idColumn); err != nil {
		return nil, err
	}
	o, err := resolveEventColumns(schema, o)
	if err != nil {
		return nil, err
	}
	return &eventsState{schema: &eventSchema{arrowSchema: newArrowSchema(schema)}, lower: OpenSchema(schema),
		fields: schema.Fields(), cols: o, idColumn: idColumn, users: e, load: load,
		progs: map[*plan.Node]*exec.Program{}}, nil
}

// ready returns the index, loading and building it on first use.
func (st *eventsState) ready(ctx context.Context) (*events.Store, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.store != nil {
		return st.store, nil
	}
	t, err := st.load(ctx)
	if err != nil {
		return nil, err
	}
	if !t.Schema.Equal(st.lower.table.Schema) {
		return nil, fmt.Errorf("the events table's schema changed: %s", t.Schema)
	}
	ut := st.users.table
	ids, err := concatColumn(ut, ut.ColumnIndex(st.idColumn))
	if err != nil {
		return nil, err
	}
	defer ids.Release()
	st.engine = Open(t)
	store, err := events.New(ctx, t, events.Columns{User: st.cols.User, Name: st.cols.Name, Time: st.cols.Time}, ids, st.runFilter)
	if err != nil {
		return nil, err
	}
	ig := store.Ignored()
	st.stats = EventStats{Rows: t.NumRows(), Indexed: int64(store.Entries()), Names: store.Names(),
		NullUser: ig.NullUser, NullName: ig.NullName, NullTime: ig.NullTime, UnknownUser: ig.UnknownUser,
		IndexBytes: store.IndexBytes(), Columns: st.cols, Loaded: true}
	st.store = store
	return store, nil
}

// Prepare implements plan.EventSource, loading the events on first use.
func (st *eventsState) Prepare(ctx context.Context, spec *plan.EventSpec, now int64) (plan.EventRun, error) {
	store, err := st.ready(ctx)
	if err != nil {
		return nil, err
	}
	return store.Prepare(ctx, spec, now)
}

// Events returns the attached events table's description, or nil. Of a
// lazily attached table not yet loaded, only Columns and Names are set.
func (e *Engine) Events() *EventStats {
	if e.events == nil {
		return nil
	}
	st := e.events
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.stats
	if !s.Loaded {
		s = EventStats{Columns: st.cols, Names: st.schema.names}
	}
	return &s
}

// EventTable returns the attached events table, loading it if it is
// lazy, or nil when there is none.
func (e *Engine) EventTable(ctx context.Context) (*columnar.Table, error) {
	if e.events == nil {
		return nil, ErrNoEventsTable
	}
	store, err := e.events.ready(ctx)
	if err != nil {
		return nil, err
	}
	return store.Table(), nil
}

// resolveEventColumns fills the default column names.
func resolveEventColumns(s *arrow.Schema, o EventOptions) (EventOptions, error) {
	pick := func(set string, what string, defaults ...string) (string, error) {
		if set != "" {
			if len(s.FieldIndices(set)) == 0 {
				return "", fmt.Errorf("the events table has no column %s (%s)%s", diag.Quote(set), what, hintColumns(s, set))
			}
			return set, nil
		}
		for _, d := range defaults {
			if len(s.FieldIndices(d)) > 0 {
				return d, nil
			}
		}
		return "", fmt.Errorf("the events table has none of the columns %v for %s: name it", defaults, what)
	}
	var err error
	if o.User, err = pick(o.User, "the user id, --events-user", "user_id", "user", "id"); err != nil {
		return o, err
	}
	if o.Name, err = pick(o.Name, "the event name, --events-name", "event", "event_name", "name"); err != nil {
		return o, err
	}
	o.Time, err = pick(o.Time, "the event time, --events-time", "time", "timestamp", "event_time", "ts")
	return o, err
}

func hintColumns(s *arrow.Schema, name string) string {
	var names []string
	for _, f := range s.Fields() {
		names = append(names, f.Name)
	}
	if h := diag.DidYouMean(name, names); h != "" {
		return ": " + h
	}
	return ""
}

// concatColumn returns a column of the whole table as one array.
func concatColumn(t *columnar.Table, col int) (arrow.Array, error) {
	parts := make([]arrow.Array, len(t.Batches))
	for i, b := range t.Batches {
		parts[i] = b.Column(col)
	}
	if len(parts) == 0 {
		b := array.NewBuilder(memory.DefaultAllocator, t.Schema.Field(col).Type)
		defer b.Release()
		return b.NewArray(), nil
	}
	return array.Concatenate(parts, memory.DefaultAllocator)
}

// EventTables implements plan.EventTables.
func (e *Engine) EventTables() (plan.Tables, plan.EventSource) {
	if e.events == nil {
		return nil, nil
	}
	return e.events.lower, e.events
}

// runFilter evaluates a filter over every event at now: the TRUE events
// as a bitmap by events table row. Each filter is compiled once.
func (st *eventsState) runFilter(ctx context.Context, filter *plan.Node, now int64) ([]uint64, error) {
	prog, err := st.program(ctx, filter)
	if err != nil {
		return nil, err
	}
	out, err := prog.Run(ctx, exec.RunOptions{Now: now})
	if err != nil {
		return nil, err
	}
	t := st.engine.table
	bits := make([]uint64, kernels.Words(int(t.NumRows())))
	for b, words := range out.Members[0] {
		off := int(t.BatchOffset(b))
		n := int(t.Batches[b].NumRows())
		if off%64 == 0 {
			copy(bits[off/64:], words[:kernels.Words(n)])
			continue
		}
		for i := 0; i < n; i++ {
			if kernels.BitAt(words, i) {
				kernels.SetBit(bits, off+i)
			}
		}
	}
	return bits, nil
}

// program compiles a filter over the events table.
func (st *eventsState) program(ctx context.Context, filter *plan.Node) (*exec.Program, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if p, ok := st.progs[filter]; ok {
		return p, nil
	}
	ev := st.engine
	logical, _, err := optimizer.Optimize(&optimizer.Context{Ctx: ctx, Plain: true}, []*plan.Node{filter})
	if err != nil {
		return nil, err
	}
	if logical[0].Op == plan.OpError {
		return nil, logical[0].Err
	}
	optimized, _, err := optimizer.Optimize(&optimizer.Context{Ctx: ctx, Stats: ev.stats, Normalized: true}, logical)
	if err != nil {
		return nil, err
	}
	p, err := exec.Compile(optimized, ev.table, ev.stats, exec.Options{})
	if err != nil {
		return nil, err
	}
	st.progs[filter] = p
	return p, nil
}

// RowAt returns row i of the engine's table as a Row for single-user
// evaluation (Match, TruthAt, TraceAt): its column values and, when an
// events table is attached, the user's events.
func (e *Engine) RowAt(i int64) Row {
	r := RowAt(e.table, i)
	if e.events == nil {
		return r
	}
	return &tableRow{MapRow: r, events: e.events, row: i}
}

// tableRow is a row of the table with its events in the engine's index.
type tableRow struct {
	MapRow
	events *eventsState
	row    int64
}

func (r *tableRow) event(spec *plan.EventSpec, now int64) (value.Value, error) {
	run, err := r.events.Prepare(context.Background(), spec, now)
	if err != nil {
		return value.Value{}, err
	}
	return run.Value(r.row)
}

// eventRow is a Row that knows its user's events.
type eventRow interface {
	event(spec *plan.EventSpec, now int64) (value.Value, error)
}

// Event implements rowexec.EventSource.
func (s *mapSource) Event(spec *plan.EventSpec, now int64) (value.Value, error) {
	if r, ok := s.row.(eventRow); ok {
		return r.event(spec, now)
	}
	return value.Value{}, rowexec.ErrNoEvents
}

// Event is one event of a user, for single-user evaluation.
type Event struct {
	Name string
	Time time.Time
	// Props holds property values by events table column name (Go values
	// as in MapRow); a missing property is null, a key that is no column
	// is an error.
	Props map[string]any
}

// WithEvents returns row with the user's events: Match, TruthAt and
// TraceAt of this engine's queries compute event conditions from them,
// exactly as Run does from the events table. The events need no order.
func (e *Engine) WithEvents(row Row, evs []Event) (Row, error) {
	if e.events == nil {
		return nil, ErrNoEventsTable
	}
	fields := e.events.fields
	cols := e.events.cols
	timeCol, nameCol := slices.IndexFunc(fields, func(f arrow.Field) bool { return f.Name == cols.Time }),
		slices.IndexFunc(fields, func(f arrow.Field) bool { return f.Name == cols.Name })
	vals := make([][]value.Value, len(evs))
	names := make([]string, len(evs))
	times := make([]int64, len(evs))
	for i, ev := range evs {
		us, ok := timeMicros(ev.Time)
		if !ok || ev.Time.IsZero() {
			return nil, fmt.Errorf("event %d (%s): the time %v is zero or outside the representable range", i+1, diag.Quote(ev.Name), ev.Time)
		}
		names[i], times[i] = ev.Name, us
		vals[i] = make([]value.Value, len(fields))
		for c, f := range fields {
			vals[i][c] = value.NullOf(kernels.KindOf(f.Type))
		}
		for k, x := range ev.Props {
			c := slices.IndexFunc(fields, func(f arrow.Field) bool { return f.Name == k })
			if c < 0 || k == cols.User || k == cols.Name || k == cols.Time {
				return nil, fmt.Errorf("event %d (%s): property %s: %w", i+1, diag.Quote(ev.Name), diag.Quote(k), ErrUnknownKey)
			}
			v, err := goValue(x, kernels.KindOf(fields[c].Type), value.KNull)
			if err != nil {
				return nil, fmt.Errorf("event %d (%s): property %s: %w", i+1, diag.Quote(ev.Name), diag.Quote(k), err)
			}
			vals[i][c] = v
		}
		vals[i][timeCol] = value.Time(us)
		vals[i][nameCol] = value.Str(ev.Name)
	}
	filter := func(ctx context.Context, f *plan.Node, now int64) ([]uint64, error) {
		logical, _, err := optimizer.Optimize(&optimizer.Context{Ctx: ctx, Plain: true}, []*plan.Node{f})
		if err != nil {
			return nil, err
		}
		f = logical[0]
		bits := make([]uint64, kernels.Words(len(evs)))
		for i := range evs {
			ev := rowexec.Evaluator{Src: valuesSource(vals[i]), Env: funcs.Env{Now: now}}
			v, err := ev.Eval(f)
			if err != nil {
				return nil, err
			}
			if !v.Null && v.B {
				kernels.SetBit(bits, i)
			}
		}
		return bits, nil
	}
	kinds := make([]value.Kind, len(fields))
	for c, f := range fields {
		kinds[c] = kernels.KindOf(f.Type)
	}
	store := events.NewUser(names, times, kinds, func(col, i int) value.Value { return vals[i][col] }, filter)
	return &userEvents{Row: row, store: store}, nil
}

// valuesSource reads an event's values by events table column.
type valuesSource []value.Value

func (s valuesSource) Column(c *plan.Column, k value.Kind) (value.Value, error) {
	v := s[c.Index]
	if len(c.Fields) > 0 {
		return value.NullOf(k), fmt.Errorf("column %q: struct properties are not supported in single-user events", c.Name)
	}
	return v, nil
}

// userEvents is a Row with one user's events.
type userEvents struct {
	Row
	store *events.Store
}

func (r *userEvents) event(spec *plan.EventSpec, now int64) (value.Value, error) {
	run, err := r.store.Prepare(context.Background(), spec, now)
	if err != nil {
		return value.Value{}, err
	}
	return run.Value(0)
}

// EventCount is one event name's occurrences among a set of users.
type EventCount struct {
	Name   string
	Events int64 // events of the name (all time)
	Users  int64 // users with at least one
}

// EventCounts counts each event name's events, and the users with one,
// among the members of in (nil: every user). It loads lazily attached
// events. The names come sorted.
func (e *Engine) EventCounts(ctx context.Context, in *Result) ([]EventCount, error) {
	if e.events == nil {
		return nil, ErrNoEventsTable
	}
	store, err := e.events.ready(ctx)
	if err != nil {
		return nil, err
	}
	if in != nil && in.table.NumRows() != e.table.NumRows() {
		return nil, errors.New("EventCounts: the result is of another table")
	}
	each := func(yield func(u int64) bool) {
		if in == nil {
			for u := range e.table.NumRows() {
				yield(u)
			}
			return
		}
		in.Each(yield)
	}
	events, users := store.Counts(each)
	out := make([]EventCount, len(events))
	for i, name := range store.Names() {
		out[i] = EventCount{Name: name, Events: events[i], Users: users[i]}
	}
	return out, nil
}
