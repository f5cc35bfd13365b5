package ui

import (
	"strconv"
	"time"

	"github.com/raftplay/raftplay/node/wire"
)

// PictureMode says which picture the page draws: "live", "paused" (held still, stepping),
// "past" (a scrubbed moment) or "replay".
func (s *State) PictureMode() string {
	switch p := s.picture(); {
	case s.Player != nil:
		return "replay"
	case p == s:
		return "live"
	case s.Held == p:
		return "paused"
	}
	return "past"
}

// viewTimebar says what the picture shows and how far it is from live, with the controls
// to pause, step, replay and go back to live.
func (s *State) viewTimebar() *V {
	mode := s.PictureMode()
	p := s.picture()
	btn := func(id, action, label string) *V {
		return El("button", A{"type": "button", "class": "small", "data-testid": id, "data-click": action}, T(label))
	}
	attrs := A{"class": "timebar", "data-testid": "picture", "data-mode": mode, "data-delay-ms": strconv.FormatInt(s.Delay().Milliseconds(), 10),
		"data-shown": clock(p.pictureTime()), "data-seq": u(p.shownSeq()), "data-at": strconv.FormatFloat(ms64(p.last.At), 'f', 3, 64), "role": "status"}
	if seq, r, ok := s.Past(); ok && r == nil {
		return El("div", attrs, El("span", A{"class": "muted", "data-testid": "past", "data-seq": u(seq), "data-replayed": "false"},
			T("Event #"+u(seq)+" is from before the last connection: showing the live cluster. ")),
			btn("back-to-live", "tl-resume", "Back to live"))
	}
	switch mode {
	case "live":
		text := "Showing the cluster " + strconv.FormatInt(s.Delay().Milliseconds(), 10) + " ms behind real time, so every message is drawn from its real send to its real answer."
		return El("div", attrs, El("span", A{"class": "muted small"}, T(text)))
	case "replay":
		pl := s.Player
		state := "playing"
		if pl.Done() {
			state = "finished"
		}
		attrs["data-state"] = state
		attrs["data-source"] = pl.Source
		return El("div", attrs,
			El("strong", nil, T("Replay ×"+strconv.Itoa(int(1/pl.Rate+0.5))+" slower: "+pl.Ep.What+" ")),
			El("span", A{"class": "muted small"}, T(clock(pl.Now())+" ("+msText(pl.Now().Sub(pl.Ep.From))+" of "+msText(pl.Ep.To.Sub(pl.Ep.From))+" real time, "+state+") ")),
			btn("replay-again", "replay:again", "↺ Again"),
			btn("replay-stop", "replay:stop", "Back to live"))
	}
	// Paused or scrubbed: the picture is still, the cluster is not.
	attrs["data-replayed"] = "true"
	behind := s.pictureAgo()
	text := "Paused at " + clock(p.pictureTime()) + " (event #" + u(p.shownSeq()) + "): the cluster keeps running, " + msText(behind) + " ahead of this picture. "
	if mode == "past" {
		seq, _, _ := s.Past()
		text = "Replay: the cluster as of event #" + u(seq) + " (" + clock(p.pictureTime()) + "). "
		attrs["data-seq"] = u(seq)
	}
	past := A{}
	if mode == "past" {
		past = A{"data-testid": "past", "data-seq": attrs["data-seq"], "data-replayed": "true"}
	}
	kids := []*V{El("span", past, T(text)),
		btn("step-back", "tl-step:back", "◀ Step"), btn("step-forward", "tl-step:forward", "Step ▶"),
		El("button", A{"type": "button", "class": "small primary", "data-testid": "back-to-live", "data-click": "tl-resume"}, T("Back to live"))}
	if h := s.History; h.Known && h.Newest > h.Oldest {
		r := El("input", A{"type": "range", "min": u(h.Oldest), "max": u(h.Newest), "step": "1",
			"data-testid": "history-scrub", "data-change": "hist-scrub", "aria-label": "Scrub through the server's history"})
		r.Value = &Value{Text: u(p.shownSeq())}
		kids = append(kids, El("label", A{"class": "inline small"}, T(" history #"+u(h.Oldest)+"–#"+u(h.Newest)+" "), r))
	} else if h.Err != "" {
		kids = append(kids, El("span", A{"class": "muted small", "data-testid": "history-error"}, T(" (server history: "+h.Err+")")))
	}
	return El("div", attrs, kids...)
}

