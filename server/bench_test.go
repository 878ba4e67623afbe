package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/segql/segql/columnar"
)

// benchBodies are match bodies of demo users: one user each, or batches.
func benchBodies(b *testing.B, ts *testServer, per int, cols ...string) [][]byte {
	snap := ts.acquire()
	defer snap.release()
	var out [][]byte
	for i := int64(0); i+int64(per) <= 2000; i += int64(per) {
		var body []byte
		var err error
		user := func(i int64) map[string]any {
			u := userJSON(snap.data.tbl, i)
			if len(cols) > 0 {
				lean := map[string]any{}
				for _, c := range cols {
					lean[c] = u[c]
				}
				u = lean
			}
			return u
		}
		if per == 1 {
			body, err = json.Marshal(matchRequest{User: user(i)})
		} else {
			users := make([]map[string]any, per)
			for j := range users {
				users[j] = user(i + int64(j))
			}
			body, err = json.Marshal(matchRequest{Users: users})
		}
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, body)
	}
	return out
}

const benchDefs = `segment adults = age >= 18
segment prime_age = age between 25 and 54
segment dach = country in ("DE", "AT", "CH")
segment europe = region = "Europe"
segment active = days_since(last_seen) <= 30
segment buyers = purchases_30d > 3 or purchases_90d > 8
segment big_spenders = revenue_total > 2000 and avg_order_value > 100
segment mindful = interests contains any ("meditation", "yoga", "mindful_living")
segment premium_ios = is_premium and device = "ios"
segment target = prime_age and (dach or europe) and active and not big_spenders
`

// BenchmarkMatch is the server's own work for one match request of ten
// segments (whole demo user), and per user of a batch of 100 (whole
// users, or only the columns the segments read), without
// the network: decoding, conversion, evaluation, encoding.
func BenchmarkMatch(b *testing.B) {
	lean := []string{"age", "country", "region", "last_seen", "purchases_30d", "purchases_90d",
		"revenue_total", "avg_order_value", "interests", "is_premium", "device"}
	for _, c := range []struct {
		name string
		per  int
		cols []string
	}{{"one", 1, nil}, {"batch100", 100, nil}, {"batch100/read-columns", 100, lean}} {
		b.Run(c.name, func(b *testing.B) {
			ts := newTestServer(&testing.T{}, benchDefs, nil)
			bodies := benchBodies(b, ts, c.per, c.cols...)
			h := ts.Handler()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				req := httptest.NewRequest("POST", "/v1/match", bytes.NewReader(bodies[i%len(bodies)]))
				req.RemoteAddr = "127.0.0.1:1"
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Body.String())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*c.per), "ns/user")
		})
	}
}

var _ = columnar.DemoAnchor

// BenchmarkMatchHTTP is one match request over loopback HTTP with 64
// keep-alive clients in the same process: the server's and the client's
// work, as the load benchmark (bench/serve) measures them.
func BenchmarkMatchHTTP(b *testing.B) {
	ts := newTestServer(&testing.T{}, benchDefs, nil)
	bodies := benchBodies(b, ts, 1)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}}
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			resp, err := client.Post(ts.url+"/v1/match", "application/json", bytes.NewReader(bodies[i%len(bodies)]))
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			i++
		}
	})
}
