package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

const testToken = "s3cret/token+with=odd bytes"

func bearer(token string) http.Header {
	return http.Header{"Authorization": {"Bearer " + token}}
}

// TestTokenGuardsEveryRoute: with a token, every route of the API, the control API, the
// event streams and the metrics answers 401 without it or with a wrong one, on the
// playground and on a node; the health probes and the browser app's files stay open.
func TestTokenGuardsEveryRoute(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithAuthToken(testToken))
	follower := c.Followers()[0]
	routes := []struct {
		method, path string
		body         any
	}{
		{"GET", "/v1/status", nil},
		{"GET", "/v1/cluster", nil},
		{"GET", "/v1/kv/k", nil},
		{"PUT", "/v1/kv/k", "v"},
		{"POST", "/v1/sql", wire.SQLRequest{SQL: "SELECT 1"}},
		{"GET", "/v1/control/faults", nil},
		{"POST", "/v1/control/heal", struct{}{}},
		{"GET", "/v1/openapi.json", nil},
		{"GET", "/metrics", nil},
	}
	for _, base := range []string{c.Play, clustertest.URL(follower)} {
		for _, rt := range routes {
			for _, cred := range []struct {
				name   string
				header http.Header
				status int
			}{
				{"no token", nil, http.StatusUnauthorized},
				{"a wrong token", bearer("nope"), http.StatusUnauthorized},
				{"the token as Basic", http.Header{"Authorization": {"Basic " + testToken}}, http.StatusUnauthorized},
				{"the token", bearer(testToken), http.StatusOK},
			} {
				req := clustertest.NewRequest(t, rt.method, base+rt.path, rt.body)
				for k, v := range cred.header {
					req.Header[k] = v
				}
				r := clustertest.Send(t, req)
				if r.Status != cred.status && !(cred.status == http.StatusOK && r.Status == http.StatusNotFound && rt.path == "/v1/kv/k") {
					t.Errorf("%s %s%s with %s: %d %s, want %d", rt.method, base, rt.path, cred.name, r.Status, r.Body, cred.status)
					continue
				}
				if cred.status == http.StatusUnauthorized {
					check(t, r, http.StatusUnauthorized, wire.CodeUnauthorized)
					if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
						t.Errorf("401 without a Bearer challenge: %v", r.Header)
					}
				}
			}
		}
		// Open, whatever they answer: /readyz may say a node is catching up, and / that
		// the app is not built.
		for _, open := range []string{"/healthz", "/readyz", "/", "/style.css"} {
			if r := clustertest.Do(t, "GET", base+open, nil); r.Status == http.StatusUnauthorized {
				t.Errorf("GET %s%s without a token: %d %s", base, open, r.Status, r.Body)
			}
		}
	}
}

// TestTokenOnWebSockets: an upgrade without the token, or with a wrong one, is refused
// with 401 before it becomes a socket; a client may send the token as a header, and a
// browser, which cannot, as a subprotocol entry next to "raftplay", which the server picks.
func TestTokenOnWebSockets(t *testing.T) {
	c := clustertest.Start(t, 1, clustertest.WithAuthToken(testToken))
	url := "ws" + strings.TrimPrefix(c.Play, "http") + "/v1/cluster/events"
	tests := []struct {
		name   string
		opts   *websocket.DialOptions
		status int
	}{
		{"no token", nil, http.StatusUnauthorized},
		{"a wrong header", &websocket.DialOptions{HTTPHeader: bearer("nope")}, http.StatusUnauthorized},
		{"a wrong subprotocol", &websocket.DialOptions{Subprotocols: []string{wire.WebSocketProtocol, wire.TokenProtocol("nope")}}, http.StatusUnauthorized},
		{"the header", &websocket.DialOptions{HTTPHeader: bearer(testToken)}, http.StatusSwitchingProtocols},
		{"the subprotocol", &websocket.DialOptions{Subprotocols: []string{wire.WebSocketProtocol, wire.TokenProtocol(testToken)}}, http.StatusSwitchingProtocols},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			conn, resp, err := websocket.Dial(ctx, url, tt.opts)
			if resp == nil || resp.StatusCode != tt.status {
				t.Fatalf("upgrade: %v %v, want %d", err, resp, tt.status)
			}
			if tt.status != http.StatusSwitchingProtocols {
				return
			}
			defer conn.CloseNow()
			if tt.opts.Subprotocols != nil && conn.Subprotocol() != wire.WebSocketProtocol {
				t.Fatalf("selected subprotocol %q, want %q (never the token's)", conn.Subprotocol(), wire.WebSocketProtocol)
			}
			s := &stream{t: t, c: conn}
			s.until(10*time.Second, "hello", func(ev wire.Event) bool { return ev.Type == wire.EventHello })
			// Commands on an admitted socket need no token of their own.
			s.send(wire.Command{ID: "p", Op: "kv.put", Key: "ws-" + strings.ReplaceAll(tt.name, " ", "-"), Value: "v"})
			evs := s.until(10*time.Second, "the put's result", func(ev wire.Event) bool { return ev.Type == wire.EventResult })
			if r := data[wire.ResultData](t, evs[len(evs)-1]); r.Status != http.StatusOK {
				t.Fatalf("put over the socket: %+v", r)
			}
		})
	}
}

