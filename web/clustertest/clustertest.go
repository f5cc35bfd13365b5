// Package clustertest starts real embedded raftplay clusters for tests: N nodes on loopback
// TCP with their data in the test's temp dir, and small HTTP helpers to drive them.
package clustertest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/tlsconfig"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/playground"
)

// Cluster is a running embedded cluster with its playground API.
type Cluster struct {
	*playground.Cluster
	T testing.TB
	// Play is the playground API's base URL.
	Play string
	// HTTP is a client for the nodes' APIs: it trusts the cluster's CA under WithTLS.
	HTTP *http.Client
	// TLS is the nodes' TLS material under WithTLS, else nil.
	TLS *tlsconfig.Config
}

// Option adjusts the cluster configuration.
type Option func(*playground.ClusterConfig)

// WithSnapshots makes snapshots happen after every threshold entries, keeping trailing
// entries, so tests exercise compaction and InstallSnapshot.
func WithSnapshots(threshold, trailing uint64) Option {
	return func(c *playground.ClusterConfig) {
		c.SnapshotThreshold, c.TrailingLogs = threshold, trailing
		c.SnapshotInterval = 50 * time.Millisecond
	}
}

// WithPostgres gives every node a Postgres listener on an ephemeral port.
func WithPostgres() Option { return func(c *playground.ClusterConfig) { c.PG = true } }

// WithTLS gives the cluster a throwaway CA and certificate, made in its data directory:
// its nodes then talk mutual TLS on their raft ports and https between their HTTP APIs,
// serve https, and require TLS on Postgres. Cluster.HTTP trusts the CA.
func WithTLS() Option {
	return func(c *playground.ClusterConfig) {
		m, err := tlsconfig.MakeCluster(filepath.Join(c.DataDir, "certs"), []string{"127.0.0.1", "localhost"}, []string{"node"})
		if err == nil {
			c.TLS, err = tlsconfig.Load(m.Nodes[0].Files)
		}
		if err != nil {
			// An Option cannot fail the test itself; this only happens on a broken disk.
			panic(fmt.Sprintf("clustertest: make TLS certificates: %v", err))
		}
	}
}

// WithTiming runs the cluster with timing t instead of Tolerant.
func WithTiming(t node.Timing) Option { return func(c *playground.ClusterConfig) { c.Timing = t } }

// WithLogStore gives every node the kind of durable log named (node.LogStoreBolt or
// node.LogStoreWAL).
func WithLogStore(kind string) Option { return func(c *playground.ClusterConfig) { c.LogStore = kind } }

// WithDataDir places the cluster's data in dir (to restart a whole cluster on the same disk).
func WithDataDir(dir string) Option { return func(c *playground.ClusterConfig) { c.DataDir = dir } }

// WithAuthToken makes every node's API and the playground's require token, and the nodes
// send it to each other.
func WithAuthToken(token string) Option {
	return func(c *playground.ClusterConfig) { c.API.AuthToken = token }
}

// RunChecked runs a test package's tests (from TestMain) and fails it if they left a
// goroutine running. Idle keep-alive connections of the default transport are closed first,
// and the check waits up to 20 s: a closed BuntDB stops its background goroutine at its next
// one-second tick, and pgx sends the CancelRequest of a connection closed mid-query from a
// goroutine of its own that may take up to its 15 s timeout on a loaded machine.
func RunChecked(m *testing.M) int {
	code := m.Run()
	if code != 0 {
		return code
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	var err error
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if err = goleak.Find(); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
		return 1
	}
	return 0
}

// Tolerant is the timing profile tests use.
func Tolerant() node.Timing {
	return node.Timing{Heartbeat: time.Second, Election: time.Second, LeaderLease: 500 * time.Millisecond, Commit: 20 * time.Millisecond}
}

// Start starts an n-node cluster and waits until it has a ready leader. It is closed when
// the test ends.
func Start(t testing.TB, n int, opts ...Option) *Cluster {
	t.Helper()
	// Tests share two cores with the whole suite (and sometimes the race detector), so they
	// use a timing profile that tolerates scheduling stalls of a few hundred milliseconds.
	cfg := playground.ClusterConfig{Nodes: n, DataDir: t.TempDir(), Timing: Tolerant(), ScenarioPause: 50 * time.Millisecond}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := playground.StartCluster(cfg)
	if err != nil {
		t.Fatalf("start cluster: %v", err)
	}
	api := playground.NewServer(c, cfg.API)
	play := httptest.NewServer(api)
	t.Cleanup(func() {
		play.Close()
		api.Close()
		if err := c.Close(); err != nil {
			t.Errorf("close cluster: %v", err)
		}
	})
	cl := &Cluster{Cluster: c, T: t, Play: play.URL, HTTP: &http.Client{Timeout: 30 * time.Second}, TLS: cfg.TLS}
	if cfg.TLS != nil {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cfg.TLS.CAPool()}}
		cl.HTTP.Transport = tr
		t.Cleanup(tr.CloseIdleConnections)
	}
	cl.WaitReady()
	return cl
}

