package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/internal/testcert"
)

// TestAuth: with tokens, every endpoint but the health checks needs one;
// without, only loopback clients and listeners are allowed.
func TestAuth(t *testing.T) {
	ts := newTestServer(t, testDefs, func(c *Config) { c.Tokens = []string{"s3cret", " other "} })
	do := func(path, token string) int {
		req, _ := http.NewRequest("GET", ts.url+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, 401, do("/v1/segments", ""))
	assert.Equal(t, 401, do("/v1/segments", "wrong"))
	assert.Equal(t, 401, do("/metrics", ""))
	assert.Equal(t, 200, do("/v1/segments", "s3cret"))
	assert.Equal(t, 200, do("/v1/segments", "other"))
	assert.Equal(t, 200, do("/healthz", ""))
	assert.Equal(t, 200, do("/readyz", ""))

	open := newTestServer(t, testDefs, nil)
	req := httptest.NewRequest("GET", "/v1/segments", nil)
	req.RemoteAddr = "192.0.2.7:4000"
	rec := httptest.NewRecorder()
	open.Handler().ServeHTTP(rec, req)
	assert.Equal(t, 403, rec.Code)
	assert.Contains(t, rec.Body.String(), "only loopback clients")

	err := open.Serve(context.Background(), fakeListener{addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 80}})
	assert.ErrorIs(t, err, ErrNoToken)
}

type fakeListener struct{ addr net.Addr }

func (l fakeListener) Accept() (net.Conn, error) { return nil, errors.New("closed") }
func (l fakeListener) Close() error              { return nil }
func (l fakeListener) Addr() net.Addr            { return l.addr }

// TestBusy: requests beyond the limits get 429 with Retry-After.
func TestBusy(t *testing.T) {
	ts := newTestServer(t, testDefs, func(c *Config) { c.MaxScans = 1 })
	ts.scans <- struct{}{} // a scan in progress
	var e errorResponse
	assert.Equal(t, 429, ts.call(t, "POST", "/v1/evaluate", `{"expression":"adults"}`, &e))
	assert.Equal(t, codeBusy, e.Error.Code)
	assert.Equal(t, 200, ts.call(t, "POST", "/v1/match", `{"user":{}}`, nil), "a match is no scan")
	<-ts.scans
	for range cap(ts.inflight) {
		ts.inflight <- struct{}{}
	}
	assert.Equal(t, 429, ts.call(t, "POST", "/v1/match", `{"user":{}}`, nil))
	for range cap(ts.inflight) {
		<-ts.inflight
	}
	assert.Equal(t, 200, ts.call(t, "POST", "/v1/evaluate", `{"expression":"adults"}`, nil))
}

// setOf is a definition set of ten segments, all TRUE for a 30-year-old
// (truth) or all FALSE.
func setOf(truth bool) string {
	var b strings.Builder
	for i := range 10 {
		op := ">="
		if !truth {
			op = "<"
		}
		fmt.Fprintf(&b, "segment s%d = age %s %d\n", i, op, i)
	}
	return b.String()
}

