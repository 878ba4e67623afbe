// Package server serves segments over HTTP for callers not written in Go:
// one user's membership in named segments (alone or in batches), an
// expression's size and members paged by cursor, the definitions with
// their sizes, plans and per-clause explanations — all through the
// engine's public API, so every answer equals the CLI's and the Go API's.
//
// Definitions are read from .seg files and reloaded atomically when they
// change: a request sees the old set or the new one, never a mix, and a
// set that fails to parse or check leaves the previous one serving (the
// error is logged, shown by /readyz and counted in /metrics). The users
// table reloads the same way on request (Server.ReloadData, SIGHUP in the
// segql command).
//
// Safety: bearer tokens (without any, only loopback addresses may listen
// or connect), request body and expression limits, a per-request deadline,
// a concurrency limit answered with 429, the privacy guard of the
// analytics package on every response that lists members, JSON errors
// with the CLI's positions and carets, and graceful shutdown.
package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segql/segql/analytics"
	"github.com/segql/segql/catalog"
	"github.com/segql/segql/columnar"
	"github.com/segql/segql/engine"
)

// Config configures a Server. Load and Defs are required; zero limits
// take the defaults named on each field.
type Config struct {
	// Load returns the users table: at start and on every data reload.
	// The server owns the table it returns and releases it when no
	// request uses it any more.
	Load func(ctx context.Context) (*columnar.Table, error)
	// Events, when set, attaches an events table to each engine Load's
	// table gets (at start and on every data reload), so that segments
	// may use event conditions; it returns what releases the events,
	// called when no request uses that data any more.
	Events func(ctx context.Context, eng *engine.Engine, t *columnar.Table) (release func(), err error)
	// IDColumn names the id column; "" means "user_id", else "id", else
	// none (then /v1/evaluate returns counts without ids).
	IDColumn string
	// Defs are the .seg files or directories of the definition set.
	Defs []string
	// ReadDefs, when set, reads the definition set instead of
	// catalog.ReadFiles(Defs) (the segql command reads a named file with
	// the other files of its directory).
	ReadDefs func(ctx context.Context) ([]catalog.File, error)
	// Now is the time now() means in an evaluation; nil: the wall clock
	// at each request.
	Now func() time.Time
	// Tokens are the accepted bearer tokens. Without any, the server
	// listens on and answers loopback addresses only.
	Tokens []string
	// Privacy guards every response that lists members.
	Privacy analytics.Privacy
	// MaxBody bounds a request body (default 1 MiB).
	MaxBody int64
	// MaxExpr bounds an expression's length in bytes (default 16 KiB).
	MaxExpr int
	// MaxBatch bounds the users of one batch match (default 10,000).
	MaxBatch int
	// MaxPage bounds the ids of one page (default 10,000).
	MaxPage int
	// Timeout is each request's deadline (default 10 s).
	Timeout time.Duration
	// MaxInflight bounds the requests served at once; more get 429
	// (default 1,024).
	MaxInflight int
	// MaxScans bounds the whole-table evaluations (evaluate, explain with
	// analyze) running at once; more get 429 (default GOMAXPROCS).
	MaxScans int
	// Poll is how often the definition files are checked for changes
	// (default 1 s; negative: never, reload on request only).
	Poll time.Duration
	// ShutdownGrace bounds how long Serve waits for in-flight requests
	// after its context ends (default Timeout + 1 s).
	ShutdownGrace time.Duration
	// ReadHeaderTimeout bounds the time a client may take to send its
	// request headers, against slow clients (default 5 s).
	ReadHeaderTimeout time.Duration
	// TLS, when set, serves HTTPS with it.
	TLS *tls.Config
	// Logger receives structured logs (default: discarded).
	Logger *slog.Logger
	// LogRequests logs every request at Info (otherwise at Debug).
	LogRequests bool
}

