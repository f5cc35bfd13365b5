package ui

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// The server keeps a bounded history of its stream (docs/events.md, "History"): events by
// seq range, and keyframes (a hello recorded every 2 s). The page rebuilds any moment in it
// as the keyframe before it plus the events after that keyframe, so scrubbing and replays
// reach as far back as the server remembers, and include the idle traffic the live stream
// folds into summaries.

const (
	historyLimit = 20000 // the most events one history request asks for
	// historyAfter is how many events past the target a scrub fetches: messages sent
	// before the moment whose outcome came after it are in flight at that moment.
	historyAfter = 400
)

// Fetch is a GET the model wants made against the server; the app answers with Fetched.
type Fetch struct {
	ID   uint64
	Path string // path and query, from the server's root
}

// Fetched is the answer to a Fetch: its HTTP status and body, or why it failed.
type Fetched struct {
	ID     uint64
	Status int
	Body   []byte
	Err    string
}

// HistoryRange is what the server's history holds, as its last answer said.
type HistoryRange struct {
	Oldest, Newest uint64
	Known          bool
	Err            string // why the last request failed ("" when it did not)
}

// want is what a fetch is for.
type want struct {
	kind   string // "range", "keyframe", "events"
	target uint64 // the seq to rebuild the picture at (scrub) or 0
	ep     *Episode
	base   *State // the keyframe's picture (events)
}

type keyframe struct {
	Seq   uint64         `json:"seq"`
	Time  time.Time      `json:"time"`
	Hello wire.HelloData `json:"hello"`
}

type historyPage struct {
	Oldest uint64       `json:"oldest"`
	Newest uint64       `json:"newest"`
	Events []wire.Event `json:"events"`
}

// TakeFetches returns the fetches the model wants made since the last call.
func (s *State) TakeFetches() []Fetch {
	f := s.fetches
	s.fetches = nil
	return f
}

func (s *State) fetch(path string, w want) {
	s.fetchID++
	if s.wants == nil {
		s.wants = map[uint64]want{}
	}
	s.wants[s.fetchID] = w
	s.fetches = append(s.fetches, Fetch{ID: s.fetchID, Path: path})
}

func historyPath(after, before uint64, all bool) string {
	p := "/v1/cluster/events/history?after=" + u(after) + "&limit=" + strconv.Itoa(historyLimit)
	if before > 0 {
		p += "&before=" + u(before)
	}
	if all {
		p += "&heartbeats=all"
	}
	return p
}

// askRange asks what the server's history holds (for the history scrubber).
func (s *State) askRange() {
	s.fetch("/v1/cluster/events/history?limit=1&after="+u(s.recvSeq), want{kind: "range"})
}

// scrubTo rebuilds the picture at event seq from the server's history.
func (s *State) scrubTo(seq uint64) {
	s.pause()
	s.Timeline.Cursor, s.past = 0, nil
	s.fetch("/v1/cluster/events/keyframe?at="+u(seq), want{kind: "keyframe", target: seq})
}

// Fetched takes the answer to a fetch.
func (s *State) Fetched(r Fetched, now time.Time) {
	s.Now = now
	w, ok := s.wants[r.ID]
	if !ok {
		return
	}
	delete(s.wants, r.ID)
	if r.Err != "" || r.Status != 200 {
		why := r.Err
		if why == "" {
			why = "HTTP " + strconv.Itoa(r.Status)
		}
		s.History.Err = why
		s.historyFailed(w, why)
		return
	}
	s.History.Err = ""
	switch w.kind {
	case "range":
		var p historyPage
		if json.Unmarshal(r.Body, &p) == nil {
			s.History = HistoryRange{Oldest: p.Oldest, Newest: p.Newest, Known: true}
		}
	case "keyframe":
		var k keyframe
		if err := json.Unmarshal(r.Body, &k); err != nil {
			s.historyFailed(w, "unreadable keyframe")
			return
		}
		w.kind, w.base = "events", replicaOf(k.Hello)
		before := w.target + historyAfter
		if w.ep != nil {
			before = w.ep.ToSeq + historyAfter
		}
		s.fetch(historyPath(k.Hello.Seq, before, w.ep != nil), w)
	case "events":
		var p historyPage
		if err := json.Unmarshal(r.Body, &p); err != nil {
			s.historyFailed(w, "unreadable history")
			return
		}
		s.History = HistoryRange{Oldest: p.Oldest, Newest: p.Newest, Known: true}
		s.historyArrived(w, p.Events)
	}
}

// historyArrived rebuilds the wanted picture from a keyframe and the events after it.
func (s *State) historyArrived(w want, evs []wire.Event) {
	if w.ep != nil {
		s.play(w.ep, w.base, evs, "history")
		return
	}
	for _, ev := range evs {
		if ev.Seq == w.target {
			r := rebuildAt(w.base, evs, moment{At: ev.Time, Ev: ev})
			r.Frozen = true
			s.Held = r
			return
		}
	}
	s.notice("error", "event #"+u(w.target)+" is no longer in the server's history")
}

// historyFailed falls back to what the page itself recorded.
func (s *State) historyFailed(w want, why string) {
	switch {
	case w.ep != nil:
		if s.base != nil {
			s.play(w.ep, s.base, s.Timeline.eventsOf(), "page")
			return
		}
		s.notice("error", "replay: "+why)
	case w.kind != "range":
		if _, ok := s.Timeline.find(w.target); ok {
			s.Timeline.Select(w.target)
			return
		}
		s.notice("error", "history: "+why)
	}
}
