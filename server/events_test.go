package server

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// TestEventSegments: with Config.Events, definitions may use event
// conditions; their sizes are the engine's, and the events are attached
// again on a data reload.
func TestEventSegments(t *testing.T) {
	attached := 0
	ts := newTestServer(t, "segment buyers = did purchase at least 2 times within 30d\nsegment lapsed = did not login within 30d and orders_total > 0\n", func(c *Config) {
		c.Events = func(ctx context.Context, eng *engine.Engine, _ *columnar.Table) (func(), error) {
			evs := columnar.DemoEvents(columnar.DemoOptions{Rows: 3000, Seed: 7, Anchor: testNow})
			attached++
			if _, err := eng.AttachEvents(ctx, evs, "user_id", engine.EventOptions{}); err != nil {
				evs.Release()
				return nil, err
			}
			return evs.Release, nil
		}
	})
	for _, name := range []string{"buyers", "lapsed"} {
		var one segmentResponse
		require.Equal(t, 200, ts.call(t, "GET", "/v1/segments/"+name, nil, &one))
		assert.Positive(t, one.Segment.Size, name)
	}
	var one segmentResponse
	require.Equal(t, 200, ts.call(t, "GET", "/v1/segments/buyers", nil, &one))
	snap := ts.acquire()
	q, err := snap.data.eng.Compile("purchases_30d >= 2")
	require.NoError(t, err)
	res, err := q.Run(context.Background(), engine.At(testNow))
	snap.release()
	require.NoError(t, err)
	assert.Equal(t, res.Count(), one.Segment.Size, "the demo's purchases_30d agrees with its events")
	require.NoError(t, ts.ReloadData(context.Background()))
	assert.Equal(t, 2, attached)
}

// TestMatchWithEvents: a match request may carry the user's events;
// segments with event conditions are computed from them, as Run computes
// them from the events table.
func TestMatchWithEvents(t *testing.T) {
	ts := newTestServer(t, "segment buyers = did purchase at least 2 times within 30d\nsegment big = sum(purchase.amount within 30d) > 100\nsegment adults = age >= 18\n", func(c *Config) {
		c.Events = func(ctx context.Context, eng *engine.Engine, _ *columnar.Table) (func(), error) {
			evs := columnar.DemoEvents(columnar.DemoOptions{Rows: 3000, Seed: 7, Anchor: testNow})
			if _, err := eng.AttachEvents(ctx, evs, "user_id", engine.EventOptions{}); err != nil {
				evs.Release()
				return nil, err
			}
			return evs.Release, nil
		}
	})
	type resp struct {
		Segments map[string]*bool `json:"segments"`
	}
	events := []map[string]any{
		{"name": "purchase", "time": "2026-10-20T10:00:00Z", "props": map[string]any{"amount": 80.5}},
		{"name": "purchase", "time": "2026-10-25", "props": map[string]any{"amount": 30, "category": "books"}},
		{"name": "login", "time": "2026-10-31T23:59:59Z"},
	}
	var r resp
	require.Equal(t, 200, ts.call(t, "POST", "/v1/match", map[string]any{"user": map[string]any{"age": 30}, "events": events}, &r))
	assert.True(t, *r.Segments["buyers"])
	assert.True(t, *r.Segments["big"])
	assert.True(t, *r.Segments["adults"])
	require.Equal(t, 200, ts.call(t, "POST", "/v1/match", map[string]any{"user": map[string]any{"age": 30}, "events": events[:1]}, &r))
	assert.False(t, *r.Segments["buyers"])
	assert.False(t, *r.Segments["big"])

	// Without events a user has none to count… only when given: a match
	// without "events" cannot compute event conditions and says so.
	var fail map[string]any
	assert.Equal(t, 422, ts.call(t, "POST", "/v1/match", map[string]any{"user": map[string]any{"age": 30}, "segments": []string{"buyers"}}, &fail))
	for _, bad := range []map[string]any{
		{"users": []any{map[string]any{"age": 1}}, "events": events},
		{"user": map[string]any{"age": 1}, "events": []any{map[string]any{"name": "purchase", "time": "yesterday"}}},
		{"user": map[string]any{"age": 1}, "events": []any{map[string]any{"name": "purchase", "time": "2026-01-01", "props": map[string]any{"nope": 1}}}},
		{"user": map[string]any{"age": 1}, "events": []any{map[string]any{"name": "purchase", "time": "2026-01-01", "extra": 1}}},
	} {
		assert.Equal(t, 400, ts.call(t, "POST", "/v1/match", bad, &fail), "%v", bad)
	}
}
