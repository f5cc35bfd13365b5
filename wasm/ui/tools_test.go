package ui

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

func TestPartitionBuilder(t *testing.T) {
	s := started(t)
	cmds := s.Handle(Msg{Kind: "click", Action: "partition-apply", Fields: map[string]string{"part:n1": "A", "part:n2": "C", "part:n3": "C"}}, t0)
	if len(cmds) != 1 || cmds[0].Op != "control.partition" {
		t.Fatalf("commands: %+v", cmds)
	}
	var body struct{ Groups [][]string }
	json.Unmarshal(cmds[0].Body, &body)
	if len(body.Groups) != 2 || strings.Join(body.Groups[0], ",") != "n1" || strings.Join(body.Groups[1], ",") != "n2,n3" {
		t.Fatalf("groups: %+v", body.Groups)
	}
	if cmds := s.Handle(Msg{Kind: "click", Action: "partition-apply", Fields: map[string]string{"part:n1": "B", "part:n2": "B", "part:n3": "B"}}, t0); len(cmds) != 0 || s.Notice.Level != "error" {
		t.Fatalf("one group sent: %+v %+v", cmds, s.Notice)
	}
	// The active partition shows, and the builder starts from it.
	s.Apply(ev(101, "", wire.EventFault, wire.Faults{Partition: [][]string{{"n1"}, {"n2", "n3"}}}), t0)
	v := s.View()
	one(t, v, A{"data-testid": "partition-active", "data-partition": "{n1} | {n2 n3}"})
	sel := one(t, v, A{"data-testid": "partition-group", "data-node-id": "n3"})
	if got := sel.Find(A{"selected": ""}); len(got) != 1 || got[0].Attrs["value"] != "B" {
		t.Fatalf("n3's group: %+v", got)
	}
	one(t, v, A{"data-testid": "partition-apply"})
}

func TestScenarioRunAndSteps(t *testing.T) {
	s := started(t)
	cmds := s.Handle(Msg{Kind: "click", Action: "scenario-run", Fields: map[string]string{"scenario": "leader-failover"}}, t0)
	if len(cmds) != 1 || cmds[0].Op != "control.scenario" || string(cmds[0].Body) != `{"name":"leader-failover"}` {
		t.Fatalf("commands: %+v", cmds)
	}
	s.Apply(result(cmds[0].ID, 200, map[string]string{"started": "leader-failover"}, nil), t0)
	if !s.Scenario.Running || !strings.Contains(s.Notice.Text, "leader-failover") {
		t.Fatalf("scenario %+v notice %+v", s.Scenario, s.Notice)
	}
	step := wire.FaultData{Faults: wire.Faults{Down: []string{"n1"}}, Action: "scenario:leader-failover: kill the leader n1"}
	s.Apply(ev(101, "", wire.EventFault, step), t0)
	if s.Notice.Text != "Scenario leader-failover: kill the leader n1" || len(s.Faults.Down) != 1 {
		t.Fatalf("notice %q faults %+v", s.Notice.Text, s.Faults)
	}
	one(t, s.View(), A{"data-testid": "scenario-state", "data-scenario": "leader-failover", "data-running": "true"})
	step.Action = "scenario:leader-failover: done"
	s.Apply(ev(102, "", wire.EventFault, step), t0)
	if s.Scenario.Running {
		t.Fatal("still running after done")
	}
}

// TestScenariosComeFromHello: the runner offers what the server's last hello lists, and
// nothing when it lists nothing, never a list of its own.
func TestScenariosComeFromHello(t *testing.T) {
	offered := []wire.Scenario{{Name: "leader-failover", Description: "kill the leader"}, {Name: "new-one", Description: "only the server knows it"}}
	for _, c := range []struct {
		name      string
		scenarios []wire.Scenario
	}{
		{"listed", offered},
		{"none", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := started(t)
			// A reconnect's hello replaces what an earlier one listed.
			s.Apply(ev(0, "", wire.EventHello, wire.HelloData{Seq: 150, Scenarios: []wire.Scenario{{Name: "stale"}}}), t0)
			s.Apply(ev(0, "", wire.EventHello, wire.HelloData{Seq: 200, Scenarios: c.scenarios}), t0)
			v := s.View()
			opts := one(t, v, A{"data-testid": "scenario"}).Find(A{"value": ""})
			if len(opts) != len(c.scenarios) {
				t.Fatalf("%d scenarios offered, want %d", len(opts), len(c.scenarios))
			}
			for i, o := range opts {
				if o.Attrs["value"] != c.scenarios[i].Name || o.Attrs["title"] != c.scenarios[i].Description || o.TextContent() != c.scenarios[i].Name {
					t.Errorf("option %d: %+v, want %+v", i, o.Attrs, c.scenarios[i])
				}
			}
			_, disabled := one(t, v, A{"data-testid": "scenario-run"}).Attrs["disabled"]
			if disabled != (len(c.scenarios) == 0) {
				t.Errorf("run button disabled %v with %d scenarios", disabled, len(c.scenarios))
			}
		})
	}
}

