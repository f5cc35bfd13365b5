package node

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/raftplay/raftplay/node/wire"
)

// Metrics are one node's own instruments for /metrics: latencies measured where they
// happen (a proposal, an FSM apply, a log write, an RPC, a snapshot) and the counters of
// its Postgres port. They live on the Node, so they outlive kills and restarts, and every
// series carries the node's id as its node label. A Metrics is a prometheus.Collector.
type Metrics struct {
	commit      prometheus.Histogram
	failed      prometheus.Counter
	fsmApply    prometheus.Histogram
	logStore    prometheus.Histogram
	logBytes    prometheus.Counter
	snapTake    prometheus.Histogram
	snapSize    prometheus.Gauge
	snapRestore *prometheus.HistogramVec
	rpcSeconds  *prometheus.HistogramVec
	rpcFailures *prometheus.CounterVec
	pg          *PGMetrics

	rpcMu     sync.Mutex                         // serialises adding RPC series
	rpcSeries atomic.Pointer[map[rpcKey]rpcPair] // replaced, never changed
	all       []prometheus.Collector
}

// Restore sources of raftplay_snapshot_restore_seconds.
const (
	restoreFromDisk   = "disk"   // at start-up, the node's own latest snapshot
	restoreFromLeader = "leader" // sent by the leader (InstallSnapshot)
)

// maxRPCSeries bounds the (peer, rpc) pairs a node keeps series for: peers are cluster
// members, so only a cluster that saw many dozens of members reaches it.
const maxRPCSeries = 512

var (
	// latencyBuckets span 50 µs to 6.5 s: a log write on a fast disk to a stalled election.
	latencyBuckets = prometheus.ExponentialBuckets(0.00005, 2, 18)
	// snapshotBuckets span 1 ms to 65 s.
	snapshotBuckets = prometheus.ExponentialBuckets(0.001, 2, 17)
)

func newMetrics(id string) *Metrics {
	node := prometheus.Labels{"node": id}
	hist := func(name, help string, buckets []float64) prometheus.Histogram {
		return prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, ConstLabels: node, Buckets: buckets})
	}
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help, ConstLabels: node})
	}
	m := &Metrics{
		commit:   hist("raftplay_raft_commit_seconds", "From proposing an entry on the leader to its commit and apply there (an entry carries a group of writes).", latencyBuckets),
		failed:   counter("raftplay_raft_proposals_failed_total", "Entries proposed on the leader that failed (leadership lost, shutdown, timeout)."),
		fsmApply: hist("raftplay_fsm_apply_seconds", "The state machine's apply of one committed entry (one BuntDB transaction per write in it).", latencyBuckets),
		logStore: hist("raftplay_disk_log_store_seconds", "Writing a batch of entries to the raft log on disk, fsync included.", latencyBuckets),
		logBytes: counter("raftplay_disk_log_written_bytes_total", "Bytes of entry data written to the raft log."),
		snapTake: hist("raftplay_snapshot_take_seconds", "Taking a snapshot: dumping the state and writing it to disk.", snapshotBuckets),
		snapSize: prometheus.NewGauge(prometheus.GaugeOpts{Name: "raftplay_snapshot_last_size_bytes", Help: "Size of the last snapshot the node took.", ConstLabels: node}),
		snapRestore: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "raftplay_snapshot_restore_seconds",
			Help:        "Restoring the state from a snapshot: the node's own at start-up (source=disk) or one the leader sent (source=leader).",
			ConstLabels: node, Buckets: snapshotBuckets}, []string{"source"}),
		rpcSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "raftplay_raft_rpc_seconds",
			Help:        "Raft RPCs the node sent, by peer and type (heartbeat: AppendEntries without entries), as the sender timed them (injected delay included).",
			ConstLabels: node, Buckets: latencyBuckets}, []string{"peer", "rpc"}),
		rpcFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "raftplay_raft_rpc_failures_total",
			Help: "Raft RPCs the node sent that failed or that a fault dropped, by peer and type.", ConstLabels: node}, []string{"peer", "rpc"}),
		pg: newPGMetrics(node),
	}
	// The restore series exist from the start, so a dashboard shows 0 rather than nothing.
	m.snapRestore.WithLabelValues(restoreFromDisk)
	m.snapRestore.WithLabelValues(restoreFromLeader)
	m.rpcSeries.Store(&map[rpcKey]rpcPair{})
	m.all = []prometheus.Collector{m.commit, m.failed, m.fsmApply, m.logStore, m.logBytes, m.snapTake, m.snapSize,
		m.snapRestore, m.rpcSeconds, m.rpcFailures, m.pg}
	return m
}

// Metrics are the node's instruments, for a /metrics registry.
func (n *Node) Metrics() *Metrics { return n.metrics }

// PGMetrics are the counters of the node's Postgres port; package pgwire reports to them.
func (n *Node) PGMetrics() *PGMetrics { return n.metrics.pg }

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.all {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.all {
		c.Collect(ch)
	}
}

// proposed records one entry's Apply on the leader, from proposal to answer.
func (m *Metrics) proposed(took time.Duration, err error) {
	if err != nil {
		m.failed.Inc()
		return
	}
	m.commit.Observe(took.Seconds())
}

type rpcKey struct{ peer, rpc string }

type rpcPair struct {
	seconds  prometheus.Observer
	failures prometheus.Counter
}

// rpc records one RPC the transport observed. The series are resolved once per (peer, rpc)
// and kept in a map that is replaced when one is added, so an RPC costs a lookup, an
// observe and no lock.
func (m *Metrics) rpc(d wire.RPCData) {
	k := rpcKey{d.To, rpcLabel(d)}
	p, ok := (*m.rpcSeries.Load())[k]
	if !ok {
		if p, ok = m.addRPC(k); !ok {
			return
		}
	}
	p.seconds.Observe(float64(d.LatencyUS) / 1e6)
	if d.Dropped || d.Error != "" {
		p.failures.Inc()
	}
}

func (m *Metrics) addRPC(k rpcKey) (rpcPair, bool) {
	m.rpcMu.Lock()
	defer m.rpcMu.Unlock()
	old := *m.rpcSeries.Load()
	if p, ok := old[k]; ok {
		return p, true
	}
	if len(old) >= maxRPCSeries {
		return rpcPair{}, false
	}
	p := rpcPair{m.rpcSeconds.WithLabelValues(k.peer, k.rpc), m.rpcFailures.WithLabelValues(k.peer, k.rpc)}
	next := make(map[rpcKey]rpcPair, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[k] = p
	m.rpcSeries.Store(&next)
	return p, true
}

// rpcLabel is the rpc label of an RPC: one of the transport's fixed names, with heartbeats
// told apart from AppendEntries that carry entries.
func rpcLabel(d wire.RPCData) string {
	switch d.RPC {
	case wire.RPCAppendEntries:
		if d.Heartbeat {
			return "heartbeat"
		}
		return d.RPC
	case wire.RPCRequestVote, wire.RPCRequestPreVote, wire.RPCInstallSnapshot, wire.RPCTimeoutNow:
		return d.RPC
	}
	return "other"
}

// observeRPC is the transport's observer: the RPC's metrics, then its event.
func (n *Node) observeRPC(d wire.RPCData) {
	n.metrics.rpc(d)
	n.onRPC(d)
}
