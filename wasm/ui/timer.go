package ui

import (
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// summaryGap is about how often heartbeats summaries arrive per link: a summary that
// counted heartbeats means the follower heard from the leader through that period.
const summaryGap = time.Second

// defaultHeartbeat is the heartbeat timeout assumed until the faults report the timing
// (node.Realtime's).
const defaultHeartbeat = 1500 * time.Millisecond

// Timer is a follower's election timer as the page can see it: the last time the node
// heard from a leader. Contact restarts it; without contact it runs out after the
// heartbeat timeout, when the follower starts an election.
type Timer struct {
	// Until is the last moment the node is known (or, from a summary, assumed) to have
	// heard from the leader, on the page's clock.
	Until  time.Time
	Serial uint64 // counts restarts, so the view can restart its animation
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

// contact restarts a node's timer: it heard from the leader at when, and is assumed to go
// on hearing for hold after it. The timer never moves back.
func (s *State) contact(id string, when time.Time, hold time.Duration) {
	t := s.timer(id)
	if until := when.Add(hold); until.After(t.Until) {
		t.Until = until
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

// TimerLeft is the fraction (1 full, 0 run out) of a follower's election timer left at
// now, and whether the page has seen it at all.
func (s *State) TimerLeft(id string, now time.Time) (float64, bool) {
	t := s.Timers[id]
	if t == nil || t.Until.IsZero() {
		return 0, false
	}
	gone := now.Sub(t.Until)
	if gone <= 0 {
		return 1, true
	}
	return max(0, 1-float64(gone)/float64(s.HeartbeatTimeout())), true
}

// timerEvent restarts the timers an event shows contact for.
func (s *State) timerEvent(ev wire.Event, now time.Time) {
	switch ev.Type {
	case wire.EventRPC:
		var d wire.RPCData
		if decode(ev, &d) && d.RPC == wire.RPCAppendEntries && !d.Dropped && d.Error == "" {
			s.contact(d.To, now, 0)
		}
	case wire.EventHeartbeats:
		var d wire.HeartbeatsData
		if decode(ev, &d) && d.Count > d.Failed {
			s.contact(d.To, now, summaryGap)
		}
	case wire.EventStatus:
		var d wire.NodeStatus
		if decode(ev, &d) && d.Role == wire.RoleFollower && d.LastContactMS > 0 {
			id := d.ID
			if id == "" {
				id = ev.Node
			}
			s.contact(id, now.Add(-time.Duration(d.LastContactMS)*time.Millisecond), 0)
		}
	}
}
