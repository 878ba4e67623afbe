// Command serve measures segql serve under load and under faults, over
// loopback against the real binary in its own process:
//
//	cd bench && go run ./serve [-duration 10s] [-conns 64] [-rows 1000000]
//
// Phases: single-user match of 10 named segments (requests/s and p50/p99/
// p99.9 with 64 connections each sending its next request when answered,
// as wrk does; and latency at 20,000 requests/s offered on a schedule),
// batch match (users/s), definitions reloaded every 100 ms with
// half of the versions broken (failed and mixed answers must be zero),
// hostile requests (huge, deep, invalid, slow clients: 4xx, bounded
// memory, no goroutine left behind), and SIGTERM under load (every
// request the server logged as answered reached its client). Any broken
// expectation makes the exit status 1.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

var (
	duration = flag.Duration("duration", 10*time.Second, "length of each load phase")
	conns    = flag.Int("conns", 64, "concurrent keep-alive connections")
	rows     = flag.Int("rows", 1_000_000, "demo users the server loads")
	batch    = flag.Int("batch", 1000, "users per batch request")
	bin      = flag.String("bin", "", "the segql binary (default: built from ../cmd/segql)")
	targets  = flag.Bool("targets", true, "fail on missed speed targets (CI checks only correctness: -targets=false)")
)

