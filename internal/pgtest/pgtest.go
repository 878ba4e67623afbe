// Package pgtest gives tests the PostgreSQL server of SEGQL_POSTGRES_URL
// (.ci/postgres start DIR PORT prints one; .ci/run starts its own).
package pgtest

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// URL is the server's URL. Without SEGQL_POSTGRES_URL the test is
// skipped, unless SEGQL_REQUIRE_POSTGRES is set, as in CI, where that is
// a failure.
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("SEGQL_POSTGRES_URL")
	if u == "" {
		if os.Getenv("SEGQL_REQUIRE_POSTGRES") != "" {
			t.Fatal("SEGQL_REQUIRE_POSTGRES is set but SEGQL_POSTGRES_URL is not")
		}
		t.Skip("no PostgreSQL server: set SEGQL_POSTGRES_URL (.ci/postgres start DIR PORT prints one)")
	}
	return u
}

// WithTable is the server URL u naming table (?table=), as segql's
// --data takes it.
func WithTable(t testing.TB, u, table string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set("table", table)
	p.RawQuery = q.Encode()
	return p.String()
}

// DropAtCleanup drops table from the server at u when the test ends.
func DropAtCleanup(t testing.TB, u, table string) {
	t.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, u)
		if err != nil {
			t.Logf("dropping %s: %v", table, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP TABLE IF EXISTS "+pgx.Identifier{table}.Sanitize()); err != nil {
			t.Logf("dropping %s: %v", table, err)
		}
	})
}
