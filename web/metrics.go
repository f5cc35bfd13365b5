package web

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/raftplay/raftplay/node/eventbus"
	"github.com/raftplay/raftplay/node/raftmetrics"
	"github.com/raftplay/raftplay/node/wire"
)

// metrics are the server's Prometheus metrics, on a registry of its own (a process may run
// many servers): its HTTP requests and streams, its nodes' state and instruments, and the
// process's (Go runtime, process, hashicorp/raft's own metrics).
type metrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec
	latency     *prometheus.HistogramVec
	slowStreams prometheus.Counter
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "raftplay_http_requests_total", Help: "HTTP API requests by method, route and status code.",
		}, []string{"method", "route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "raftplay_http_request_seconds", Help: "HTTP API latency by route (writes include commit and apply).",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}, []string{"route"}),
	}
	m.slowStreams = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "raftplay_event_streams_dropped_total", Help: "WebSocket event streams closed for falling behind (slow consumers).",
	})
	m.reg.MustRegister(m.requests, m.latency, m.slowStreams, nodeCollector{s}, nodeInstruments{s},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		raftmetrics.Collector())
	return m
}

// slowStreamClosed counts a WebSocket stream closed as a slow consumer.
func (m *metrics) slowStreamClosed() { m.slowStreams.Inc() }

// nodeInstruments collects the nodes' own histograms and counters (node.Metrics). Nodes come
// and go, so it describes nothing (an unchecked collector).
type nodeInstruments struct{ s *Server }

func (c nodeInstruments) Describe(chan<- *prometheus.Desc) {}

func (c nodeInstruments) Collect(ch chan<- prometheus.Metric) {
	for _, n := range c.s.api.Nodes() {
		n.Metrics().Collect(ch)
	}
}

// instrument wraps a route's handler with its request counter and latency histogram.
func (m *metrics) instrument(route string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h(sw, r)
		m.requests.WithLabelValues(methodLabel(r.Method), route, strconv.Itoa(sw.code)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	}
}

// methodLabel bounds the method label: a route serves a few methods, and one that takes any
// (the internal routes) must not let a client invent label values.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete:
		return m
	}
	return "other"
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) { w.code = code; w.ResponseWriter.WriteHeader(code) }

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack lets the WebSocket upgrade take the connection (the library asserts
// http.Hijacker directly).
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	w.code = http.StatusSwitchingProtocols
	return hj.Hijack()
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

var (
	descUp        = prometheus.NewDesc("raftplay_node_up", "1 when the node's raft runs.", []string{"node"}, nil)
	descLeader    = prometheus.NewDesc("raftplay_node_leader", "1 when the node is the leader.", []string{"node"}, nil)
	descState     = prometheus.NewDesc("raftplay_node_state", "1 for the node's current raft role.", []string{"node", "role"}, nil)
	descTerm      = prometheus.NewDesc("raftplay_node_term", "Current raft term.", []string{"node"}, nil)
	descIndex     = prometheus.NewDesc("raftplay_node_index", "Raft log indexes: commit, applied, last, snapshot.", []string{"node", "kind"}, nil)
	descApplied   = prometheus.NewDesc("raftplay_node_applied_entries_total", "Entries applied by the state machine since the node last started.", []string{"node"}, nil)
	descSubs      = prometheus.NewDesc("raftplay_event_subscribers", "Subscribers of an event stream (batched streams with the same filter share one).", []string{"stream"}, nil)
	descDropped   = prometheus.NewDesc("raftplay_event_subscribers_dropped_total", "Subscribers cut off for falling behind.", []string{"stream"}, nil)
	descLost      = prometheus.NewDesc("raftplay_events_dropped_total", "Events the subscribers cut off for falling behind had not read.", []string{"stream"}, nil)
	descPublished = prometheus.NewDesc("raftplay_events_total", "Events published on a stream.", []string{"stream"}, nil)
	descBatched   = prometheus.NewDesc("raftplay_event_batched_streams", "Open WebSocket event streams with batch=true.", nil, nil)
	descReads     = prometheus.NewDesc("raftplay_sql_reads_running", "SQL reads under way on the node.", []string{"node"}, nil)
	descHasLeader = prometheus.NewDesc("raftplay_node_has_leader", "1 when the node knows a leader.", []string{"node"}, nil)
	descElected   = prometheus.NewDesc("raftplay_node_leader_changes_total", "Leaders the node has seen elected.", []string{"node"}, nil)
	descForwarded = prometheus.NewDesc("raftplay_node_forwarded_requests_total", "Requests the node sent on to the leader.", []string{"node"}, nil)
	descWindow    = prometheus.NewDesc("raftplay_event_batch_window_seconds", "How long a batched stream gathers events per message; it stretches as streams multiply.", nil, nil)
)

// nodeCollector reads the nodes' state at scrape time.
type nodeCollector struct{ s *Server }

func (c nodeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descLeader, descState, descTerm, descIndex, descApplied, descSubs, descDropped, descLost, descPublished, descBatched, descWindow, descReads, descHasLeader, descElected, descForwarded} {
		ch <- d
	}
}

func (c nodeCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	for _, n := range c.s.api.Nodes() {
		st := n.Status()
		id := st.ID
		gauge(descUp, b2f(st.Role != wire.RoleDown), id)
		gauge(descLeader, b2f(st.Role == wire.RoleLeader), id)
		for _, role := range []string{wire.RoleLeader, wire.RoleFollower, wire.RoleCandidate, wire.RoleDown} {
			gauge(descState, b2f(st.Role == role), id, role)
		}
		gauge(descTerm, float64(st.Term), id)
		gauge(descIndex, float64(st.CommitIndex), id, "commit")
		gauge(descIndex, float64(st.AppliedIndex), id, "applied")
		gauge(descIndex, float64(st.LastIndex), id, "last")
		gauge(descIndex, float64(st.LastSnapshotIndex), id, "snapshot")
		counter(descApplied, float64(st.ApplyCount), id)
		gauge(descReads, float64(n.RunningReads()), id)
		gauge(descHasLeader, b2f(st.Leader != ""), id)
		counter(descElected, float64(n.LeaderChanges()), id)
		counter(descForwarded, float64(n.Forwarded()), id)
	}
	for name, b := range c.s.api.Buses() {
		busMetrics(gauge, counter, name, b)
	}
	gauge(descBatched, float64(c.s.batchedStreams.Load()))
	gauge(descWindow, c.s.batchWindow(0).Seconds())
}

func busMetrics(gauge, counter func(*prometheus.Desc, float64, ...string), name string, b *eventbus.Bus) {
	gauge(descSubs, float64(b.Subscribers()), name)
	counter(descDropped, float64(b.Dropped()), name)
	counter(descLost, float64(b.DroppedEvents()), name)
	counter(descPublished, float64(b.Seq()), name)
}
