package web_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/jackc/pgx/v5"
	"nhooyr.io/websocket"

	"github.com/raftplay/raftplay/node"
	"github.com/raftplay/raftplay/node/store"
	"github.com/raftplay/raftplay/node/tlsconfig"
	"github.com/raftplay/raftplay/node/tlsstream"
	"github.com/raftplay/raftplay/node/wire"
	"github.com/raftplay/raftplay/web/clustertest"
)

const forgedKey = "forged"

// forgeAppend sends, through tr, the AppendEntries a stranger would forge against the
// follower: the leader's id and address, the follower's current term, the previous entry
// its last one, and one entry putting forgedKey, committed at once. It returns the RPC's
// outcome and the follower's status from just before.
func forgeAppend(t *testing.T, c *clustertest.Cluster, follower *node.Node, tr raft.Transport) (raft.AppendEntriesResponse, wire.NodeStatus, error) {
	t.Helper()
	leader := c.Leader()
	// A write in the current term makes the follower's last entry one of this term.
	clustertest.MustOK(t, "PUT", c.Play+"/v1/kv/before", "x")
	c.WaitConverged()
	st := follower.Status()
	if lt := leader.Status().Term; lt != st.Term {
		t.Fatalf("leader term %d, follower term %d", lt, st.Term)
	}
	data, err := store.PutCommand(forgedKey, []byte("by a stranger")).Encode()
	if err != nil {
		t.Fatal(err)
	}
	next := st.LastIndex + 1
	req := &raft.AppendEntriesRequest{
		RPCHeader:         raft.RPCHeader{ProtocolVersion: raft.ProtocolVersionMax, ID: []byte(leader.ID()), Addr: []byte(leader.RaftAddr())},
		Term:              st.Term,
		PrevLogEntry:      st.LastIndex,
		PrevLogTerm:       st.Term,
		Entries:           []*raft.Log{{Index: next, Term: st.Term, Type: raft.LogCommand, Data: data}},
		LeaderCommitIndex: next,
	}
	var resp raft.AppendEntriesResponse
	err = tr.AppendEntries(raft.ServerID(follower.ID()), raft.ServerAddress(follower.RaftAddr()), req, &resp)
	return resp, st, err
}

func plainTransport(t *testing.T) *raft.NetworkTransport {
	t.Helper()
	tr, err := raft.NewTCPTransport("127.0.0.1:0", nil, 1, 5*time.Second, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeTransport(tr) })
	return tr
}

// closeTransport closes tr and its pooled connections: Close alone leaves them open, and
// with them the handlers reading them on the node's side.
func closeTransport(tr *raft.NetworkTransport) {
	tr.CloseStreams()
	tr.Close()
}

