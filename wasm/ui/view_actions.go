package ui

import (
	"strings"

	"github.com/raftplay/raftplay/node/wire"
)

// viewPicked is the action bar right under the cluster picture: the actions of the node or
// link picked in it (a click, or Enter or Space on the focused one), so that on a phone the
// picture and what can be done to it share the screen.
func (s *State) viewPicked(past bool) *V {
	kind, rest, _ := strings.Cut(s.Picked, ":")
	a := A{"id": "picked-actions", "class": "picked", "data-testid": "picked", "data-picked": s.Picked}
	if past {
		a["class"] += " hint muted"
		return El("div", a, T("This is the past: go back to live to act on the cluster."))
	}
	switch kind {
	case "node":
		if n := s.Nodes[rest]; n != nil {
			return El("div", a, s.viewPickedNode(n))
		}
	case "link":
		if x, y, ok := strings.Cut(rest, ":"); ok && s.Nodes[x] != nil && s.Nodes[y] != nil {
			return El("div", a, s.viewPickedLink(x, y))
		}
	}
	a["class"] += " hint muted"
	return El("div", a, T("Pick a node or a link in the picture for its actions."))
}

func (s *State) viewPickedNode(n *Node) *V {
	buttons := []*V{El("strong", nil, T(n.ID+" · "+s.displayRole(n)))}
	for _, a := range nodeActions {
		buttons = append(buttons, El("button", A{
			"type": "button", "class": "small act-" + a.action,
			"data-testid": "picked-action", "data-action": a.action, "data-node-id": n.ID,
			"data-click": "node:" + a.action + ":" + n.ID, "title": a.hint, "aria-label": a.label + " " + n.ID,
		}, T(a.label)))
	}
	return El("div", A{"class": "row wrap", "role": "group", "aria-label": "Actions of " + n.ID}, buttons...)
}

// linkActions are the buttons of a picked link between a and b.
var linkActions = []struct{ action, label string }{
	{"block", "Cut %a→%b"}, {"block-back", "Cut %b→%a"}, {"both", "Cut both ways"}, {"restore", "Restore"},
}

func (s *State) viewPickedLink(a, b string) *V {
	kids := []*V{El("strong", nil, T("link "+a+"–"+b))}
	for _, l := range linkActions {
		label := strings.NewReplacer("%a", a, "%b", b).Replace(l.label)
		kids = append(kids, El("button", A{
			"type": "button", "class": "small", "data-testid": "link-action", "data-action": l.action,
			"data-a": a, "data-b": b, "data-click": "link:" + l.action + ":" + a + ":" + b,
		}, T(label)))
	}
	return El("div", A{"class": "row wrap", "role": "group", "aria-label": "Actions of the link " + a + "–" + b}, kids...)
}

// handlePick picks a node or link in the picture, or unpicks the one picked.
func (s *State) handlePick(arg string) {
	if s.Picked == arg {
		s.Picked = ""
		return
	}
	s.Picked = arg
}

// handleLink sends the link faults a picked link's button asks for: "<action>:<a>:<b>".
func (s *State) handleLink(arg string) []wire.Command {
	action, rest, _ := strings.Cut(arg, ":")
	a, b, ok := strings.Cut(rest, ":")
	if !ok || a == "" || b == "" || a == b {
		return nil
	}
	link := func(from, to string, block bool) wire.Command {
		return s.control("link "+from+"→"+to, "control.link", wire.Link{From: from, To: to, Block: block})
	}
	switch action {
	case "block":
		return []wire.Command{link(a, b, true)}
	case "block-back":
		return []wire.Command{link(b, a, true)}
	case "both":
		return []wire.Command{link(a, b, true), link(b, a, true)}
	case "restore":
		return []wire.Command{link(a, b, false), link(b, a, false)}
	}
	return nil
}

// viewAnnounce is a live region that tells assistive technology what changed in the
// cluster: its leader and term, and the faults in force. It says nothing else, so that it
// speaks only when one of those changes.
func (s *State) viewAnnounce() *V {
	text := "No leader."
	if s.Leader != "" {
		text = "Leader " + s.Leader + ", term " + u(s.Term) + "."
	}
	var faults []string
	for _, id := range s.Faults.Down {
		faults = append(faults, id+" down")
	}
	for _, id := range s.Faults.Isolated {
		faults = append(faults, id+" isolated")
	}
	if len(s.Faults.Partition) > 0 {
		faults = append(faults, "partition "+groupsText(s.Faults.Partition))
	}
	for _, l := range s.Faults.Links {
		if l.Block || l.Drop >= 1 {
			faults = append(faults, "link "+l.From+" to "+l.To+" cut")
		}
	}
	if len(faults) > 0 {
		text += " Faults: " + strings.Join(faults, ", ") + "."
	}
	return El("div", A{"class": "sr-only", "role": "status", "aria-live": "polite", "data-testid": "announce"}, T(text))
}
