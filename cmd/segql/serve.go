package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
	"github.com/segql/segql/internal/textfile"
	"github.com/segql/segql/server"
)

// serveFlags are segql serve's flags.
type serveFlags struct {
	catalogFlags
	privacy     privacyFlags
	listen      string
	tokenFile   string
	tlsCert     string
	tlsKey      string
	maxBody     int64
	maxBatch    int
	timeout     time.Duration
	grace       time.Duration
	maxInflight int
	maxScans    int
	poll        time.Duration
	logFormat   string
	logRequests bool
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	f.catalogFlags.register(fs)
	f.privacy.register(fs, true)
	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address to listen on; without a token only a loopback address")
	fs.StringVar(&f.tokenFile, "token-file", "", "a file of accepted bearer tokens, one per line (also: SEGQL_TOKEN, comma-separated)")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM) and --tls-key")
	fs.StringVar(&f.tlsKey, "tls-key", "", "the private key (PEM) of --tls-cert")
	fs.Int64Var(&f.maxBody, "max-body", 1<<20, "largest request body in bytes")
	fs.IntVar(&f.maxBatch, "max-batch", 10_000, "most users in one batch match")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "each request's deadline")
	fs.DurationVar(&f.grace, "grace", 5*time.Second, "on SIGTERM or SIGINT, how long requests in flight may take to finish (a second signal stops at once)")
	fs.IntVar(&f.maxInflight, "max-inflight", 1024, "requests served at once; more get 429")
	fs.IntVar(&f.maxScans, "max-scans", 0, "whole-table evaluations at once; more get 429 (default: the number of CPUs)")
	fs.DurationVar(&f.poll, "poll", time.Second, "how often the definition files are checked for changes (0: only on SIGHUP or POST /v1/reload)")
	choiceVar(fs, &f.logFormat, "log", "text", "log format on stderr: text or json", "text", "json")
	fs.BoolVar(&f.logRequests, "log-requests", false, "log every request (otherwise only errors, reloads and lifecycle)")
}

func (e *env) serve(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var f serveFlags
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprint(e.stderr, "Usage: segql serve --defs PATH... [--data FILE]... [--listen ADDR]\n\n"+
			"Serves the segments of PATH over HTTP as JSON: POST /v1/match, /v1/evaluate,\n"+
			"/v1/explain, /v1/why, /v1/reload; GET /v1/segments[/NAME], /healthz, /readyz,\n"+
			"/metrics, /v1/openapi.json. Definitions reload when their files change\n"+
			"(a set that fails to load leaves the previous one serving); SIGHUP reloads\n"+
			"the data too; SIGTERM finishes the requests in flight and exits.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage(err)
	}
	f.defs = append(f.defs, pos...)
	if len(f.defs) == 0 {
		fmt.Fprintln(e.stderr, "segql serve: give the definitions: --defs DIR (or .seg files)")
		return 2
	}
	if _, remote, _ := f.remoteURL(); remote {
		fmt.Fprintln(e.stderr, "segql serve: --data: serve reads files or the demo table; a PostgreSQL table cannot be served")
		return 2
	}
	cfg, err := f.config(e)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql serve:", err)
		return 2
	}
	return e.runServer(f, cfg)
}

// config builds the server's configuration from the flags.
func (f *serveFlags) config(e *env) (server.Config, error) {
	now, err := f.runNow()
	if err != nil {
		return server.Config{}, err
	}
	tokens, err := readTokens(f.tokenFile)
	if err != nil {
		return server.Config{}, err
	}
	var tlsConf *tls.Config
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return server.Config{}, errors.New("give --tls-cert and --tls-key together")
	}
	if f.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return server.Config{}, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	var handler slog.Handler = slog.NewTextHandler(e.stderr, nil)
	if f.logFormat == "json" {
		handler = slog.NewJSONHandler(e.stderr, nil)
	}
	poll := f.poll
	if poll <= 0 {
		poll = -1
	}
	cfg := server.Config{
		Load: func(ctx context.Context) (*columnar.Table, error) { return f.load(ctx) },
		Events: func(ctx context.Context, eng *engine.Engine, t *columnar.Table) (func(), error) {
			release, warning, err := f.attachEvents(ctx, e, eng, t)
			if warning != "" {
				fmt.Fprintln(e.stderr, "segql serve: warning:", warning)
			}
			return release, err
		},
		ReadDefs: func(ctx context.Context) ([]catalog.File, error) {
			files, _, err := readDefSet(ctx, f.defs, nil)
			return files, err
		},
		IDColumn: f.id, Defs: f.defs, Tokens: tokens, Privacy: f.privacy.privacy(),
		MaxBody: f.maxBody, MaxBatch: f.maxBatch, Timeout: f.timeout, ShutdownGrace: f.grace,
		MaxInflight: f.maxInflight, MaxScans: f.maxScans, Poll: poll, TLS: tlsConf,
		Logger: slog.New(handler), LogRequests: f.logRequests,
	}
	if !now.IsZero() {
		cfg.Now = func() time.Time { return now }
	}
	return cfg, nil
}

// readTokens reads the bearer tokens of path (one per line, # comments)
// and of $SEGQL_TOKEN (comma-separated).
func readTokens(path string) ([]string, error) {
	var tokens []string
	for _, t := range strings.Split(os.Getenv("SEGQL_TOKEN"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			tokens = append(tokens, t)
		}
	}
	if path == "" {
		return tokens, nil
	}
	text, err := textfile.Read(context.Background(), path, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("--token-file: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(text))
	n := len(tokens)
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" && !strings.HasPrefix(t, "#") {
			tokens = append(tokens, t)
		}
	}
	if len(tokens) == n {
		return nil, fmt.Errorf("--token-file %s holds no token", path)
	}
	return tokens, nil
}

// runServer loads, listens and serves until SIGTERM or SIGINT; SIGHUP
// reloads the data and the definitions.
func (e *env) runServer(f serveFlags, cfg server.Config) int {
	ctx, cancel := context.WithCancel(e.context())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	done := e.slowNote(f.loading())
	srv, err := server.New(ctx, cfg)
	done()
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return 1
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		fmt.Fprintln(e.stderr, "segql serve:", err)
		return 1
	}
	if err := srv.CheckAddr(ln.Addr()); err != nil {
		ln.Close()
		fmt.Fprintf(e.stderr, "segql serve: --listen %s: %v\n", f.listen, err)
		return 1
	}
	scheme := "http"
	if cfg.TLS != nil {
		scheme = "https"
	}
	fmt.Fprintf(e.stderr, "segql serve: listening on %s://%s\n", scheme, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx, ln) }()
	for {
		select {
		case err := <-errc:
			if err != nil {
				fmt.Fprintln(e.stderr, "segql serve:", err)
				return 1
			}
			return 0
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				go func() { _ = srv.ReloadData(ctx) }() // logged; the previous data keeps serving on failure
				continue
			}
			if ctx.Err() != nil { // a second signal: stop now
				fmt.Fprintf(e.stderr, "segql serve: %v: stopped\n", sig)
				return 128 + signalNumber(sig)
			}
			cancel()
		}
	}
}

func signalNumber(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return int(s)
	}
	return 0
}