func TestKVCompareAndSet(t *testing.T) {
	s := started(t)
	cmds := s.Handle(Msg{Kind: "click", Action: "kv-cas", Fields: map[string]string{"kv-key": "k", "kv-value": "new", "kv-prev": "old"}}, t0)
	if len(cmds) != 1 || cmds[0].Op != "kv.put" || cmds[0].Prev == nil || *cmds[0].Prev != "old" || cmds[0].Value != "new" {
		t.Fatalf("commands: %+v", cmds)
	}
	cur := "other"
	s.Apply(result(cmds[0].ID, 409, nil, &wire.ErrorDetail{Code: wire.CodeCASMismatch, Message: "mismatch", Current: &cur}), t0)
	r := one(t, s.View(), A{"data-testid": "kv-result", "data-ok": "false", "data-code": wire.CodeCASMismatch})
	if !strings.Contains(r.TextContent(), `"other"`) {
		t.Fatalf("result: %q", r.TextContent())
	}
	cmds = s.Handle(Msg{Kind: "click", Action: "kv-cas", Fields: map[string]string{"kv-key": "k", "kv-value": "v"}}, t0)
	if cmds[0].PrevExists == nil || *cmds[0].PrevExists || cmds[0].Prev != nil {
		t.Fatalf("empty expectation is not create-only: %+v", cmds[0])
	}
}

func TestMetricsCountLeaderAppliesAndLatency(t *testing.T) {
	s := started(t)
	for i := range 5 {
		s.Apply(ev(uint64(101+i), "n1", wire.EventApply, wire.ApplyData{Index: uint64(4 + i)}), t0.Add(time.Duration(i)*100*time.Millisecond))
	}
	s.Apply(ev(106, "n2", wire.EventApply, wire.ApplyData{Index: 4}), t0)
	cmds := s.Handle(Msg{Kind: "click", Action: "kv-get", Fields: map[string]string{"kv-key": "k"}}, t0)
	s.Apply(result(cmds[0].ID, 200, wire.KVPair{Key: "k"}, nil), t0.Add(40*time.Millisecond))
	rate, lat := s.Metrics.Rate(t0.Add(time.Second))
	if rate != 5 || lat != 40*time.Millisecond {
		t.Fatalf("rate %d latency %v", rate, lat)
	}
	s.Now = t0.Add(time.Second)
	one(t, s.View(), A{"data-testid": "sparkline", "data-rate": "5", "data-latency-ms": "40.0"})
	// A minute later it has all gone.
	if rate, lat := s.Metrics.Rate(t0.Add(2 * time.Minute)); rate != 0 || lat != 0 {
		t.Fatalf("old samples kept: %d %v", rate, lat)
	}
}

