package conformance

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/engine"
)

// anchor is both the demo data's "today" and now() for every query.
var anchor = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

const nowSQL = "TIMESTAMP '2026-11-01 00:00:00'"

// cases pairs a segql expression with the equivalent SQL condition.
var cases = []struct{ segql, sql string }{
	// comparisons and ranges
	{`age >= 55`, `age >= 55`},
	{`age between 18 and 24`, `age BETWEEN 18 AND 24`},
	{`age not between 18 and 64`, `age NOT BETWEEN 18 AND 64`},
	{`age between 25 and 54 and purchases_30d > 3`, `age BETWEEN 25 AND 54 AND purchases_30d > 3`},
	{`age == 30 or age <> 31 and age < 20`, `age = 30 OR age <> 31 AND age < 20`},
	{`income > 75000.5`, `income > 75000.5`},
	{`income <= 20000`, `income <= 20000`},
	{`discount_share > 0.5 and orders_total >= 2`, `discount_share > 0.5 AND orders_total >= 2`},
	{`churn_risk >= 0.9`, `churn_risk >= 0.9`},
	{`age > income / 1000`, `age > income / 1000`},
	{`nps != 10`, `nps <> 10`},
	{`is_premium`, `is_premium`},
	{`is_premium = false`, `is_premium = false`},
	{`email_opt_in = true`, `email_opt_in = true`},
	{`not email_opt_in`, `NOT email_opt_in`},
	// strings
	{`gender = "female" and income > 75000`, `gender = 'female' AND income > 75000`},
	{`country in ("DE", "FR") and city != "Paris"`, `country IN ('DE', 'FR') AND city <> 'Paris'`},
	{`climate = "tropical"`, `climate = 'tropical'`},
	{`occupation in ("nurse", "teacher")`, `occupation IN ('nurse', 'teacher')`},
	{`occupation not in ("nurse", "teacher")`, `occupation NOT IN ('nurse', 'teacher')`},
	{`occupation in ("nurse", null)`, `occupation IN ('nurse', NULL)`},
	{`city > "M"`, `city > 'M'`},
	{`city like "M%"`, `city LIKE 'M%'`},
	{`city like "%o"`, `city LIKE '%o'`},
	{`city like "%an%"`, `city LIKE '%an%'`},
	{`city like "_a%s"`, `city LIKE '_a%s'`},
	{`city not like "%a%"`, `city NOT LIKE '%a%'`},
	{`city ilike "p%"`, `city ILIKE 'p%'`},
	{`city not ilike "%O%"`, `city NOT ILIKE '%O%'`},
	{`city matches "^S.*o$"`, `regexp_matches(city, '^S.*o$')`},
	{`occupation matches "er$"`, `regexp_matches(occupation, 'er$')`},
	{`city contains "an"`, `contains(city, 'an')`},
	{`lower(city) = "paris"`, `lower(city) = 'paris'`},
	{`upper(country) = "DE"`, `upper(country) = 'DE'`},
	{`len(city) > 7`, `length(city) > 7`},
	{`length(occupation) = 5`, `length(occupation) = 5`},
	{`starts_with(city, "Ber")`, `starts_with(city, 'Ber')`},
	{`ends_with(education, "or")`, `suffix(education, 'or')`},
	{`coalesce(occupation, "none") = "none"`, `coalesce(occupation, 'none') = 'none'`},
	// nulls
	{`gender is null`, `gender IS NULL`},
	{`income is not null and age is null`, `income IS NOT NULL AND age IS NULL`},
	{`not (gender = "male")`, `NOT (gender = 'male')`},
	{`gender != "male"`, `gender <> 'male'`},
	{`gender is null or gender != "male"`, `gender IS NULL OR gender <> 'male'`},
	{`nps > 8 or age < 20`, `nps > 8 OR age < 20`},
	{`not (nps > 8 and age < 40)`, `NOT (nps > 8 AND age < 40)`},
	{`coalesce(nps, -1) = -1`, `coalesce(nps, -1) = -1`},
	{`coalesce(income, age * 1000) > 90000`, `coalesce(income, age * 1000) > 90000`},
	// arithmetic
	{`revenue_total / orders_total > 120`, `revenue_total / NULLIF(orders_total, 0) > 120`},
	{`orders_total / purchases_90d >= 3`, `orders_total / NULLIF(purchases_90d, 0) >= 3`},
	{`revenue_total % purchases_30d > 10`, `revenue_total % NULLIF(purchases_30d, 0) > 10`},
	{`(orders_total / 0) is null and (revenue_total % 0) is null`, `true`},
	{`orders_total % 7 = 3`, `orders_total % 7 = 3`},
	{`orders_total % purchases_30d = 0`, `orders_total % purchases_30d = 0`},
	{`purchases_90d - purchases_30d * 2 > 5`, `purchases_90d - purchases_30d * 2 > 5`},
	{`-age < -60`, `-age < -60`},
	{`abs(nps - 5) >= 4`, `abs(nps - 5) >= 4`},
	{`round(income, -4) = 50000`, `round(income, -4) = 50000`},
	{`round(avg_order_value) = 100`, `round(avg_order_value) = 100`},
	{`floor(churn_risk * 10) = 3`, `floor(churn_risk * 10) = 3`},
	{`ceil(avg_order_value) = 80`, `ceil(avg_order_value) = 80`},
	{`revenue_total * 1.1 + 5 > 2000`, `revenue_total * 1.1 + 5 > 2000`},
	// time
	{`last_seen within 30d`, `last_seen BETWEEN ` + nowSQL + ` - INTERVAL 30 DAY AND ` + nowSQL},
	{`last_seen within 2w and signup_date within 52w`, `last_seen BETWEEN ` + nowSQL + ` - INTERVAL 14 DAY AND ` + nowSQL + ` AND signup_date BETWEEN ` + nowSQL + ` - INTERVAL 364 DAY AND ` + nowSQL},
	{`days_since(last_purchase) > 90`, `floor((epoch_us(` + nowSQL + `) - epoch_us(last_purchase)) / 86400000000.0) > 90`},
	{`days_since(signup_date) between 100 and 200`, `floor((epoch_us(` + nowSQL + `) - epoch_us(signup_date::TIMESTAMP)) / 86400000000.0) BETWEEN 100 AND 200`},
	{`signup_date >= "2024-01-31"`, `signup_date >= DATE '2024-01-31'`},
	{`last_seen > "2026-10-15T12:00:00Z"`, `last_seen > TIMESTAMP '2026-10-15 12:00:00'`},
	{`last_seen < "2026-10-15T12:00:00+02:00"`, `last_seen < TIMESTAMP '2026-10-15 10:00:00'`},
	{`last_purchase > last_seen - 3d`, `last_purchase > last_seen - INTERVAL 3 DAY`},
	{`last_seen - signup_date > 700d`, `last_seen - signup_date::TIMESTAMP > INTERVAL 700 DAY`},
	{`last_seen < now() - 12h`, `last_seen < ` + nowSQL + ` - INTERVAL 12 HOUR`},
	{`year(signup_date) = 2024 and month(last_seen) in (9, 10)`, `year(signup_date) = 2024 AND month(last_seen) IN (9, 10)`},
	{`day_of_week(last_seen) = 7`, `isodow(last_seen) = 7`},
	{`day_of_week(signup_date) in (1, 3)`, `isodow(signup_date) IN (1, 3)`},
	// lists
	{`interests contains "meditation"`, `list_contains(interests, 'meditation')`},
	{`interests contains any ("yoga", "running")`, `list_has_any(interests, ['yoga', 'running'])`},
	{`interests contains all ("yoga", "running")`, `list_has_all(interests, ['yoga', 'running'])`},
	{`interests contains any ("yoga", null)`, `list_has_any(interests, ['yoga', NULL])`},
	{`interests contains all ("yoga", null, "running")`, `list_has_all(interests, ['yoga', NULL, 'running'])`},
	{`not (interests contains all ("yoga", null))`, `NOT list_has_all(interests, ['yoga', NULL])`},
	{`upper(city) = "MÜNCHEN"`, `upper(city) = 'MÜNCHEN'`},
	{`signup_date >= "20240101"`, `signup_date >= DATE '2024-01-01'`},
	{`last_seen >= "2026-10-01T00:00:00+0200"`, `last_seen >= TIMESTAMPTZ '2026-10-01 00:00:00+02'`},
	{`not (interests contains "deals")`, `NOT list_contains(interests, 'deals')`},
	{`len(interests) >= 4`, `len(interests) >= 4`},
	{`len(interests) = 0 or interests is null`, `len(interests) = 0 OR interests IS NULL`},
	// the demo families together
	{`age between 25 and 54 and purchases_30d > 3 and country in ("DE", "FR")`, `age BETWEEN 25 AND 54 AND purchases_30d > 3 AND country IN ('DE', 'FR')`},
	{`(climate = "cold" or region = "Africa") and not is_premium and plan != "free"`, `(climate = 'cold' OR region = 'Africa') AND NOT is_premium AND plan <> 'free'`},
	{`device in ("ios", "android") and sessions_30d > 10 or churn_risk > 0.95`, `device IN ('ios', 'android') AND sessions_30d > 10 OR churn_risk > 0.95`},
}

