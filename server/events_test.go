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
