package netfault

import (
	"bytes"
	"errors"
	"io"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/raftplay/raftplay/node/wire"
)

func TestObservesEveryRPC(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	to, addr := b.id, b.tr.LocalAddr()

	if err := appendTo(a, b, 4, 2); err != nil {
		t.Fatalf("append entries: %v", err)
	}
	if err := heartbeatTo(a, b); err != nil {
		t.Fatalf("heartbeat: %v", err)
	}
	var vote raft.RequestVoteResponse
	if err := a.tr.RequestVote(to, addr, &raft.RequestVoteRequest{RPCHeader: a.header(), Term: 5, LastLogIndex: 9}, &vote); err != nil {
		t.Fatalf("request vote: %v", err)
	}
	var pre raft.RequestPreVoteResponse
	if err := a.tr.RequestPreVote(to, addr, &raft.RequestPreVoteRequest{RPCHeader: a.header(), Term: 6, LastLogIndex: 9}, &pre); err != nil {
		t.Fatalf("request pre-vote: %v", err)
	}
	var snap raft.InstallSnapshotResponse
	data := bytes.Repeat([]byte("s"), 1000)
	snapReq := &raft.InstallSnapshotRequest{RPCHeader: a.header(), SnapshotVersion: raft.SnapshotVersionMax, Term: 7, LastLogIndex: 20, Size: int64(len(data))}
	if err := a.tr.InstallSnapshot(to, addr, snapReq, &snap, bytes.NewReader(data)); err != nil {
		t.Fatalf("install snapshot: %v", err)
	}
	var tn raft.TimeoutNowResponse
	if err := a.tr.TimeoutNow(to, addr, &raft.TimeoutNowRequest{RPCHeader: a.header()}, &tn); err != nil {
		t.Fatalf("timeout now: %v", err)
	}

	ev := a.rec.all()
	want := []string{wire.RPCAppendEntries, wire.RPCAppendEntries, wire.RPCRequestVote, wire.RPCRequestPreVote, wire.RPCInstallSnapshot, wire.RPCTimeoutNow}
	if len(ev) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(ev), len(want), ev)
	}
	for i, e := range ev {
		if e.RPC != want[i] || e.From != "a" || e.To != "b" || !e.Success || e.Error != "" || e.Dropped {
			t.Errorf("event %d = %+v, want a successful %s a->b", i, e, want[i])
		}
	}
	if e := ev[0]; e.Entries != 2 || e.PrevIndex != 4 || e.PrevTerm != 2 || e.LeaderCommit != 4 || e.Term != 3 || e.RespTerm != 3 || e.LastIndex != 6 || e.Heartbeat {
		t.Errorf("append entries event = %+v", e)
	}
	if e := ev[1]; !e.Heartbeat || e.Entries != 0 {
		t.Errorf("heartbeat event = %+v", e)
	}
	if b.heartbeats() != 1 {
		t.Errorf("heartbeat handler saw %d heartbeats, want 1", b.heartbeats())
	}
	if e := ev[2]; e.Granted == nil || !*e.Granted || e.Term != 5 || e.LastIndex != 9 {
		t.Errorf("vote event = %+v", e)
	}
	if e := ev[3]; e.Granted == nil || !*e.Granted || e.Term != 6 {
		t.Errorf("pre-vote event = %+v", e)
	}
	if e := ev[4]; e.Term != 7 || e.LastIndex != 20 {
		t.Errorf("install snapshot event = %+v", e)
	}
	if _, ok := b.received()[2].(*raft.RequestPreVoteRequest); !ok {
		t.Errorf("peer received %T, want a pre-vote request", b.received()[2])
	}
	if id, ok := b.tr.PeerID(a.tr.LocalAddr()); !ok || id != "a" {
		t.Errorf("b learned %q (%v) for a's address", id, ok)
	}
	if id, ok := a.tr.PeerID(addr); !ok || id != "b" {
		t.Errorf("a learned %q (%v) for b's address", id, ok)
	}
}

