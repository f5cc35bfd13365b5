package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web"
	"github.com/raftplay/raftplay/web/clustertest"
	"github.com/raftplay/raftplay/web/playground"
)

// TestHostHeaderMustNameTheServer: a DNS rebinding page reaches a server on loopback
// under the attacker's name, and its requests carry that name as Host. Only loopback
// names, the server's own addresses and the hosts it is told to allow are served.
func TestHostHeaderMustNameTheServer(t *testing.T) {
	c := clustertest.Start(t, 1)
	allowing := httptest.NewServer(playground.NewServer(c.Cluster, web.Options{AllowedHosts: []string{"raft.example"}}))
	defer allowing.Close()
	port := portOf(t, c.Play)
	node := clustertest.URL(c.Nodes()[0])
	tests := []struct {
		name, method, base, path, host string
		status                         int
	}{
		{"a rebinding name reads", "GET", c.Play, "/v1/status", "evil.example:" + port, http.StatusMisdirectedRequest},
		{"a rebinding name writes", "PUT", c.Play, "/v1/kv/rebound", "evil.example:" + port, http.StatusMisdirectedRequest},
		{"a rebinding name loads the app", "GET", c.Play, "/", "evil.example:" + port, http.StatusMisdirectedRequest},
		{"a rebinding name on a node", "PUT", node, "/v1/kv/rebound", "evil.example", http.StatusMisdirectedRequest},
		{"a name allowed elsewhere", "GET", c.Play, "/v1/status", "raft.example:" + port, http.StatusMisdirectedRequest},
		{"localhost", "PUT", c.Play, "/v1/kv/by-localhost", "localhost:" + port, http.StatusOK},
		{"the loopback address", "GET", c.Play, "/v1/status", "127.0.0.1:" + port, http.StatusOK},
		{"a localhost subdomain", "GET", node, "/v1/status", "n1.localhost", http.StatusOK},
		{"an allowed name", "PUT", allowing.URL, "/v1/kv/by-name", "raft.example", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.method == "PUT" {
				body = "v"
			}
			req := clustertest.NewRequest(t, tt.method, tt.base+tt.path, body)
			req.Host = tt.host
			r := clustertest.Send(t, req)
			if r.Status != tt.status {
				t.Fatalf("Host %s: %d %s, want %d", tt.host, r.Status, r.Body, tt.status)
			}
			if tt.status == http.StatusMisdirectedRequest {
				check(t, r, tt.status, wire.CodeUnknownHost)
			}
		})
	}
	var l wire.KVList
	clustertest.MustOK(t, "GET", c.Play+"/v1/kv", nil).JSON(t, &l)
	if got := keysOf(l); got != "by-localhost,by-name" {
		t.Fatalf("keys %s, want by-localhost,by-name", got)
	}
}

// TestOtherOriginsCannotChangeAnything sends what a page of another origin can make a
// browser send, to every kind of state-changing route: all are refused with 403 and
// nothing changes, while the page's own origin, clients that are not browsers and an
// origin allowed with CORSOrigin are served.
func TestOtherOriginsCannotChangeAnything(t *testing.T) {
	c := clustertest.Start(t, 3)
	clustertest.MustOK(t, "POST", c.Play+"/v1/sql", wire.SQLRequest{SQL: "CREATE TABLE t (id int PRIMARY KEY)"})
	c.WaitConverged()
	leader := c.Leader().ID()
	cors := httptest.NewServer(playground.NewServer(c.Cluster, web.Options{CORSOrigin: "https://app.example"}))
	defer cors.Close()
	victim := c.Followers()[0].ID()
	foreign := http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}
	tests := []struct {
		name, base, method, path string
		header                   http.Header
		body                     any
		status                   int
	}{
		{"the page itself", c.Play, "PUT", "/v1/kv/own", http.Header{"Origin": {c.Play}, "Sec-Fetch-Site": {"same-origin"}}, "x", 200},
		{"curl", c.Play, "PUT", "/v1/kv/curl", nil, "x", 200},
		{"an origin allowed on purpose", cors.URL, "PUT", "/v1/kv/cors", http.Header{"Origin": {"https://app.example"}, "Sec-Fetch-Site": {"cross-site"}}, "x", 200},
		{"SQL as text/plain", c.Play, "POST", "/v1/sql", foreign, `{"sql":"INSERT INTO t VALUES (1)"}`, 403},
		{"SQL as JSON", c.Play, "POST", "/v1/sql", foreign, wire.SQLRequest{SQL: "INSERT INTO t VALUES (2)"}, 403},
		{"isolate", c.Play, "POST", "/v1/control/isolate", foreign, map[string]string{"node": victim}, 403},
		{"add a node, no body", c.Play, "POST", "/v1/control/add-node", foreign, nil, 403},
		{"kill on a node", clustertest.URL(c.Leader()), "POST", "/v1/control/kill", foreign, map[string]string{"node": victim}, 403},
		{"put a key", c.Play, "PUT", "/v1/kv/evil", foreign, "x", 403},
		{"delete a key", c.Play, "DELETE", "/v1/kv/own", foreign, nil, 403},
		{"remove a member", c.Play, "DELETE", "/v1/cluster/nodes/" + victim, foreign, nil, 403},
		{"transfer leadership", c.Play, "POST", "/v1/cluster/transfer-leadership", foreign, nil, 403},
		{"another port, same site", c.Play, "PUT", "/v1/kv/evil", http.Header{"Origin": {"http://localhost:1"}, "Sec-Fetch-Site": {"same-site"}}, "x", 403},
		{"another port, older browser", c.Play, "PUT", "/v1/kv/evil", http.Header{"Origin": {"http://127.0.0.1:1"}}, "x", 403},
		{"another site, but allowed elsewhere", c.Play, "PUT", "/v1/kv/evil", http.Header{"Origin": {"https://app.example"}, "Sec-Fetch-Site": {"cross-site"}}, "x", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := clustertest.NewRequest(t, tt.method, tt.base+tt.path, tt.body)
			for k, v := range tt.header {
				req.Header[k] = v
			}
			r := clustertest.Send(t, req)
			if r.Status != tt.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tt.status)
			}
			if tt.status == http.StatusForbidden {
				check(t, r, tt.status, wire.CodeForbiddenOrigin)
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.Play, "http")+"/v1/cluster/events", &websocket.DialOptions{HTTPHeader: foreign})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a WebSocket from another site: %v %v, want 403", err, resp)
	}

	var l wire.KVList
	clustertest.MustOK(t, "GET", c.Play+"/v1/kv", nil).JSON(t, &l)
	if got := keysOf(l); got != "cors,curl,own" {
		t.Fatalf("keys %s, want cors,curl,own", got)
	}
	res, _ := runSQL(t, c.Play, wire.SQLRequest{SQL: "SELECT count(*) FROM t", Consistency: wire.ConsistencyLinearizable})
	if got := rowsJSON(res, 0); got != "[[0]]" {
		t.Fatalf("rows of t: %s, want none", got)
	}
	assertHealthy(t, c, 3, leader)
}