// shownSeq is the seq of the event the picture drew last.
func (s *State) shownSeq() uint64 {
	if s.last.Ev.Seq != 0 {
		return s.last.Ev.Seq
	}
	return s.LastSeq
}

// viewReplayOffer is the notice offering a replay of what just happened.
func (s *State) viewReplayOffer() *V {
	auto := A{"type": "checkbox", "data-testid": "replay-auto", "data-change": "replay:auto"}
	if s.AutoReplay {
		auto["checked"] = ""
	}
	setting := El("label", A{"class": "inline small"}, El("input", auto), T(" replay at once"))
	ep := s.Offer
	if ep == nil || s.Player != nil {
		return El("div", A{"class": "replay-offer empty"}, setting)
	}
	what := ep.What
	if ep.Term > 0 && (what == "election" || what == "failover") {
		what += " (term " + u(ep.Term) + ")"
	}
	return El("div", A{"class": "replay-offer", "data-testid": "replay-offer", "data-what": ep.What},
		El("span", nil, T("Just now: "+what+", "+msText(ep.To.Sub(ep.From))+" of real time. ")),
		El("button", A{"type": "button", "class": "small primary", "data-testid": "replay-start", "data-click": "replay:start"}, T("▶ Replay 10× slower")),
		setting)
}

// viewPastData is the data panel of a replayed picture: the server's data is live, so a
// past moment shows what each node had applied by then, from the apply events.
func (s *State) viewPastData() *V {
	var nodes []*V
	for _, id := range s.NodeIDs() {
		n := s.Nodes[id]
		var items []*V
		for i := len(n.Applies) - 1; i >= 0; i-- {
			items = append(items, El("li", nil, T(n.Applies[i])))
		}
		nodes = append(nodes, El("div", A{"class": "node-data", "data-testid": "node-data", "data-node-id": id, "data-state": "replayed", "data-index": u(n.Applied)},
			El("h3", nil, T(id+" · applied "+u(n.Applied))),
			El("ol", A{"class": "applies"}, items...)).Keyed(id))
	}
	return El("div", A{"data-testid": "data-view", "data-open": "true", "data-replayed": "true"},
		El("h2", nil, T("Data"), El("span", A{"class": "muted small"}, T(" · as applied by this moment (latest entries)"))),
		El("div", A{"class": "data-nodes"}, nodes...))
}

// Cut reports the direction of a cut between a and b: "both", "a-b" (only a's messages to
// b are lost), "b-a", or "" when they reach each other.
func (s *State) Cut(a, b string) string {
	ab, ba := s.blocked(a, b), s.blocked(b, a)
	switch {
	case ab && ba:
		return "both"
	case ab:
		return "a-b"
	case ba:
		return "b-a"
	}
	return ""
}

// blocked reports whether messages from one node to another are lost to a fault.
func (s *State) blocked(from, to string) bool {
	if s.Isolated(from) || s.Isolated(to) {
		return true
	}
	if gf, gt := s.Group(from), s.Group(to); gf != 0 && gt != 0 && gf != gt {
		return true
	}
	for _, l := range s.Faults.Links {
		if l.From == from && l.To == to && (l.Block || l.Drop >= 1) {
			return true
		}
	}
	return false
}

// catchingUp is the label of a node that came back and has not applied what the cluster
// committed.
func (n *Node) catchingUp() string {
	if n.CatchingUp {
		return "catching up"
	}
	return ""
}

func msText(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d >= 10*time.Second {
		return strconv.FormatFloat(d.Seconds(), 'f', 0, 64) + " s"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
}

var _ = wire.RoleDown
