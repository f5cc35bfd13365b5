package tlsstream_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/tlsconfig"
	"github.com/raftplay/raftplay/node/tlsstream"
)

func certs(t *testing.T) *tlsconfig.Config {
	t.Helper()
	m, err := tlsconfig.MakeCluster(t.TempDir(), []string{"127.0.0.1"}, []string{"n1"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tlsconfig.Load(m.Nodes[0].Files)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func listen(t *testing.T, c *tlsconfig.Config) *tlsstream.Layer {
	t.Helper()
	l, err := tlsstream.Listen("127.0.0.1:0", nil, c.RaftListener(), c.RaftDialer, nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func transport(t *testing.T, l raft.StreamLayer) *raft.NetworkTransport {
	t.Helper()
	tr := raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{Stream: l, MaxPool: 2, Timeout: 5 * time.Second, Logger: hclog.NewNullLogger()})
	t.Cleanup(func() { tr.CloseStreams(); tr.Close() })
	return tr
}

// answer answers every RPC that reaches tr's raft side and counts them.
func answer(tr *raft.NetworkTransport) <-chan struct{} {
	got := make(chan struct{}, 16)
	go func() {
		for rpc := range tr.Consumer() {
			got <- struct{}{} // before the answer, so a caller that has one finds it counted
			rpc.Respond(&raft.AppendEntriesResponse{Success: true}, nil)
		}
	}()
	return got
}

// TestRaftRPCsNeedTheClusterCertificate: a NetworkTransport over the layer delivers an
// AppendEntries from a peer with the cluster's certificate; hashicorp/raft's plain TCP
// transport gets an error and nothing reaches the receiver.
func TestRaftRPCsNeedTheClusterCertificate(t *testing.T) {
	c := certs(t)
	server := transport(t, listen(t, c))
	got := answer(server)

	plain, err := raft.NewTCPTransportWithLogger("127.0.0.1:0", nil, 1, 5*time.Second, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.CloseStreams(); plain.Close() })
	for _, tc := range []struct {
		name   string
		client *raft.NetworkTransport
		ok     bool
	}{
		{"member over TLS", transport(t, listen(t, c)), true},
		{"plain TCP", plain, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var resp raft.AppendEntriesResponse
			err := tc.client.AppendEntries("n1", server.LocalAddr(), &raft.AppendEntriesRequest{Term: 1}, &resp)
			if tc.ok != (err == nil) {
				t.Fatalf("AppendEntries: %v, want success %v", err, tc.ok)
			}
			select {
			case <-got:
				if !tc.ok {
					t.Fatal("the RPC reached the receiver")
				}
			default:
				if tc.ok {
					t.Fatal("the RPC was answered but never reached the receiver")
				}
			}
		})
	}
}

// TestSilentClientIsCutAtTheHandshakeTimeout: a client that connects and sends nothing
// is disconnected once the handshake timeout passes.
func TestSilentClientIsCutAtTheHandshakeTimeout(t *testing.T) {
	l := listen(t, certs(t))
	l.HandshakeTimeout = 200 * time.Millisecond
	transport(t, l)
	nc, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err = nc.Read(make([]byte, 1))
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("still connected after %v (%v)", time.Since(start), err)
	}
}

// TestFailedDialIsADialError: a refused connection is a *net.OpError with Op "dial", which
// is how the fault layer knows nothing reached the peer and the RPC may be retried.
func TestFailedDialIsADialError(t *testing.T) {
	l := listen(t, certs(t))
	defer l.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	_, err = l.Dial(raft.ServerAddress(closed), time.Second)
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "dial" {
		t.Fatalf("dial a closed port: %v (%T), want a *net.OpError with Op dial", err, err)
	}
}

// TestListenRefusesAnAddressPeersCannotDial: like raft's TCP transport, an unspecified
// address without an advertised one is refused.
func TestListenRefusesAnAddressPeersCannotDial(t *testing.T) {
	c := certs(t)
	if l, err := tlsstream.Listen("0.0.0.0:0", nil, c.RaftListener(), c.RaftDialer, nil); err == nil {
		l.Close()
		t.Fatal("listened on 0.0.0.0 without an advertise address")
	}
	adv := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7001}
	l, err := tlsstream.Listen("0.0.0.0:0", adv, c.RaftListener(), c.RaftDialer, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Addr().String() != adv.String() {
		t.Fatalf("Addr %v, want the advertised %v", l.Addr(), adv)
	}
}