// tlsTransport is hashicorp/raft's NetworkTransport over TLS, dialling with dial.
func tlsTransport(t *testing.T, listen *tlsconfig.Config, dial tlsstream.Dialer) *raft.NetworkTransport {
	t.Helper()
	l, err := tlsstream.Listen("127.0.0.1:0", nil, listen.RaftListener(), dial, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := raft.NewNetworkTransport(l, 1, 5*time.Second, io.Discard)
	t.Cleanup(func() { closeTransport(tr) })
	return tr
}

// forgedValue reads forgedKey from n's own state.
func forgedValue(t *testing.T, c *clustertest.Cluster, n *node.Node) (string, bool) {
	t.Helper()
	r := c.Do("GET", clustertest.URL(n)+"/v1/kv/"+forgedKey+"?consistency=local", nil)
	switch r.Status {
	case http.StatusOK:
		var kv wire.KVPair
		r.JSON(t, &kv)
		return kv.Value, true
	case http.StatusNotFound:
		return "", false
	}
	t.Fatalf("read %s on %s: %d %s", forgedKey, n.ID(), r.Status, r.Body)
	return "", false
}

// TestForgedAppendEntriesWithoutTLS is the finding TLS answers: without it, one
// AppendEntries from anyone who reaches a follower's raft port, sent with hashicorp/raft's
// own transport, is accepted and applied, and the follower's state differs from the
// others' for good (later entries of the same term are taken as already present).
func TestForgedAppendEntriesWithoutTLS(t *testing.T) {
	c := clustertest.Start(t, 3)
	follower := c.Followers()[0]
	resp, _, err := forgeAppend(t, c, follower, plainTransport(t))
	if err != nil || !resp.Success {
		t.Fatalf("forged AppendEntries: %v, success %v", err, resp.Success)
	}
	c.Eventually(10*time.Second, "the follower to apply the forged entry", func() bool {
		_, ok := forgedValue(t, c, follower)
		return ok
	})
	res := clustertest.Put(t, c.Play, "after", "y")
	c.Eventually(10*time.Second, "the follower to apply the next write", func() bool { return follower.Status().AppliedIndex >= res.Index })
	if l := c.Leader(); follower.Status().Digest == l.Status().Digest {
		t.Fatalf("the follower's digest equals the leader's after a forged write")
	}
	if _, ok := forgedValue(t, c, c.Leader()); ok {
		t.Fatal("the forged key reached the leader")
	}
}

// TestForgedAppendEntriesRefusedWithMutualTLS: with mutual TLS the same RPC is refused in
// the handshake — from hashicorp/raft's plain transport, from a TLS client without a
// certificate, and from one with a certificate another CA signed (both trusting the
// cluster's CA, so the refusal is the follower's) — and the follower's log and state are
// untouched; the cluster stays healthy. The last case is the control: the same forged
// RPC with the cluster's own certificate is accepted, so it is the certificate that
// made the difference (TLS authenticates peers; it cannot make one honest).
func TestForgedAppendEntriesRefusedWithMutualTLS(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithTLS())
	follower := c.Followers()[0]
	ca := c.TLS.CAPool()
	rogueMade, err := tlsconfig.MakeCluster(t.TempDir(), []string{"127.0.0.1"}, []string{"n2"})
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := tlsconfig.Load(rogueMade.Nodes[0].Files)
	if err != nil {
		t.Fatal(err)
	}
	noCert := func(host string) *tls.Config {
		return &tls.Config{MinVersion: tls.VersionTLS13, RootCAs: ca, ServerName: host}
	}
	foreignCert := func(host string) *tls.Config {
		cfg := rogue.RaftDialer(host)
		cfg.RootCAs = ca
		return cfg
	}
	for _, tc := range []struct {
		name string
		tr   raft.Transport
	}{
		{"plain TCP", plainTransport(t)},
		{"TLS without a client certificate", tlsTransport(t, rogue, noCert)},
		{"TLS with a certificate from another CA", tlsTransport(t, rogue, foreignCert)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, before, err := forgeAppend(t, c, follower, tc.tr)
			if err == nil {
				t.Fatalf("forged AppendEntries was answered: success %v", resp.Success)
			}
			after := follower.Status()
			if after.LastIndex != before.LastIndex || after.AppliedIndex != before.AppliedIndex || after.Digest != before.Digest {
				t.Fatalf("the follower changed: before %+v, after %+v", before, after)
			}
			if v, ok := forgedValue(t, c, follower); ok {
				t.Fatalf("the forged key is on the follower: %q", v)
			}
		})
	}

	clustertest.Put(t, c.Play, "healthy", "yes")
	c.WaitConverged()
	for _, n := range c.Nodes() {
		if !n.Up() {
			t.Fatalf("%s is down", n.ID())
		}
		if _, ok := forgedValue(t, c, n); ok {
			t.Fatalf("the forged key is on %s", n.ID())
		}
	}
	if err := c.Ready(); err != nil {
		t.Fatalf("cluster not ready after the attempts: %v", err)
	}

	t.Run("control: the cluster's own certificate", func(t *testing.T) {
		resp, _, err := forgeAppend(t, c, follower, tlsTransport(t, c.TLS, c.TLS.RaftDialer))
		if err != nil || !resp.Success {
			t.Fatalf("forged AppendEntries with the cluster's certificate: %v, success %v", err, resp.Success)
		}
	})
}