func TestElectionTimer(t *testing.T) {
	s := started(t)
	s.Faults.Timing = &wire.Timing{HeartbeatMS: 1000}
	if _, ok := s.TimerLeft("n2", t0); ok {
		t.Fatal("a timer before any contact")
	}
	s.Apply(at(ev(101, "n1", wire.EventRPC, wire.RPCData{RPC: wire.RPCAppendEntries, From: "n1", To: "n2", Success: true}), t0), t0)
	if left, _ := s.TimerLeft("n2", t0.Add(250*time.Millisecond)); left != 0.75 {
		t.Fatalf("left %v, want 0.75", left)
	}
	if left, _ := s.TimerLeft("n2", t0.Add(2*time.Second)); left != 0 {
		t.Fatalf("left %v, want 0", left)
	}
	// A summary restarts the timer at its last contact, not when it arrived.
	hb := map[string]any{"from": "n1", "to": "n3", "count": 30, "appends": 4, "last_at": t0.Add(100 * time.Millisecond)}
	s.Apply(at(ev(102, "n1", wire.EventHeartbeats, hb), t0.Add(300*time.Millisecond)), t0)
	if left, _ := s.TimerLeft("n3", t0.Add(600*time.Millisecond)); left != 0.5 {
		t.Fatalf("left %v, want 0.5", left)
	}
	// Failed heartbeats are no contact; a status report says when the node last heard, and
	// with which timeout.
	s.Apply(at(ev(103, "n1", wire.EventHeartbeats, wire.HeartbeatsData{From: "n1", To: "n2", Count: 3, Failed: 3}), t0.Add(3*time.Second)), t0)
	if left, _ := s.TimerLeft("n2", t0.Add(3*time.Second)); left != 0 {
		t.Fatalf("failed heartbeats reset the timer: %v", left)
	}
	st := map[string]any{"id": "n2", "role": "follower", "term": 2, "last_contact_ms": 500, "election_timeout_ms": 2000}
	s.Apply(at(ev(104, "n2", wire.EventStatus, st), t0.Add(4*time.Second)), t0)
	if left, _ := s.TimerLeft("n2", t0.Add(4*time.Second)); left != 0.75 {
		t.Fatalf("left %v after a status, want 0.75 (500 of its 2000 ms gone)", left)
	}
	s.Shown = t0.Add(4 * time.Second)
	one(t, s.View(), A{"data-testid": "election-timer", "data-node-id": "n2", "data-remaining": "0.75", "data-timeout-ms": "2000"})
	if len(s.View().Find(A{"data-testid": "election-timer", "data-node-id": "n1"})) != 0 {
		t.Fatal("the leader has an election timer")
	}
	// A candidate shows its own timer, from when it became one.
	s.Apply(at(ev(105, "n3", wire.EventState, map[string]any{"role": "candidate", "prev": "follower", "term": 3, "election_timeout_ms": 1000}), t0.Add(5*time.Second)), t0)
	if left, _ := s.TimerLeft("n3", t0.Add(5*time.Second+100*time.Millisecond)); left != 0.9 {
		t.Fatalf("candidate timer %v, want 0.9", left)
	}
}

func TestScrubRebuildsThePast(t *testing.T) {
	s := started(t)
	s.Timeline.cap = 4 // let events go quickly, so the base state has to follow
	s.Apply(ev(101, "n1", wire.EventState, wire.StateData{Role: "follower", Prev: "leader", Term: 3}), t0)
	s.Apply(ev(102, "n2", wire.EventState, wire.StateData{Role: "leader", Prev: "follower", Term: 3}), t0)
	for i := range 8 {
		s.Apply(ev(uint64(103+i), "n2", wire.EventCommit, wire.CommitData{Index: uint64(4 + i)}), t0)
	}
	if s.Leader != "n2" {
		t.Fatalf("leader %q", s.Leader)
	}
	first := s.Timeline.items[0].Seq
	s.Timeline.Select(first)
	seq, past, ok := s.Past()
	if !ok || past == nil || seq != first {
		t.Fatalf("no past at %d: %v %v", first, past, ok)
	}
	if past.Leader != "n2" || past.Nodes["n2"].Commit != first-99 {
		t.Fatalf("past at %d: leader %q commit %d", first, past.Leader, past.Nodes["n2"].Commit)
	}
	v := s.View()
	one(t, v, A{"data-testid": "past", "data-seq": u(first), "data-replayed": "true"})
	one(t, v, A{"data-testid": "node", "data-node-id": "n2", "data-commit": u(first - 99)})
	// The live state is untouched.
	if s.Nodes["n2"].Commit != 11 {
		t.Fatalf("live commit %d", s.Nodes["n2"].Commit)
	}
	s.Timeline.Resume()
	one(t, s.View(), A{"data-testid": "node", "data-node-id": "n2", "data-commit": "11"})
}

func TestScrubBeforeTheHelloIsNotReplayed(t *testing.T) {
	s := started(t)
	s.Timeline.Select(99) // from the hello's recent list
	if _, past, ok := s.Past(); !ok || past != nil {
		t.Fatalf("replayed an event before the hello: %v %v", past, ok)
	}
	one(t, s.View(), A{"data-testid": "past", "data-replayed": "false"})
}
