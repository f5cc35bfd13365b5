// Package raftmetrics exports the metrics hashicorp/raft reports through go-metrics to
// Prometheus, under names that follow Prometheus' conventions: raft's key
// `raft.replication.appendEntries.rpc` becomes
// `raftplay_hashicorp_raft_replication_append_entries_rpc_seconds`, counters end in
// `_total`, and raft's millisecond timers are observed in seconds in histograms.
//
// go-metrics has one sink per process, so these metrics are process-wide: in a process
// that runs several nodes (`raftplay play`, tests) every node adds to the same series, and
// they carry no node label. The per-node metrics are package node's (Node.Metrics).
package raftmetrics

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	metrics "github.com/hashicorp/go-metrics"
	"github.com/prometheus/client_golang/prometheus"
)

// Prefix starts every exported name.
const Prefix = "raftplay_hashicorp_"

// maxSeries bounds the series a sink keeps; raft's keys are fixed and its label values are
// peer ids and RPC types, so this is only reached by a cluster that saw hundreds of peers.
const maxSeries = 2048

var (
	installOnce sync.Once
	global      *Sink
)

// Collector makes a Sink go-metrics' global sink, the first time it is called, and returns
// it; every call returns the same one, which any number of registries may register.
// Before the first call raft's metrics go to go-metrics' default, which discards them.
func Collector() *Sink {
	installOnce.Do(func() {
		global = NewSink()
		_, _ = metrics.NewGlobal(Config(), global) // it never fails: it only stores the config
	})
	return global
}

// Config is the go-metrics configuration Collector installs: no service or host prefix, no
// runtime statistics (Prometheus' Go collector reports those), and no filter, so every key
// raft reports is kept.
func Config() *metrics.Config {
	return &metrics.Config{TimerGranularity: time.Millisecond, FilterDefault: true}
}

type kind byte

const (
	counter kind = 'c'
	gauge   kind = 'g'
	sample  kind = 's'
)

// family is one exported metric; its label names are those of raft's first report of it.
type family struct {
	kind   kind
	labels []string
	vec    prometheus.Collector
	scale  float64 // raft's unit to the exported one (milliseconds to seconds)
}

// series is one labelled child of a family, resolved once so that a report costs a map
// lookup and an atomic add.
type series struct {
	counter prometheus.Counter
	gauge   prometheus.Gauge
	hist    prometheus.Observer
	scale   float64
}

func (s *series) record(v float64) {
	v *= s.scale
	switch {
	case s.counter != nil:
		s.counter.Add(v)
	case s.gauge != nil:
		s.gauge.Set(v)
	default:
		s.hist.Observe(v)
	}
}

// Sink is a go-metrics sink that is also a Prometheus collector. Reports look their series
// up in a map that is replaced, never changed, when a series is added, so the steady state
// takes no lock and allocates nothing beyond what go-metrics itself does.
type Sink struct {
	series atomic.Pointer[map[string]*series] // by seriesKey

	mu       sync.Mutex // serialises adding series
	families map[string]*family
	count    int
	limit    int
}

// NewSink returns an empty sink (Collector installs the process's one).
func NewSink() *Sink {
	s := &Sink{families: map[string]*family{}, limit: maxSeries}
	s.series.Store(&map[string]*series{})
	return s
}

func (s *Sink) report(k kind, key []string, val float32, labels []metrics.Label) {
	if dropped(key, labels) {
		return
	}
	var buf [192]byte
	b := seriesKey(buf[:0], k, key, labels)
	if se := (*s.series.Load())[string(b)]; se != nil {
		se.record(float64(val))
		return
	}
	if se := s.add(string(b), k, key, labels); se != nil {
		se.record(float64(val))
	}
}

// dropped: raft reports each replication metric twice, with a peer_id label and with the
// peer's id inside the key; the second would make a metric name per peer.
func dropped(key []string, labels []metrics.Label) bool {
	return len(labels) == 0 && len(key) > 2 && key[0] == "raft" && key[1] == "replication"
}

