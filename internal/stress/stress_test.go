// Package stress runs segql's public entry points from many goroutines at
// once over one table of sliced batches; CI runs it under -race, so any
// write to shared state (Arrow's lazily computed fields, engine caches,
// compiled queries) is a failure.
package stress

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

var anchor = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

// slicedDemo is the demo table re-cut into sliced batches (non-zero
// offsets, lazily counted nulls), then settled by NewTable as every
// loader's table is.
func slicedDemo(t *testing.T, rows int) *columnar.Table {
	whole := columnar.Demo(columnar.DemoOptions{Rows: rows, Seed: 5, Anchor: anchor, BatchSize: rows})
	defer whole.Release()
	var batches []arrow.RecordBatch
	for lo := int64(0); lo < int64(rows); lo += 997 {
		batches = append(batches, whole.Batches[0].NewSlice(lo, min(lo+997, int64(rows))))
	}
	return columnar.NewTable("users", whole.Schema, batches)
}

const defs = `segment adults = age between 25 and 54
segment buyers = purchases_30d > 3 and country in ("DE", "FR")
segment target = adults and buyers
segment lapsed = days_since(last_purchase) > 90 or last_purchase is null
segment mixed = (target or lapsed) and not (interests contains "deals")
`

// TestConcurrentPublicAPI: 64 goroutines compile, run, match, read ids and
// rows, size a catalog, profile, overlap, split, cluster and export, all
// on one engine at once; every answer equals the one computed alone.
func TestConcurrentPublicAPI(t *testing.T) {
	tbl := slicedDemo(t, 12_000)
	defer tbl.Release()
	eng := engine.Open(tbl)
	cat, err := catalog.Load(eng, []catalog.File{{Name: "s.seg", Text: defs}})
	require.NoError(t, err)
	an := analytics.New(eng)
	exprs := []string{`age between 25 and 54 and purchases_30d > 3`, `city = "Paris" or interests contains any ("yoga", "running")`,
		`revenue_total / purchases_30d > 50 and year(signup_date) >= 2023`, `coalesce(nps, 0) >= 9`, `ntile(revenue_total, 10) = 10`,
		`sessions_30d + 10 * purchases_30d >= 60`, `month(last_seen) = 5 and day_of_week(last_seen) in (6, 7)`}
	want := map[string]int{}
	for _, src := range exprs {
		q, err := eng.Compile(src, engine.WithNow(anchor))
		require.NoError(t, err)
		res, err := q.Run(context.Background())
		require.NoError(t, err)
		want[src] = res.Count()
	}
	sizes, err := cat.Sizes(context.Background(), engine.At(anchor))
	require.NoError(t, err)
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 1024)
	check := func(err error) {
		if err != nil {
			errs <- err
		}
	}
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := exprs[g%len(exprs)]
			q, err := eng.Compile(src, engine.WithNow(anchor))
			check(err)
			if err != nil {
				return
			}
			res, err := q.Run(context.Background(), engine.Workers(2))
			check(err)
			if err == nil && res.Count() != want[src] {
				errs <- fmt.Errorf("%s: %d members, %d alone", src, res.Count(), want[src])
			}
			_, err = q.Match(engine.MapRow{"age": 30, "purchases_30d": 5, "country": "DE", "city": "Paris"})
			check(err)
			if res != nil {
				_, err = res.IDs("user_id", 20)
				check(err)
				rec, err := res.Rows([]string{"user_id", "city"}, 10, nil)
				check(err)
				if rec != nil {
					rec.Release()
				}
				_ = res.Explain().String()
			}
			switch g % 6 {
			case 0:
				got, err := cat.Sizes(context.Background(), engine.At(anchor), engine.Workers(2))
				check(err)
				for i := range got {
					if got[i].Result.Count() != sizes[i].Result.Count() {
						errs <- fmt.Errorf("sizes differ for %s", got[i].Name)
					}
				}
			case 1:
				if res != nil {
					_, err := an.Profile(context.Background(), res, analytics.ProfileOptions{Columns: []string{"age", "country"}})
					check(err)
				}
			case 2:
				a, err1 := cat.Compile("adults", engine.WithNow(anchor))
				b, err2 := cat.Compile("buyers", engine.WithNow(anchor))
				check(err1)
				check(err2)
				if err1 == nil && err2 == nil {
					ra, _ := a.Run(context.Background())
					rb, _ := b.Run(context.Background())
					_, err := an.Overlap([]string{"adults", "buyers"}, []*engine.Result{ra, rb}, analytics.Privacy{})
					check(err)
				}
			case 3:
				if res != nil {
					arms, _ := analytics.ParseArms("a:50,b:50")
					_, err := an.Split(res, analytics.SplitOptions{Arms: arms, Salt: "s", IDColumn: "user_id"})
					check(err)
				}
			case 4:
				_, err := an.Cluster(context.Background(), analytics.ClusterOptions{K: 3, Features: []string{"age", "revenue_total"}, Seed: 1})
				check(err)
			case 5:
				if res != nil {
					_, err := an.Export(context.Background(), res, filepath.Join(dir, fmt.Sprintf("out%d.csv", g)), analytics.ExportOptions{Columns: []string{"user_id"}})
					check(err)
				}
			}
			tr, err := q.TraceAt(engine.RowAt(tbl, int64(g)), anchor)
			check(err)
			if tr == nil {
				errs <- fmt.Errorf("no trace")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