func TestNilObserver(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	quiet := New(newInner(t), "q", nil)
	defer quiet.Close()
	var resp raft.AppendEntriesResponse
	req := &raft.AppendEntriesRequest{RPCHeader: a.header(), Term: 1}
	if err := quiet.AppendEntries(b.id, b.tr.LocalAddr(), req, &resp); err != nil {
		t.Fatalf("append entries without observer: %v", err)
	}
	quiet.SetLinks([]Link{{From: "q", To: "b", Block: true}})
	if err := quiet.AppendEntries(b.id, b.tr.LocalAddr(), req, &resp); !errors.Is(err, ErrBlocked) {
		t.Fatalf("blocked append entries without observer: %v", err)
	}
}

// TestHeldRPCGoesThroughWhenTheLinkHeals: an RPC to an unreachable peer waits for it and is
// delivered (once) as soon as the link heals, instead of failing and feeding raft's backoff.
func TestHeldRPCGoesThroughWhenTheLinkHeals(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	a.tr.SetLinks([]Link{{From: "a", To: "b", Block: true}})
	done := make(chan error, 1)
	go func() { done <- appendTo(a, b, 0, 1) }()
	eventually(t, unreachableHold/2, "the RPC to wait for the blocked link", func() bool { return heldRPCs() == 1 })
	if n := len(b.received()); n != 0 {
		t.Fatalf("b received %d RPCs through a blocked link", n)
	}
	healed := time.Now()
	a.tr.SetLinks(nil)
	if err := <-done; err != nil {
		t.Fatalf("held RPC failed after the link healed: %v", err)
	}
	if d := time.Since(healed); d > unreachableHold/2 {
		t.Errorf("held RPC went through %v after the heal", d)
	}
	if n := len(b.received()); n != 1 {
		t.Errorf("b received %d RPCs, want exactly 1", n)
	}
}

// TestHeldRPCGivesUpOnQuiesce: shutting down does not wait for unreachable peers.
func TestHeldRPCGivesUpOnQuiesce(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	a.tr.SetLinks([]Link{{From: "a", To: "b", Block: true}})
	done := make(chan error, 1)
	go func() { done <- appendTo(a, b, 0, 1) }()
	eventually(t, unreachableHold/2, "the RPC to wait for the blocked link", func() bool { return heldRPCs() == 1 })
	quiesced := time.Now()
	a.tr.Quiesce()
	if err := <-done; !errors.Is(err, ErrBlocked) {
		t.Fatalf("got %v, want ErrBlocked", err)
	}
	if d := time.Since(quiesced); d > unreachableHold/2 {
		t.Errorf("quiesced RPC still waited %v", d)
	}
}

func TestBlockOutgoingIsOneWay(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	a.tr.SetLinks([]Link{{From: "a", To: "b", Block: true}})

	start := time.Now()
	if err := appendTo(a, b, 0, 1); !errors.Is(err, ErrBlocked) {
		t.Fatalf("a->b: got %v, want ErrBlocked", err)
	}
	if err := heartbeatTo(a, b); !errors.Is(err, ErrBlocked) {
		t.Fatalf("a->b heartbeat: got %v, want ErrBlocked", err)
	}
	// Each waited out the hold for the link to come back, and no longer.
	if d := time.Since(start); d < 2*unreachableHold || d > 2*unreachableHold+time.Second {
		t.Errorf("two blocked RPCs took %v; each must wait %v for the link, then fail", d, unreachableHold)
	}
	if n := len(b.received()) + b.heartbeats(); n != 0 {
		t.Errorf("b received %d RPCs over a blocked link", n)
	}
	for _, e := range a.rec.all() {
		if !e.Dropped || e.Success || !strings.Contains(e.Error, ErrBlocked.Error()) {
			t.Errorf("blocked event = %+v", e)
		}
	}
	// The other direction still works: b reaches a.
	if err := appendTo(b, a, 0, 1); err != nil {
		t.Fatalf("b->a: %v", err)
	}
}

