package node

import (
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// PGMetrics count what a node's Postgres port serves. A nil *PGMetrics counts nothing, so a
// server over another backend needs none.
type PGMetrics struct {
	open     prometheus.Gauge
	accepted prometheus.Counter
	queries  prometheus.Counter
	errors   *prometheus.CounterVec

	mu    sync.Mutex                                    // serialises adding codes
	codes atomic.Pointer[map[string]prometheus.Counter] // replaced, never changed
}

// maxSQLStates bounds the sqlstate label: the codes come from the error table and the
// engine, a few dozen; anything past the bound, or not shaped like a SQLSTATE, is "other".
const maxSQLStates = 128

func newPGMetrics(node prometheus.Labels) *PGMetrics {
	m := &PGMetrics{
		open: prometheus.NewGauge(prometheus.GaugeOpts{Name: "raftplay_pg_connections",
			Help: "Open Postgres connections past their handshake.", ConstLabels: node}),
		accepted: prometheus.NewCounter(prometheus.CounterOpts{Name: "raftplay_pg_connections_total",
			Help: "Postgres connections that completed their handshake.", ConstLabels: node}),
		queries: prometheus.NewCounter(prometheus.CounterOpts{Name: "raftplay_pg_queries_total",
			Help: "Postgres queries: Query messages (simple protocol) and Executes (extended).", ConstLabels: node}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "raftplay_pg_errors_total",
			Help: "Postgres error responses (ERROR and FATAL), by SQLSTATE.", ConstLabels: node}, []string{"sqlstate"}),
	}
	m.codes.Store(&map[string]prometheus.Counter{})
	return m
}

// Opened counts a connection that completed its handshake; Closed must follow it.
func (m *PGMetrics) Opened() {
	if m != nil {
		m.open.Inc()
		m.accepted.Inc()
	}
}

// Closed counts the end of a connection Opened counted.
func (m *PGMetrics) Closed() {
	if m != nil {
		m.open.Dec()
	}
}

// Query counts one query.
func (m *PGMetrics) Query() {
	if m != nil {
		m.queries.Inc()
	}
}

// Error counts one error response with its SQLSTATE.
func (m *PGMetrics) Error(sqlstate string) {
	if m == nil {
		return
	}
	c, ok := (*m.codes.Load())[sqlstate]
	if !ok {
		c = m.addCode(sqlstate)
	}
	c.Inc()
}

func (m *PGMetrics) addCode(code string) prometheus.Counter {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.codes.Load()
	if c, ok := old[code]; ok {
		return c
	}
	label := code
	if !isSQLState(code) || len(old) >= maxSQLStates {
		label = "other"
	}
	c := m.errors.WithLabelValues(label)
	if label != code {
		return c // not kept under its own key, so the map stays bounded
	}
	next := make(map[string]prometheus.Counter, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[code] = c
	m.codes.Store(&next)
	return c
}

// isSQLState: five digits or upper-case letters.
func isSQLState(s string) bool {
	if len(s) != 5 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// Describe implements prometheus.Collector.
func (m *PGMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range []prometheus.Collector{m.open, m.accepted, m.queries, m.errors} {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *PGMetrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range []prometheus.Collector{m.open, m.accepted, m.queries, m.errors} {
		c.Collect(ch)
	}
}