// segments are the ten named segments matched per request: ranges,
// lists, dates, lists of interests, references, arithmetic.
const segments = `segment adults = age >= 18
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

var failed bool

// target is check for a speed target: reported always, failing only with
// -targets.
func target(ok bool, format string, args ...any) {
	if !*targets && !ok {
		fmt.Printf("  miss %s\n", fmt.Sprintf(format, args...))
		return
	}
	check(ok, format, args...)
}

func check(ok bool, format string, args ...any) {
	status := "ok  "
	if !ok {
		status, failed = "FAIL", true
	}
	fmt.Printf("  %s %s\n", status, fmt.Sprintf(format, args...))
}

func main() {
	flag.Parse()
	dir, err := os.MkdirTemp("", "segql-serve-bench")
	must(err)
	defer os.RemoveAll(dir)
	exe := *bin
	if exe == "" {
		exe = filepath.Join(dir, "segql")
		build := exec.Command("go", "build", "-C", "..", "-o", exe, "./cmd/segql") // the main module: run from bench/
		build.Stderr = os.Stderr
		must(build.Run())
	}
	defs := filepath.Join(dir, "defs")
	must(os.Mkdir(defs, 0o755))
	must(writeAtomic(filepath.Join(defs, "segs.seg"), segments))

	users := demoUsers(10_000, nil)
	lean := demoUsers(10_000, readColumns)
	fmt.Printf("segql serve: %d demo users, 10 segments, %d connections, %v per phase, GOMAXPROCS %s\n",
		*rows, *conns, *duration, os.Getenv("GOMAXPROCS"))

	srv := start(exe, defs, "--poll", "100ms")
	loadPhase(srv.url, users)
	batchPhase(srv.url, users, "whole demo rows (28 columns)", false)
	batchPhase(srv.url, lean, "the 11 columns the segments read", true)
	reloadPhase(srv.url, defs)
	hostilePhase(srv)
	sighupPhase(srv)
	srv.stop()

	fmt.Println("SIGTERM under load (a fresh server logging every request):")
	srv = start(exe, defs, "--log-requests", "--log", "json", "--poll", "0")
	sigtermPhase(srv, users)
	if failed {
		os.Exit(1)
	}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "serve bench:", err)
		os.Exit(1)
	}
}

func writeAtomic(path, text string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// readColumns are the columns the ten segments read.
var readColumns = []string{"age", "country", "region", "last_seen", "purchases_30d", "purchases_90d",
	"revenue_total", "avg_order_value", "interests", "is_premium", "device"}

// demoUsers encodes n demo users (the server's own rows) as match bodies,
// with the columns cols (nil: all).
func demoUsers(n int, cols []string) [][]byte {
	tbl := columnar.Demo(columnar.DemoOptions{Rows: n, Seed: 1, Anchor: columnar.DemoAnchor})
	defer tbl.Release()
	out := make([][]byte, n)
	for i := range out {
		u := userJSON(tbl, int64(i))
		if cols != nil {
			lean := map[string]any{}
			for _, c := range cols {
				lean[c] = u[c]
			}
			u = lean
		}
		body, err := json.Marshal(map[string]any{"user": u})
		must(err)
		out[i] = body
	}
	return out
}

func userJSON(tbl *columnar.Table, i int64) map[string]any {
	u := map[string]any{}
	for k, v := range engine.RowAt(tbl, i) {
		if t, ok := v.(time.Time); ok {
			v = t.Format(time.RFC3339Nano)
		}
		u[k] = v
	}
	return u
}

// server is a running segql serve process.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	mu     *sync.Mutex
	done   chan error
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func start(exe, defs string, extra ...string) *server {
	args := append([]string{"serve", "--defs", defs, "--listen", "127.0.0.1:0", "--demo-rows", strconv.Itoa(*rows), "--max-inflight", "4096"}, extra...)
	s := &server{cmd: exec.Command(exe, args...), stderr: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan error, 1)}
	pr, pw := io.Pipe()
	s.cmd.Stderr = pw
	must(s.cmd.Start())
	go func() { s.done <- s.cmd.Wait(); pw.Close() }()
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if m := addr.FindStringSubmatch(line); m != nil {
				found <- m[1]
			}
			lockedWriter{s.mu, s.stderr}.Write([]byte(line + "\n"))
		}
	}()
	select {
	case s.url = <-found:
	case err := <-s.done:
		must(fmt.Errorf("segql serve exited: %v\n%s", err, s.log()))
	case <-time.After(5 * time.Minute):
		must(errors.New("segql serve did not start in 5 minutes"))
	}
	return s
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-s.done; err != nil {
		check(false, "segql serve exited with %v", err)
	}
}

func client() *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConns: *conns, MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns}}
}

// post sends a match; Idempotency-Key lets the transport resend a request
// the server never read (a keep-alive connection closed as it was sent).
func post(c *http.Client, url string, body []byte) (*http.Response, error) {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "match")
	return c.Do(req)
}

// hammer runs n workers for d, each calling work with its worker
// number and a request counter, and returns the latencies.
func hammer(d time.Duration, n int, work func(worker, i int) error) ([]time.Duration, int64) {
	deadline := time.Now().Add(d)
	return workers(n, func(w int, observe func(time.Duration, error)) {
		for i := 0; time.Now().Before(deadline); i++ {
			t0 := time.Now()
			err := work(w, i)
			observe(time.Since(t0), err)
		}
	})
}

// workers runs n workers and gathers the latencies and errors they
// observe (the first three errors are printed).
func workers(n int, body func(w int, observe func(time.Duration, error))) ([]time.Duration, int64) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var all []time.Duration
	var errs atomic.Int64
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 1<<16)
			body(w, func(d time.Duration, err error) {
				if err == nil {
					local = append(local, d)
				} else if errs.Add(1) <= 3 {
					fmt.Println("    error:", err)
				}
			})
			mu.Lock()
			all = append(all, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, errs.Load()
}

func pct(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat[min(len(lat)-1, int(float64(len(lat))*p))]
}

func readOK(resp *http.Response, into any) error {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	switch into := into.(type) {
	case nil:
		return nil
	case *[]byte:
		*into = b
		return nil
	}
	return json.Unmarshal(b, into)
}

// readTruths reads an answer and checks it holds n truth values
// (counted in the bytes: decoding it would cost the load generator more
// than the server spends on it).
func readTruths(resp *http.Response, n int) error {
	var b []byte
	if err := readOK(resp, &b); err != nil {
		return err
	}
	return countTruths(b, n)
}

func countTruths(b []byte, n int) error {
	if got := bytes.Count(b, []byte(":true")) + bytes.Count(b, []byte(":false")) + bytes.Count(b, []byte(":null")); got != n {
		return fmt.Errorf("%d truth values in %s", got, b)
	}
	return nil
}

func loadPhase(url string, users [][]byte) {
	fmt.Println("single-user match, 10 segments (raw HTTP/1.1 keep-alive clients, as wrk sends):")
	addr := strings.TrimPrefix(url, "http://")
	raw := make([]*rawConn, *conns)
	for i := range raw {
		c, err := dialRaw(addr)
		must(err)
		raw[i] = c
		defer c.Close()
	}
	run := func(d time.Duration) ([]time.Duration, int64) {
		return hammer(d, *conns, func(w, i int) error {
			return raw[w].match(users[(w*7919+i)%len(users)], 10)
		})
	}
	_, _ = run(time.Second) // warm-up
	lat, errs := run(*duration)
	rps := float64(len(lat)) / duration.Seconds()
	fmt.Printf("  saturated: %d requests, %.0f requests/s, p50 %v, p99 %v, p99.9 %v, %d errors\n",
		len(lat), rps, pct(lat, .5), pct(lat, .99), pct(lat, .999), errs)
	check(errs == 0, "no failed request")
	target(rps >= 20_000, "at least 20,000 requests/s (%.0f)", rps)
	target(pct(lat, .99) <= 10*time.Millisecond, "p99 at most 10 ms with %d connections (%v)", *conns, pct(lat, .99))

	// Latency at the target rate, open loop: each connection sends on a
	// schedule and a request's latency counts from its scheduled time, so
	// a late send counts against the server (no coordinated omission).
	const rate = 20_000
	lat, errs = openLoop(raw, rate, *duration, users)
	sent := float64(len(lat)) / duration.Seconds()
	fmt.Printf("  at %d requests/s offered (open loop): %.0f answered/s, p50 %v, p99 %v, p99.9 %v, %d errors\n",
		rate, sent, pct(lat, .5), pct(lat, .99), pct(lat, .999), errs)
	check(errs == 0, "no failed request")
}

// openLoop sends rate requests a second for d over conns, each on its
// schedule; a request's latency runs from its scheduled time.
func openLoop(conns []*rawConn, rate int, d time.Duration, users [][]byte) ([]time.Duration, int64) {
	interval := time.Duration(float64(time.Second) * float64(len(conns)) / float64(rate))
	start := time.Now().Add(10 * time.Millisecond)
	end := start.Add(d)
	return workers(len(conns), func(w int, observe func(time.Duration, error)) {
		offset := time.Duration(w) * interval / time.Duration(len(conns))
		for i := 0; ; i++ {
			at := start.Add(offset + time.Duration(i)*interval)
			if at.After(end) {
				return
			}
			time.Sleep(time.Until(at))
			err := conns[w].match(users[(w*7919+i)%len(users)], 10)
			observe(time.Since(at), err)
		}
	})
}

// rawConn is one keep-alive HTTP/1.1 connection written and read by hand:
// a load generator that leaves the CPU to the server, as wrk does.
type rawConn struct {
	net.Conn
	r   *bufio.Reader
	req []byte
}

func dialRaw(addr string) (*rawConn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &rawConn{Conn: c, r: bufio.NewReaderSize(c, 16<<10)}, nil
}

// match posts body to /v1/match and checks the answer holds n truths.
func (c *rawConn) match(body []byte, n int) error {
	c.req = append(c.req[:0], "POST /v1/match HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: "...)
	c.req = strconv.AppendInt(c.req, int64(len(body)), 10)
	c.req = append(c.req, "\r\n\r\n"...)
	c.req = append(c.req, body...)
	if _, err := c.Write(c.req); err != nil {
		return err
	}
	status, err := c.r.ReadSlice('\n')
	if err != nil {
		return err
	}
	ok := bytes.HasPrefix(status, []byte("HTTP/1.1 200 "))
	length := -1
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if v, found := bytes.CutPrefix(line, []byte("Content-Length: ")); found {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if length < 0 {
		return errors.New("no Content-Length in the answer")
	}
	b := make([]byte, length)
	if _, err := io.ReadFull(c.r, b); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s%s", status, b)
	}
	return countTruths(b, n)
}

func batchPhase(url string, users [][]byte, what string, goal bool) {
	fmt.Printf("batch match, %d users per request, %s:\n", *batch, what)
	var bodies [][]byte
	for off := 0; off+*batch <= len(users); off += *batch {
		var us []json.RawMessage
		for _, u := range users[off : off+*batch] {
			var one struct {
				User json.RawMessage `json:"user"`
			}
			must(json.Unmarshal(u, &one))
			us = append(us, one.User)
		}
		b, err := json.Marshal(map[string]any{"users": us})
		must(err)
		bodies = append(bodies, b)
	}
	workers := 4
	raw := make([]*rawConn, workers)
	for i := range raw {
		c, err := dialRaw(strings.TrimPrefix(url, "http://"))
		must(err)
		raw[i] = c
		defer c.Close()
	}
	lat, errs := hammer(*duration, workers, func(w, i int) error {
		return raw[w].match(bodies[(w+i)%len(bodies)], 10**batch)
	})
	ups := float64(len(lat)**batch) / duration.Seconds()
	fmt.Printf("  %d requests (%d clients): %.0f users/s, p50 %v, p99 %v, %d errors\n", len(lat), workers, ups, pct(lat, .5), pct(lat, .99), errs)
	check(errs == 0, "no failed request")
	if goal {
		target(ups >= 500_000, "at least 500,000 users/s (%.0f)", ups)
	}
}

// setOf is ten segments all TRUE (or all FALSE) for the probe user.
func setOf(truth bool) string {
	var b strings.Builder
	for i := range 10 {
		op := ">="
		if !truth {
			op = "<"
		}
		fmt.Fprintf(&b, "segment s%d = age %s %d\n", i, op, 10+i)
	}
	return b.String()
}

func reloadPhase(url, defs string) {
	fmt.Println("reload every 100 ms (half broken) under load:")
	ctx, cancel := context.WithCancel(context.Background())
	path := filepath.Join(defs, "segs.seg")
	var writes atomic.Int64
	must(writeAtomic(path, setOf(true)))
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get(url + "/v1/segments/s9")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			must(errors.New("the first definition set was not loaded in 10 s"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	writer := make(chan struct{})
	go func() {
		defer close(writer)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			text := setOf(i%4 == 0)
			if i%2 == 1 {
				text = fmt.Sprintf("segment s0 = age >=\nsegment broken%d = nosuchcolumn > 1\n", i)
			}
			must(writeAtomic(path, text))
			writes.Add(1)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	var mixed, allTrue, allFalse atomic.Int64
	c := client()
	probe := []byte(`{"user":{"age":30}}`)
	lat, errs := hammer(*duration, *conns, func(w, i int) error {
		resp, err := post(c, url+"/v1/match", probe)
		if err != nil {
			return err
		}
		var m struct {
			Version  string           `json:"version"`
			Segments map[string]*bool `json:"segments"`
		}
		if err := readOK(resp, &m); err != nil {
			return err
		}
		trues := 0
		for _, v := range m.Segments {
			if v != nil && *v {
				trues++
			}
		}
		switch {
		case len(m.Segments) != 10:
			mixed.Add(1)
		case trues == 10:
			allTrue.Add(1)
		case trues == 0:
			allFalse.Add(1)
		default:
			mixed.Add(1)
		}
		if resp.Header.Get("Segql-Version") != m.Version {
			mixed.Add(1)
		}
		return nil
	})
	cancel()
	<-writer // one writer of the file at a time
	must(writeAtomic(path, segments))
	reloads := metric(url, `segql_reloads_total{result="ok",what="definitions"}`)
	broken := metric(url, `segql_reloads_total{result="error",what="definitions"}`)
	fmt.Printf("  %d files written, %v good and %v broken reloads; %d answers (%d all TRUE, %d all FALSE), p99 %v; %d mixed, %d failed\n",
		writes.Load(), reloads, broken, len(lat), allTrue.Load(), allFalse.Load(), pct(lat, .99), mixed.Load(), errs)
	check(errs == 0, "no failed request")
	check(mixed.Load() == 0, "no answer mixing two definition sets")
	check(allTrue.Load() > 0 && allFalse.Load() > 0 && broken > 0, "both sets served and broken sets refused")
}

// metric reads one sample of /metrics.
func metric(url, series string) float64 {
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

// rss is the process's resident memory high-water mark, in MiB.
func rss(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return -1
}

func hostilePhase(s *server) {
	fmt.Println("hostile requests:")
	url := s.url
	goroutines := metric(url, "go_goroutines")
	hwm := rss(s.cmd.Process.Pid)
	c := &http.Client{Timeout: 30 * time.Second}
	cases := []struct {
		name string
		body func() io.Reader
		want int
	}{
		{"100 MiB body", func() io.Reader { return io.LimitReader(zeros{}, 100<<20) }, 413},
		{"1 MiB of [", func() io.Reader { return strings.NewReader(strings.Repeat("[", 1<<20-1)) }, 400},
		{"deep JSON", func() io.Reader {
			return strings.NewReader(`{"user":` + strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5001))
		}, 400},
		{"invalid UTF-8", func() io.Reader { return strings.NewReader("{\"user\":{\"country\":\"\xc3\x28\"}}") }, 400},
		{"unknown field", func() io.Reader { return strings.NewReader(`{"user":{},"admin":true}`) }, 400},
		{"wrong type", func() io.Reader { return strings.NewReader(`{"user":{"age":"thirty"}}`) }, 400},
		{"unknown column", func() io.Reader { return strings.NewReader(`{"user":{"agee":30}}`) }, 400},
		{"100,001 users", func() io.Reader { return strings.NewReader(`{"users":[` + strings.Repeat(`{},`, 100_000) + `{}]}`) }, 413},
	}
	for _, hc := range cases {
		resp, err := c.Post(url+"/v1/match", "application/json", hc.body())
		if err != nil {
			check(false, "%s: %v", hc.name, err)
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		resp.Body.Close()
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		check(resp.StatusCode == hc.want, "%s: %d %s", hc.name, resp.StatusCode, e.Error.Message)
	}
	// Slow clients: 500 connections sending headers a line at a time.
	var slow []net.Conn
	addr := strings.TrimPrefix(url, "http://")
	for range 500 {
		cn, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		_, _ = cn.Write([]byte("POST /v1/match HTTP/1.1\r\nHost: x\r\n"))
		slow = append(slow, cn)
	}
	closed := 0
	start := time.Now()
	for _, cn := range slow {
		_ = cn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadAll(cn); err == nil {
			closed++
		}
		cn.Close()
	}
	check(closed == len(slow), "slow clients: %d of %d connections closed by the server (%v)", closed, len(slow), time.Since(start).Round(time.Second))
	time.Sleep(500 * time.Millisecond)
	after := metric(url, "go_goroutines")
	check(after <= goroutines+4, "goroutines: %v before, %v after", goroutines, after)
	grown := rss(s.cmd.Process.Pid) - hwm
	check(grown < 64, "resident memory high-water mark grew by %.0f MiB (bodies are refused at the limit, not read)", grown)
}

// sighupPhase sends SIGHUP and waits for the data to be reloaded: the
// version's data generation goes from d1 to d2, answers never failing.
func sighupPhase(s *server) {
	fmt.Println("SIGHUP:")
	version := func() string {
		resp, err := http.Get(s.url + "/readyz")
		if err != nil {
			return ""
		}
		var r struct {
			Version string `json:"version"`
		}
		_ = readOK(resp, &r)
		return r.Version
	}
	before := version()
	must(s.cmd.Process.Signal(syscall.SIGHUP))
	start := time.Now()
	after := before
	for time.Since(start) < time.Minute && !strings.HasPrefix(after, "d2-") {
		time.Sleep(50 * time.Millisecond)
		after = version()
	}
	check(strings.HasPrefix(before, "d1-") && strings.HasPrefix(after, "d2-"),
		"the data reloaded: version %s -> %s in %v", before, after, time.Since(start).Round(10*time.Millisecond))
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

func sigtermPhase(s *server, users [][]byte) {
	c := client()
	var answered, refused, cut atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := post(c, s.url+"/v1/match", users[(w*31+i)%len(users)])
				if err != nil {
					var op *net.OpError
					if errors.As(err, &op) && op.Op == "dial" {
						refused.Add(1)
						time.Sleep(5 * time.Millisecond)
						continue
					}
					cut.Add(1)
					continue
				}
				if readOK(resp, nil) != nil {
					cut.Add(1)
					continue
				}
				answered.Add(1)
			}
		}()
	}
	time.Sleep(*duration / 2)
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	exit := <-s.done
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	logged := strings.Count(s.log(), `"msg":"request"`)
	fmt.Printf("  %d answered before exit, %d refused at connect after, %d cut; the server logged %d requests; exit: %v\n",
		answered.Load(), refused.Load(), cut.Load(), logged, exit)
	check(exit == nil, "segql serve exited 0 on SIGTERM")
	check(cut.Load() == 0, "no request cut off")
	check(int64(logged) == answered.Load(), "every request the server answered reached its client (%d logged, %d received)", logged, answered.Load())
}
