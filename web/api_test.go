package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web"
	"github.com/raftplay/raftplay/web/clustertest"
	"github.com/raftplay/raftplay/web/playground"
)

func TestBadInputGetsDocumentedErrors(t *testing.T) {
	c := clustertest.Start(t, 3)
	f := clustertest.URL(c.Followers()[0])
	big := strings.Repeat("a", 2<<20)
	tests := []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"missing key", "GET", "/v1/kv/nope", nil, 404, wire.CodeNotFound},
		{"malformed join JSON", "POST", "/v1/cluster/join", json.RawMessage(`{"id": "x",`), 400, wire.CodeBadJSON},
		{"join with unknown field", "POST", "/v1/cluster/join", json.RawMessage(`{"id":"x","raft_addr":"y","bogus":1}`), 400, wire.CodeBadJSON},
		{"join without address", "POST", "/v1/cluster/join", wire.JoinRequest{ID: "x"}, 400, wire.CodeBadRequest},
		{"oversized value", "PUT", "/v1/kv/big", big, 413, wire.CodeTooLarge},
		{"malformed JSON write", "PUT", "/v1/kv/j", json.RawMessage(`{"value":`), 400, wire.CodeBadJSON},
		{"bad base64 value", "PUT", "/v1/kv/b?encoding=base64", "***", 400, wire.CodeBadRequest},
		{"bad consistency", "GET", "/v1/kv/x?consistency=eventual", nil, 400, wire.CodeBadRequest},
		{"bad limit", "GET", "/v1/kv?limit=0", nil, 400, wire.CodeBadRequest},
		{"unknown node", "DELETE", "/v1/cluster/nodes/n99", nil, 404, wire.CodeUnknownNode},
		{"unknown snapshot node", "POST", "/v1/cluster/snapshot", map[string]string{"node": "n99"}, 404, wire.CodeUnknownNode},
		{"unknown endpoint", "GET", "/v1/nope", nil, 404, wire.CodeNotFound},
		{"wrong method", "PATCH", "/v1/kv/x", nil, 404, wire.CodeNotFound},
		{"key too long", "PUT", "/v1/kv/" + strings.Repeat("k", 2000), "v", 400, wire.CodeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, base := range []string{f, c.Play} {
				r := clustertest.Do(t, tt.method, base+tt.path, tt.body)
				check(t, r, tt.status, tt.code)
			}
		})
	}
	// Nothing was written by any of them.
	var l wire.KVList
	clustertest.MustOK(t, "GET", c.Play+"/v1/kv", nil).JSON(t, &l)
	if len(l.Items) != 0 {
		t.Fatalf("bad requests wrote keys: %+v", l.Items)
	}
}

func check(t *testing.T, r clustertest.Response, status int, code string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if got := r.Error(t).Code; got != code {
		t.Fatalf("code %q, want %q: %s", got, code, r.Body)
	}
}

// metricValue is the value of one series in a Prometheus text page, -1 when absent.
func metricValue(page, series string) float64 {
	for _, line := range strings.Split(page, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

func TestMetricsAndPprof(t *testing.T) {
	c := clustertest.Start(t, 3)
	clustertest.Put(t, c.Play, "m", "1")
	r := clustertest.MustOK(t, "GET", c.Play+"/metrics", nil)
	for _, want := range []string{`raftplay_node_term{node="n1"}`, `raftplay_node_state{node=`, `raftplay_http_requests_total{code="200",method="PUT",route="/v1/kv/{key...}"} 1`, `raftplay_event_subscribers{stream="cluster"}`} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// Operators' counters: every node knows a leader and has seen one elected, and a write
	// through a follower counts as forwarded there.
	f := c.Followers()[0]
	clustertest.Put(t, clustertest.URL(f), "via-follower", "1")
	r = clustertest.MustOK(t, "GET", c.Play+"/metrics", nil)
	for _, n := range c.Nodes() {
		id := n.ID()
		if v := metricValue(string(r.Body), `raftplay_node_has_leader{node="`+id+`"}`); v != 1 {
			t.Errorf("%s: has_leader %v", id, v)
		}
		if v := metricValue(string(r.Body), `raftplay_node_leader_changes_total{node="`+id+`"}`); v < 1 {
			t.Errorf("%s: leader_changes_total %v", id, v)
		}
	}
	if v := metricValue(string(r.Body), `raftplay_node_forwarded_requests_total{node="`+f.ID()+`"}`); v < 1 {
		t.Errorf("%s: forwarded_requests_total %v after a write through it", f.ID(), v)
	}
	// pprof is off unless asked for.
	if r := clustertest.Do(t, "GET", c.Play+"/debug/pprof/", nil); r.Status == http.StatusOK {
		t.Fatal("/debug/pprof/ served without --pprof")
	}
	on := httptest.NewServer(playground.NewServer(c.Cluster, web.Options{Pprof: true}))
	defer on.Close()
	if r := clustertest.Do(t, "GET", on.URL+"/debug/pprof/", nil); r.Status != http.StatusOK {
		t.Fatalf("/debug/pprof/ with Pprof: %d", r.Status)
	}
}
