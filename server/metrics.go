package server

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, in a registry of its own
// (several servers may live in one process, as in tests).
type metrics struct {
	reg           *prometheus.Registry
	requests      *prometheus.CounterVec   // route, code
	duration      *prometheus.HistogramVec // route
	inflight      prometheus.Gauge
	rejected      *prometheus.CounterVec // reason: busy, unauthorized
	reloads       *prometheus.CounterVec // what, result
	reloadFailing prometheus.Gauge
	segments      prometheus.Gauge
	rows          prometheus.Gauge
	sizes         *prometheus.GaugeVec // segment
}

func newMetrics(s *Server) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "segql_http_requests_total", Help: "HTTP requests answered, by route and status code.",
	}, []string{"route", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "segql_http_request_duration_seconds", Help: "Time to answer a request, by route.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	m.inflight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "segql_http_requests_in_flight", Help: "Requests being served."})
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "segql_http_rejected_total", Help: "Requests refused before being served, by reason (busy, unauthorized).",
	}, []string{"reason"})
	m.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "segql_reloads_total", Help: "Reloads of the definitions or the data, by result (ok, error).",
	}, []string{"what", "result"})
	m.reloadFailing = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "segql_reload_failing", Help: "1 while the last reload failed and the previous set is serving.",
	})
	m.segments = prometheus.NewGauge(prometheus.GaugeOpts{Name: "segql_segments", Help: "Segments in the serving definition set."})
	m.rows = prometheus.NewGauge(prometheus.GaugeOpts{Name: "segql_table_rows", Help: "Rows of the serving users table."})
	m.sizes = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "segql_segment_size", Help: "Members of each segment of the serving set, at its load.",
	}, []string{"segment"})
	m.reg.MustRegister(m.requests, m.duration, m.inflight, m.rejected, m.reloads, m.reloadFailing,
		m.segments, m.rows, m.sizes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observeSnapshot publishes a snapshot's sizes.
func (m *metrics) observeSnapshot(snap *snapshot) {
	m.sizes.Reset()
	for _, n := range snap.names {
		m.sizes.WithLabelValues(n).Set(float64(snap.segs[n].size))
	}
	m.segments.Set(float64(len(snap.names)))
	m.rows.Set(float64(snap.data.tbl.NumRows()))
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
