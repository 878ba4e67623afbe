package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

var testNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

const testDefs = `# Adults.
segment adults = age >= 18
segment germans = country = "DE"
segment adult_germans = adults and germans
segment recent_buyers = days_since(last_purchase) <= 30
segment big_spenders = revenue_total > 2000 and nps >= 9
segment fit = interests contains "fitness"
segment tiny = user_id <= 3
`

// testServer is a server over 3,000 demo users and testDefs (or defs),
// behind an httptest server on loopback.
type testServer struct {
	*Server
	url  string
	dir  string
	http *httptest.Server
}

func newTestServer(t *testing.T, defs string, mod func(*Config)) *testServer {
	t.Helper()
	dir := t.TempDir()
	writeDefs(t, dir, defs)
	cfg := Config{
		Load: func(context.Context) (*columnar.Table, error) {
			return columnar.Demo(columnar.DemoOptions{Rows: 3000, Seed: 7, Anchor: testNow}), nil
		},
		Defs:    []string{dir},
		Now:     func() time.Time { return testNow },
		Privacy: analytics.Privacy{MinSize: 10},
		Poll:    -1,
	}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := New(context.Background(), cfg)
	require.NoError(t, err)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return &testServer{Server: srv, url: hs.URL, dir: dir, http: hs}
}

func writeDefs(t testing.TB, dir, text string) {
	t.Helper()
	tmp := filepath.Join(dir, ".segs.tmp")
	require.NoError(t, os.WriteFile(tmp, []byte(text), 0o644))
	require.NoError(t, os.Rename(tmp, filepath.Join(dir, "segs.seg")))
}

// call sends body (a value to encode, or a string sent as is) to path
// and decodes the answer into out; it returns the status.
func (ts *testServer) call(t testing.TB, method, path string, body any, out any) int {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		require.NoError(t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, ts.url+path, rd)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"), "%s %s: %s", method, path, data)
	if out != nil {
		require.NoError(t, json.Unmarshal(data, out), "%s", data)
	}
	return resp.StatusCode
}

// userJSON is row i of the table as the JSON object a caller sends.
func userJSON(tbl *columnar.Table, i int64) map[string]any {
	out := map[string]any{}
	for k, v := range engine.RowAt(tbl, i) {
		if tm, ok := v.(time.Time); ok {
			v = tm.Format(time.RFC3339Nano)
		}
		out[k] = v
	}
	return out
}

func truthOf(b *bool) engine.Truth {
	switch {
	case b == nil:
		return engine.Unknown
	case *b:
		return engine.True
	}
	return engine.False
}

// TestMatchAgreesWithRun: for every segment and a spread of users, the
// single and batch forms of /v1/match give the truth the engine gives
// for the same row (TRUE exactly for Run's members).
func TestMatchAgreesWithRun(t *testing.T) {
	ts := newTestServer(t, testDefs, nil)
	snap := ts.acquire()
	defer snap.release()
	tbl := snap.data.tbl
	members := map[string]*engine.Result{}
	for _, n := range snap.names {
		res, err := snap.segs[n].q.Run(context.Background(), engine.At(testNow))
		require.NoError(t, err)
		members[n] = res
	}
	var users []map[string]any
	var rows []int64
	for i := int64(0); i < tbl.NumRows(); i += 37 {
		users = append(users, userJSON(tbl, i))
		rows = append(rows, i)
	}
	var batch matchResponse
	require.Equal(t, 200, ts.call(t, "POST", "/v1/match", matchRequest{Users: users}, &batch))
	require.Len(t, batch.Results, len(users))
	seen := map[engine.Truth]int{}
	for k, i := range rows {
		var one matchResponse
		require.Equal(t, 200, ts.call(t, "POST", "/v1/match", matchRequest{User: users[k]}, &one))
		assert.Equal(t, batch.Results[k], one.Segments, "row %d: batch and single differ", i)
		assert.Len(t, one.Segments, len(snap.names))
		for _, n := range snap.names {
			got := truthOf(one.Segments[n])
			want, err := snap.segs[n].q.TruthAt(engine.RowAt(tbl, i), testNow)
			require.NoError(t, err)
			assert.Equal(t, want, got, "segment %s row %d", n, i)
			assert.Equal(t, members[n].Bitmap().Get(int(i)), got == engine.True, "segment %s row %d: Run disagrees", n, i)
			seen[got]++
		}
	}
	for _, tr := range []engine.Truth{engine.True, engine.False, engine.Unknown} {
		assert.Positive(t, seen[tr], "no %v answer: the test would not notice a wrong one", tr)
	}
	var some matchResponse
	require.Equal(t, 200, ts.call(t, "POST", "/v1/match", `{"segments":["adult_germans"],"user":{"age":30,"country":"DE"}}`, &some))
	assert.Equal(t, map[string]*bool{"adult_germans": &jsonTrue}, some.Segments)
	assert.Equal(t, snap.version, some.Version)
}

