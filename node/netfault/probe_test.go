package netfault

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
)

// closedAddr is a loopback address where nothing listens any more.
func closedAddr(t *testing.T) raft.ServerAddress {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return raft.ServerAddress(addr)
}

func TestRefusesOnlyWhenNothingListens(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if a.tr.Refuses(ctx, b.id, b.tr.LocalAddr()) {
		t.Error("a listening peer reported as refusing")
	}
	gone := closedAddr(t)
	if !a.tr.Refuses(ctx, "gone", gone) {
		t.Error("a closed port not reported as refusing")
	}
	// Through a cut link the node cannot tell a dead peer from a live one.
	a.tr.SetLinks([]Link{{From: "a", To: "gone", Block: true}})
	if a.tr.Refuses(ctx, "gone", gone) {
		t.Error("a peer behind a blocked link reported as refusing")
	}
	a.tr.SetLinks(nil)
	a.tr.Isolate(true)
	if a.tr.Refuses(ctx, "gone", gone) {
		t.Error("an isolated node reported a peer as refusing")
	}
}

func TestStartElectionWinsDespiteAKnownLeader(t *testing.T) {
	c := newCluster(t, 3)
	old := c.leader()
	f := c.followers(old)[0]
	term := f.raft.CurrentTerm()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := f.tr.StartElection(ctx); err != nil {
		t.Fatalf("start election: %v", err)
	}
	// The other follower still knows the old leader, and without the transfer flag it
	// would refuse the vote; with it, the election is won in one round.
	if l := c.leader(old); l != f {
		t.Fatalf("%s leads after %s started an election (%s)", l.id, f.id, c.describe())
	}
	if got := f.raft.CurrentTerm(); got <= term {
		t.Fatalf("term %d after the election, was %d", got, term)
	}
}

func TestStartElectionOnClosedTransport(t *testing.T) {
	b := New(newInner(t), "b", nil)
	if err := b.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := b.StartElection(context.Background()); err != ErrClosed {
		t.Fatalf("start election on a closed transport: %v, want ErrClosed", err)
	}
}

// restartPeer closes p and starts a new peer on the same address, as a killed and
// restarted node does.
func restartPeer(t *testing.T, p *peer) *peer {
	t.Helper()
	addr := string(p.tr.LocalAddr())
	if err := p.tr.Close(); err != nil {
		t.Fatalf("close %s: %v", p.id, err)
	}
	inner, err := raft.NewTCPTransportWithLogger(addr, nil, 3, 2*time.Second, hclog.NewNullLogger())
	if err != nil {
		t.Fatalf("listen again on %s: %v", addr, err)
	}
	return newPeerOn(t, string(p.id), inner)
}

func TestVoteGetsThroughToARestartedPeer(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	vote := func() error {
		var resp raft.RequestVoteResponse
		return a.tr.RequestVote(b.id, b.tr.LocalAddr(), &raft.RequestVoteRequest{RPCHeader: a.header(), Term: 5}, &resp)
	}
	for range 3 { // fill a's pool with connections to this life of b
		if err := vote(); err != nil {
			t.Fatalf("vote: %v", err)
		}
	}
	b = restartPeer(t, b)
	if err := vote(); err != nil {
		t.Fatalf("vote to the restarted peer: %v", err)
	}
}
