package ui

import "github.com/raftplay/raftplay/node/wire"

// pastState caches the cluster rebuilt as of one timeline event.
type pastState struct {
	seq   uint64
	state *State // nil: that event is older than what can be replayed
}

// replicaOf is a cluster-only state starting at a hello.
func replicaOf(h wire.HelloData) *State {
	r := New()
	r.replica, r.drawn = true, nil
	r.hello(h)
	return r
}

// clone copies what Apply changes in a replica.
func (s *State) clone() *State {
	c := New()
	c.replica, c.drawn = true, nil
	c.Ready, c.Conn, c.LastSeq, c.recvSeq, c.Now, c.Shown = s.Ready, s.Conn, s.LastSeq, s.recvSeq, s.Now, s.Shown
	c.Faults = s.Faults
	c.Flights = Flights{List: append([]Flight(nil), s.Flights.List...)}
	c.dead = copyMap(s.dead)
	c.removed = copyMap(s.removed)
	c.Scenarios = s.Scenarios
	c.Timers = map[string]*Timer{}
	for id, t := range s.Timers {
		cp := *t
		c.Timers[id] = &cp
	}
	for id, n := range s.Nodes {
		cp := *n
		cp.Log = append([]wire.LogEntry(nil), n.Log...)
		c.Nodes[id] = &cp
	}
	for i, m := range s.digests {
		cm := make(map[string]string, len(m))
		for k, v := range m {
			cm[k] = v
		}
		c.digests[i] = cm
	}
	c.derive()
	return c
}

// Past returns the cluster as of the selected timeline event while the timeline is
// scrubbed back: the state just before the oldest recorded event (kept up to date as the
// timeline lets events go) with the recorded events replayed up to the selected one.
// ok is false when nothing is selected; state is nil when the event is from before the
// last hello, which cannot be replayed.
func (s *State) Past() (seq uint64, state *State, ok bool) {
	t := &s.Timeline
	if !t.Paused || t.Cursor == 0 {
		return 0, nil, false
	}
	if s.past != nil && s.past.seq == t.Cursor {
		return t.Cursor, s.past.state, true
	}
	s.past = &pastState{seq: t.Cursor}
	if s.base != nil && t.Cursor > s.base.LastSeq {
		r := s.base.clone()
		for _, it := range t.items {
			if it.Seq > t.Cursor {
				break
			}
			r.Apply(it.event(), it.Time)
		}
		r.Flights = Flights{}
		s.past.state = r
	}
	return t.Cursor, s.past.state, true
}

func copyMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	c := make(map[K]V, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
