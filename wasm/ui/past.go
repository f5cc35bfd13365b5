package ui

import (
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

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
	c.queue = append(queue(nil), s.queue...)
	c.last = s.last
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
		cp.Applies = append([]string(nil), n.Applies...)
		c.Nodes[id] = &cp
	}
	for i, m := range s.digests {
		c.digests[i] = copyMap(m)
	}
	c.derive()
	return c
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

// rebuildAt is base with the moments of evs released in order up to and including target,
// and the rest held in its queue: the whole picture at that moment, messages in flight
// included (an rpc sent before target whose outcome came after it is on its way).
func rebuildAt(base *State, evs []wire.Event, target moment) *State {
	r := base.clone()
	r.queue = nil
	for _, m := range sortMoments(evs) {
		if m.Ev.Seq != 0 && m.Ev.Seq <= base.recvSeq {
			continue
		}
		if m.Ev.Seq > r.recvSeq {
			r.recvSeq = m.Ev.Seq
		}
		if target.before(m) {
			r.queue = append(r.queue, m)
			continue
		}
		r.releaseMoment(m)
	}
	r.Shown = target.At
	r.Flights.prune(target.At, flightLinger)
	return r
}

// eventsOf is the timeline's recorded events.
func (t *Timeline) eventsOf() []wire.Event {
	out := make([]wire.Event, len(t.items))
	for i, it := range t.items {
		out[i] = it.event()
	}
	return out
}

// Past returns the cluster as of the selected timeline event while the timeline is
// scrubbed back: the state just before the oldest recorded event (kept up to date as the
// timeline lets events go) with the recorded events replayed in causal order up to the
// selected one. ok is false when nothing is selected; state is nil when the event is from
// before the last hello, which cannot be replayed.
func (s *State) Past() (seq uint64, state *State, ok bool) {
	t := &s.Timeline
	if !t.Paused || t.Cursor == 0 {
		return 0, nil, false
	}
	if s.past != nil && s.past.seq == t.Cursor {
		return t.Cursor, s.past.state, true
	}
	s.past = &pastState{seq: t.Cursor}
	if it, found := t.find(t.Cursor); found && s.base != nil && t.Cursor > s.base.LastSeq {
		r := rebuildAt(s.base, t.eventsOf(), moment{At: it.Time, Ev: it.event()})
		r.Frozen = true
		s.past.state = r
	}
	return t.Cursor, s.past.state, true
}

// pause holds the whole picture as it is now; the cluster (and the live picture) go on.
func (s *State) pause() {
	if s.Held != nil {
		return
	}
	s.Held = s.clone()
	s.Held.Frozen = true
	s.Timeline.Pause()
}

// resume goes back to the live picture.
func (s *State) resume() {
	s.Held, s.past = nil, nil
	s.Timeline.Resume()
	if s.Player != nil && s.Player.Done() {
		s.Player = nil
	}
}

// step moves the held picture one moment forward (dir > 0) or back.
func (s *State) step(dir int) {
	s.pause()
	h := s.Held
	if dir > 0 {
		if len(h.queue) == 0 {
			// The live picture has drawn further since: take its events.
			for _, it := range s.Timeline.items {
				if it.Seq > h.recvSeq {
					h.recvSeq = it.Seq
					for _, m := range momentsOf(it.event()) {
						h.queue.push(m)
					}
				}
			}
		}
		if len(h.queue) > 0 {
			m := h.queue[0]
			h.queue = append(h.queue[:0], h.queue[1:]...)
			h.releaseMoment(m)
			h.Flights.prune(h.Shown, flightLinger)
		}
		return
	}
	if s.base == nil {
		return
	}
	evs := s.Timeline.eventsOf()
	var prev *moment
	for _, m := range sortMoments(evs) {
		if m.Ev.Seq <= s.base.recvSeq || !m.before(h.last) {
			continue
		}
		prev = &m
	}
	if prev == nil {
		return // the oldest moment the page can rebuild
	}
	r := rebuildAt(s.base, evs, *prev)
	r.Frozen = true
	s.Held = r
}

// picture is the cluster the page draws now: a replay, a scrubbed or held moment, or live.
func (s *State) picture() *State {
	if s.Player != nil {
		return s.Player.pic
	}
	if _, r, ok := s.Past(); ok && r != nil {
		return r
	}
	if s.Held != nil {
		return s.Held
	}
	return s
}

// pictureAgo says how far behind live the picture is, for the banner.
func (s *State) pictureAgo() time.Duration {
	p := s.picture()
	if p == s {
		return 0
	}
	return s.Shown.Sub(p.Shown)
}