// assertHealthy checks that no fault is in force, the cluster has nodes members all up
// with the same data, and leader still leads (when given).
func assertHealthy(t *testing.T, c *clustertest.Cluster, nodes int, leader string) {
	t.Helper()
	assertHealthyAs(t, c, nodes, leader, nil)
}

// assertHealthyWith is assertHealthy for a cluster that needs header (a token).
func assertHealthyWith(t *testing.T, c *clustertest.Cluster, header http.Header) {
	t.Helper()
	assertHealthyAs(t, c, len(c.Nodes()), "", header)
}

func assertHealthyAs(t *testing.T, c *clustertest.Cluster, nodes int, leader string, header http.Header) {
	t.Helper()
	req := clustertest.NewRequest(t, "GET", c.Play+"/v1/control/faults", nil)
	for k, v := range header {
		req.Header[k] = v
	}
	r := clustertest.Send(t, req)
	if r.Status != http.StatusOK {
		t.Fatalf("faults: %d %s", r.Status, r.Body)
	}
	var f wire.Faults
	r.JSON(t, &f)
	if len(f.Down) != 0 || len(f.Isolated) != 0 || len(f.Partition) != 0 || len(f.Links) != 0 {
		t.Fatalf("faults in force: %+v", f)
	}
	if got := len(c.Nodes()); got != nodes {
		t.Fatalf("%d nodes, want %d", got, nodes)
	}
	c.WaitConverged()
	if l := c.Leader().ID(); leader != "" && l != leader {
		t.Fatalf("leader %s, want %s still", l, leader)
	}
}

// TestJSONBodiesMustSayTheyAreJSON: a page of another origin can send text/plain, form
// and multipart bodies without asking, but not application/json; the JSON endpoints take
// only that, so such a body never reaches them even from an origin that passes.
func TestJSONBodiesMustSayTheyAreJSON(t *testing.T) {
	c := clustertest.Start(t, 1)
	clustertest.MustOK(t, "POST", c.Play+"/v1/sql", wire.SQLRequest{SQL: "CREATE TABLE t (id int PRIMARY KEY)"})
	tests := []struct {
		name, method, path, ct, body string
		status                       int
	}{
		{"SQL as text/plain", "POST", "/v1/sql", "text/plain", `{"sql":"INSERT INTO t VALUES (1)"}`, 415},
		{"SQL as a form", "POST", "/v1/sql", "application/x-www-form-urlencoded", `{"sql":"INSERT INTO t VALUES (2)"}`, 415},
		{"SQL as multipart", "POST", "/v1/sql", "multipart/form-data; boundary=x", `{"sql":"INSERT INTO t VALUES (3)"}`, 415},
		{"SQL without a type", "POST", "/v1/sql", "", `{"sql":"INSERT INTO t VALUES (4)"}`, 415},
		{"control as text/plain", "POST", "/v1/control/isolate", "text/plain", `{"node":"n1"}`, 415},
		{"SQL as JSON with a charset", "POST", "/v1/sql", "application/json; charset=utf-8", `{"sql":"INSERT INTO t VALUES (5)"}`, 200},
		{"heal without a body", "POST", "/v1/control/heal", "", "", 200},
		{"a raw value is not JSON", "PUT", "/v1/kv/raw", "text/plain", "bytes", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := clustertest.NewRequest(t, tt.method, c.Play+tt.path, tt.body)
			if tt.ct != "" {
				req.Header.Set("Content-Type", tt.ct)
			}
			r := clustertest.Send(t, req)
			if r.Status != tt.status {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tt.status)
			}
			if tt.status == http.StatusUnsupportedMediaType {
				check(t, r, tt.status, wire.CodeUnsupported)
			}
		})
	}
	res, _ := runSQL(t, c.Play, wire.SQLRequest{SQL: "SELECT id FROM t ORDER BY id"})
	if got := rowsJSON(res, 0); got != "[[5]]" {
		t.Fatalf("rows of t: %s, want only the JSON one", got)
	}
	assertHealthy(t, c, 1, "")
}

func portOf(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func keysOf(l wire.KVList) string {
	var keys []string
	for _, it := range l.Items {
		keys = append(keys, it.Key)
	}
	return strings.Join(keys, ",")
}
