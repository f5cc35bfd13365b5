package ui

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// Apply changes the state by one event from the stream, received at now. It reports
// whether anything the view shows changed.
func (s *State) Apply(ev wire.Event, now time.Time) bool {
	s.Now = now
	if ev.Type == wire.EventHello {
		s.applyHello(ev)
		return true
	}
	if ev.Seq != 0 {
		if ev.Seq <= s.LastSeq {
			return false // already accounted for (a resumed stream may repeat the edge)
		}
		s.LastSeq = ev.Seq
	}
	if !s.replica {
		s.record(ev, now)
	}
	if !s.applyNodeEvent(ev, now) {
		s.applyClusterEvent(ev, now)
	}
	switch ev.Type {
	case wire.EventRPC, wire.EventHeartbeats, wire.EventLogAppend, wire.EventLogDelete, wire.EventCommit, wire.EventResult:
		// None of these moves a role, a term or a digest: most of a busy stream, and
		// derive walks every digest.
	default:
		s.derive()
	}
	return true
}

// applyHello starts the picture over from a hello.
func (s *State) applyHello(ev wire.Event) {
	var h wire.HelloData
	if err := json.Unmarshal(ev.Data, &h); err != nil {
		s.notice("error", "bad hello: "+err.Error())
		return
	}
	s.hello(h)
	if !s.replica {
		s.base = replicaOf(h)
		s.past = nil
		s.refreshData()
	}
}

// record keeps what the page shows besides the cluster picture: the timeline (and the base
// state it replays over), the election timers and the write metrics.
func (s *State) record(ev wire.Event, now time.Time) {
	dropped := s.Timeline.add(ev)
	if s.base != nil {
		for _, it := range dropped {
			s.base.Apply(it.event(), it.Time)
		}
	}
	s.timerEvent(ev, now)
	if ev.Type == wire.EventApply {
		s.countApply(ev, now)
	}
}

// applyNodeEvent applies what one node reports about itself: its role, leader, status,
// log, commit and apply progress, snapshots. It reports whether ev was such an event.
func (s *State) applyNodeEvent(ev wire.Event, now time.Time) bool {
	switch ev.Type {
	case wire.EventState:
		var d wire.StateData
		if decode(ev, &d) {
			n := s.node(ev.Node)
			n.Role, n.Term = d.Role, maxU(n.Term, d.Term)
			if d.Role == wire.RoleLeader {
				n.Leader = n.ID
			}
		}
	case wire.EventLeader:
		var d wire.LeaderData
		if decode(ev, &d) {
			n := s.node(ev.Node)
			n.Leader, n.Term = d.Leader, maxU(n.Term, d.Term)
		}
	case wire.EventStatus:
		var d wire.NodeStatus
		if decode(ev, &d) {
			if d.ID == "" {
				d.ID = ev.Node
			}
			s.status(d)
		}
	case wire.EventLogAppend:
		var d wire.LogAppendData
		if decode(ev, &d) {
			s.node(ev.Node).appendLog(d)
		}
	case wire.EventLogDelete:
		var d wire.LogDeleteData
		if decode(ev, &d) {
			s.node(ev.Node).deleteLog(d, now)
		}
	case wire.EventCommit:
		var d wire.CommitData
		if decode(ev, &d) {
			n := s.node(ev.Node)
			n.Commit = maxU(n.Commit, d.Index)
		}
	case wire.EventApply:
		var d wire.ApplyData
		if decode(ev, &d) {
			n := s.node(ev.Node)
			n.Applied = maxU(n.Applied, d.Index)
			n.Commit = maxU(n.Commit, d.Index)
			n.Digest = d.Digest
			s.recordDigest(n.ID, d.Index, d.Digest)
		}
	case wire.EventSnapshot:
		var d wire.SnapshotData
		if decode(ev, &d) {
			s.node(ev.Node).snapshot(d)
		}
	default:
		return false
	}
	return true
}

// applyClusterEvent applies the events about the cluster as a whole or between nodes:
// membership, faults, RPCs in flight, and the answers to the page's own commands.
func (s *State) applyClusterEvent(ev wire.Event, now time.Time) {
	switch ev.Type {
	case wire.EventMembership:
		var d wire.MembershipData
		if decode(ev, &d) {
			s.membership(d)
		}
	case wire.EventFault:
		var d wire.FaultData
		if decode(ev, &d) {
			if len(s.Faults.Partition) > 0 && len(d.Faults.Partition) == 0 {
				s.PartPick = nil // healed: the builder's old picks no longer mean anything
			}
			s.Faults = d.Faults
			if !s.replica {
				s.scenarioStep(d.Action)
			}
		}
	case wire.EventRPC:
		var d wire.RPCData
		if decode(ev, &d) {
			s.Flights.addRPC(d, now)
		}
	case wire.EventHeartbeats:
		var d wire.HeartbeatsData
		if decode(ev, &d) {
			s.Flights.addHeartbeats(d, now)
		}
	case wire.EventResult:
		var d wire.ResultData
		if decode(ev, &d) {
			s.Console.result(d, s)
		}
	case wire.EventError:
		var d wire.ErrorDetail
		if decode(ev, &d) {
			s.notice("error", d.Message)
		}
	}
}

// snapshot follows a snapshot taken or installed: entries at or below it may be compacted,
// and a restored or installed one is the node's whole applied state.
func (n *Node) snapshot(d wire.SnapshotData) {
	if d.Index >= n.SnapIndex {
		n.SnapIndex, n.SnapTerm = d.Index, d.Term
	}
	if d.Action == "restored" || d.Action == "installed" {
		n.Applied, n.Commit = d.Index, maxU(n.Commit, d.Index)
	}
}

