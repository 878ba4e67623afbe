package conformance

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/columnar"
)

// rankedColumns get DuckDB window columns c_rank (the number of non-null
// values below the row's, null where c is null), c_n (non-null values)
// and c_pr (DuckDB's own percent_rank over the non-null rows).
var rankedColumns = []string{"revenue_total", "orders_total", "last_purchase", "income", "age"}

// bucketSQL is SPEC.md's bucket formula in DuckDB.
func bucketSQL(id, salt string) string {
	return fmt.Sprintf(`(('0x' || md5('%s' || ':' || CAST(%s AS VARCHAR))[1:8])::UBIGINT %% 10000)`, salt, id)
}

func ntileSQL(col string, k int) string {
	return fmt.Sprintf("(1 + floor(%d * %s_rank / %s_n))", k, col, col)
}

// TestDistributionFunctions: percent_rank, ntile, the RFM scores and
// bucket/sample select the users DuckDB selects with the formulas SPEC.md
// gives.
func TestDistributionFunctions(t *testing.T) {
	eng, db := demoBoth(t, 100_000, 11)
	sel := "SELECT *"
	for _, c := range rankedColumns {
		sel += fmt.Sprintf(`, CASE WHEN %[1]s IS NOT NULL THEN rank() OVER (PARTITION BY %[1]s IS NULL ORDER BY %[1]s) - 1 END AS %[1]s_rank,
			count(%[1]s) OVER () AS %[1]s_n,
			CASE WHEN %[1]s IS NOT NULL THEN percent_rank() OVER (PARTITION BY %[1]s IS NULL ORDER BY %[1]s) END AS %[1]s_pr`, c)
	}
	_, err := db.Exec("CREATE TABLE ranked AS " + sel + " FROM users")
	require.NoError(t, err)

	cases := []struct{ segql, sql string }{
		{`ntile(revenue_total, 10) = 10`, ntileSQL("revenue_total", 10) + ` = 10`},
		{`ntile(age, 4) = 1`, ntileSQL("age", 4) + ` = 1`},
		{`ntile(income, 100) between 50 and 52`, ntileSQL("income", 100) + ` BETWEEN 50 AND 52`},
		{`ntile(last_purchase, 3) = 2`, ntileSQL("last_purchase", 3) + ` = 2`},
		{`not (ntile(income, 5) = 3)`, `NOT (` + ntileSQL("income", 5) + ` = 3)`},
		{`percent_rank(income) >= 0.9`, `income_pr >= 0.9`},
		{`percent_rank(age) < 0.25`, `age_pr < 0.25`},
		{`percent_rank(orders_total) = 0`, `orders_total_pr = 0`},
		{`r_score(last_purchase) = 5`, ntileSQL("last_purchase", 5) + ` = 5`},
		{`r_score(last_purchase) >= 4 and f_score(orders_total) >= 4 and m_score(revenue_total) >= 4`,
			ntileSQL("last_purchase", 5) + ` >= 4 AND ` + ntileSQL("orders_total", 5) + ` >= 4 AND ` + ntileSQL("revenue_total", 5) + ` >= 4`},
		{`r_score(orders_total) = 5`, `6 - ` + ntileSQL("orders_total", 5) + ` = 5`},
		{`sample(user_id, 10%, "exp1")`, bucketSQL("user_id", "exp1") + ` < 1000`},
		{`bucket(user_id, "homepage-2026") between 5000 and 9999`, bucketSQL("user_id", "homepage-2026") + ` BETWEEN 5000 AND 9999`},
		{`bucket(city, "s") < 5000 and sample(user_id, 0.5, "t")`, bucketSQL("city", "s") + ` < 5000 AND ` + bucketSQL("user_id", "t") + ` < 5000`},
		{`sample(occupation, 30%, "x")`, bucketSQL("occupation", "x") + ` < 3000`},
	}
	for _, c := range cases {
		t.Run(c.segql, func(t *testing.T) {
			require.Positive(t, requireSameMembers(t, eng, db, c.segql, c.sql, "ranked"), "the case should select someone")
		})
	}
}

// TestSplitMatchesDuckDB: the users segql split puts in each arm are the
// users DuckDB puts there with SPEC.md's bucket formula.
func TestSplitMatchesDuckDB(t *testing.T) {
	eng, db := demoBoth(t, 100_000, 12)
	q, err := eng.Compile(`country in ("DE", "FR") and age < 40`)
	require.NoError(t, err)
	res, err := q.Run(context.Background())
	require.NoError(t, err)
	arms, err := analytics.ParseArms("control:50,treatment:30")
	require.NoError(t, err)
	s, err := analytics.New(eng).Split(res, analytics.SplitOptions{Arms: arms, Salt: "exp-42", IDColumn: "user_id"})
	require.NoError(t, err)
	asg, err := s.Assignments(nil)
	require.NoError(t, err)
	defer asg.Release()
	got := map[string][]string{}
	rec := asg.Batches[0]
	for i := 0; i < int(rec.NumRows()); i++ {
		id, _ := columnar.FormatValue(rec.Column(0), i)
		arm, _ := columnar.FormatValue(rec.Column(1), i)
		got[arm] = append(got[arm], id)
	}
	b := bucketSQL("user_id", "exp-42")
	for arm, cond := range map[string]string{"control": b + " < 5000", "treatment": b + " BETWEEN 5000 AND 7999"} {
		want := duckIDs(t, db, "country IN ('DE', 'FR') AND age < 40 AND "+cond)
		require.NotEmpty(t, want)
		require.Equal(t, want, got[arm], arm)
	}
	require.Equal(t, len(duckIDs(t, db, "country IN ('DE', 'FR') AND age < 40 AND "+b+" >= 8000")), s.Held)
}
