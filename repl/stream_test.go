package repl

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// TestStreamedSession: a session on a dataset streamed under a memory
// limit answers expressions, .count, definitions and the listing modes
// as a session with the rows loaded does; .explain says what the scan
// read; commands that need the rows in memory say so.
func TestStreamedSession(t *testing.T) {
	loaded := newSession(t) // the same 20,000 demo rows
	path := filepath.Join(t.TempDir(), "users.parquet")
	require.NoError(t, columnar.WriteFile(path, loaded.cur.t, nil))
	ds, err := columnar.OpenDataset(context.Background(), []string{path}, columnar.LoadOptions{BatchSize: 3000})
	require.NoError(t, err)
	s := NewStreamed("users", ds, 256<<20, Options{Now: anchor})
	defer s.Close()
	require.Contains(t, s.Banner(), "table users streamed from 1 Parquet files: 20,000 rows in 1 row groups, 27 columns, memory limit 256MiB")

	elapsed := regexp.MustCompile(` in [0-9.]+[µmn]?s`)
	same := func(stmt string, summary bool) string {
		want := elapsed.ReplaceAllString(exec(t, loaded, stmt), "")
		got := elapsed.ReplaceAllString(exec(t, s, stmt), "")
		if summary {
			require.Contains(t, got, "row groups: read 1 of 1", stmt)
		}
		got = regexp.MustCompile(`row groups: [^\n]*\n`).ReplaceAllString(got, "")
		require.Equal(t, want, got, stmt)
		return got
	}
	same(`age between 25 and 54 and purchases_30d > 3`, true)
	same(`.count country = "DE"`, true)
	exec(t, loaded, `segment older = age > 60`)
	exec(t, s, `segment older = age > 60`)
	for _, mode := range []string{"ids", "csv", "json"} {
		exec(t, loaded, ".mode "+mode)
		exec(t, s, ".mode "+mode)
		same(`older and country = "FR"`, false)
	}
	exec(t, s, ".mode table")
	require.Contains(t, exec(t, s, `.count age > 200`), "row groups: read 0 of 1, 1 skipped by their statistics")
	require.Contains(t, exec(t, s, `.explain age > 30`), "for each row group read")
	_, err = s.Execute(context.Background(), `.profile age > 30`)
	require.ErrorIs(t, err, ErrStreamed)
	_, err = s.Execute(context.Background(), `.values country`)
	require.ErrorIs(t, err, ErrStreamed)
	require.Contains(t, exec(t, s, ".tables"), "users  20,000 rows")
	events := filepath.Join(t.TempDir(), "events.parquet")
	evs := columnar.DemoEvents(columnar.DemoOptions{Rows: 20_000, Seed: 1, Anchor: anchor})
	require.NoError(t, columnar.WriteFile(events, evs, nil))
	evs.Release()
	_, err = s.Execute(context.Background(), `.load `+events+` as events`)
	require.ErrorIs(t, err, engine.ErrScanEvents)
	lazy := NewLazy("users", reopen(t, path), Options{Now: anchor})
	defer lazy.Close()
	exec(t, lazy, `.load `+events+` as events`)
	require.Nil(t, lazy.cur.stream, "events need the table in memory: it is loaded")
	exec(t, loaded, `.load `+events+` as events`)
	exec(t, loaded, ".mode table")
	require.Equal(t, elapsed.ReplaceAllString(exec(t, loaded, `did purchase within 30d`), ""), elapsed.ReplaceAllString(exec(t, lazy, `did purchase within 30d`), ""))
	_, err = s.Execute(context.Background(), `percent_rank(age) > 0.5`)
	require.ErrorContains(t, err, "whole table")
}

// TestLazySession: a session whose columns load on first use answers as
// a session with the rows loaded: expressions read only their columns
// (kept for later statements), and the first statement that needs the
// whole table — a ranking function, a definition using one, .profile —
// loads it and goes on in memory.
func TestLazySession(t *testing.T) {
	for _, first := range []string{`percent_rank(income) > 0.9 and age < 30`, `.profile age > 60`, `segment top = ntile(income, 10) = 10`} {
		loaded := newSession(t)
		path := filepath.Join(t.TempDir(), "users.parquet")
		require.NoError(t, columnar.WriteFile(path, loaded.cur.t, nil))
		ds, err := columnar.OpenDataset(context.Background(), []string{path}, columnar.LoadOptions{BatchSize: 3000})
		require.NoError(t, err)
		s := NewLazy("users", ds, Options{Now: anchor})
		require.Contains(t, s.Banner(), "table users, 20,000 rows in 1 Parquet files, 27 columns, each read on first use")
		elapsed := regexp.MustCompile(` in [0-9.]+[µmn]?s`)
		rowGroups := regexp.MustCompile(`row groups: [^\n]*\n`)
		same := func(stmt string) {
			want := elapsed.ReplaceAllString(exec(t, loaded, stmt), "")
			got := rowGroups.ReplaceAllString(elapsed.ReplaceAllString(exec(t, s, stmt), ""), "")
			require.Equal(t, want, got, stmt)
		}
		same(`age between 25 and 54 and purchases_30d > 3`)
		same(`.count country = "DE" and age > 40`)
		require.NotNil(t, s.cur.stream, "still streamed")
		same(first)
		require.Nil(t, s.cur.stream, "%s loads the whole table", first)
		same(`age between 25 and 54 and purchases_30d > 3`)
		same(`.count country = "DE" and age > 40`)
		require.NoError(t, s.Close())
	}
}

func reopen(t *testing.T, path string) *columnar.Dataset {
	ds, err := columnar.OpenDataset(context.Background(), []string{path}, columnar.LoadOptions{BatchSize: 3000})
	require.NoError(t, err)
	return ds
}
