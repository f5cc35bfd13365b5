package ui

import (
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

func msd(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// kinds lists what was drawn, as "kind node-or-from".
func kinds(ds []Drawn) []string {
	var out []string
	for _, d := range ds {
		who := d.Node + d.From
		out = append(out, d.Kind+" "+who+" "+d.RPC+d.Role)
	}
	return out
}

func TestMomentsAreDrawnInRealOrderADelayBehind(t *testing.T) {
	yes := true
	s := started(t)
	s.TakeDrawn()
	// One batch, in the order the stream sends it: the vote's event comes once its answer
	// is known, after the candidate already won.
	batch := []wire.Event{
		at(ev(101, "n2", wire.EventState, wire.StateData{Role: "candidate", Prev: "follower", Term: 3}), t0),
		at(ev(102, "n2", wire.EventState, wire.StateData{Role: "leader", Prev: "candidate", Term: 3}), t0.Add(msd(12))),
		at(ev(103, "n2", wire.EventRPC, map[string]any{"rpc": "request_vote", "from": "n2", "to": "n3", "term": 3, "success": true, "granted": yes,
			"latency_us": 9000, "sent": t0.Add(msd(2))}), t0.Add(msd(11))),
	}
	for _, e := range batch {
		s.Receive(e, t0.Add(msd(30)))
	}
	if s.Nodes["n2"].Role != "follower" || len(s.Flights.List) != 0 {
		t.Fatal("drawn on arrival, before the delay")
	}
	tests := []struct {
		wall    time.Duration // page clock, from t0
		role    string
		flights int
		drawn   []string
	}{
		{liveDelay + msd(1), "candidate", 0, []string{"state n2 candidate"}},
		{liveDelay + msd(5), "candidate", 1, []string{"rpc-send n2 request_vote"}},
		{liveDelay + msd(11), "candidate", 1, []string{"rpc-reply n2 request_vote"}},
		{liveDelay + msd(12), "leader", 1, []string{"state n2 leader"}},
	}
	for _, tc := range tests {
		s.Advance(t0.Add(tc.wall))
		if n := s.Nodes["n2"]; n.Role != tc.role || len(s.Flights.List) != tc.flights {
			t.Fatalf("at %v: n2 %s with %d flights, want %s with %d", tc.wall, n.Role, len(s.Flights.List), tc.role, tc.flights)
		}
		if got := kinds(s.TakeDrawn()); len(got) != len(tc.drawn) || got[0] != tc.drawn[0] {
			t.Fatalf("at %v drew %v, want %v", tc.wall, got, tc.drawn)
		}
	}
	if f := s.Flights.List[0]; f.Dur() != msd(9) || !f.Landed {
		t.Fatalf("the vote flew %v (landed %v), want its real 9ms", f.Dur(), f.Landed)
	}
}

func TestDeadNodeDrawsNothingMore(t *testing.T) {
	s := started(t)
	evs := []wire.Event{
		// In flight when n1 dies: sent before, answered (failed) after.
		at(ev(101, "n1", wire.EventRPC, wire.RPCData{RPC: wire.RPCAppendEntries, From: "n1", To: "n2", Entries: 1, Error: "shut down", LatencyUS: 50000}), t0.Add(msd(40))),
		at(ev(102, "n1", wire.EventState, wire.StateData{Role: "down", Prev: "leader", Term: 2}), t0.Add(msd(10))),
		at(ev(103, "", wire.EventFault, wire.FaultData{Faults: wire.Faults{Down: []string{"n1"}}, Action: "kill", Target: "n1"}), t0.Add(msd(11))),
		// A summary of its last heartbeats, sent after it died.
		at(ev(104, "n1", wire.EventHeartbeats, wire.HeartbeatsData{From: "n1", To: "n3", Count: 2}), t0.Add(msd(200))),
	}
	for _, e := range evs {
		s.Receive(e, t0)
	}
	s.TakeDrawn()
	s.Advance(t0.Add(liveDelay + msd(5)))
	if len(s.Flights.List) != 1 {
		t.Fatalf("%d flights before the death", len(s.Flights.List))
	}
	s.Advance(t0.Add(liveDelay + time.Second))
	if len(s.Flights.List) != 0 {
		t.Fatalf("flights of a dead node: %+v", s.Flights.List)
	}
	got := kinds(s.TakeDrawn())
	want := []string{"rpc-send n1 append_entries", "down n1 "}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("drew %v, want %v", got, want)
	}
	// Restarted, it draws again and is caught up only once it applied the cluster's commit.
	s.Receive(at(ev(105, "n2", wire.EventState, wire.StateData{Role: "leader", Prev: "follower", Term: 3}), t0.Add(1900*time.Millisecond)), t0)
	s.Receive(at(ev(106, "n2", wire.EventCommit, wire.CommitData{Index: 5}), t0.Add(1900*time.Millisecond)), t0)
	s.Receive(at(ev(107, "n1", wire.EventState, wire.StateData{Role: "follower", Prev: "down", Term: 3}), t0.Add(2*time.Second)), t0)
	s.Receive(at(ev(108, "", wire.EventFault, wire.FaultData{Faults: wire.Faults{}, Action: "restart", Target: "n1"}), t0.Add(2*time.Second)), t0)
	s.Advance(t0.Add(3 * time.Second))
	if n := s.Nodes["n1"]; !n.CatchingUp || one(t, s.View(), A{"data-testid": "node", "data-node-id": "n1"}).Attrs["data-catching-up"] != "true" {
		t.Fatal("a restarted node behind the commit is not catching up")
	}
	s.Receive(at(ev(109, "n1", wire.EventApply, wire.ApplyData{Index: 5}), t0.Add(2500*time.Millisecond)), t0)
	s.Advance(t0.Add(3 * time.Second))
	if s.Nodes["n1"].CatchingUp {
		t.Fatal("still catching up after applying the commit")
	}
}

func TestPauseHoldsThePictureAndSteps(t *testing.T) {
	s := started(t)
	for i := range 3 {
		s.Receive(at(ev(uint64(101+i), "n1", wire.EventCommit, wire.CommitData{Index: uint64(4 + i)}), t0.Add(msd(10*i))), t0)
	}
	s.Advance(t0.Add(liveDelay + msd(5))) // the first commit drawn
	s.Handle(Msg{Kind: "click", Action: "tl-pause"}, t0)
	s.Advance(t0.Add(time.Minute))
	if s.Nodes["n1"].Commit != 6 || s.picture().Nodes["n1"].Commit != 4 {
		t.Fatalf("live %d, held %d", s.Nodes["n1"].Commit, s.picture().Nodes["n1"].Commit)
	}
	one(t, s.View(), A{"data-testid": "picture", "data-mode": "paused"})
	steps := []struct {
		dir    string
		commit uint64
	}{{"forward", 5}, {"forward", 6}, {"back", 5}, {"back", 4}}
	for _, st := range steps {
		s.Handle(Msg{Kind: "click", Action: "tl-step:" + st.dir}, t0)
		if got := s.picture().Nodes["n1"].Commit; got != st.commit {
			t.Fatalf("step %s: commit %d, want %d", st.dir, got, st.commit)
		}
	}
	s.Handle(Msg{Kind: "click", Action: "tl-resume"}, t0)
	if s.picture() != s {
		t.Fatal("resume did not go back to live")
	}
}

func TestElectionOffersASlowReplay(t *testing.T) {
	s := started(t)
	evs := []wire.Event{
		at(ev(101, "n1", wire.EventState, wire.StateData{Role: "down", Prev: "leader", Term: 2}), t0),
		at(ev(102, "n2", wire.EventState, wire.StateData{Role: "candidate", Prev: "follower", Term: 3}), t0.Add(msd(350))),
		at(ev(103, "n2", wire.EventState, wire.StateData{Role: "leader", Prev: "candidate", Term: 3}), t0.Add(msd(360))),
	}
	for _, e := range evs {
		s.Receive(e, t0)
	}
	s.Advance(t0.Add(liveDelay + time.Second))
	if s.Offer == nil || s.Offer.What != "failover" || s.Offer.Term != 3 {
		t.Fatalf("offer %+v", s.Offer)
	}
	one(t, s.View(), A{"data-testid": "replay-offer", "data-what": "failover"})
	start := t0.Add(2 * time.Second)
	s.Handle(Msg{Kind: "click", Action: "replay:start"}, start)
	f := s.TakeFetches()
	if len(f) != 1 {
		t.Fatalf("fetches %v", f)
	}
	// This server keeps no history: the replay uses what the page recorded.
	s.Fetched(Fetched{ID: f[0].ID, Status: 404}, start)
	if s.Player == nil || s.Player.Source != "page" {
		t.Fatalf("player %+v", s.Player)
	}
	s.TakeDrawn()
	// Ten times slower: 3.5 s of wall time after the start, 350 ms of the cluster's.
	s.Advance(start.Add(replayBefore*10 + 3490*time.Millisecond))
	if r := s.picture().Nodes["n2"].Role; r != "follower" {
		t.Fatalf("n2 %s before its timer ran out", r)
	}
	s.Advance(start.Add(replayBefore*10 + 3550*time.Millisecond))
	if r := s.picture().Nodes["n2"].Role; r != "candidate" {
		t.Fatalf("n2 %s at 355 ms", r)
	}
	s.Advance(start.Add(time.Minute))
	if r := s.picture().Nodes["n2"].Role; r != "leader" || !s.Player.Done() {
		t.Fatalf("n2 %s at the end", r)
	}
	got := s.TakeDrawn()
	if len(got) < 2 || got[0].Mode != "replay" {
		t.Fatalf("replay drew %+v", got)
	}
	s.Handle(Msg{Kind: "click", Action: "replay:stop"}, start)
	if s.picture() != s {
		t.Fatal("still replaying")
	}
}

func TestStaleStateGoesAway(t *testing.T) {
	s := started(t)
	s.Apply(ev(101, "n1", wire.EventMembership, wire.MembershipData{Servers: []wire.Server{{ID: "n1"}, {ID: "n2"}}, Change: "removed", Node: "n3"}), t0)
	s.Apply(ev(102, "n3", wire.EventStatus, status("n3", "down", 2, 3)), t0)
	if _, ok := s.Nodes["n3"]; ok {
		t.Fatal("a removed node's last status brought it back")
	}
	// A notice expires; an error stays longer.
	s.notice("ok", "killed n1")
	s.Advance(t0.Add(noticeTTL + time.Second))
	if s.Notice.Text != "" {
		t.Fatal("notice never went away")
	}
	// One-way loss is drawn one way.
	s.Faults.Links = []wire.Link{{From: "n1", To: "n2", Drop: 1}}
	tests := []struct{ a, b, want string }{{"n1", "n2", "a-b"}, {"n2", "n1", "b-a"}}
	for _, tc := range tests {
		if got := s.Cut(tc.a, tc.b); got != tc.want {
			t.Errorf("cut %s %s = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
	// Disconnected, the picture is marked stale.
	s.SetConn(ConnReconnecting, "")
	if one(t, s.View(), A{"class": "panel cluster"}).Attrs["data-stale"] != "true" {
		t.Fatal("the picture is not marked stale while disconnected")
	}
}
