package main

import (
	"context"
	"flag"
	"fmt"
	"sync"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// eventFlags name an events table beside the users table.
type eventFlags struct {
	files            stringList
	user, name, time string
}

func (f *eventFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.files, "events", "an events table (one row per event: user id, event name, time, properties) in any --data format, a directory or a pattern; repeat for several files of one schema (default on the demo table: the demo's events)")
	fs.StringVar(&f.user, "events-user", "", `the events' user id column (default "user_id", "user" or "id")`)
	fs.StringVar(&f.name, "events-name", "", `the events' name column (default "event", "event_name" or "name")`)
	fs.StringVar(&f.time, "events-time", "", `the events' time column (default "time", "timestamp", "event_time" or "ts")`)
}

// attachEvents attaches the events to eng, an engine over tbl: the
// --events files, or on the demo table the demo's events, generated when
// a query first needs them. It returns what releases them, and a warning
// about ignored events ("" when none).
func (d *dataFlags) attachEvents(ctx context.Context, e *env, eng *engine.Engine, tbl *columnar.Table) (release func(), warning string, err error) {
	opts := engine.EventOptions{User: d.events.user, Name: d.events.name, Time: d.events.time}
	switch {
	case len(d.events.files) > 0:
		id, err := d.idColumn(tbl)
		if err != nil {
			return nil, "", err
		}
		done := e.slowNote("loading the events")
		evs, err := columnar.Load(ctx, d.events.files, columnar.LoadOptions{})
		if err != nil {
			done()
			return nil, "", err
		}
		st, err := eng.AttachEvents(ctx, evs, id, opts)
		done()
		if err != nil {
			evs.Release()
			return nil, "", fmt.Errorf("--events: %w", err)
		}
		return evs.Release, st.Warning(), nil
	case len(d.data) == 0:
		anchor, err := d.demoAnchor()
		if err != nil {
			return nil, "", err
		}
		demo := columnar.DemoOptions{Rows: d.demoRows, Seed: d.seed, Anchor: anchor}
		var mu sync.Mutex
		var evs *columnar.Table
		load := func(context.Context) (*columnar.Table, error) {
			done := e.slowNote("generating the demo events")
			defer done()
			mu.Lock()
			defer mu.Unlock()
			evs = columnar.DemoEvents(demo)
			return evs, nil
		}
		if err := eng.AttachEventsLazily(columnar.DemoEventsSchema, columnar.DemoEventNames, "user_id", opts, load); err != nil {
			return nil, "", err
		}
		return func() {
			mu.Lock()
			defer mu.Unlock()
			if evs != nil {
				evs.Release()
			}
		}, "", nil
	}
	return func() {}, "", nil
}

// openEngine loads the table and returns an engine over it with its
// events attached, and what releases both.
func (d *dataFlags) openEngine(ctx context.Context, e *env) (*engine.Engine, func(), error) {
	tbl, err := d.loadNoted(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	eng := engine.Open(tbl)
	relEvents, warning, err := d.attachEvents(ctx, e, eng, tbl)
	if err != nil {
		tbl.Release()
		return nil, nil, err
	}
	if warning != "" {
		fmt.Fprintln(e.stderr, "segql: warning:", warning)
	}
	return eng, func() { relEvents(); tbl.Release() }, nil
}