func TestBlockIncomingIsEnforcedByReceiver(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	// Only b knows the rule; a sends and b refuses, through both of its entry points.
	b.tr.SetLinks([]Link{{From: "a", To: "b", Block: true}})

	if err := appendTo(a, b, 0, 1); !errors.Is(err, ErrBlocked) {
		t.Fatalf("a->b append entries: got %v, want ErrBlocked from b", err)
	}
	if err := heartbeatTo(a, b); !errors.Is(err, ErrBlocked) {
		t.Fatalf("a->b heartbeat: got %v, want ErrBlocked from b", err)
	}
	if n := len(b.received()) + b.heartbeats(); n != 0 {
		t.Errorf("b's raft side received %d RPCs from a blocked peer", n)
	}
	for _, e := range a.rec.all() {
		if e.Dropped || e.Success || !strings.Contains(e.Error, ErrBlocked.Error()) {
			t.Errorf("refused event = %+v (sent, then refused: not dropped)", e)
		}
	}
	if err := appendTo(b, a, 0, 1); err != nil {
		t.Fatalf("b->a: %v", err)
	}

	b.tr.SetLinks(nil)
	if err := heartbeatTo(a, b); err != nil {
		t.Fatalf("a->b after heal: %v", err)
	}
}

func TestDropOneIsBlock(t *testing.T) {
	for _, side := range []string{"sender", "receiver"} {
		t.Run(side, func(t *testing.T) {
			a, b := newPeer(t, "a"), newPeer(t, "b")
			links := []Link{{From: "a", To: "b", Drop: 1}}
			if side == "sender" {
				a.tr.SetLinks(links)
			} else {
				b.tr.SetLinks(links)
			}
			for i := 0; i < 5; i++ {
				if err := heartbeatTo(a, b); !errors.Is(err, ErrBlocked) {
					t.Fatalf("heartbeat %d: got %v, want ErrBlocked", i, err)
				}
			}
			if err := heartbeatTo(b, a); err != nil {
				t.Fatalf("b->a: %v", err)
			}
		})
	}
}

func TestRandomDrop(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	a.tr.SetLinks([]Link{{From: "a", To: "b", Drop: 0.5}})
	var dropped, sent int
	for i := 0; i < 200; i++ {
		switch err := heartbeatTo(a, b); {
		case err == nil:
			sent++
		case errors.Is(err, ErrDropped):
			dropped++
		default:
			t.Fatalf("heartbeat %d: %v", i, err)
		}
	}
	if dropped == 0 || sent == 0 {
		t.Fatalf("drop 0.5: %d dropped, %d sent; want some of each", dropped, sent)
	}
	if got := b.heartbeats(); got != sent {
		t.Errorf("b saw %d heartbeats, a sent %d", got, sent)
	}
	var flagged int
	for _, e := range a.rec.all() {
		if e.Dropped {
			flagged++
		}
	}
	if flagged != dropped {
		t.Errorf("%d events flagged dropped, want %d", flagged, dropped)
	}
}

func TestDelayShowsInLatency(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	a.tr.SetLinks([]Link{{From: "a", To: "b", Delay: 30 * time.Millisecond}})
	a.tr.SetBaseDelay(20 * time.Millisecond)
	if err := appendTo(a, b, 0, 1); err != nil {
		t.Fatalf("append entries: %v", err)
	}
	e := a.rec.all()[0]
	if e.DelayMS != 50 || e.LatencyUS < 50_000 || !e.Success {
		t.Errorf("delayed event = %+v, want delay 50ms and latency >= 50000us", e)
	}
	links, isolated, base := a.tr.Faults()
	if len(links) != 1 || links[0].Delay != 30*time.Millisecond || isolated || base != 20*time.Millisecond {
		t.Errorf("Faults() = %+v, %v, %v", links, isolated, base)
	}
	// Link delays act on the sending side only: b -> a is not slowed by a's rules.
	if err := appendTo(b, a, 0, 1); err != nil {
		t.Fatalf("b->a: %v", err)
	}
	if e := b.rec.all()[0]; e.DelayMS != 0 {
		t.Errorf("b->a event = %+v, want no delay", e)
	}
}

func TestCloseEndsDelay(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	a.tr.SetBaseDelay(time.Hour)
	errc := make(chan error, 1)
	go func() { errc <- heartbeatTo(a, b) }()
	// Wait until the call is inside its delay: nothing to observe, so close and require
	// that whatever state it was in, it returns promptly.
	if err := a.tr.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("got %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RPC still sleeping after Close")
	}
}