// TestNodesSendTheirTokenToEachOther: with a token on every node, a follower forwards
// writes and SQL to the leader, asks its peers for /v1/cluster, passes control requests
// on, and follows its peers' events, all with the token.
func TestNodesSendTheirTokenToEachOther(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithAuthToken(testToken))
	leader, follower := c.Leader(), c.Followers()[0]
	f := clustertest.URL(follower)
	send := func(method, path string, body any) clustertest.Response {
		t.Helper()
		req := clustertest.NewRequest(t, method, f+path, body)
		req.Header.Set("Authorization", "Bearer "+testToken)
		r := clustertest.Send(t, req)
		if r.Status != http.StatusOK {
			t.Fatalf("%s %s through %s: %d %s", method, path, follower.ID(), r.Status, r.Body)
		}
		return r
	}
	var w wire.KVWriteResult
	send("PUT", "/v1/kv/forwarded", "yes").JSON(t, &w)
	if w.Node != leader.ID() {
		t.Fatalf("the write was handled by %s, want the leader %s", w.Node, leader.ID())
	}
	send("POST", "/v1/sql", wire.SQLRequest{SQL: "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)"})

	var cs wire.ClusterStatus
	send("GET", "/v1/cluster", nil).JSON(t, &cs)
	for _, n := range cs.Nodes {
		if n.Role == wire.RoleUnreachable || n.Error != "" {
			t.Fatalf("%s's view of %s: %+v", follower.ID(), n.ID, n)
		}
	}

	// Isolating the leader through a follower passes the request on to the leader.
	var faults wire.Faults
	send("POST", "/v1/control/isolate", map[string]string{"node": leader.ID()}).JSON(t, &faults)
	if len(faults.Isolated) != 1 || faults.Isolated[0] != leader.ID() {
		t.Fatalf("faults after isolating %s through %s: %+v", leader.ID(), follower.ID(), faults)
	}
	send("POST", "/v1/control/heal", struct{}{})

	s := dialWith(t, f+"/v1/cluster/events?types=hello,apply", &websocket.DialOptions{HTTPHeader: bearer(testToken)})
	s.until(10*time.Second, "hello", func(ev wire.Event) bool { return ev.Type == wire.EventHello })
	send("PUT", "/v1/kv/seen", "by-all")
	applied := map[string]bool{}
	s.until(10*time.Second, "an apply from every node", func(ev wire.Event) bool {
		applied[ev.Node] = true
		return len(applied) == 3
	})
	assertHealthyWith(t, c, bearer(testToken))
}

// TestInternalRoutesNeedTheToken: what nodes ask each other (node.PeerPrefix) is behind
// the same guard as the API: the token, and a JSON body, which no page of another site can
// send without asking first.
func TestInternalRoutesNeedTheToken(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithAuthToken(testToken))
	base := clustertest.URL(c.Followers()[0])
	if r := clustertest.Do(t, "GET", base+node.PeerPrefix+"status", nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("internal status without the token: %d %s", r.Status, r.Body)
	}
	req := clustertest.NewRequest(t, "GET", base+node.PeerPrefix+"status", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if r := clustertest.Send(t, req); r.Status != http.StatusOK {
		t.Fatalf("internal status with the token: %d %s", r.Status, r.Body)
	}
	req = clustertest.NewRequest(t, "POST", base+node.PeerPrefix+"sql", `{"sql":"CREATE TABLE x (a int)"}`)
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "text/plain")
	if r := clustertest.Send(t, req); r.Status != http.StatusUnsupportedMediaType {
		t.Fatalf("internal sql as text/plain: %d %s", r.Status, r.Body)
	}
}
