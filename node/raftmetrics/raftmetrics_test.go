package raftmetrics

import (
	"math"
	"strings"
	"testing"
	"time"

	metrics "github.com/hashicorp/go-metrics"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func TestSnake(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"commitTime", "commit_time"},
		{"getRPCType", "get_rpc_type"},
		{"verify_leader", "verify_leader"},
		{"raft_fsm_applyBatchNum", "raft_fsm_apply_batch_num"},
		{"rpcType", "rpc_type"},
		{"peer_id", "peer_id"},
		{"AppendEntries", "append_entries"},
		{"n1-x.y", "n1_x_y"},
	} {
		if got := Snake(tc.in); got != tc.want {
			t.Errorf("Snake(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// gather registers s on a fresh registry and returns its families by name.
func gather(t *testing.T, s *Sink) map[string]*dto.MetricFamily {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(s)
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		out[f.GetName()] = f
	}
	return out
}

// newMetrics is a go-metrics instance over s, configured as Collector configures the global.
func newMetrics(t testing.TB, s metrics.MetricSink) *metrics.Metrics {
	m, err := metrics.New(Config(), s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRaftsReportsBecomePrometheusMetrics feeds the sink through go-metrics, as raft does,
// and checks each report's name, type, labels and unit.
func TestRaftsReportsBecomePrometheusMetrics(t *testing.T) {
	s := NewSink()
	m := newMetrics(t, s)
	peer := []metrics.Label{{Name: "peer_id", Value: "n2"}}
	m.MeasureSince([]string{"raft", "commitTime"}, time.Now().Add(-250*time.Millisecond))
	m.IncrCounter([]string{"raft", "apply"}, 1)
	m.IncrCounter([]string{"raft", "apply"}, 2)
	m.SetGauge([]string{"raft", "peers"}, 3)
	m.SetGauge([]string{"raft", "leader", "oldestLogAge"}, 1500)
	m.AddSample([]string{"raft", "fsm", "applyBatchNum"}, 7)
	m.MeasureSinceWithLabels([]string{"raft", "replication", "appendEntries", "rpc"}, time.Now().Add(-2*time.Millisecond), peer)
	m.MeasureSince([]string{"raft", "replication", "appendEntries", "rpc", "n2"}, time.Now()) // the per-peer key: dropped
	m.IncrCounterWithLabels([]string{"raft", "replication", "appendEntries", "logs"}, 4, peer)
	m.MeasureSinceWithLabels([]string{"raft", "net", "rpcDecode"}, time.Now(), []metrics.Label{{Name: "rpcType", Value: "Heartbeat"}})

	fams := gather(t, s)
	for _, tc := range []struct {
		name   string
		typ    dto.MetricType
		labels string  // name=value of the one series
		value  float64 // counter or gauge value, histogram sum; NaN: not checked
		count  uint64  // histogram observations
	}{
		{Prefix + "raft_commit_time_seconds", dto.MetricType_HISTOGRAM, "", 0.25, 1},
		{Prefix + "raft_apply_total", dto.MetricType_COUNTER, "", 3, 0},
		{Prefix + "raft_peers", dto.MetricType_GAUGE, "", 3, 0},
		{Prefix + "raft_leader_oldest_log_age_seconds", dto.MetricType_GAUGE, "", 1.5, 0},
		{Prefix + "raft_fsm_apply_batch_num", dto.MetricType_HISTOGRAM, "", 7, 1},
		{Prefix + "raft_replication_append_entries_rpc_seconds", dto.MetricType_HISTOGRAM, "peer_id=n2", math.NaN(), 1},
		{Prefix + "raft_replication_append_entries_logs_total", dto.MetricType_COUNTER, "peer_id=n2", 4, 0},
		{Prefix + "raft_net_rpc_decode_seconds", dto.MetricType_HISTOGRAM, "rpc_type=Heartbeat", math.NaN(), 1},
	} {
		f := fams[tc.name]
		if f == nil {
			t.Errorf("%s missing", tc.name)
			continue
		}
		if f.GetType() != tc.typ || len(f.Metric) != 1 {
			t.Errorf("%s: type %v with %d series, want %v with 1", tc.name, f.GetType(), len(f.Metric), tc.typ)
			continue
		}
		mt := f.Metric[0]
		var labels []string
		for _, l := range mt.Label {
			labels = append(labels, l.GetName()+"="+l.GetValue())
		}
		if got := strings.Join(labels, ","); got != tc.labels {
			t.Errorf("%s: labels %q, want %q", tc.name, got, tc.labels)
		}
		var v float64
		switch tc.typ {
		case dto.MetricType_COUNTER:
			v = mt.Counter.GetValue()
		case dto.MetricType_GAUGE:
			v = mt.Gauge.GetValue()
		case dto.MetricType_HISTOGRAM:
			v = mt.Histogram.GetSampleSum()
			if got := mt.Histogram.GetSampleCount(); got != tc.count {
				t.Errorf("%s: %d observations, want %d", tc.name, got, tc.count)
			}
		}
		if !math.IsNaN(tc.value) && math.Abs(v-tc.value) > tc.value*0.2 {
			t.Errorf("%s: value %v, want about %v", tc.name, v, tc.value)
		}
	}
	for name := range fams {
		if strings.Contains(name, "n2") {
			t.Errorf("a peer id made a metric name: %s", name)
		}
	}
}

// TestSinkIsBounded: once the sink holds its limit of series, new ones are dropped and the
// old ones still count; a report that does not fit its family's first shape is dropped.
func TestSinkIsBounded(t *testing.T) {
	s := NewSink()
	s.limit = 3
	m := newMetrics(t, s)
	for _, p := range []string{"a", "b", "c", "d", "e"} {
		m.IncrCounterWithLabels([]string{"raft", "x"}, 1, []metrics.Label{{Name: "peer_id", Value: p}})
	}
	m.IncrCounterWithLabels([]string{"raft", "x"}, 1, []metrics.Label{{Name: "peer_id", Value: "a"}})
	f := gather(t, s)[Prefix+"raft_x_total"]
	if f == nil || len(f.Metric) != 3 {
		t.Fatalf("want 3 series, got %v", f)
	}
	s = NewSink()
	m = newMetrics(t, s)
	m.IncrCounter([]string{"raft", "y"}, 1)
	m.IncrCounterWithLabels([]string{"raft", "y"}, 1, []metrics.Label{{Name: "peer_id", Value: "a"}})
	m.SetGauge([]string{"raft", "y"}, 1) // another kind: a different name (no _total), kept
	fams := gather(t, s)
	if f := fams[Prefix+"raft_y_total"]; f == nil || len(f.Metric) != 1 || len(f.Metric[0].Label) != 0 {
		t.Fatalf("raft_y_total: %v", f)
	}
	if fams[Prefix+"raft_y"] == nil {
		t.Fatal("gauge raft_y missing")
	}
}

// TestCollectorIsGoMetricsGlobal: after Collector, raft's package-level calls reach it.
func TestCollectorIsGoMetricsGlobal(t *testing.T) {
	s := Collector()
	if Collector() != s {
		t.Fatal("Collector returned two sinks")
	}
	metrics.IncrCounter([]string{"raft", "test_global"}, 1)
	if f := gather(t, s)[Prefix+"raft_test_global_total"]; f == nil {
		t.Fatal("a global report did not reach the sink")
	}
}

// BenchmarkReport is the cost of one of raft's reports through go-metrics: as go-metrics'
// default drops it (before taking the time), to a discarding sink configured as Collector
// configures this one, and to this sink.
func BenchmarkReport(b *testing.B) {
	peer := []metrics.Label{{Name: "peer_id", Value: "n2"}}
	off, err := metrics.New(&metrics.Config{}, &metrics.BlackholeSink{})
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		m    *metrics.Metrics
	}{{"sink=default", off}, {"sink=blackhole", newMetrics(b, &metrics.BlackholeSink{})}, {"sink=prometheus", newMetrics(b, NewSink())}} {
		m := tc.m
		b.Run(tc.name+"/timer", func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				m.MeasureSince([]string{"raft", "commitTime"}, start)
			}
		})
		b.Run(tc.name+"/labelled", func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			for b.Loop() {
				m.MeasureSinceWithLabels([]string{"raft", "replication", "appendEntries", "rpc"}, start, peer)
			}
		})
	}
}
