package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
)

// TestDemoEventsConsistent: the demo users' behavioural columns equal the
// event conditions over the demo events, for every user.
func TestDemoEventsConsistent(t *testing.T) {
	opts := columnar.DemoOptions{Rows: 30_000, Seed: 3, Anchor: columnar.DemoAnchor, BatchSize: 7_000}
	users, evs := columnar.Demo(opts), columnar.DemoEvents(opts)
	defer users.Release()
	defer evs.Release()
	e := Open(users)
	st, err := e.AttachEvents(context.Background(), evs, "user_id", EventOptions{})
	require.NoError(t, err)
	require.Empty(t, st.Warning())
	perUser := float64(evs.NumRows()) / float64(users.NumRows())
	require.InDelta(t, 32, perUser, 4, "events per user")
	for _, cond := range []string{
		"purchases_30d = count(purchase within 30d)",
		"purchases_90d = count(purchase within 90d)",
		"orders_total = count(purchase)",
		"(last_purchase = last_time(purchase)) or (last_purchase is null and last_time(purchase) is null)",
		"abs(revenue_total - sum(purchase.amount)) < 0.005",
		"sessions_30d = count(session_start within 30d)",
		"last_seen = last_time(login)",
		"did purchase within 30d = (purchases_30d > 0)",
	} {
		q, err := e.Compile(cond, WithNow(columnar.DemoAnchor))
		require.NoError(t, err, cond)
		res, err := q.Run(context.Background())
		require.NoError(t, err, cond)
		require.Equal(t, res.Total(), res.Count(), "%s: users for whom it is not TRUE", cond)
	}
	// Demo events are the same whatever the batch size.
	other := columnar.DemoEvents(columnar.DemoOptions{Rows: 30_000, Seed: 3, Anchor: columnar.DemoAnchor, BatchSize: 7_000})
	defer other.Release()
	require.Equal(t, evs.NumRows(), other.NumRows())
}