func seriesKey(b []byte, k kind, key []string, labels []metrics.Label) []byte {
	b = append(b, byte(k))
	for _, p := range key {
		b = append(b, '.')
		b = append(b, p...)
	}
	for _, l := range labels {
		b = append(b, 0)
		b = append(b, l.Name...)
		b = append(b, '=')
		b = append(b, l.Value...)
	}
	return b
}

// add creates the series of one report, or returns nil when the sink is full or the report
// does not fit the family raft reported first under that name.
func (s *Sink) add(id string, k kind, key []string, labels []metrics.Label) *series {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := *s.series.Load()
	if se := old[id]; se != nil {
		return se
	}
	if s.count >= s.limit {
		return nil
	}
	fam := s.family(k, key, labels)
	if fam == nil {
		return nil
	}
	values := make([]string, len(labels))
	for i, l := range labels {
		values[i] = l.Value
	}
	se := &series{scale: fam.scale}
	switch v := fam.vec.(type) {
	case *prometheus.CounterVec:
		se.counter = v.WithLabelValues(values...)
	case *prometheus.GaugeVec:
		se.gauge = v.WithLabelValues(values...)
	case *prometheus.HistogramVec:
		se.hist = v.WithLabelValues(values...)
	}
	next := make(map[string]*series, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[id] = se
	s.series.Store(&next)
	s.count++
	return se
}

// family finds or makes the family of a report; the caller holds s.mu.
func (s *Sink) family(k kind, key []string, labels []metrics.Label) *family {
	name, help, scale, buckets := describe(k, key)
	names := make([]string, len(labels))
	for i, l := range labels {
		names[i] = Snake(l.Name)
	}
	if fam, ok := s.families[name]; ok {
		if fam.kind != k || !equal(fam.labels, names) {
			return nil
		}
		return fam
	}
	fam := &family{kind: k, labels: names, scale: scale}
	switch k {
	case counter:
		fam.vec = prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, names)
	case gauge:
		fam.vec = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, names)
	default:
		fam.vec = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, names)
	}
	s.families[name] = fam
	return fam
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Describe sends nothing: the sink's metrics appear as raft reports them, which makes it an
// unchecked collector.
func (s *Sink) Describe(chan<- *prometheus.Desc) {}

// Collect sends every series raft has reported.
func (s *Sink) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	vecs := make([]prometheus.Collector, 0, len(s.families))
	for _, f := range s.families {
		vecs = append(vecs, f.vec)
	}
	s.mu.Unlock()
	for _, v := range vecs {
		v.Collect(ch)
	}
}

// The go-metrics sink interface.

func (s *Sink) SetGauge(key []string, val float32) { s.report(gauge, key, val, nil) }
func (s *Sink) SetGaugeWithLabels(key []string, val float32, labels []metrics.Label) {
	s.report(gauge, key, val, labels)
}
func (s *Sink) SetPrecisionGauge(key []string, val float64) {
	s.report(gauge, key, float32(val), nil)
}
func (s *Sink) SetPrecisionGaugeWithLabels(key []string, val float64, labels []metrics.Label) {
	s.report(gauge, key, float32(val), labels)
}
func (s *Sink) EmitKey([]string, float32)             {} // raft reports no key/value events
func (s *Sink) IncrCounter(key []string, val float32) { s.report(counter, key, val, nil) }
func (s *Sink) IncrCounterWithLabels(key []string, val float32, labels []metrics.Label) {
	s.report(counter, key, val, labels)
}
func (s *Sink) AddSample(key []string, val float32) { s.report(sample, key, val, nil) }
func (s *Sink) AddSampleWithLabels(key []string, val float32, labels []metrics.Label) {
	s.report(sample, key, val, labels)
}

// Snake turns one of raft's camelCase keys into snake_case ("getRPCType" → "get_rpc_type"),
// with anything outside [a-z0-9_] made an underscore.
func Snake(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isUpper(c):
			if i > 0 && (isLower(s[i-1]) || isDigit(s[i-1]) || (isUpper(s[i-1]) && i+1 < len(s) && isLower(s[i+1]))) {
				b.WriteByte('_')
			}
			b.WriteByte(c + 'a' - 'A')
		case isLower(c), isDigit(c), c == '_':
			b.WriteByte(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
