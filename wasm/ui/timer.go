package ui

import (
	"strconv"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// summaryGap is how often a server without last_at in its summaries sent them (about a
// second): such a summary that counted heartbeats means the follower heard from the leader
// through that period.
const summaryGap = time.Second

// defaultHeartbeat is the heartbeat timeout assumed until the faults report the timing
// (node.Realtime's).
const defaultHeartbeat = 1500 * time.Millisecond

// Timer is a node's election timer as the cluster reports it. A follower's runs from the
// last time it heard from its leader (raft's LastContact in status, the last contact of a
// link's heartbeat summary, an append it accepted); a candidate's from when it became one.
// Both run out after the node's election timeout: hashicorp/raft picks the real deadline
// at random between it and twice it, so an arc that ran out means "may start an election
// now", not "starts now".
type Timer struct {
	// Contact is the last moment the node is known to have heard from a leader (real time).
	Contact time.Time
	// Candidate is when the node last became a candidate (zero while it is not one).
	Candidate time.Time
	Serial    uint64 // counts restarts, so the view can restart its animation
}

func (s *State) timer(id string) *Timer {
	if s.Timers == nil {
		s.Timers = map[string]*Timer{}
	}
	t := s.Timers[id]
	if t == nil {
		t = &Timer{}
		s.Timers[id] = t
	}
	return t
}

// contact restarts a node's timer: it heard from the leader at when. It never moves back.
func (s *State) contact(id string, when time.Time) {
	t := s.timer(id)
	if when.After(t.Contact) {
		t.Contact = when
		t.Serial++
	}
}

// HeartbeatTimeout is the raft heartbeat timeout in force.
func (s *State) HeartbeatTimeout() time.Duration {
	if t := s.Faults.Timing; t != nil && t.HeartbeatMS > 0 {
		return time.Duration(t.HeartbeatMS) * time.Millisecond
	}
	return defaultHeartbeat
}

// ElectionTimeout is the timeout node id uses, as it reported it, else the cluster's.
func (s *State) ElectionTimeout(id string) time.Duration {
	if n := s.Nodes[id]; n != nil && n.ElectionTimeout > 0 {
		return n.ElectionTimeout
	}
	return s.HeartbeatTimeout()
}

// TimerLeft is the fraction (1 full, 0 run out) of a node's election timer left at the
// picture time at, and whether the page has seen it at all.
func (s *State) TimerLeft(id string, at time.Time) (float64, bool) {
	t := s.Timers[id]
	n := s.Nodes[id]
	if t == nil || n == nil {
		return 0, false
	}
	from := t.Contact
	if n.Role == wire.RoleCandidate && !t.Candidate.IsZero() {
		from = t.Candidate
	}
	if from.IsZero() {
		return 0, false
	}
	gone := at.Sub(from)
	if gone <= 0 {
		return 1, true
	}
	return max(0, 1-float64(gone)/float64(s.ElectionTimeout(id))), true
}

// timerEvent restarts the timers an event shows contact for, at the real time of the
// contact.
func (s *State) timerEvent(ev wire.Event) {
	switch ev.Type {
	case wire.EventRPC:
		var d wire.RPCData
		if decode(ev, &d) && d.RPC == wire.RPCAppendEntries && d.Success && !d.Dropped && d.Error == "" {
			// The follower took it about halfway through the round trip.
			s.contact(d.To, ev.Time.Add(-time.Duration(d.LatencyUS)*time.Microsecond/2))
		}
	case wire.EventHeartbeats:
		var d wire.HeartbeatsData
		if !decode(ev, &d) || d.Count+extraOf(ev).Appends <= d.Failed {
			return
		}
		if x := extraOf(ev); !x.LastAt.IsZero() {
			s.contact(d.To, x.LastAt)
		} else {
			s.contact(d.To, ev.Time.Add(summaryGap))
		}
	case wire.EventStatus:
		var d wire.NodeStatus
		if !decode(ev, &d) {
			return
		}
		id := d.ID
		if id == "" {
			id = ev.Node
		}
		x := extraOf(ev)
		if n := s.Nodes[id]; n != nil && x.ElectionTimeoutMS > 0 {
			n.ElectionTimeout = time.Duration(x.ElectionTimeoutMS) * time.Millisecond
		}
		if d.Role == wire.RoleFollower && d.LastContactMS > 0 {
			s.contact(id, ev.Time.Add(-time.Duration(d.LastContactMS)*time.Millisecond))
		}
	case wire.EventState:
		var d wire.StateData
		if !decode(ev, &d) {
			return
		}
		t := s.timer(ev.Node)
		t.Candidate = time.Time{}
		if d.Role == wire.RoleCandidate {
			t.Candidate = ev.Time
			t.Serial++
			if x := extraOf(ev); x.ElectionTimeoutMS > 0 {
				s.node(ev.Node).ElectionTimeout = time.Duration(x.ElectionTimeoutMS) * time.Millisecond
			}
		}
	}
}

// heartbeatSummary draws a link's summary as its last contact: one heartbeat arriving
// when the last one did, labelled with how many the summary counts.
func (s *State) heartbeatSummary(ev wire.Event, d wire.HeartbeatsData) {
	x := extraOf(ev)
	n := d.Count + x.Appends
	if n == 0 || s.isDead(d.From) {
		return
	}
	done := ev.Time
	if !x.LastAt.IsZero() {
		done = x.LastAt
	}
	f := Flight{ID: ev.Seq, Kind: KindHeartbeat, RPC: wire.RPCAppendEntries, Term: d.Term, From: d.From, To: d.To,
		Sent: done.Add(-time.Duration(d.LastLatencyUS) * time.Microsecond), Done: done,
		Outcome: OutcomeOK, Label: "×" + strconv.Itoa(n), Landed: true}
	if d.Failed > 0 {
		f.Outcome = OutcomeFailed
	}
	s.Flights.heartbeatDue(d.From, d.To, done)
	s.Flights.add(f)
	s.draw(Drawn{Kind: DrawRPCReply, From: d.From, To: d.To, RPC: "heartbeats", Term: d.Term, Seq: ev.Seq}, done)
}
