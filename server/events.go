package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/segql/segql/engine"
	"github.com/segql/segql/lang/check"
)

// eventJSON is one event of a match request's "events".
type eventJSON struct {
	Name  string                     `json:"name"`
	Time  string                     `json:"time"`
	Props map[string]json.RawMessage `json:"props"`
}

// withEvents gives the user of a match request the events of its
// "events" array (raw JSON): [{"name": "purchase", "time":
// "2026-10-30T10:00:00Z", "props": {"amount": 12.5}}, …]. Property
// values are JSON scalars; an integer property takes a JSON integer.
func (d *dataset) withEvents(row engine.Row, raw []byte) (engine.Row, *requestError) {
	if d.eng.Events() == nil {
		return nil, badRequest(codeBadRequest, `"events" were given, but the server has no events table (segql serve --events FILE)`)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var in []eventJSON
	if err := dec.Decode(&in); err != nil {
		return nil, badRequest(codeBadJSON, "events: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest(codeBadJSON, "events: data after the array")
	}
	evs := make([]engine.Event, len(in))
	for i, e := range in {
		if e.Name == "" {
			return nil, badRequest(codeBadRequest, "events[%d]: no name", i)
		}
		us, ok := check.ParseTime(e.Time)
		if !ok {
			return nil, badRequest(codeBadRequest, "events[%d]: time %q is not an ISO-8601 time (2026-10-30T10:00:00Z)", i, e.Time)
		}
		evs[i] = engine.Event{Name: e.Name, Time: time.UnixMicro(us).UTC(), Props: map[string]any{}}
		for k, v := range e.Props {
			x, err := propValue(v)
			if err != nil {
				return nil, badRequest(codeBadRequest, "events[%d].props.%s: %v", i, k, err)
			}
			evs[i].Props[k] = x
		}
	}
	out, err := d.eng.WithEvents(row, evs)
	if err != nil {
		return nil, badRequest(codeBadRequest, "events: %v", err)
	}
	return out, nil
}

// propValue decodes a JSON scalar: integers as int64, other numbers as
// float64.
func propValue(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	switch v := x.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, nil
		}
		return v.Float64()
	case map[string]any, []any:
		return nil, fmt.Errorf("a property is a scalar, not %s", raw)
	}
	return x, nil
}