// TestEvaluatePages: the pages of an evaluation, followed by cursor, are
// exactly the members' ids in order; a cursor outlives no reload.
func TestEvaluatePages(t *testing.T) {
	ts := newTestServer(t, testDefs, nil)
	const expr = `germans and age < 30`
	snap := ts.acquire()
	q, err := snap.cat.Compile(expr)
	require.NoError(t, err)
	res, err := q.Run(context.Background(), engine.At(testNow))
	require.NoError(t, err)
	want, _, err := res.MemberIDs("user_id", -1)
	require.NoError(t, err)
	snap.release()
	require.Greater(t, len(want), 20)

	var got []string
	cur, pages := "", 0
	for {
		var page evaluateResponse
		lim := 7
		require.Equal(t, 200, ts.call(t, "POST", "/v1/evaluate", evaluateRequest{Expression: expr, Limit: &lim, Cursor: cur}, &page))
		assert.Equal(t, res.Count(), page.Count)
		assert.Equal(t, res.Total(), page.Total)
		assert.Equal(t, res.Unknown(), page.Unknown)
		got = append(got, page.IDs...)
		pages++
		if page.NextCursor == "" {
			break
		}
		cur = page.NextCursor
	}
	assert.Equal(t, want, got)
	assert.Equal(t, (len(want)+6)/7, pages)

	var e errorResponse
	lim := 7
	assert.Equal(t, 400, ts.call(t, "POST", "/v1/evaluate", evaluateRequest{Expression: "adults", Limit: &lim, Cursor: cur}, &e))
	assert.Contains(t, e.Error.Message, "another expression")
	writeDefs(t, ts.dir, testDefs+"segment extra = age > 60\n")
	changed, err := ts.ReloadDefinitions(context.Background())
	require.NoError(t, err)
	require.True(t, changed)
	assert.Equal(t, 409, ts.call(t, "POST", "/v1/evaluate", evaluateRequest{Expression: expr, Limit: &lim, Cursor: cur}, &e))
	assert.Equal(t, codeConflict, e.Error.Code)
}

// TestPrivacy: a segment under the minimum size shows its count, never
// its ids; a personal-data id column is never listed.
func TestPrivacy(t *testing.T) {
	ts := newTestServer(t, testDefs, nil)
	var r evaluateResponse
	require.Equal(t, 200, ts.call(t, "POST", "/v1/evaluate", `{"expression":"tiny"}`, &r))
	assert.Equal(t, 3, r.Count)
	assert.Empty(t, r.IDs)
	assert.Contains(t, r.Withheld, "3")

	pii := newTestServer(t, testDefs, func(c *Config) { c.Privacy.PII = []string{"user_id"} })
	require.Equal(t, 200, pii.call(t, "POST", "/v1/evaluate", `{"expression":"adults"}`, &r))
	assert.Empty(t, r.IDs)
	assert.Contains(t, r.Withheld, "personal data")
}