func (c *Config) defaults() {
	if c.MaxBody <= 0 {
		c.MaxBody = 1 << 20
	}
	if c.MaxExpr <= 0 {
		c.MaxExpr = 16 << 10
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = 10_000
	}
	if c.MaxPage <= 0 {
		c.MaxPage = 10_000
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.MaxInflight <= 0 {
		c.MaxInflight = 1024
	}
	if c.MaxScans <= 0 {
		c.MaxScans = runtime.GOMAXPROCS(0)
	}
	if c.Poll == 0 {
		c.Poll = time.Second
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = c.Timeout + time.Second
	}
	if c.ReadHeaderTimeout <= 0 {
		c.ReadHeaderTimeout = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Errors callers can test for.
var (
	// ErrNoToken: a non-loopback address was to listen without tokens.
	ErrNoToken = errors.New("no bearer token configured")
	// ErrConfig: the configuration is incomplete.
	ErrConfig = errors.New("invalid server configuration")
)

// Server serves one definition set over one users table. Its methods are
// safe for concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	handler http.Handler
	tokens  [][sha256.Size]byte

	mu  sync.RWMutex // guards cur
	cur *snapshot

	reloadMu   sync.Mutex // one reload at a time; guards the three below
	dataGen    int
	failedHash string // the definition set that last failed to load
	failedErr  error
	lastError  atomic.Pointer[reloadFailure] // the last failed reload since the last good one

	inflight chan struct{}
	scans    chan struct{}
	stopping atomic.Bool
}

// reloadFailure is a reload that left the previous set serving.
type reloadFailure struct {
	What string    `json:"what"` // definitions or data
	At   time.Time `json:"at"`
	Err  apiError  `json:"error"`
}

// New loads the table and the definition set and returns a server for
// them; either failing is an error (a server never starts without a set).
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Load == nil || (len(cfg.Defs) == 0 && cfg.ReadDefs == nil) {
		return nil, fmt.Errorf("%w: Load and Defs are required", ErrConfig)
	}
	cfg.defaults()
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		inflight: make(chan struct{}, cfg.MaxInflight),
		scans:    make(chan struct{}, cfg.MaxScans),
	}
	for _, t := range cfg.Tokens {
		if t = strings.TrimSpace(t); t != "" {
			s.tokens = append(s.tokens, sha256.Sum256([]byte(t)))
		}
	}
	s.metrics = newMetrics(s)
	data, err := s.loadData(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := s.build(ctx, data)
	data.release() // the snapshot holds its own reference
	if err != nil {
		return nil, err
	}
	s.cur = snap
	s.metrics.observeSnapshot(snap)
	s.handler = s.routes()
	s.log.Info("definitions loaded", "segments", len(snap.names), "rows", snap.data.tbl.NumRows(), "version", snap.version)
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close releases the current snapshot; in-flight requests keep theirs
// until they finish. The server must not be used afterwards.
func (s *Server) Close() { s.replace(nil) }

// acquire returns the current snapshot, retained: the caller releases it.
// It is nil after Close.
func (s *Server) acquire() *snapshot {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.cur != nil {
		s.cur.refs.Add(1)
	}
	return s.cur
}

// swap makes snap current and releases the previous snapshot.
func (s *Server) swap(snap *snapshot) {
	s.replace(snap)
	s.metrics.observeSnapshot(snap)
}

// replace makes snap (nil: none) current and releases the previous one.
func (s *Server) replace(snap *snapshot) {
	s.mu.Lock()
	old := s.cur
	s.cur = snap
	s.mu.Unlock()
	if old != nil {
		old.release()
	}
}

// Serve answers requests on ln until ctx ends, then stops accepting
// connections and waits up to ShutdownGrace for the requests in flight,
// which are all answered. Without tokens ln must be a loopback address.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.CheckAddr(ln.Addr()); err != nil {
		return err
	}
	if s.cfg.TLS != nil {
		ln = tls.NewListener(ln, s.cfg.TLS)
	}
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadHeaderTimeout + s.cfg.Timeout,
		WriteTimeout:      2*s.cfg.Timeout + s.cfg.ReadHeaderTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	if s.cfg.Poll > 0 {
		go s.watch(ctx)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.stopping.Store(true)
	s.log.Info("shutting down", "grace", s.cfg.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// CheckAddr returns an error wrapping ErrNoToken when the server has no
// tokens and addr is not a loopback address.
func (s *Server) CheckAddr(addr net.Addr) error {
	if len(s.tokens) == 0 && !isLoopback(addr) {
		return fmt.Errorf("refusing to listen on %s: %w (give --token-file or SEGQL_TOKEN, or listen on 127.0.0.1)", addr, ErrNoToken)
	}
	return nil
}

// isLoopback reports whether addr is a loopback TCP address.
func isLoopback(addr net.Addr) bool {
	switch a := addr.(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// authorized checks the request's bearer token, or without tokens that it
// comes from a loopback address.
func (s *Server) authorized(r *http.Request) (ok bool, why string) {
	if len(s.tokens) == 0 {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); err == nil && ip != nil && ip.IsLoopback() {
			return true, ""
		}
		return false, "no token is configured, so only loopback clients are served"
	}
	h := r.Header.Get("Authorization")
	tok, found := strings.CutPrefix(h, "Bearer ")
	if !found || tok == "" {
		return false, `missing "Authorization: Bearer TOKEN" header`
	}
	sum := sha256.Sum256([]byte(tok))
	match := 0
	for _, t := range s.tokens {
		match |= subtle.ConstantTimeCompare(sum[:], t[:])
	}
	if match == 0 {
		return false, "the bearer token is not accepted"
	}
	return true, ""
}