// TestReloadUnderLoad: while the definitions flip between two sets every
// few milliseconds, a third of the versions broken, concurrent matches
// all succeed and each sees one set: all ten segments TRUE or all FALSE.
func TestReloadUnderLoad(t *testing.T) {
	ts := newTestServer(t, setOf(true), nil)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var reloads, broken atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		sets := []string{setOf(false), "segment s0 = age >=\n", setOf(true)}
		for i := 0; ctx.Err() == nil; i++ {
			writeDefs(t, ts.dir, sets[i%3])
			if _, err := ts.ReloadDefinitions(ctx); err != nil {
				broken.Add(1)
			} else {
				reloads.Add(1)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	var mixed, failed, sawTrue, sawFalse atomic.Int64
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				resp, err := client.Post(ts.url+"/v1/match", "application/json", strings.NewReader(`{"user":{"age":30}}`))
				if err != nil {
					failed.Add(1)
					continue
				}
				var m matchResponse
				err = json.NewDecoder(resp.Body).Decode(&m)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || len(m.Segments) != 10 {
					failed.Add(1)
					continue
				}
				trues := 0
				for _, v := range m.Segments {
					if v != nil && *v {
						trues++
					}
				}
				switch trues {
				case 10:
					sawTrue.Add(1)
				case 0:
					sawFalse.Add(1)
				default:
					mixed.Add(1)
				}
				if resp.Header.Get("Segql-Version") != m.Version {
					mixed.Add(1)
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	cancel()
	wg.Wait()
	t.Logf("%d good reloads, %d broken; %d all-true and %d all-false answers", reloads.Load(), broken.Load(), sawTrue.Load(), sawFalse.Load())
	assert.Zero(t, mixed.Load(), "answers mixing two definition sets")
	assert.Zero(t, failed.Load(), "failed requests")
	assert.Positive(t, sawTrue.Load())
	assert.Positive(t, sawFalse.Load())
	assert.Positive(t, broken.Load())
}

// serveOn runs srv.Serve on a loopback port; stop cancels it and returns
// Serve's error.
func serveOn(t *testing.T, srv *Server) (url string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx, ln) }()
	scheme := "http"
	if srv.cfg.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + ln.Addr().String(), func() error { cancel(); return <-errc }
}

// TestShutdownUnderLoad: when Serve's context ends under load, every
// request the server accepted is answered and received; later ones are
// refused at the connection, never cut off mid-answer.
func TestShutdownUnderLoad(t *testing.T) {
	ts := newTestServer(t, testDefs, nil)
	url, stop := serveOn(t, ts.Server)
	var answered, refused, cut atomic.Int64
	var wg sync.WaitGroup
	done := make(chan struct{})
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Transport: &http.Transport{}}
			for {
				select {
				case <-done:
					return
				default:
				}
				resp, err := client.Post(url+"/v1/evaluate", "application/json", strings.NewReader(`{"expression":"adult_germans or recent_buyers","limit":50}`))
				if err != nil {
					refused.Add(1)
					time.Sleep(time.Millisecond)
					continue
				}
				_, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || (resp.StatusCode != 200 && resp.StatusCode != 429) { // 429: more scans than MaxScans
					cut.Add(1)
					continue
				}
				answered.Add(1)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, stop())
	time.Sleep(100 * time.Millisecond)
	close(done)
	wg.Wait()
	served := counterSum(t, ts.Server, "segql_http_requests_total")
	t.Logf("%d answered, %d refused after shutdown, %d cut; server counted %v", answered.Load(), refused.Load(), cut.Load(), served)
	assert.Zero(t, cut.Load())
	assert.Positive(t, answered.Load())
	assert.Positive(t, refused.Load())
	assert.EqualValues(t, answered.Load(), served, "every request the server served reached its client")
}

// counterSum adds up a counter's series in the server's registry.
func counterSum(t *testing.T, s *Server, name string) float64 {
	mfs, err := s.metrics.reg.Gather()
	require.NoError(t, err)
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// TestHostileClients: slow clients are cut off at the header deadline,
// huge bodies are refused without being read, and nothing leaks a
// goroutine once the server stops.
func TestHostileClients(t *testing.T) {
	before := runtime.NumGoroutine()
	ts := newTestServer(t, testDefs, func(c *Config) { c.ReadHeaderTimeout = 200 * time.Millisecond; c.MaxBody = 1 << 16 })
	url, stop := serveOn(t, ts.Server)
	addr := strings.TrimPrefix(url, "http://")

	// Slowloris: headers a byte at a time, never finished.
	var conns []net.Conn
	for range 20 {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = c.Write([]byte("POST /v1/match HTTP/1.1\r\nHost: x\r\n"))
		require.NoError(t, err)
		conns = append(conns, c)
	}
	for _, c := range conns {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(3*time.Second)))
		_, err := io.ReadAll(c) // the server closes it (after a 408)
		assert.NoError(t, err, "the server must close a slow client's connection, not leave it waiting")
		c.Close()
	}

	// A body far over the limit, streamed: refused once the limit is read.
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write([]byte(`{"user":{"country":"`))
		chunk := []byte(strings.Repeat("x", 1<<16))
		for i := 0; i < 1<<10; i++ { // 64 MiB if read to the end
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		pw.Close()
	}()
	resp, err := http.Post(url+"/v1/match", "application/json", pr)
	require.NoError(t, err)
	assert.Equal(t, 413, resp.StatusCode)
	resp.Body.Close()
	pr.Close()

	require.NoError(t, stop())
	http.DefaultClient.CloseIdleConnections()
	ts.http.Close()
	var now int
	for range 50 {
		if now = runtime.NumGoroutine(); now <= before+2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if now > before+2 {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d before, %d after stopping\n%s", before, now, buf[:runtime.Stack(buf, true)])
	}
}

// TestTLS serves HTTPS with a certificate from the configuration.
func TestTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	ts := newTestServer(t, testDefs, func(c *Config) {
		c.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	})
	url, stop := serveOn(t, ts.Server)
	defer func() { require.NoError(t, stop()) }()
	require.True(t, strings.HasPrefix(url, "https://"))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(url + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	_, err = http.Get(strings.Replace(url, "https", "http", 1) + "/healthz")
	if err == nil {
		t.Log("plain HTTP got an answer (a TLS alert as a 400); it must not be served")
	}
	client.CloseIdleConnections()
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	certPEM, keyPEM, pool, err := testcert.Loopback()
	require.NoError(t, err)
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	return cert, pool
}
