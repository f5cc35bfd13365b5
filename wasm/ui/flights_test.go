package ui

import (
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

func TestRPCsBecomeFlightsThatExpire(t *testing.T) {
	s := started(t)
	yes, no := true, false
	s.Apply(ev(101, "n1", wire.EventRPC, wire.RPCData{RPC: wire.RPCAppendEntries, From: "n1", To: "n2", Term: 2, Entries: 3, Success: true}), t0)
	s.Apply(ev(102, "n2", wire.EventRPC, wire.RPCData{RPC: wire.RPCRequestVote, From: "n2", To: "n3", Term: 3, Granted: &yes, Success: true}), t0)
	s.Apply(ev(103, "n2", wire.EventRPC, wire.RPCData{RPC: wire.RPCRequestPreVote, From: "n2", To: "n1", Term: 3, Granted: &no}), t0)
	s.Apply(ev(104, "n1", wire.EventRPC, wire.RPCData{RPC: wire.RPCAppendEntries, From: "n1", To: "n3", Term: 2, Entries: 1, Dropped: true}), t0)
	s.Apply(ev(105, "n1", wire.EventRPC, wire.RPCData{RPC: wire.RPCInstallSnapshot, From: "n1", To: "n3", Term: 2, Error: "connection refused"}), t0)

	want := []struct{ kind, outcome string }{
		{KindAppend, OutcomeOK}, {KindVote, OutcomeGranted}, {KindPreVote, OutcomeDenied},
		{KindAppend, OutcomeDropped}, {KindSnapshot, OutcomeFailed},
	}
	if len(s.Flights.List) != len(want) {
		t.Fatalf("%d flights: %+v", len(s.Flights.List), s.Flights.List)
	}
	for i, w := range want {
		if f := s.Flights.List[i]; f.Kind != w.kind || f.Outcome != w.outcome {
			t.Errorf("flight %d: %s/%s, want %s/%s", i, f.Kind, f.Outcome, w.kind, w.outcome)
		}
	}
	v := s.View()
	if got := len(v.Find(A{"data-testid": "rpc", "data-outcome": OutcomeDropped})); got != 1 {
		t.Errorf("%d dropped messages drawn", got)
	}
	if got := len(v.Find(A{"data-testid": "rpc"})); got != 5 {
		t.Errorf("%d messages drawn", got)
	}
	if !s.Flights.Prune(t0.Add(time.Minute)) || len(s.Flights.List) != 0 {
		t.Fatalf("flights outlived their time: %d", len(s.Flights.List))
	}
}

func TestHeartbeatsAreThinnedPerLink(t *testing.T) {
	s := started(t)
	for i := 0; i < 20; i++ {
		at := t0.Add(time.Duration(i) * 10 * time.Millisecond)
		s.Apply(ev(uint64(101+i), "n1", wire.EventRPC, wire.RPCData{RPC: wire.RPCAppendEntries, From: "n1", To: "n2", Success: true, Heartbeat: true}), at)
	}
	if n := len(s.Flights.List); n != 1 {
		t.Fatalf("20 heartbeats in 200ms drew %d messages, want 1", n)
	}
	s.Apply(ev(200, "n1", wire.EventHeartbeats, wire.HeartbeatsData{From: "n1", To: "n3", Count: 23}), t0)
	if f := s.Flights.List[1]; f.Label != "×23" || f.Kind != KindHeartbeat {
		t.Fatalf("summary flight %+v", f)
	}
}

func TestFlightsAreBounded(t *testing.T) {
	s := started(t)
	for i := 0; i < 3*maxFlights; i++ {
		s.Apply(ev(uint64(101+i), "n1", wire.EventRPC, wire.RPCData{RPC: wire.RPCAppendEntries, From: "n1", To: "n2", Entries: 1, Success: true}), t0)
	}
	if len(s.Flights.List) != maxFlights {
		t.Fatalf("%d flights", len(s.Flights.List))
	}
}
