package ui

import (
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

func TestHelloRendersReadyClusterWithContractAttributes(t *testing.T) {
	s := started(t)
	v := s.View()
	if v.Attrs["id"] != "app" || v.Attrs["data-ready"] != "true" {
		t.Fatalf("root attrs %v", v.Attrs)
	}
	n1 := one(t, v, A{"data-testid": "node", "data-node-id": "n1"})
	for k, want := range map[string]string{"data-role": "leader", "data-term": "2", "data-commit": "3", "data-applied": "3"} {
		if n1.Attrs[k] != want {
			t.Errorf("n1 %s = %q, want %q", k, n1.Attrs[k], want)
		}
	}
	if got := len(v.Find(A{"data-testid": "node"})); got != 3 {
		t.Errorf("%d nodes drawn", got)
	}
	if got := len(v.Find(A{"data-testid": "log-entry", "data-node-id": "n2"})); got != 3 {
		t.Errorf("n2 log has %d entries drawn", got)
	}
	e := one(t, v, A{"data-testid": "log-entry", "data-node-id": "n3", "data-index": "3"})
	if e.Attrs["data-term"] != "2" {
		t.Errorf("entry term %q", e.Attrs["data-term"])
	}
	for _, a := range []string{"kill", "restart", "isolate", "transfer", "remove"} {
		one(t, v, A{"data-testid": "node-action", "data-action": a, "data-node-id": "n2"})
	}
	for _, id := range []string{"add-node", "heal", "speed", "sql-input", "sql-run", "kv-key", "kv-value", "kv-put", "kv-get", "kv-result"} {
		one(t, v, A{"data-testid": id})
	}
	if one(t, v, A{"data-testid": "leader"}).TextContent() != "leadern1" {
		t.Errorf("header leader %q", one(t, v, A{"data-testid": "leader"}).TextContent())
	}
	if got := len(v.Find(A{"data-testid": "event"})); got != 1 {
		t.Errorf("timeline shows %d events from hello's recent list, want 1", got)
	}
}

func TestNotReadyBeforeHello(t *testing.T) {
	v := New().View()
	if v.Attrs["data-ready"] != "false" || len(v.Find(A{"data-testid": "node"})) != 0 {
		t.Fatalf("fresh view: %v", v.Attrs)
	}
}

func TestElectionMovesLeaderAndTerm(t *testing.T) {
	s := started(t)
	s.Apply(ev(101, "n1", wire.EventState, wire.StateData{Role: "follower", Prev: "leader", Term: 3}), t0)
	if s.Leader != "" || s.Term != 3 {
		t.Fatalf("after step-down: leader %q term %d", s.Leader, s.Term)
	}
	s.Apply(ev(102, "n2", wire.EventState, wire.StateData{Role: "candidate", Prev: "follower", Term: 3}), t0)
	if r := one(t, s.View(), A{"data-testid": "node", "data-node-id": "n2"}).Attrs["data-role"]; r != "candidate" {
		t.Fatalf("n2 drawn as %s", r)
	}
	s.Apply(ev(103, "n2", wire.EventState, wire.StateData{Role: "leader", Prev: "candidate", Term: 3}), t0)
	if s.Leader != "n2" || s.Term != 3 {
		t.Fatalf("leader %q term %d", s.Leader, s.Term)
	}
}

func TestKilledNodeIsDownFromFaults(t *testing.T) {
	s := started(t)
	s.Apply(ev(101, "", wire.EventFault, map[string]any{"down": []string{"n1"}, "isolated": []string{"n3"}, "links": []any{}, "speed": "realtime", "action": "kill", "target": "n1"}), t0)
	v := s.View()
	if r := one(t, v, A{"data-testid": "node", "data-node-id": "n1"}).Attrs["data-role"]; r != "down" {
		t.Fatalf("killed n1 drawn as %s", r)
	}
	if s.Leader != "" {
		t.Fatalf("a down node still counts as leader: %q", s.Leader)
	}
	if iso := one(t, v, A{"data-testid": "node", "data-node-id": "n3"}).Attrs["data-isolated"]; iso != "true" {
		t.Fatalf("n3 isolated = %s", iso)
	}
}

func TestLogAppendCommitApplyAndDivergence(t *testing.T) {
	s := started(t)
	e4 := wire.LogEntry{Index: 4, Term: 2, Type: "command", Summary: "PUT b = 2"}
	seq := uint64(100)
	next := func() uint64 { seq++; return seq }
	for _, id := range []string{"n1", "n2", "n3"} {
		s.Apply(ev(next(), id, wire.EventLogAppend, wire.LogAppendData{First: 4, Last: 4, Term: 2, Entries: []wire.LogEntry{e4}}), t0)
		s.Apply(ev(next(), id, wire.EventCommit, wire.CommitData{Index: 4}), t0)
	}
	s.Apply(ev(next(), "n1", wire.EventApply, wire.ApplyData{Index: 4, Term: 2, Digest: "aaa"}), t0)
	s.Apply(ev(next(), "n2", wire.EventApply, wire.ApplyData{Index: 4, Term: 2, Digest: "aaa"}), t0)
	if s.Nodes["n1"].Diverged {
		t.Fatal("equal digests flagged as divergence")
	}
	s.Apply(ev(next(), "n3", wire.EventApply, wire.ApplyData{Index: 4, Term: 2, Digest: "bbb"}), t0)
	if !s.Nodes["n3"].Diverged {
		t.Fatal("n3 applied index 4 to a different state and is not flagged")
	}
	n := one(t, s.View(), A{"data-testid": "node", "data-node-id": "n2"})
	if n.Attrs["data-commit"] != "4" || n.Attrs["data-applied"] != "4" {
		t.Fatalf("n2 attrs %v", n.Attrs)
	}
	if got := len(s.View().Find(A{"data-testid": "log-entry", "data-index": "4"})); got != 3 {
		t.Fatalf("index 4 drawn on %d nodes", got)
	}
}

func TestTruncationAndCompaction(t *testing.T) {
	s := started(t)
	now := t0.Add(time.Second)
	s.Apply(ev(101, "n3", wire.EventLogDelete, wire.LogDeleteData{Min: 3, Max: 3, Reason: "truncated"}), now)
	n3 := s.Nodes["n3"]
	if len(n3.Log) != 2 || n3.LastIndex != 2 || n3.Cut != (Range{3, 3}) {
		t.Fatalf("after truncation: log %v last %d cut %v", n3.Log, n3.LastIndex, n3.Cut)
	}
	s.Apply(ev(102, "n3", wire.EventLogAppend, wire.LogAppendData{First: 3, Last: 3, Term: 3, Entries: []wire.LogEntry{{Index: 3, Term: 3, Type: "noop"}}}), now)
	v := s.View()
	if e := one(t, v, A{"data-testid": "log-entry", "data-node-id": "n3", "data-index": "3"}); e.Attrs["data-term"] != "3" {
		t.Fatalf("rewritten entry term %s", e.Attrs["data-term"])
	}
	one(t, v, A{"data-testid": "log-cut"})

	s.Apply(ev(103, "n1", wire.EventSnapshot, wire.SnapshotData{Action: "taken", Index: 2, Term: 2}), now)
	s.Apply(ev(104, "n1", wire.EventLogDelete, wire.LogDeleteData{Min: 1, Max: 2, Reason: "compacted"}), now)
	if n1 := s.Nodes["n1"]; len(n1.Log) != 1 || n1.SnapIndex != 2 || n1.Cut != (Range{}) {
		t.Fatalf("after compaction: %+v", n1)
	}
	if got := len(s.View().Find(A{"data-testid": "log-entry", "data-node-id": "n1"})); got != 1 {
		t.Fatalf("n1 draws %d entries after compaction", got)
	}
}

func TestLogStaysBounded(t *testing.T) {
	s := started(t)
	for i := uint64(4); i < 4+3*maxLog; i++ {
		s.Apply(ev(100+i, "n1", wire.EventLogAppend, wire.LogAppendData{First: i, Last: i, Term: 2, Entries: []wire.LogEntry{{Index: i, Term: 2}}}), t0)
	}
	n1 := s.Nodes["n1"]
	if len(n1.Log) != maxLog || n1.LastIndex != 3+3*maxLog {
		t.Fatalf("log len %d last %d", len(n1.Log), n1.LastIndex)
	}
	if got := len(s.View().Find(A{"data-testid": "log-entry", "data-node-id": "n1"})); got != logCols {
		t.Fatalf("%d columns drawn, want %d", got, logCols)
	}
}

func TestResumedStreamSkipsRepeatedEvents(t *testing.T) {
	s := started(t)
	if s.Apply(ev(100, "n1", wire.EventCommit, wire.CommitData{Index: 9}), t0) {
		t.Fatal("an event at or before the hello's seq changed the state")
	}
	if s.Nodes["n1"].Commit != 3 {
		t.Fatal("repeated event applied")
	}
}

func TestMembershipAddsAndRemovesNodes(t *testing.T) {
	s := started(t)
	servers := []wire.Server{{ID: "n1", Suffrage: "voter"}, {ID: "n2", Suffrage: "voter"}, {ID: "n3", Suffrage: "voter"}, {ID: "n4", Suffrage: "voter"}}
	s.Apply(ev(101, "n1", wire.EventMembership, wire.MembershipData{Servers: servers, Change: "added", Node: "n4"}), t0)
	if _, ok := s.Nodes["n4"]; !ok {
		t.Fatal("added node missing")
	}
	s.Apply(ev(102, "n1", wire.EventMembership, wire.MembershipData{Servers: servers[:3], Change: "removed", Node: "n4"}), t0)
	if _, ok := s.Nodes["n4"]; ok {
		t.Fatal("removed node still drawn")
	}
}