func TestIsolate(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	a.tr.Isolate(true)
	if err := heartbeatTo(a, b); !errors.Is(err, ErrBlocked) {
		t.Fatalf("isolated a->b: got %v, want ErrBlocked", err)
	}
	if err := heartbeatTo(b, a); !errors.Is(err, ErrBlocked) {
		t.Fatalf("b->isolated a: got %v, want ErrBlocked", err)
	}
	if err := appendTo(b, a, 0, 1); !errors.Is(err, ErrBlocked) {
		t.Fatalf("b->isolated a: got %v, want ErrBlocked", err)
	}
	if _, isolated, _ := a.tr.Faults(); !isolated {
		t.Error("Faults() does not report the isolation")
	}
	a.tr.Isolate(false)
	if err := heartbeatTo(a, b); err != nil {
		t.Fatalf("a->b after heal: %v", err)
	}
	if err := appendTo(b, a, 0, 1); err != nil {
		t.Fatalf("b->a after heal: %v", err)
	}
}

func TestPipelineKeepsOrderUnderDelay(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	a.tr.SetLinks([]Link{{From: "a", To: "b", Delay: 20 * time.Millisecond}})
	p, err := a.tr.AppendEntriesPipeline(b.id, b.tr.LocalAddr())
	if err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	defer p.Close()

	const n = 6
	done := make(chan []uint64, 1)
	go func() {
		var prevs []uint64
		for len(prevs) < n {
			f := <-p.Consumer()
			if err := f.Error(); err != nil {
				t.Errorf("future: %v", err)
			}
			prevs = append(prevs, f.Request().PrevLogEntry)
		}
		done <- prevs
	}()
	for i := 0; i < n; i++ {
		req := &raft.AppendEntriesRequest{RPCHeader: a.header(), Term: 3, PrevLogEntry: uint64(i + 1), PrevLogTerm: 3, LeaderCommitIndex: 1,
			Entries: []*raft.Log{{Index: uint64(i + 2), Term: 3, Type: raft.LogCommand}}}
		if _, err := p.AppendEntries(req, new(raft.AppendEntriesResponse)); err != nil {
			t.Fatalf("pipelined append %d: %v", i, err)
		}
	}
	var prevs []uint64
	select {
	case prevs = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("pipelined responses did not arrive")
	}
	for i, prev := range prevs {
		if prev != uint64(i+1) {
			t.Fatalf("responses out of order: %v", prevs)
		}
	}
	for i, cmd := range b.received() {
		if got := cmd.(*raft.AppendEntriesRequest).PrevLogEntry; got != uint64(i+1) {
			t.Fatalf("request %d arrived with prev %d: reordered", i, got)
		}
	}
	ev := a.rec.all()
	if len(ev) != n {
		t.Fatalf("got %d events, want %d", len(ev), n)
	}
	for i, e := range ev {
		if !e.Pipelined || !e.Success || e.Entries != 1 || e.PrevIndex != uint64(i+1) || e.DelayMS != 20 || e.LatencyUS < 20_000 {
			t.Errorf("pipelined event %d = %+v", i, e)
		}
	}
}

func TestBlockCutsPipeline(t *testing.T) {
	a, b := newPeer(t, "a"), newPeer(t, "b")
	p, err := a.tr.AppendEntriesPipeline(b.id, b.tr.LocalAddr())
	if err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	defer p.Close()
	req := &raft.AppendEntriesRequest{RPCHeader: a.header(), Term: 3, PrevLogEntry: 1, PrevLogTerm: 1, LeaderCommitIndex: 1}
	if _, err := p.AppendEntries(req, new(raft.AppendEntriesResponse)); err != nil {
		t.Fatalf("pipelined append: %v", err)
	}
	select {
	case <-p.Consumer():
	case <-time.After(5 * time.Second):
		t.Fatal("no response before the cut")
	}

	a.tr.SetLinks([]Link{{From: "a", To: "b", Block: true}})
	if _, err := p.AppendEntries(req, new(raft.AppendEntriesResponse)); err == nil {
		t.Fatal("pipeline still sends over a blocked link")
	}
	if _, err := a.tr.AppendEntriesPipeline(b.id, b.tr.LocalAddr()); !errors.Is(err, ErrBlocked) {
		t.Fatalf("new pipeline over a blocked link: got %v, want ErrBlocked", err)
	}
}