// TestRequestErrors: every malformed request gets a 4xx JSON error that
// says what is wrong, never a 5xx or a panic.
func TestRequestErrors(t *testing.T) {
	ts := newTestServer(t, testDefs, func(c *Config) { c.MaxBody = 4096; c.MaxBatch = 3 })
	deep := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code, msg          string
	}{
		{"empty body", "POST", "/v1/match", "", 400, codeBadJSON, "empty"},
		{"not JSON", "POST", "/v1/match", "segments=all", 400, codeBadJSON, "invalid JSON at byte 0"},
		{"truncated", "POST", "/v1/match", `{"user": {"age": 3`, 400, codeBadJSON, "ends early"},
		{"trailing", "POST", "/v1/match", `{"user":{}} {}`, 400, codeBadJSON, "after the JSON object"},
		{"unknown field", "POST", "/v1/match", `{"usr":{}}`, 400, codeBadJSON, `unknown field "usr"`},
		{"wrong type", "POST", "/v1/match", `{"segments":"adults","user":{}}`, 400, codeBadJSON, "segments: expected an array, got a JSON string"},
		{"invalid UTF-8", "POST", "/v1/match", []byte("{\"user\":{\"country\":\"D\xffE\"}}"), 400, codeBadJSON, "not valid UTF-8 (at byte 21)"},
		{"deep", "POST", "/v1/match", `{"user":` + deep + `}`, 400, codeBadJSON, "nested more than"},
		{"huge", "POST", "/v1/match", `{"user":{"country":"` + strings.Repeat("x", 5000) + `"}}`, 413, codeTooLarge, "larger than 4096"},
		{"neither user nor users", "POST", "/v1/match", `{"segments":["adults"]}`, 400, codeBadRequest, `either "user"`},
		{"both", "POST", "/v1/match", `{"user":{},"users":[]}`, 400, codeBadRequest, `either "user"`},
		{"unknown column", "POST", "/v1/match", `{"user":{"agee":30}}`, 400, codeBadRequest, `user: "agee" is no column of the table (did you mean "age"?)`},
		{"string for int", "POST", "/v1/match", `{"user":{"age":"30"}}`, 400, codeBadRequest, "user.age: expected an integer, got a string"},
		{"fraction for int", "POST", "/v1/match", `{"user":{"age":30.5}}`, 400, codeBadRequest, "user.age: 30.5 is not an integer"},
		{"bad date", "POST", "/v1/match", `{"user":{"signup_date":"2026-02-30"}}`, 400, codeBadRequest, `"2026-02-30" is not a date`},
		{"list element", "POST", "/v1/match", `{"user":{"interests":["a",1]}}`, 400, codeBadRequest, "user.interests[1]: expected a string, got a number"},
		{"batch path", "POST", "/v1/match", `{"users":[{"age":1},{"age":true}]}`, 400, codeBadRequest, "users[1].age: expected an integer, got a boolean"},
		{"batch too big", "POST", "/v1/match", `{"users":[{},{},{},{}]}`, 413, codeTooLarge, "at most 3"},
		{"unknown segment", "POST", "/v1/match", `{"segments":["adultz"],"user":{}}`, 404, codeNotFound, `no segment "adultz" in the definitions (did you mean "adults"?)`},
		{"expression error", "POST", "/v1/evaluate", `{"expression":"age > 30 and countyr = \"DE\""}`, 400, codeExpression, "unknown name \"countyr\""},
		{"no expression", "POST", "/v1/evaluate", `{}`, 400, codeBadRequest, `give "expression"`},
		{"long expression", "POST", "/v1/evaluate", `{"expression":"` + strings.Repeat("a", 3000) + `"}`, 400, codeExpression, "at most"},
		{"negative limit", "POST", "/v1/evaluate", `{"expression":"adults","limit":-1}`, 400, codeBadRequest, "limit -1"},
		{"forged cursor", "POST", "/v1/evaluate", `{"expression":"adults","cursor":"!!"}`, 400, codeBadRequest, "not one this server returned"},
		{"why without user", "POST", "/v1/why", `{"expression":"adults"}`, 400, codeBadRequest, "user: give the user's values"},
		{"method", "GET", "/v1/match", nil, 405, codeMethod, "takes POST"},
		{"no endpoint", "GET", "/v2/match", nil, 404, codeNotFound, "no endpoint /v2/match"},
		{"unknown segment page", "GET", "/v1/segments/nope", nil, 404, codeNotFound, `no segment "nope"`},
		{"overflow", "POST", "/v1/why", `{"expression":"age * 9223372036854775807 > 1","user":{"age":30}}`, 422, codeEvaluation, "overflow"},
	}
	ts.cfg.MaxExpr = 2048
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var e errorResponse
			assert.Equal(t, c.status, ts.call(t, c.method, c.path, c.body, &e))
			assert.Equal(t, c.code, e.Error.Code)
			assert.Contains(t, e.Error.Message, c.msg)
		})
	}
}

