package web_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web"
	"github.com/raftplay/raftplay/web/clustertest"
	"github.com/raftplay/raftplay/web/playground"
)

// limitedServer serves the playground of c behind short limits, so that tests see them
// act in a fraction of a second.
func limitedServer(t *testing.T, c *clustertest.Cluster, limits web.ServerLimits) string {
	t.Helper()
	api := playground.NewServer(c.Cluster, web.Options{})
	srv := web.NewHTTPServer(api, limits, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close(); api.Close() })
	return ln.Addr().String()
}

// TestServerLimitsCutSlowAndIdleClients: a client that sends its body or its headers one
// byte every 2 s, one that keeps a connection open without a request, and one whose
// headers are too large each lose the connection within the limit, long before the
// trickle would have ended.
func TestServerLimitsCutSlowAndIdleClients(t *testing.T) {
	c := clustertest.Start(t, 1)
	const limit = 300 * time.Millisecond
	addr := limitedServer(t, c, web.ServerLimits{ReadHeaderTimeout: limit, BodyTimeout: limit, IdleTimeout: limit, MaxHeaderBytes: 4 << 10})
	tests := []struct {
		name    string
		send    string
		trickle bool // then one more byte every 2 s
		status  int  // the answer before the connection closes (0: none)
	}{
		{"a body one byte every 2 s", "PUT /v1/kv/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nx", true, http.StatusRequestTimeout},
		{"headers one byte every 2 s", "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", true, 0},
		{"an idle kept-alive connection", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", false, http.StatusOK},
		{"headers over the limit", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + strings.Repeat("a", 8<<10) + "\r\n\r\n", false, http.StatusRequestHeaderFieldsTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			start := time.Now()
			if _, err := io.WriteString(conn, tt.send); err != nil {
				t.Fatal(err)
			}
			if tt.trickle {
				stop := make(chan struct{})
				defer close(stop)
				go trickle(conn, stop)
			}
			// The read ends when the server closes the connection; the deadline only bounds
			// a failing test.
			conn.SetReadDeadline(start.Add(10 * time.Second))
			got, err := io.ReadAll(conn)
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("the connection was still open after 10 s (got %q)", got)
			}
			if took := time.Since(start); took > limit+time.Second {
				t.Fatalf("the connection closed after %v, want within %v of the %v limit", took, time.Second, limit)
			}
			status := 0
			if len(got) > 0 {
				resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(got))), nil)
				if err != nil {
					t.Fatalf("answer %q: %v", got, err)
				}
				status = resp.StatusCode
			}
			if status != tt.status {
				t.Fatalf("answer %d (%q), want %d", status, got, tt.status)
			}
		})
	}
	if _, r := clustertest.Get(t, "http://"+addr, "slow", wire.ConsistencyLinearizable); r.Status != http.StatusNotFound {
		t.Fatalf("the slow body was stored: %d %s", r.Status, r.Body)
	}
}

// trickle writes one byte every 2 s until the connection fails or stop closes.
func trickle(conn net.Conn, stop <-chan struct{}) {
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			if _, err := conn.Write([]byte("y")); err != nil {
				return
			}
		}
	}
}

// TestStreamsOutliveTheServerLimits: an event stream stays open, both ways, for many
// times the body, header and idle timeouts.
func TestStreamsOutliveTheServerLimits(t *testing.T) {
	c := clustertest.Start(t, 1)
	const limit = 200 * time.Millisecond
	addr := limitedServer(t, c, web.ServerLimits{ReadHeaderTimeout: limit, BodyTimeout: limit, IdleTimeout: limit})
	s := dial(t, "http://"+addr+"/v1/events")
	later := time.Now().Add(5 * limit)
	s.until(10*time.Second, "an event after five timeouts", func(wire.Event) bool { return time.Now().After(later) })
	s.send(wire.Command{ID: "p", Op: "kv.put", Key: "late", Value: "v"})
	evs := s.until(10*time.Second, "the put's result", func(ev wire.Event) bool { return ev.Type == wire.EventResult })
	if r := data[wire.ResultData](t, evs[len(evs)-1]); r.Status != http.StatusOK {
		t.Fatalf("put over the socket after five timeouts: %+v", r)
	}
}
