package ui

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// ev makes an event with data encoded as the server does.
func ev(seq uint64, node, typ string, data any) wire.Event {
	e := wire.NewEvent(node, typ, t0, data)
	e.Seq = seq
	return e
}

// at sets an event's real time.
func at(e wire.Event, t time.Time) wire.Event {
	e.Time = t
	return e
}

func status(id, role string, term, commit uint64) wire.NodeStatus {
	return wire.NodeStatus{ID: id, Role: role, Term: term, CommitIndex: commit, AppliedIndex: commit, LastIndex: commit, Suffrage: "voter"}
}

// started is a 3-node cluster after a hello: n1 leads term 2, every log holds 1..3.
func started(t *testing.T) *State {
	t.Helper()
	log := []wire.LogEntry{{Index: 1, Term: 1, Type: "configuration"}, {Index: 2, Term: 2, Type: "noop"}, {Index: 3, Term: 2, Type: "command", Summary: "PUT a = 1"}}
	h := wire.HelloData{
		Seq: 100,
		Cluster: wire.ClusterStatus{Leader: "n1", Term: 2, Nodes: []wire.NodeStatus{
			status("n1", "leader", 2, 3), status("n2", "follower", 2, 3), status("n3", "follower", 2, 3)}},
		Logs:   map[string][]wire.LogEntry{"n1": log, "n2": log, "n3": log},
		Recent: []wire.Event{ev(99, "n1", wire.EventCommit, wire.CommitData{Index: 3})},
		Faults: &wire.Faults{Down: []string{}, Isolated: []string{}, Speed: "realtime"},
	}
	s := New()
	s.SetConn(ConnLive, "")
	s.Apply(ev(0, "", wire.EventHello, h), t0)
	return s
}

func result(id string, status int, res any, e *wire.ErrorDetail) wire.Event {
	var raw json.RawMessage
	if res != nil {
		raw, _ = json.Marshal(res)
	}
	return ev(0, "", wire.EventResult, wire.ResultData{ID: id, Status: status, Result: raw, Error: e})
}

// one returns the single element matching want.
func one(t *testing.T, v *V, want A) *V {
	t.Helper()
	got := v.Find(want)
	if len(got) != 1 {
		t.Fatalf("%d elements match %v, want 1", len(got), want)
	}
	return got[0]
}
