package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/web/clustertest"
)

// TestMetricsAfterAWorkload runs a short workload of every kind on a real cluster — KV
// writes, SQL through HTTP and Postgres (with a syntax error), a forwarded write, snapshots,
// and a follower that comes back behind a compacted log and restores from disk and then from
// the leader — and checks /metrics: promtool accepts it, the new instruments counted what
// happened, and every metric the Grafana dashboard queries exists.
func TestMetricsAfterAWorkload(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithPostgres(), clustertest.WithSnapshots(1<<20, 2))
	leader, f := c.Leader(), c.Followers()[0]
	metricsWorkload(t, c, leader, f)
	l, fid := leader.ID(), f.ID()
	dashboard := dashboardMetrics(t, "../docs/grafana/raftplay.json")
	// The leader times the InstallSnapshot RPC when f has answered it, which can be just
	// after f's state converged, and some of raft's own metrics come from periodic checks
	// (the leader's lease every half second): wait for both, then check.
	var body []byte
	var page scrape
	deadline := time.Now().Add(10 * time.Second)
	for {
		body = clustertest.MustOK(t, "GET", c.Play+"/metrics", nil).Body
		page = parseMetrics(t, body)
		v, _ := page.value("raftplay_raft_rpc_seconds", "node="+l+",peer="+fid+",rpc=install_snapshot")
		if (v >= 1 && len(page.missing(dashboard)) == 0) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}

	t.Run("promtool", func(t *testing.T) { promtoolCheck(t, body) })
	t.Run("values", func(t *testing.T) {
		for _, tc := range []struct {
			name, labels string
			min          float64 // the value (a histogram's count) must be at least this
		}{
			{"raftplay_raft_commit_seconds", "node=" + l, 5},
			{"raftplay_fsm_apply_seconds", "node=" + fid, 5},
			{"raftplay_disk_log_store_seconds", "node=" + l, 5},
			{"raftplay_disk_log_written_bytes_total", "node=" + fid, 100},
			{"raftplay_raft_rpc_seconds", "node=" + l + ",peer=" + fid + ",rpc=append_entries", 1},
			{"raftplay_raft_rpc_seconds", "node=" + l + ",peer=" + fid + ",rpc=heartbeat", 1},
			{"raftplay_raft_rpc_failures_total", "node=" + l + ",peer=" + fid + ",rpc=append_entries", 1}, // while it was down
			{"raftplay_snapshot_take_seconds", "node=" + l, 1},
			{"raftplay_snapshot_take_seconds", "node=" + fid, 1},
			{"raftplay_snapshot_last_size_bytes", "node=" + l, 100},
			{"raftplay_snapshot_restore_seconds", "node=" + fid + ",source=disk", 1},
			{"raftplay_snapshot_restore_seconds", "node=" + fid + ",source=leader", 1},
			{"raftplay_snapshot_restore_seconds", "node=" + l + ",source=leader", 0}, // exists at 0
			{"raftplay_pg_connections_total", "node=" + fid, 1},
			{"raftplay_pg_queries_total", "node=" + fid, 3},
			{"raftplay_pg_errors_total", "node=" + fid + ",sqlstate=42601", 1},
			{"raftplay_node_forwarded_requests_total", "node=" + fid, 1},
			{"raftplay_events_dropped_total", "stream=cluster", 0},
			{"raftplay_http_requests_total", "code=200,method=PUT,route=/v1/kv/{key...}", 20},
			{"raftplay_hashicorp_raft_commit_time_seconds", "", 5},
			{"raftplay_hashicorp_raft_apply_total", "", 5},
			{"raftplay_hashicorp_raft_fsm_apply_seconds", "", 5},
			{"raftplay_hashicorp_raft_replication_append_entries_rpc_seconds", "peer_id=" + fid, 1},
			{"go_goroutines", "", 10},
			{"process_resident_memory_bytes", "", 1 << 20},
		} {
			v, ok := page.value(tc.name, tc.labels)
			if !ok || v < tc.min {
				t.Errorf("%s{%s} = %v (present %v), want at least %v", tc.name, tc.labels, v, ok, tc.min)
			}
		}
		if v, _ := page.value("raftplay_pg_connections", "node="+fid); v != 0 {
			t.Errorf("raftplay_pg_connections{node=%s} = %v after the connection closed", fid, v)
		}
	})
	t.Run("dashboard", func(t *testing.T) {
		if len(dashboard) < 40 {
			t.Fatalf("only %d metrics found in the dashboard: %v", len(dashboard), dashboard)
		}
		for _, name := range page.missing(dashboard) {
			t.Errorf("the dashboard queries %s, which /metrics lacks", name)
		}
	})
}