func TestRules(t *testing.T) {
	r := newRules("a", []Link{
		{From: "a", To: "b", Drop: 0.5, Delay: 10 * time.Millisecond},
		{From: "a", To: "b", Drop: 0.5, Delay: 5 * time.Millisecond},
		{From: "c", To: "a", Drop: 1},
		{From: "b", To: "c", Block: true}, // not ours
		{From: "a", To: "a", Block: true}, // meaningless
		{From: "a", To: "d", Drop: math.NaN(), Delay: -time.Second},
	}, false, 7*time.Millisecond)

	if f := r.outgoing("b"); f.block || f.drop != 0.75 || f.delay != 22*time.Millisecond {
		t.Errorf("a->b = %+v, want drops combined and delays added", f)
	}
	if f := r.outgoing("d"); f.block || f.drop != 0 || f.delay != 7*time.Millisecond {
		t.Errorf("a->d = %+v, want NaN drop and negative delay ignored", f)
	}
	if !r.in["c"] || r.in["b"] || r.sendBlocked("c") || r.sendBlocked("b") {
		t.Errorf("in = %v; want only c refused, nothing blocked outbound", r.in)
	}
	if len(r.links) != 6 {
		t.Errorf("kept %d links, want all 6", len(r.links))
	}

	healed := newRules("a", nil, false, 0)
	if !healed.cuts(r) || r.cuts(healed) || r.cuts(r) {
		t.Error("cuts must report only links going down")
	}
	if !r.cuts(newRules("a", nil, true, 0)) {
		t.Error("isolation must cut connections")
	}
}

func TestHotPathDoesNotAllocate(t *testing.T) {
	tr := New(newInner(t), "a", nil)
	defer tr.Close()
	tr.SetLinks([]Link{{From: "c", To: "a", Block: true}, {From: "a", To: "b", Drop: 0}})
	req := &raft.AppendEntriesRequest{RPCHeader: raft.RPCHeader{ID: []byte("b"), Addr: []byte("127.0.0.1:1")}, Term: 1}
	tr.learn("b", "127.0.0.1:1")
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := tr.gate(wire.RPCAppendEntries, "b", nil); err != nil {
			t.Fatal(err)
		}
		if err := tr.admit(req); err != nil {
			t.Fatal(err)
		}
		tr.learn("b", "127.0.0.1:1")
		d := appendData(req, nil, false)
		_ = d
	})
	if allocs != 0 {
		t.Errorf("fault checks allocate %v times per RPC, want 0", allocs)
	}
}

func TestPipelineReportsUnansweredOnClose(t *testing.T) {
	a := newPeer(t, "a")
	// A peer that accepts and reads but never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.Copy(io.Discard, c)
	}()

	p, err := a.tr.AppendEntriesPipeline("mute", raft.ServerAddress(ln.Addr().String()))
	if err != nil {
		t.Fatalf("pipeline: %v", err)
	}
	// One request: with raft's default of two RPCs in flight a second would wait for the
	// first response (back-pressure) until the I/O timeout.
	req := &raft.AppendEntriesRequest{RPCHeader: a.header(), Term: 3, PrevLogEntry: 1, PrevLogTerm: 3, LeaderCommitIndex: 1}
	if _, err := p.AppendEntries(req, new(raft.AppendEntriesResponse)); err != nil {
		t.Fatalf("pipelined append: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("close pipeline: %v", err)
	}
	// Reported once, as failed: either the forwarder saw the broken connection first or
	// Close found the request unanswered.
	ev := a.rec.all()
	if len(ev) != 1 {
		t.Fatalf("got %d events, want the unanswered request once: %+v", len(ev), ev)
	}
	if e := ev[0]; e.PrevIndex != 1 || !e.Pipelined || e.Success || e.Error == "" {
		t.Errorf("unanswered event = %+v", e)
	}
}