// TestExpressionErrorPosition: an expression's error carries the CLI's
// line, column, hint and caret.
func TestExpressionErrorPosition(t *testing.T) {
	ts := newTestServer(t, testDefs, nil)
	var e errorResponse
	require.Equal(t, 400, ts.call(t, "POST", "/v1/explain", `{"expression":"age > 3 and\n  countyr = 1"}`, &e))
	assert.Equal(t, 2, e.Error.Line)
	assert.Equal(t, 3, e.Error.Col)
	assert.Contains(t, e.Error.Caret, "^")
	assert.NotEmpty(t, e.Error.Diagnostics)
}

// TestExplainAndWhy: the plan and the trace are the engine's.
func TestExplainAndWhy(t *testing.T) {
	ts := newTestServer(t, testDefs, nil)
	var ex explainResponse
	require.Equal(t, 200, ts.call(t, "POST", "/v1/explain", `{"expression":"adult_germans","analyze":true}`, &ex))
	snap := ts.acquire()
	defer snap.release()
	assert.Equal(t, snap.segs["adult_germans"].size, *ex.Members)
	assert.Contains(t, ex.Plan, "country")
	require.NotNil(t, ex.Root)

	var why whyResponse
	require.Equal(t, 200, ts.call(t, "POST", "/v1/why", `{"expression":"adult_germans","user":{"age":30,"country":"FR"}}`, &why))
	require.NotNil(t, why.Result)
	assert.False(t, *why.Result)
	assert.Equal(t, "adult_germans", why.Trace.Segment)
	b, _ := json.Marshal(why.Trace)
	assert.Contains(t, string(b), `"name":"country","value":"\"FR\""`)
}

// TestSegments lists the definitions with the sizes Run gives.
func TestSegments(t *testing.T) {
	ts := newTestServer(t, testDefs, nil)
	var all segmentsResponse
	require.Equal(t, 200, ts.call(t, "GET", "/v1/segments", nil, &all))
	require.Len(t, all.Segments, 7)
	assert.Equal(t, "adults", all.Segments[0].Name)
	assert.Equal(t, "Adults.", all.Segments[0].Description)
	var one segmentResponse
	require.Equal(t, 200, ts.call(t, "GET", "/v1/segments/adult_germans", nil, &one))
	assert.Equal(t, []string{"adults", "germans"}, one.Segment.Dependencies)
	snap := ts.acquire()
	defer snap.release()
	res, err := snap.segs["adult_germans"].q.Run(context.Background(), engine.At(testNow))
	require.NoError(t, err)
	assert.Equal(t, res.Count(), one.Segment.Size)
	assert.Positive(t, one.Segment.Size)
}

