package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/segql/segql/internal/testcert"
)

// lockedBuffer is a bytes.Buffer safe for a server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe runs segql serve with args until the returned stop, which
// returns its exit status and stderr.
func startServe(t *testing.T, args ...string) (url string, stop func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &lockedBuffer{}
	e := &env{ctx: ctx, stdin: strings.NewReader(""), stderr: stderr}
	code := make(chan int, 1)
	go func() { code <- runEnv(append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), e, io.Discard) }()
	addr := regexp.MustCompile(`listening on (https?://\S+)`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := addr.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case c := <-code:
			t.Fatalf("segql serve exited with %d: %s", c, stderr.String())
		default:
		}
		require.True(t, time.Now().Before(deadline), "no listening line: %s", stderr.String())
		time.Sleep(10 * time.Millisecond)
	}
	return url, func() (int, string) {
		cancel()
		return <-code, stderr.String()
	}
}

func postJSON(t *testing.T, url, body string, out any) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	return resp.StatusCode
}

// TestServeCommand: segql serve answers over HTTP with the answers of
// segql eval, picks up a changed definition file, and exits 0 when its
// context ends.
func TestServeCommand(t *testing.T) {
	dir := t.TempDir()
	defs := filepath.Join(dir, "segs.seg")
	require.NoError(t, os.WriteFile(defs, []byte("segment germans = country = \"DE\"\nsegment young_germans = germans and age < 30\n"), 0o644))
	url, stop := startServe(t, "--defs", dir, "--demo-rows", "20000", "--poll", "50ms")

	var ev struct {
		Count int      `json:"count"`
		IDs   []string `json:"ids"`
	}
	require.Equal(t, 200, postJSON(t, url+"/v1/evaluate", `{"expression":"young_germans","limit":5}`, &ev))
	out, _, code := segql(t, "", "eval", "--defs", dir, "-o", "count", "young_germans")
	require.Equal(t, 0, code)
	assert.Equal(t, strings.TrimSpace(out), jsonInt(ev.Count))
	ids, _, _ := segql(t, "", "eval", "--defs", dir, "-o", "ids", "young_germans")
	assert.Equal(t, strings.Split(ids, "\n")[:5], ev.IDs)

	var m struct {
		Segments map[string]*bool `json:"segments"`
	}
	require.Equal(t, 200, postJSON(t, url+"/v1/match", `{"user":{"country":"DE","age":25}}`, &m))
	require.NotNil(t, m.Segments["young_germans"])
	assert.True(t, *m.Segments["young_germans"])

	require.NoError(t, os.WriteFile(defs, []byte("segment germans = country = \"DE\"\nsegment old_germans = germans and age >= 60\n"), 0o644))
	require.Eventually(t, func() bool {
		resp, err := http.Get(url + "/v1/segments/old_germans")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, 10*time.Second, 20*time.Millisecond, "the changed file was not reloaded")

	code, stderr := stop()
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "reloaded")
	assert.Contains(t, stderr, "shutting down")
}

func jsonInt(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestServeUsage: what serve refuses, and how.
func TestServeUsage(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.seg"), []byte("segment a = age > 3\n"), 0o644))
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"serve"}, 2, "give the definitions"},
		{[]string{"serve", "--defs", dir, "--data", "postgres://u@h/db?table=t"}, 2, "cannot be served"},
		{[]string{"serve", "--defs", dir, "--tls-cert", "x.pem"}, 2, "together"},
		{[]string{"serve", "--defs", dir, "--log", "xml"}, 2, "not one of"},
		{[]string{"serve", "--defs", dir, "--demo-rows", "100", "--listen", "0.0.0.0:0"}, 1, "--listen 0.0.0.0:0: refusing to listen"},
		{[]string{"serve", "--defs", filepath.Join(dir, "none.seg"), "--demo-rows", "100"}, 1, "none.seg"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			t.Setenv("SEGQL_TOKEN", "")
			_, stderr, code := segql(t, "", c.args...)
			assert.Equal(t, c.code, code, stderr)
			assert.Contains(t, stderr, c.msg)
		})
	}
}

// TestServeToken: with SEGQL_TOKEN a non-loopback address may listen, and
// requests need the token.
func TestServeToken(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.seg"), []byte("segment a = age > 3\n"), 0o644))
	t.Setenv("SEGQL_TOKEN", "tok1,tok2")
	url, stop := startServe(t, "--defs", dir, "--demo-rows", "100")
	resp, err := http.Get(url + "/v1/segments")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)
	req, _ := http.NewRequest("GET", url+"/v1/segments", nil)
	req.Header.Set("Authorization", "Bearer tok2")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	code, stderr := stop()
	assert.Equal(t, 0, code, stderr)
}

// TestServeTLS: --tls-cert and --tls-key serve HTTPS.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.seg"), []byte("segment a = age > 3\n"), 0o644))
	certPEM, keyPEM, pool, err := testcert.Loopback()
	require.NoError(t, err)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(cert, certPEM, 0o600))
	require.NoError(t, os.WriteFile(key, keyPEM, 0o600))
	url, stop := startServe(t, "--defs", dir, "--demo-rows", "100", "--tls-cert", cert, "--tls-key", key)
	require.True(t, strings.HasPrefix(url, "https://"), url)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(url + "/v1/segments/a")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	client.CloseIdleConnections()
	code, stderr := stop()
	assert.Equal(t, 0, code, stderr)
}