func TestConformance(t *testing.T) {
	eng, db := demoBoth(t, 200_000, 7)

	require.GreaterOrEqual(t, len(cases), 60)
	for _, c := range cases {
		t.Run(c.segql, func(t *testing.T) {
			if n := requireSameMembers(t, eng, db, c.segql, c.sql, "users"); n == 0 {
				t.Logf("no members (still compared)")
			}
		})
	}
}

// requireSameMembers evaluates a segql expression and the SQL condition
// over table, requires the same user ids, and returns how many.
func requireSameMembers(t *testing.T, eng *engine.Engine, db *sql.DB, expr, cond, table string) int {
	t.Helper()
	q, err := eng.Compile(expr, engine.WithNow(anchor))
	require.NoError(t, err)
	res, err := q.Run(context.Background())
	require.NoError(t, err)
	got, err := res.IDs("user_id", -1)
	require.NoError(t, err)
	want := duckIDs(t, db, cond, table)
	require.Equal(t, len(want), len(got), "member count: segql %d, DuckDB %d", len(got), len(want))
	require.Equal(t, want, got)
	return len(want)
}

// demoBoth writes the demo table of rows users to a Parquet file and loads
// it into segql and into DuckDB (table users); both are closed with the test.
func demoBoth(t *testing.T, rows int, seed uint64) (*engine.Engine, *sql.DB) {
	eng, path := demoFile(t, rows, seed)
	db := openDuckDB(t, path)
	t.Cleanup(func() { db.Close() })
	return eng, db
}

