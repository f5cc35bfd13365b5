package netfault

import (
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/wire"
)

// recorder collects the events of one node.
type recorder struct {
	mu     sync.Mutex
	events []wire.RPCData
}

func (r *recorder) observe(d wire.RPCData) {
	r.mu.Lock()
	r.events = append(r.events, d)
	r.mu.Unlock()
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// since returns a copy of the events recorded from position from on.
func (r *recorder) since(from int) []wire.RPCData {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]wire.RPCData(nil), r.events[from:]...)
}

func (r *recorder) all() []wire.RPCData { return r.since(0) }

// any reports whether some event since from satisfies ok.
func (r *recorder) any(from int, ok func(wire.RPCData) bool) bool {
	for _, e := range r.since(from) {
		if ok(e) {
			return true
		}
	}
	return false
}

// eventually polls cond until it holds or the deadline passes. It is the twin of
// clustertest's Cluster.Eventually, which these tests cannot use: clustertest imports node,
// which imports this package, and these tests need no cluster.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// heldRPCs counts the RPCs waiting for an unreachable peer: goroutines blocked in
// untilReachable's wait between attempts, so at least one attempt has failed.
func heldRPCs() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	held := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, " [select") && strings.Contains(g, "netfault.(*Transport).untilReachable(") {
			held++
		}
	}
	return held
}

// newInner makes a NetworkTransport on a free loopback port.
func newInner(t *testing.T) *raft.NetworkTransport {
	t.Helper()
	inner, err := raft.NewTCPTransportWithLogger("127.0.0.1:0", nil, 3, 2*time.Second, hclog.NewNullLogger())
	if err != nil {
		t.Fatalf("tcp transport: %v", err)
	}
	return inner
}

// peer is a wrapped transport with a scripted responder standing in for raft.
type peer struct {
	id    raft.ServerID
	tr    *Transport
	rec   *recorder
	mu    sync.Mutex
	got   []any // commands that reached the responder, in order
	beats int   // heartbeats that reached the heartbeat handler
}

func (p *peer) received() []any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]any(nil), p.got...)
}

func (p *peer) heartbeats() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.beats
}

func (p *peer) header() raft.RPCHeader {
	return raft.RPCHeader{ProtocolVersion: raft.ProtocolVersionMax, ID: []byte(p.id), Addr: []byte(p.tr.LocalAddr())}
}

// newPeer starts a wrapped transport whose incoming RPCs are answered by a stub.
func newPeer(t *testing.T, id string) *peer {
	t.Helper()
	return newPeerOn(t, id, newInner(t))
}

// newPeerOn is newPeer over the given inner transport.
func newPeerOn(t *testing.T, id string, inner *raft.NetworkTransport) *peer {
	t.Helper()
	p := &peer{id: raft.ServerID(id), rec: &recorder{}}
	p.tr = New(inner, p.id, p.rec.observe)
	p.tr.SetHeartbeatHandler(func(rpc raft.RPC) {
		p.mu.Lock()
		p.beats++
		p.mu.Unlock()
		req := rpc.Command.(*raft.AppendEntriesRequest)
		rpc.Respond(&raft.AppendEntriesResponse{Term: req.Term, Success: true}, nil)
	})
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case rpc := <-p.tr.Consumer():
				p.mu.Lock()
				p.got = append(p.got, rpc.Command)
				p.mu.Unlock()
				respond(rpc)
			case <-stop:
				return
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-done
		if err := p.tr.Close(); err != nil {
			t.Errorf("close %s: %v", id, err)
		}
	})
	return p
}

func respond(rpc raft.RPC) {
	switch req := rpc.Command.(type) {
	case *raft.AppendEntriesRequest:
		rpc.Respond(&raft.AppendEntriesResponse{Term: req.Term, Success: true, LastLog: req.PrevLogEntry + uint64(len(req.Entries))}, nil)
	case *raft.RequestVoteRequest:
		rpc.Respond(&raft.RequestVoteResponse{Term: req.Term, Granted: true}, nil)
	case *raft.RequestPreVoteRequest:
		rpc.Respond(&raft.RequestPreVoteResponse{Term: req.Term, Granted: true}, nil)
	case *raft.InstallSnapshotRequest:
		_, _ = io.Copy(io.Discard, rpc.Reader)
		rpc.Respond(&raft.InstallSnapshotResponse{Term: req.Term, Success: true}, nil)
	case *raft.TimeoutNowRequest:
		rpc.Respond(&raft.TimeoutNowResponse{}, nil)
	default:
		rpc.Respond(nil, io.ErrUnexpectedEOF)
	}
}

// appendTo sends an AppendEntries with n entries from p to q.
func appendTo(p, q *peer, prev uint64, n int) error {
	req := &raft.AppendEntriesRequest{RPCHeader: p.header(), Term: 3, PrevLogEntry: prev, PrevLogTerm: 2, LeaderCommitIndex: prev}
	for i := 0; i < n; i++ {
		req.Entries = append(req.Entries, &raft.Log{Index: prev + uint64(i) + 1, Term: 3, Type: raft.LogCommand, Data: []byte("x")})
	}
	var resp raft.AppendEntriesResponse
	return p.tr.AppendEntries(q.id, q.tr.LocalAddr(), req, &resp)
}

// heartbeatTo sends a request shaped like raft's heartbeats from p to q.
func heartbeatTo(p, q *peer) error {
	req := &raft.AppendEntriesRequest{RPCHeader: p.header(), Term: 3}
	var resp raft.AppendEntriesResponse
	return p.tr.AppendEntries(q.id, q.tr.LocalAddr(), req, &resp)
}