// TestTLSClusterForwardsStreamsAndServesPostgres: in a cluster with TLS, a write sent to a
// follower's https API is forwarded to the leader (node to node over https), the
// follower's cluster stream carries its peers' events (read from them over wss), its
// plain-HTTP port is not an API, and Postgres over TLS works through the follower.
func TestTLSClusterForwardsStreamsAndServesPostgres(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithTLS(), clustertest.WithPostgres())
	leader, follower := c.Leader(), c.Followers()[0]
	base := clustertest.URL(follower)
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("node URL %s is not https", base)
	}

	// A node follows the peers whose HTTP addresses its own state has recorded.
	c.Eventually(10*time.Second, follower.ID()+" to know every peer's address", func() bool {
		ms, err := follower.Members()
		for _, m := range ms {
			if m.HTTPAddr == "" {
				return false
			}
		}
		return err == nil && len(ms) == 3
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, base+"/v1/cluster/events?types=hello,apply", &websocket.DialOptions{HTTPClient: c.HTTP})
	if err != nil {
		t.Fatalf("event stream: %v", err)
	}
	defer ws.CloseNow()
	ws.SetReadLimit(16 << 20)
	s := &stream{t: t, c: ws}
	if ev, err := s.next(10 * time.Second); err != nil || ev.Type != wire.EventHello {
		t.Fatalf("first message %v (%v), want hello", ev.Type, err)
	}

	r := c.Do("PUT", base+"/v1/kv/color", "blue")
	if r.Status != http.StatusOK {
		t.Fatalf("PUT through %s: %d %s", follower.ID(), r.Status, r.Body)
	}
	var res wire.KVWriteResult
	r.JSON(t, &res)
	if res.Node != leader.ID() {
		t.Fatalf("the write was handled by %q, want the leader %s (forwarded)", res.Node, leader.ID())
	}
	applied := map[string]bool{}
	s.until(15*time.Second, "the write applied on every node, seen from "+follower.ID(), func(ev wire.Event) bool {
		if ev.Type == wire.EventApply {
			applied[ev.Node] = true
		}
		return len(applied) == 3
	})

	if resp, err := http.Get("http://" + follower.HTTPAddr() + "/v1/status"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Fatal("the API answered plain HTTP")
		}
	}

	pc, err := pgx.ParseConfig("postgres://x@" + follower.PGAddr() + "/x?sslmode=require&connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	pc.TLSConfig = &tls.Config{RootCAs: c.TLS.CAPool(), ServerName: "127.0.0.1"}
	pc.Fallbacks = nil
	conn, err := pgx.ConnectConfig(ctx, pc)
	if err != nil {
		t.Fatalf("postgres over TLS: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE TABLE t (id int PRIMARY KEY)"); err != nil {
		t.Fatalf("write over postgres through %s: %v", follower.ID(), err)
	}
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1: %d, %v", one, err)
	}
}

// TestFaultsWorkOverTLS: the fault layer wraps the TLS transport as it wraps plain TCP.
// Isolating the leader cuts its connections and the others elect a new one; after the
// heal the old leader rejoins over new TLS connections and every digest agrees.
func TestFaultsWorkOverTLS(t *testing.T) {
	c := clustertest.Start(t, 3, clustertest.WithTLS())
	old := c.Leader()
	mustControl(t, c, "isolate", map[string]string{"node": old.ID()})
	c.Eventually(15*time.Second, "a new leader", func() bool {
		for _, n := range c.Nodes() {
			if n != old && n.IsLeader() {
				return true
			}
		}
		return false
	})
	mustControl(t, c, "heal", struct{}{})
	c.WaitReady()
	res := clustertest.Put(t, c.Play, "after-heal", "v")
	c.Eventually(15*time.Second, "the old leader to apply the write after the heal", func() bool {
		return old.Status().AppliedIndex >= res.Index
	})
	c.WaitConverged()
}