// openTable loads a Parquet file into DuckDB as table floats.
func openTable(t *testing.T, path string) *sql.DB {
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	_, err = db.Exec(fmt.Sprintf(`CREATE TABLE floats AS SELECT * FROM read_parquet('%s')`, path))
	require.NoError(t, err)
	return db
}

func openDuckDB(t *testing.T, path string) *sql.DB {
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	for _, stmt := range []string{
		fmt.Sprintf(`CREATE TABLE users AS SELECT * REPLACE (last_seen::TIMESTAMP AS last_seen, last_purchase::TIMESTAMP AS last_purchase) FROM read_parquet('%s')`, path),
	} {
		_, err := db.Exec(stmt)
		require.NoError(t, err, stmt)
	}
	return db
}

func duckIDs(t *testing.T, db *sql.DB, cond string, table ...string) []string {
	from := "users"
	if len(table) > 0 {
		from = table[0]
	}
	rows, err := db.Query("SELECT user_id FROM " + from + " WHERE " + cond + " ORDER BY user_id")
	require.NoError(t, err, cond)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		require.NoError(t, rows.Scan(&id))
		out = append(out, strconv.FormatInt(id, 10))
	}
	require.NoError(t, rows.Err())
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) < len(out[j]) || len(out[i]) == len(out[j]) && out[i] < out[j] })
	return out
}

func TestMain(m *testing.M) { os.Exit(m.Run()) }