// metricsWorkload does a little of everything the metrics count. f ends up restored from
// its own snapshot and then from one the leader sent.
func metricsWorkload(t *testing.T, c *clustertest.Cluster, leader, f *node.Node) {
	for i := range 20 {
		clustertest.Put(t, c.Play, fmt.Sprintf("k%d", i), "v")
	}
	clustertest.Put(t, clustertest.URL(f), "forwarded", "1")
	clustertest.MustOK(t, "POST", c.Play+"/v1/sql", map[string]string{"sql": "CREATE TABLE m (id bigint PRIMARY KEY, v text)"})
	clustertest.MustOK(t, "POST", c.Play+"/v1/sql", map[string]string{"sql": "INSERT INTO m VALUES (1, 'a')"})
	clustertest.MustOK(t, "POST", c.Play+"/v1/sql", map[string]string{"sql": "SELECT * FROM m"})
	c.WaitConverged() // f's Postgres reads its own state
	pgQueries(t, f)
	c.WaitConverged()
	clustertest.MustOK(t, "POST", c.Play+"/v1/cluster/snapshot", map[string]string{"node": f.ID()})
	// f misses entries the leader then compacts away: back, it must be sent a snapshot.
	if err := f.Kill(); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		clustertest.Put(t, c.Play, fmt.Sprintf("later%d", i), "v")
	}
	clustertest.MustOK(t, "POST", c.Play+"/v1/cluster/snapshot", map[string]string{"node": leader.ID()})
	if err := f.Restart(); err != nil {
		t.Fatal(err)
	}
	c.WaitConverged()
}

// pgQueries runs a read, a write and a syntax error through f's Postgres port.
func pgQueries(t *testing.T, f *node.Node) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, "postgres://any@"+f.PGAddr()+"/any?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM m").Scan(&n); err != nil || n != 1 {
		t.Fatalf("count through Postgres: %d, %v", n, err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO m VALUES (2, 'b')"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "SELEC 1"); err == nil || !strings.Contains(err.Error(), "42601") {
		t.Fatalf("a syntax error answered %v", err)
	}
}

// promtoolCheck runs `promtool check metrics` on a scrape. Without promtool the check is
// skipped, except under CI.
func promtoolCheck(t *testing.T, body []byte) {
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("promtool not found (Debian: apt-get install prometheus)")
		}
		t.Skip("promtool not found")
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
}

// scrape is a parsed /metrics page.
type scrape map[string]*dto.MetricFamily

func parseMetrics(t *testing.T, body []byte) scrape {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// value is the value of the series of name with exactly these labels ("k=v,k=v"): a
// counter's or gauge's value, a histogram's count.
func (s scrape) value(name, labels string) (float64, bool) {
	f := s[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.Metric {
		var got []string
		for _, l := range m.Label {
			got = append(got, l.GetName()+"="+l.GetValue())
		}
		if strings.Join(got, ",") != labels {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		case m.Untyped != nil:
			return m.Untyped.GetValue(), true
		}
	}
	return 0, false
}

// missing are the names the page has no series of.
func (s scrape) missing(names []string) []string {
	var out []string
	for _, n := range names {
		if !s.has(n) {
			out = append(out, n)
		}
	}
	return out
}

// has reports whether the page has series named name, a histogram's or summary's _bucket,
// _count and _sum included.
func (s scrape) has(name string) bool {
	if f := s[name]; f != nil && len(f.Metric) > 0 {
		return true
	}
	for _, suffix := range []string{"_bucket", "_count", "_sum"} {
		base, ok := strings.CutSuffix(name, suffix)
		if f := s[base]; ok && f != nil && len(f.Metric) > 0 &&
			(f.GetType() == dto.MetricType_HISTOGRAM || (f.GetType() == dto.MetricType_SUMMARY && suffix != "_bucket")) {
			return true
		}
	}
	return false
}

var metricName = regexp.MustCompile(`\b(?:raftplay|go|process)_[a-zA-Z0-9_]+`)

// dashboardMetrics are the metric names in every query of a Grafana dashboard: the panels'
// targets (rows' nested panels too) and the template variables.
func dashboardMetrics(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var dash any
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var names []string
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(x, k)
			}
		case []any:
			for _, x := range v {
				walk(x, key)
			}
		case string:
			if key == "expr" || key == "query" || key == "definition" {
				names = append(names, metricName.FindAllString(v, -1)...)
			}
		}
	}
	walk(dash, "")
	slices.Sort(names)
	return slices.Compact(names)
}
