package ui

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// Apply changes the state by one event from the stream, received at now, drawing it at
// once (Receive and Advance draw it in causal time instead). It reports whether anything
// the view shows changed.
func (s *State) Apply(ev wire.Event, now time.Time) bool {
	s.Now = now
	if ev.Type == wire.EventHello {
		s.applyHello(ev)
		return true
	}
	if !s.accept(ev, now) {
		return false
	}
	s.release(ev)
	return true
}

// accept takes an event the picture has not seen and records it in the timeline; false
// for one already accounted for (a resumed stream may repeat the edge).
func (s *State) accept(ev wire.Event, now time.Time) bool {
	if ev.Seq != 0 {
		if ev.Seq <= s.recvSeq {
			return false
		}
		s.recvSeq = ev.Seq
	}
	if !s.replica {
		s.record(ev, now)
	}
	return true
}

// release makes an event take effect in the picture.
func (s *State) release(ev wire.Event) {
	if ev.Seq > s.LastSeq {
		s.LastSeq = ev.Seq
	}
	s.timerEvent(ev)
	if !s.applyNodeEvent(ev, s.Now) {
		s.applyClusterEvent(ev, s.Now)
	}
	switch ev.Type {
	case wire.EventRPC, wire.EventHeartbeats, wire.EventLogAppend, wire.EventLogDelete, wire.EventCommit, wire.EventResult:
		// None of these moves a role, a term or a digest: most of a busy stream, and
		// derive walks every digest.
	default:
		s.derive()
	}
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
// state it replays over) and the write metrics.
func (s *State) record(ev wire.Event, now time.Time) {
	dropped := s.Timeline.add(ev)
	if s.base != nil {
		for _, it := range dropped {
			s.base.Apply(it.event(), it.Time)
		}
	}
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
			s.roleChange(ev, d)
		}
	case wire.EventLeader:
		var d wire.LeaderData
		if decode(ev, &d) {
			n := s.node(ev.Node)
			n.Leader, n.Term = d.Leader, maxU(n.Term, d.Term)
			s.draw(Drawn{Kind: DrawLeader, Node: ev.Node, To: d.Leader, Term: d.Term, Seq: ev.Seq}, ev.Time)
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
			s.draw(Drawn{Kind: DrawAppend, Node: ev.Node, Term: d.Term, Seq: ev.Seq}, ev.Time)
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
			n.Applies = append(n.Applies, "#"+u(d.Index)+" "+orDash(d.Summary))
			if len(n.Applies) > maxApplies {
				n.Applies = append(n.Applies[:0:0], n.Applies[len(n.Applies)-maxApplies:]...)
			}
		}
	case wire.EventSnapshot:
		var d wire.SnapshotData
		if decode(ev, &d) {
			s.node(ev.Node).snapshot(d)
			switch d.Action {
			case "installing":
				s.trouble("snapshot install", ev.Time, ev.Seq)
			case "installed":
				s.settled(ev.Time, d.Term)
			}
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
			was := s.Faults.Down
			s.Faults = d.Faults
			s.faultDeaths(ev, was, d.Faults.Down)
			if d.Action == "heal" {
				s.trouble("partition heal", ev.Time, ev.Seq)
			}
			if !s.replica {
				if d.Action == "heal" {
					s.PartPick = nil // the builder shows the healed cluster, not old picks
				}
				s.scenarioStep(d.Action)
			}
		}
	case wire.EventRPC:
		var d wire.RPCData
		if decode(ev, &d) {
			s.landRPC(ev, d)
		}
	case wire.EventHeartbeats:
		var d wire.HeartbeatsData
		if decode(ev, &d) {
			s.heartbeatSummary(ev, d)
		}
	case wire.EventLeaderDown:
		s.trouble("election", ev.Time, ev.Seq)
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

// roleChange follows a node's role: a node going down dies (what it had in flight goes with
// it), a node coming back is caught up until it applies what the cluster committed, and a
// candidate's own election timer starts.
func (s *State) roleChange(ev wire.Event, d wire.StateData) {
	n := s.node(ev.Node)
	n.Role, n.Term = d.Role, maxU(n.Term, d.Term)
	if d.Role == wire.RoleLeader {
		n.Leader = n.ID
	}
	if d.Role == wire.RoleDown {
		wasLeader := s.Leader == ev.Node
		s.die(ev.Node, ev.Time, ev.Seq)
		if wasLeader {
			s.trouble("failover", ev.Time, ev.Seq)
		}
		return
	}
	if s.isDead(ev.Node) {
		s.revive(ev.Node)
		n.Restarted = true
	}
	s.draw(Drawn{Kind: DrawState, Node: ev.Node, Role: d.Role, Term: d.Term, Seq: ev.Seq}, ev.Time)
	switch d.Role {
	case wire.RoleCandidate:
		s.trouble("election", ev.Time, ev.Seq)
	case wire.RoleLeader:
		s.settled(ev.Time, d.Term)
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
	s.LastSeq, s.recvSeq = h.Seq, h.Seq
	s.Nodes = map[string]*Node{}
	s.digests = map[uint64]map[string]string{}
	s.Flights = Flights{}
	s.queue = nil // the hello accounts for everything before it
	s.removed = nil
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
	s.dead = map[string]time.Time{}
	for _, n := range s.Nodes {
		if contains(s.Faults.Down, n.ID) || n.Role == wire.RoleDown {
			s.dead[n.ID] = time.Time{}
		}
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
		delete(s.removed, srv.ID) // added back
		in[srv.ID] = true
		n := s.node(srv.ID)
		if srv.Suffrage != "" {
			n.Suffrage = srv.Suffrage
		}
	}
	if d.Change == "removed" && d.Node != "" && !in[d.Node] {
		delete(s.Nodes, d.Node)
		delete(s.Timers, d.Node)
		s.Flights.removeFrom(d.Node)
		if s.removed == nil {
			s.removed = map[string]bool{}
		}
		s.removed[d.Node] = true
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
	var commit uint64
	if l := s.Nodes[s.Leader]; l != nil {
		commit = l.Commit
	}
	for _, n := range s.Nodes {
		n.Diverged = s.diverged(n.ID)
		if n.Restarted && commit > 0 && n.Applied >= commit {
			n.Restarted = false
		}
		n.CatchingUp = n.Restarted && s.displayRole(n) != wire.RoleDown
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