// scenarioStep follows a scenario's announcements: fault actions "scenario:<name>: <step>",
// the last of them "done" or "stopped: <why>".
func (s *State) scenarioStep(action string) {
	rest, ok := strings.CutPrefix(action, "scenario:")
	if !ok {
		return
	}
	name, step, _ := strings.Cut(rest, ": ")
	sc := Scenario{Name: name, Step: step, Running: true}
	level := "ok"
	switch {
	case step == "done":
		sc.Running = false
	case strings.HasPrefix(step, "stopped"):
		sc.Running, sc.Failed, level = false, true, "error"
	}
	s.Scenario = sc
	s.notice(level, "Scenario "+name+": "+step)
}

func decode(ev wire.Event, v any) bool {
	return json.Unmarshal(ev.Data, v) == nil
}

// hello replaces the cluster picture; what is the user's own (console, timeline history,
// selection) survives a reconnect.
func (s *State) hello(h wire.HelloData) {
	s.Ready = true
	s.LastSeq = h.Seq
	s.Nodes = map[string]*Node{}
	s.digests = map[uint64]map[string]string{}
	s.Flights = Flights{}
	for _, st := range h.Cluster.Nodes {
		s.status(st)
	}
	for id, entries := range h.Logs {
		n := s.node(id)
		n.Log = append([]wire.LogEntry(nil), entries...)
		n.trimLog()
	}
	if h.Faults != nil {
		s.Faults = *h.Faults
	} else {
		s.Faults = wire.Faults{}
	}
	// What the server offers now, or nothing: a list of its own would drift from the
	// server's.
	s.Scenarios = h.Scenarios
	if !s.replica {
		s.Timeline.rebase(h.Seq)
		for _, ev := range h.Recent {
			s.Timeline.add(ev)
		}
	}
	s.derive()
}

func (s *State) status(d wire.NodeStatus) {
	n := s.node(d.ID)
	n.Status = true
	n.Role, n.Error = d.Role, d.Error
	if d.Role == wire.RoleDown || d.Role == wire.RoleUnreachable {
		return // a stopped node reports zeros: keep what it last said
	}
	n.Term, n.Leader = d.Term, d.Leader
	n.Commit, n.Applied, n.LastIndex = d.CommitIndex, d.AppliedIndex, d.LastIndex
	n.SnapIndex, n.SnapTerm = d.LastSnapshotIndex, d.LastSnapshotTerm
	n.Suffrage = d.Suffrage
	if d.Digest != "" {
		n.Digest = d.Digest
		s.recordDigest(n.ID, d.AppliedIndex, d.Digest)
	}
}

func (s *State) membership(d wire.MembershipData) {
	in := map[string]bool{}
	for _, srv := range d.Servers {
		in[srv.ID] = true
		n := s.node(srv.ID)
		if srv.Suffrage != "" {
			n.Suffrage = srv.Suffrage
		}
	}
	if d.Change == "removed" && d.Node != "" && !in[d.Node] {
		delete(s.Nodes, d.Node)
	}
}

func (s *State) recordDigest(id string, index uint64, digest string) {
	if index == 0 || digest == "" {
		return
	}
	m := s.digests[index]
	if m == nil {
		m = map[string]string{}
		s.digests[index] = m
		if len(s.digests) > maxDigests {
			oldest := index
			for i := range s.digests {
				oldest = min(oldest, i)
			}
			delete(s.digests, oldest)
		}
	}
	m[id] = digest
}

// derive recomputes what follows from the per-node facts: the cluster's leader and term
// (the highest-term node that says it leads) and which nodes diverged.
func (s *State) derive() {
	s.Leader, s.Term = "", 0
	for _, id := range s.NodeIDs() {
		n := s.Nodes[id]
		s.Term = max(s.Term, n.Term)
		if s.displayRole(n) == wire.RoleLeader && (s.Leader == "" || n.Term > s.Nodes[s.Leader].Term) {
			s.Leader = id
		}
	}
	for _, n := range s.Nodes {
		n.Diverged = s.diverged(n.ID)
	}
}

// diverged reports whether the node's digest differs from another node's at the highest
// index both applied: equal logs applied deterministically must give equal state.
func (s *State) diverged(id string) bool {
	var best uint64
	for i, m := range s.digests {
		if _, ok := m[id]; ok && len(m) > 1 && i > best {
			best = i
		}
	}
	if best == 0 {
		return false
	}
	m := s.digests[best]
	for other, d := range m {
		if other != id && d != m[id] {
			return true
		}
	}
	return false
}

// displayRole is the role drawn for n: the fault list knows a killed node is down before
// (and after) the node can say so itself.
func (s *State) displayRole(n *Node) string {
	if contains(s.Faults.Down, n.ID) {
		return wire.RoleDown
	}
	switch n.Role {
	case wire.RoleLeader, wire.RoleFollower, wire.RoleCandidate:
		return n.Role
	}
	return wire.RoleDown
}

// Isolated reports whether the node is cut off from every other node.
func (s *State) Isolated(id string) bool { return contains(s.Faults.Isolated, id) }

// Group returns the 1-based partition group of the node (0: no partition).
func (s *State) Group(id string) int {
	for i, g := range s.Faults.Partition {
		if contains(g, id) {
			return i + 1
		}
	}
	return 0
}

func (s *State) notice(level, text string) {
	s.Notice = Notice{Level: level, Text: text, At: s.Now}
}

func maxU(a, b uint64) uint64 { return max(a, b) }
