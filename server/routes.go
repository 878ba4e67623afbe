package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"
)

// route is one endpoint. Every route answers JSON, errors included.
type route struct {
	method, path string
	open         bool // served without a token (health checks)
	scan         bool // evaluates the whole table: counted against MaxScans, with a deadline
	deadline     bool // has a context deadline (the others are bounded by their input, or check the time)
	handle       func(w http.ResponseWriter, r *http.Request, snap *snapshot)
}

// routeTable lists the endpoints; the OpenAPI document describes exactly
// these (a test checks it).
func (s *Server) routeTable() []route {
	return []route{
		{method: "POST", path: "/v1/match", handle: s.match},
		{method: "POST", path: "/v1/evaluate", handle: s.evaluate, scan: true},
		{method: "GET", path: "/v1/segments", handle: s.segments},
		{method: "GET", path: "/v1/segments/{name}", handle: s.segment},
		{method: "POST", path: "/v1/explain", handle: s.explain, scan: true},
		{method: "POST", path: "/v1/why", handle: s.why},
		{method: "POST", path: "/v1/reload", handle: s.reload, deadline: true},
		{method: "GET", path: "/v1/openapi.json", handle: s.openapi, open: true},
		{method: "GET", path: "/healthz", handle: s.healthz, open: true},
		{method: "GET", path: "/readyz", handle: s.readyz, open: true},
	}
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routeTable() {
		mux.Handle(rt.path, s.wrap(rt))
	}
	metrics := s.metrics.handler()
	mux.Handle("/metrics", s.wrap(route{method: "GET", path: "/metrics", handle: func(w http.ResponseWriter, r *http.Request, _ *snapshot) {
		metrics.ServeHTTP(w, r)
	}}))
	mux.Handle("/", s.wrap(route{path: "/", handle: func(w http.ResponseWriter, r *http.Request, _ *snapshot) {
		fail(w, http.StatusNotFound, codeNotFound, fmt.Sprintf("no endpoint %s (see /v1/openapi.json)", r.URL.Path))
	}}))
	return mux
}

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wrap adds to a route what every request gets: the method check,
// authorization, the concurrency limits, the deadline, the snapshot,
// recovery from a handler's panic, metrics and the log line.
func (s *Server) wrap(rt route) http.Handler {
	observe := s.metrics.duration.WithLabelValues(rt.path)
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		w := &statusWriter{ResponseWriter: rw}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving a request", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if w.status == 0 {
					fail(w, http.StatusInternalServerError, codeInternal, "internal error (logged)")
				}
			}
			d := time.Since(start)
			observe.Observe(d.Seconds())
			s.metrics.requests.WithLabelValues(rt.path, strconv.Itoa(w.status)).Inc()
			level := s.requestLevel(w.status)
			if s.log.Enabled(r.Context(), level) {
				s.log.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "status", w.status,
					"duration", d, "remote", r.RemoteAddr)
			}
		}()
		if rt.method != "" && r.Method != rt.method && !(rt.method == "GET" && r.Method == "HEAD") {
			w.Header().Set("Allow", rt.method)
			fail(w, http.StatusMethodNotAllowed, codeMethod, fmt.Sprintf("%s takes %s, not %s", rt.path, rt.method, r.Method))
			return
		}
		if !rt.open {
			if ok, why := s.authorized(r); !ok {
				s.metrics.rejected.WithLabelValues("unauthorized").Inc()
				status, code := http.StatusUnauthorized, codeUnauthorized
				if len(s.tokens) == 0 {
					status, code = http.StatusForbidden, codeForbidden
				} else {
					w.Header().Set("WWW-Authenticate", `Bearer realm="segql"`)
				}
				fail(w, status, code, why)
				return
			}
		}
		select {
		case s.inflight <- struct{}{}:
			defer func() { <-s.inflight }()
		default:
			s.busy(w, "requests")
			return
		}
		if rt.scan {
			select {
			case s.scans <- struct{}{}:
				defer func() { <-s.scans }()
			default:
				s.busy(w, "whole-table evaluations")
				return
			}
		}
		s.metrics.inflight.Inc()
		defer s.metrics.inflight.Dec()
		snap := s.acquire()
		if snap == nil {
			fail(w, http.StatusServiceUnavailable, codeUnavailable, "the server is closed")
			return
		}
		defer snap.release()
		w.Header()["Segql-Version"] = snap.versionHeader
		if rt.scan || rt.deadline {
			ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		rt.handle(w, r, snap)
	})
}

// busy answers 429.
func (s *Server) busy(w http.ResponseWriter, what string) {
	s.metrics.rejected.WithLabelValues("busy").Inc()
	w.Header().Set("Retry-After", "1")
	fail(w, http.StatusTooManyRequests, codeBusy, "too many "+what+" at once; retry after a second")
}

func (s *Server) requestLevel(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	case s.cfg.LogRequests:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}
