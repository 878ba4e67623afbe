package analytics

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// TestProfileEvents: with an events table, a profile compares what the
// segment's users did with the base, and suppresses names too few of
// the segment's users have.
func TestProfileEvents(t *testing.T) {
	anchor := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	opts := columnar.DemoOptions{Rows: 5000, Seed: 2, Anchor: anchor}
	users, evs := columnar.Demo(opts), columnar.DemoEvents(opts)
	defer users.Release()
	defer evs.Release()
	eng := engine.Open(users)
	_, err := eng.AttachEvents(context.Background(), evs, "user_id", engine.EventOptions{})
	require.NoError(t, err)
	q, err := eng.Compile(`did purchase within 30d`, engine.WithNow(anchor))
	require.NoError(t, err)
	res, err := q.Run(context.Background())
	require.NoError(t, err)
	p, err := New(eng).Profile(context.Background(), res, ProfileOptions{Privacy: Privacy{MinSize: 10}})
	require.NoError(t, err)
	require.Len(t, p.Events, len(columnar.DemoEventNames))
	byName := map[string]EventProfile{}
	for _, ev := range p.Events {
		byName[ev.Name] = ev
	}
	buy := byName["purchase"]
	require.Equal(t, 1.0, buy.Share, "every member purchased")
	require.Greater(t, buy.PerUser, buy.BasePerUser)
	all, err := eng.EventCounts(context.Background(), nil)
	require.NoError(t, err)
	for _, c := range all {
		require.InDelta(t, float64(c.Users)/5000, byName[c.Name].BaseShare, 1e-12, c.Name)
	}

	// A segment of 12 users: names fewer than 10 of them have are
	// suppressed.
	q, err = eng.Compile(`user_id <= 12`)
	require.NoError(t, err)
	small, err := q.Run(context.Background())
	require.NoError(t, err)
	p, err = New(eng).Profile(context.Background(), small, ProfileOptions{Privacy: Privacy{MinSize: 10}})
	require.NoError(t, err)
	suppressed := 0
	for _, ev := range p.Events {
		if ev.Suppressed {
			suppressed++
			require.Zero(t, ev.Share)
		}
	}
	require.Positive(t, suppressed)
}