// TestReloadBrokenKeepsServing: a broken set leaves the previous one
// serving and is reported by /readyz and /metrics until a good set loads.
func TestReloadBrokenKeepsServing(t *testing.T) {
	ts := newTestServer(t, testDefs, nil)
	writeDefs(t, ts.dir, testDefs+"segment broken = agee > 3\n")
	_, err := ts.ReloadDefinitions(context.Background())
	require.Error(t, err)
	var ready readyResponse
	require.Equal(t, 200, ts.call(t, "GET", "/readyz", nil, &ready))
	require.NotNil(t, ready.ReloadError)
	assert.Equal(t, "definitions", ready.ReloadError.What)
	assert.Equal(t, 9, ready.ReloadError.Err.Line)
	assert.Contains(t, ready.ReloadError.Err.Message, `"agee"`)
	assert.Equal(t, 7, ready.Segments)
	assert.Contains(t, metricsText(t, ts), "segql_reload_failing 1")
	var rr errorResponse
	assert.Equal(t, 422, ts.call(t, "POST", "/v1/reload", nil, &rr))

	writeDefs(t, ts.dir, testDefs+"segment fixed = age > 3\n")
	var ok reloadResponse
	require.Equal(t, 200, ts.call(t, "POST", "/v1/reload", nil, &ok))
	assert.True(t, ok.Changed)
	ready = readyResponse{}
	require.Equal(t, 200, ts.call(t, "GET", "/readyz", nil, &ready))
	assert.Nil(t, ready.ReloadError)
	assert.Equal(t, 8, ready.Segments)
	m := metricsText(t, ts)
	assert.Contains(t, m, "segql_reload_failing 0")
	assert.Contains(t, m, `segql_segment_size{segment="fixed"}`)
	assert.Contains(t, m, `segql_reloads_total{result="error",what="definitions"}`)
}

// TestReloadData: a data reload swaps the table (a new version) and keeps
// serving the previous one when loading fails.
func TestReloadData(t *testing.T) {
	rows := 3000
	fail := false
	ts := newTestServer(t, testDefs, func(c *Config) {
		c.Load = func(context.Context) (*columnar.Table, error) {
			if fail {
				return nil, fmt.Errorf("users.parquet: row 7: bad value")
			}
			return columnar.Demo(columnar.DemoOptions{Rows: rows, Seed: 7, Anchor: testNow}), nil
		}
	})
	rows = 1000
	var ok reloadResponse
	require.Equal(t, 200, ts.call(t, "POST", "/v1/reload", `{"data":true}`, &ok))
	assert.True(t, strings.HasPrefix(ok.Version, "d2-"), ok.Version)
	var ready readyResponse
	ts.call(t, "GET", "/readyz", nil, &ready)
	assert.EqualValues(t, 1000, ready.Rows)
	fail = true
	var e errorResponse
	require.Equal(t, 422, ts.call(t, "POST", "/v1/reload", `{"data":true}`, &e))
	assert.Contains(t, e.Error.Message, "row 7")
	ts.call(t, "GET", "/readyz", nil, &ready)
	assert.EqualValues(t, 1000, ready.Rows)
	assert.Equal(t, "data", ready.ReloadError.What)
}

func metricsText(t *testing.T, ts *testServer) string {
	t.Helper()
	resp, err := http.Get(ts.url + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	return string(b)
}

// TestMetrics counts requests by route and code.
func TestMetrics(t *testing.T) {
	ts := newTestServer(t, testDefs, nil)
	ts.call(t, "POST", "/v1/match", `{"user":{}}`, nil)
	ts.call(t, "POST", "/v1/match", `{"usr":{}}`, nil)
	m := metricsText(t, ts)
	assert.Contains(t, m, `segql_http_requests_total{code="200",route="/v1/match"} 1`)
	assert.Contains(t, m, `segql_http_requests_total{code="400",route="/v1/match"} 1`)
	assert.Contains(t, m, `segql_http_request_duration_seconds_bucket{route="/v1/match"`)
	assert.Contains(t, m, `segql_segment_size{segment="adults"}`)
	assert.Contains(t, m, "go_goroutines")
}

// TestDefsStat: the poll's fingerprint is stable while nothing changes and
// changes when a file is rewritten or a neighbour of a named file appears.
func TestDefsStat(t *testing.T) {
	dir := t.TempDir()
	writeDefs(t, dir, testDefs)
	named := []string{filepath.Join(dir, "segs.seg")}
	a, b := defsStat(named), defsStat([]string{dir})
	require.Equal(t, a, defsStat(named))
	require.Contains(t, a, "segs.seg")
	writeDefs(t, dir, testDefs+"segment more = age > 70\n")
	require.NotEqual(t, b, defsStat([]string{dir}))
	c := defsStat(named)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "other.seg"), []byte("segment o = age > 1\n"), 0o644))
	require.NotEqual(t, c, defsStat(named), "a neighbour of a named file")
}
