package ui

import (
	"encoding/json"
	"sort"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// Causal time. Every event carries the real time it happened (the node's clock: the nodes
// of a playground share one machine's clock) and an rpc also the time it was sent. The
// stream delivers events in batches, and an rpc only once its outcome is known, so drawing
// events as they arrive puts effects before their causes. Instead the live picture shows
// the cluster a fixed delay behind real time: each arriving event becomes one or two
// moments (an rpc: its send and its outcome) queued by real time, and a moment is released
// to the picture when the picture's clock reaches it. Messages then fly from their real send
// to their real outcome, and whatever an event caused is drawn after it.

const (
	// liveDelay is how far behind real time the picture runs. Loopback RPCs take well under
	// 10 ms (a vote that fsyncs ~10 ms), the stream batches 20 ms, and idle links are
	// summarised every 250 ms with the time of their last contact: 300 ms holds almost
	// every moment back long enough to release it in order. A slower one (a dial to a dead
	// node takes a second) is drawn from the moment it arrives, already partway along.
	liveDelay = 300 * time.Millisecond
	// maxQueue bounds the moments waiting; past it the oldest are released at once.
	maxQueue = 20000
)

// moment is one point of the picture's timeline: an event's outcome, or an rpc's send.
type moment struct {
	At   time.Time
	Send bool
	Ev   wire.Event
}

func (m moment) before(o moment) bool {
	if !m.At.Equal(o.At) {
		return m.At.Before(o.At)
	}
	if m.Ev.Seq != o.Ev.Seq {
		return m.Ev.Seq < o.Ev.Seq
	}
	return m.Send && !o.Send
}

// queue is the moments not yet released, in order. Events arrive almost in time order, so
// an insertion from the end is cheap.
type queue []moment

func (q *queue) push(m moment) {
	*q = append(*q, m)
	for i := len(*q) - 1; i > 0 && (*q)[i].before((*q)[i-1]); i-- {
		(*q)[i], (*q)[i-1] = (*q)[i-1], (*q)[i]
	}
}

// extra is what the live-picture contract adds to event data (docs/events.md): an rpc's
// send time, a summary's last contact and folded appends, a node's election timeout and
// time since it last heard from its leader.
type extra struct {
	Sent              time.Time `json:"sent"`
	LastAt            time.Time `json:"last_at"`
	Appends           int       `json:"appends"`
	ElectionTimeoutMS int64     `json:"election_timeout_ms"`
	LastContactMS     int64     `json:"last_contact_ms"`
}

func extraOf(ev wire.Event) extra {
	var x extra
	json.Unmarshal(ev.Data, &x) // a field it cannot read is left zero
	return x
}

// sentAt is when the rpc of ev left its sender: the "sent" field, else its outcome time less
// its latency.
func sentAt(ev wire.Event, d wire.RPCData) time.Time {
	if x := extraOf(ev); !x.Sent.IsZero() && !x.Sent.After(ev.Time) {
		return x.Sent
	}
	return ev.Time.Add(-time.Duration(d.LatencyUS) * time.Microsecond)
}

// momentsOf splits an event into its moments.
func momentsOf(ev wire.Event) []moment {
	switch ev.Type {
	case wire.EventRPC:
		var d wire.RPCData
		if decode(ev, &d) {
			return []moment{{At: sentAt(ev, d), Send: true, Ev: ev}, {At: ev.Time, Ev: ev}}
		}
	case wire.EventHeartbeats:
		// A summary is drawn as the last contact it counts, at the time it happened.
		if x := extraOf(ev); !x.LastAt.IsZero() && !x.LastAt.After(ev.Time) {
			return []moment{{At: x.LastAt, Ev: ev}}
		}
	}
	return []moment{{At: ev.Time, Ev: ev}}
}

// Delay is how far behind real time the live picture shows the cluster: liveDelay, plus the
// injected RPC delay both ways when the cluster runs slowed down.
func (s *State) Delay() time.Duration {
	d := liveDelay
	if t := s.Faults.Timing; t != nil && t.RPCDelayMS > 0 {
		d += 2 * time.Duration(t.RPCDelayMS) * time.Millisecond
	}
	return d
}

// Receive takes an event from the stream at now. A hello, and the answers to the page's
// own commands, apply at once; the cluster's events wait in the queue until Advance
// releases them. It reports whether the view changed.
func (s *State) Receive(ev wire.Event, now time.Time) bool {
	if ev.Type == wire.EventHello || ev.Seq == 0 || ev.Type == wire.EventResult || ev.Type == wire.EventError {
		return s.Apply(ev, now)
	}
	if !s.accept(ev, now) {
		return false
	}
	for _, m := range momentsOf(ev) {
		s.queue.push(m)
	}
	for len(s.queue) > maxQueue {
		s.releaseMoment(s.queue[0])
		s.queue = append(s.queue[:0], s.queue[1:]...)
	}
	return false
}

// Advance moves the live picture's clock to now less the delay (it never goes back) and
// releases every moment it reached, in order; a replay running moves on too. It reports
// whether the view changed.
func (s *State) Advance(now time.Time) bool {
	s.Now = now
	changed := s.advanceTo(now.Add(-s.Delay()))
	if s.Player != nil && s.Player.advance(now) {
		changed = true
	}
	return s.expire(now) || changed
}

// advanceTo releases every moment up to target and moves the picture's clock there.
func (s *State) advanceTo(target time.Time) bool {
	if target.Before(s.Shown) {
		target = s.Shown
	}
	n := 0
	for n < len(s.queue) && !s.queue[n].At.After(target) {
		s.releaseMoment(s.queue[n])
		n++
	}
	s.queue = append(s.queue[:0], s.queue[n:]...)
	s.Shown = target
	linger := time.Duration(float64(flightLinger) / s.Scale())
	return s.Flights.prune(target, linger) || n > 0
}

// NextWake is the wall time at which the picture next changes by itself: the next moment
// due, or the end of a flight's linger. Zero when nothing is pending.
func (s *State) NextWake() time.Time {
	if s.Player != nil && !s.Player.Done() {
		return s.Now.Add(16 * time.Millisecond) // a replay moves every frame
	}
	var w time.Time
	if len(s.queue) > 0 {
		w = s.queue[0].At.Add(s.Delay())
	}
	for _, f := range s.Flights.List {
		if e := f.Done.Add(flightLinger + s.Delay()); w.IsZero() || e.Before(w) {
			w = e
		}
	}
	return w
}

// Scale is wall time per picture time (1 live, 10 in a replay ten times slower).
func (s *State) Scale() float64 {
	if s.Rate <= 0 {
		return 1
	}
	return 1 / s.Rate
}

// Pending is the number of moments waiting to be drawn.
func (s *State) Pending() int { return len(s.queue) }

// releaseMoment draws one moment: a message leaving, or an event taking effect.
func (s *State) releaseMoment(m moment) {
	if m.At.After(s.Shown) {
		s.Shown = m.At
	}
	s.last = m
	if m.Send {
		var d wire.RPCData
		if decode(m.Ev, &d) {
			s.sendRPC(m.Ev, d, m.At)
		}
		return
	}
	s.release(m.Ev)
}

// sendRPC starts drawing an rpc's message at its send time sent; false when it is not
// drawn (its sender is dead, or it is one of many idle appends on its link).
func (s *State) sendRPC(ev wire.Event, d wire.RPCData, sent time.Time) bool {
	if s.isDead(d.From) {
		return false
	}
	f := flightOf(ev.Seq, ev.Time, d, sent)
	if f.Kind == KindHeartbeat && f.Outcome == OutcomeOK && !s.Flights.heartbeatDue(d.From, d.To, sent) {
		return false
	}
	if s.Shown.After(sent) {
		f.Offset = min(s.Shown.Sub(sent), f.Dur())
	}
	s.Flights.add(f)
	s.draw(Drawn{Kind: DrawRPCSend, From: d.From, To: d.To, RPC: d.RPC, Term: d.Term, Seq: ev.Seq}, sent)
	return true
}

// landRPC draws an rpc's outcome. A message whose sender died first is not drawn any more.
func (s *State) landRPC(ev wire.Event, d wire.RPCData) {
	if s.isDead(d.From) {
		return
	}
	f := s.Flights.find(ev.Seq)
	if f == nil {
		// Its send was not released (an event applied at once): draw both now.
		if !s.sendRPC(ev, d, sentAt(ev, d)) {
			return
		}
		f = s.Flights.find(ev.Seq)
	}
	f.Landed = true
	kind := DrawRPCReply
	if f.Outcome == OutcomeDropped || f.Outcome == OutcomeFailed {
		kind = DrawRPCDrop
	}
	s.draw(Drawn{Kind: kind, From: d.From, To: d.To, RPC: d.RPC, Term: d.Term, Seq: ev.Seq}, ev.Time)
}

// die records that a node stopped at at: its messages in flight go with it.
func (s *State) die(id string, at time.Time, seq uint64) {
	if s.isDead(id) {
		return
	}
	if s.dead == nil {
		s.dead = map[string]time.Time{}
	}
	s.dead[id] = at
	s.Flights.removeFrom(id)
	s.draw(Drawn{Kind: DrawDown, Node: id, Seq: seq}, at)
}

func (s *State) revive(id string) { delete(s.dead, id) }

func (s *State) isDead(id string) bool {
	_, ok := s.dead[id]
	return ok
}

// faultDeaths follows the kill list: a node newly in it died at the fault's time, one that
// left it was restarted.
func (s *State) faultDeaths(ev wire.Event, was, now []string) {
	for _, id := range now {
		if !contains(was, id) {
			s.die(id, ev.Time, ev.Seq)
		}
	}
	for _, id := range was {
		if !contains(now, id) {
			s.revive(id)
		}
	}
}

// pictureTime is the moment the picture shows: its clock, or the page's while it has none.
func (s *State) pictureTime() time.Time {
	if s.Shown.IsZero() {
		return s.Now
	}
	return s.Shown
}

// sortMoments orders the moments of events in the order Advance would release them.
func sortMoments(evs []wire.Event) []moment {
	var ms []moment
	for _, ev := range evs {
		ms = append(ms, momentsOf(ev)...)
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].before(ms[j]) })
	return ms
}