// WaitReady waits (up to 20 s) for a ready leader.
func (c *Cluster) WaitReady() {
	c.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Cluster.WaitReady(ctx); err != nil {
		c.T.Fatalf("%v\n%s", err, c.Dump())
	}
}

// Dump is the cluster's status, for failure messages.
func (c *Cluster) Dump() string {
	b, _ := json.MarshalIndent(c.Status(), "", "  ")
	return string(b)
}

// Leader waits for a leader and returns it.
func (c *Cluster) Leader() *node.Node {
	c.T.Helper()
	var l *node.Node
	c.Eventually(10*time.Second, "a leader", func() bool {
		var ok bool
		l, ok = c.Cluster.Leader()
		return ok
	})
	return l
}

// Followers returns the running nodes that are not the leader.
func (c *Cluster) Followers() []*node.Node {
	l := c.Leader()
	var out []*node.Node
	for _, n := range c.Nodes() {
		if n != l && n.Up() {
			out = append(out, n)
		}
	}
	return out
}

// URL is the base URL of a node's HTTP API (https under WithTLS).
func URL(n *node.Node) string { return n.URL() }

// Eventually polls cond every 10 ms until it holds or d passes (then the test fails).
func (c *Cluster) Eventually(d time.Duration, what string, cond func() bool) {
	c.T.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			c.T.Fatalf("timed out after %v waiting for %s\n%s", d, what, c.Dump())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Converged reports whether every running node has applied the same index and holds the
// same digest.
func (c *Cluster) Converged() bool {
	var digest string
	var applied uint64
	for i, n := range c.Nodes() {
		if !n.Up() {
			continue
		}
		st := n.Status()
		if i > 0 && digest != "" && (st.Digest != digest || st.AppliedIndex != applied) {
			return false
		}
		digest, applied = st.Digest, st.AppliedIndex
	}
	return true
}

// WaitConverged waits until Converged holds.
func (c *Cluster) WaitConverged() {
	c.T.Helper()
	c.Eventually(15*time.Second, "equal digests and applied indexes", c.Converged)
}

// Response is an HTTP answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v (failing the test if it cannot).
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
}

// Error decodes an error answer.
func (r Response) Error(t testing.TB) wire.ErrorDetail {
	t.Helper()
	var eb wire.ErrorBody
	r.JSON(t, &eb)
	return eb.Error
}

// Do sends a request; body may be nil, []byte, string or a value to encode as JSON.
func Do(t testing.TB, method, url string, body any) Response {
	t.Helper()
	return DoWith(t, &http.Client{Timeout: 30 * time.Second}, method, url, body)
}

// Do sends a request with the cluster's client (see Cluster.HTTP).
func (c *Cluster) Do(method, url string, body any) Response {
	c.T.Helper()
	return DoWith(c.T, c.HTTP, method, url, body)
}

// DoWith is Do with the given client.
func DoWith(t testing.TB, client *http.Client, method, url string, body any) Response {
	t.Helper()
	return SendWith(t, client, NewRequest(t, method, url, body))
}

// NewRequest builds the request Do sends, for a test to add headers to. A body that is
// not bytes or a string is encoded as JSON and sent as application/json.
func NewRequest(t testing.TB, method, url string, body any) *http.Request {
	t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case json.RawMessage:
		rd, ct = bytes.NewReader(b), "application/json"
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encode body: %v", err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	return req
}

// Send sends req and reads the whole answer.
func Send(t testing.TB, req *http.Request) Response {
	t.Helper()
	return SendWith(t, &http.Client{Timeout: 30 * time.Second}, req)
}

// SendWith is Send with the given client.
func SendWith(t testing.TB, client *http.Client, req *http.Request) Response {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s %s: %v", req.Method, req.URL, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// MustOK is Do that fails the test unless the status is 200.
func MustOK(t testing.TB, method, url string, body any) Response {
	t.Helper()
	r := Do(t, method, url, body)
	if r.Status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, url, r.Status, r.Body)
	}
	return r
}

// Put writes key=value through base (a node or the playground) and returns the result. A
// put is idempotent, so one whose outcome was unknown (leadership changed under load) is
// retried a few times.
func Put(t testing.TB, base, key, value string) wire.KVWriteResult {
	t.Helper()
	var res wire.KVWriteResult
	for attempt := 0; ; attempt++ {
		r := Do(t, "PUT", base+"/v1/kv/"+key, value)
		if r.Status == http.StatusServiceUnavailable && attempt < 5 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if r.Status != http.StatusOK {
			t.Fatalf("PUT %s/v1/kv/%s: %d %s", base, key, r.Status, r.Body)
		}
		r.JSON(t, &res)
		return res
	}
}

// Get reads key through base at the given consistency.
func Get(t testing.TB, base, key, consistency string) (wire.KVPair, Response) {
	t.Helper()
	r := Do(t, "GET", fmt.Sprintf("%s/v1/kv/%s?consistency=%s", base, key, consistency), nil)
	var kv wire.KVPair
	if r.Status == http.StatusOK {
		r.JSON(t, &kv)
	}
	return kv, r
}
