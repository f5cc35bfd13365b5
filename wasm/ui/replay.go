package ui

import (
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// Instant replay. In realtime an election takes a few milliseconds after a timer that ran
// for a second: too fast to see. When one happens (or a failover, a partition healing, a
// snapshot installed), the page offers to play the real events of those few hundred
// milliseconds again, ten times slower, in their true order and proportion, rebuilt from
// the server's history (which includes the idle traffic the live stream folds) or, failing
// that, from what the page recorded.

const (
	replayRate   = 0.1                    // picture time per wall time in a replay
	replayBefore = 200 * time.Millisecond // shown before the first sign of trouble
	replayAfter  = 250 * time.Millisecond // shown after it settled (the first appends)
	replayMax    = 3 * time.Second        // the longest stretch of real time replayed
	healSettle   = time.Second            // a heal with no election after it ends here
	troubleMax   = 6 * time.Second        // an episode not settled by then is dropped
	offerTTL     = 30 * time.Second
	noticeTTL    = 8 * time.Second  // an ok or busy notice
	errorTTL     = 20 * time.Second // an error notice
)

// Episode is a stretch of the cluster's life worth replaying.
type Episode struct {
	What           string // "election", "failover", "partition heal", "snapshot install"
	From, To       time.Time
	FromSeq, ToSeq uint64
	Term           uint64
	closed         bool
	ready          bool // the live picture has drawn all of it
	at             time.Time
}

// Player plays a replay: a picture of its own whose clock runs at Rate from the episode's
// start, drawing into the page's record as "replay".
type Player struct {
	Ep     Episode
	Source string // "history" (the server's) or "page" (what the page recorded)
	pic    *State
	wall   time.Time
	Rate   float64
}

// Done reports whether the replay reached its end.
func (p *Player) Done() bool { return !p.pic.Shown.Before(p.Ep.To) }

// Now is the real moment the replay shows.
func (p *Player) Now() time.Time { return p.pic.Shown }

func (p *Player) advance(now time.Time) bool {
	if p.Done() {
		return false
	}
	p.pic.Now = now
	t := p.Ep.From.Add(time.Duration(float64(now.Sub(p.wall)) * p.Rate))
	if t.After(p.Ep.To) {
		t = p.Ep.To
	}
	return p.pic.advanceTo(t)
}

// trouble opens an episode at at unless one is open.
func (s *State) trouble(what string, at time.Time, seq uint64) {
	if s.replica || s.drawn == nil {
		return
	}
	if s.open != nil && !s.open.closed {
		if what == "failover" {
			s.open.What = what
		}
		return
	}
	s.open = &Episode{What: what, From: at.Add(-replayBefore), FromSeq: seq}
}

// settled closes the open episode at at (a leader elected, a snapshot installed).
func (s *State) settled(at time.Time, term uint64) {
	if s.open == nil || s.open.closed {
		return
	}
	ep := s.open
	ep.closed, ep.Term = true, term
	ep.To = at.Add(replayAfter)
	if ep.To.Sub(ep.From) > replayMax {
		ep.From = ep.To.Add(-replayMax)
	}
}

// expire does what the clock alone changes: notices go away, a heal with no election after
// it settles, a closed episode becomes an offer once the live picture has drawn all of it.
func (s *State) expire(now time.Time) bool {
	changed := false
	if n := s.Notice; n.Text != "" {
		ttl := noticeTTL
		if n.Level == "error" {
			ttl = errorTTL
		}
		if now.Sub(n.At) > ttl {
			s.Notice, changed = Notice{}, true
		}
	}
	if ep := s.open; ep != nil && !ep.closed && s.Shown.Sub(ep.From) > healSettle {
		if ep.What == "partition heal" {
			s.settled(s.Shown, s.Term)
		} else if s.Shown.Sub(ep.From) > troubleMax {
			s.open = nil // a follower died, or an election that never ended: nothing to offer
		}
	}
	if ep := s.open; ep != nil && ep.closed && !s.Shown.Before(ep.To) {
		s.open = nil
		ep.ToSeq, ep.at = s.recvSeq, now
		s.Offer, changed = ep, true
		if s.AutoReplay {
			s.startReplay()
		}
	}
	if s.Offer != nil && s.Player == nil && now.Sub(s.Offer.at) > offerTTL {
		s.Offer, changed = nil, true
	}
	return changed
}

// startReplay fetches what the offered episode needs and plays it.
func (s *State) startReplay() {
	ep := s.Offer
	if ep == nil {
		return
	}
	from := ep.FromSeq
	for _, it := range s.Timeline.items {
		if it.Time.Before(ep.From) {
			from = it.Seq
		}
	}
	if from > 0 {
		from--
	}
	s.fetch("/v1/cluster/events/keyframe?at="+u(from), want{kind: "keyframe", ep: ep})
}

// play starts a replay of ep over base with evs.
func (s *State) play(ep *Episode, base *State, evs []wire.Event, source string) {
	pic := rebuildAt(base, evs, moment{At: ep.From})
	pic.Rate, pic.mode, pic.drawn, pic.Frozen = replayRate, "replay", s.drawn, false
	pic.Now = s.Now
	s.Player = &Player{Ep: *ep, Source: source, pic: pic, wall: s.Now, Rate: replayRate}
}

// stopReplay goes back to live.
func (s *State) stopReplay() { s.Player = nil }
