package ui

import "github.com/raftplay/raftplay/node/wire"

// nodeActions are the per-node buttons, in display order.
var nodeActions = []struct{ action, label, hint string }{
	{"kill", "Kill", "stop this node's raft (its disk stays)"},
	{"restart", "Restart", "start raft again over the same data"},
	{"isolate", "Isolate", "cut this node off from every other node"},
	{"transfer", "Make leader", "transfer leadership to this node"},
	{"remove", "Remove", "remove this node from the configuration"},
}

func (s *State) viewNodeCards(m *viewMemo) *V {
	ids := s.NodeIDs()
	cards := make([]*V, 0, len(ids))
	for _, id := range ids {
		n := s.Nodes[id]
		k := cardKey{id: id, role: s.displayRole(n), suffrage: n.Suffrage, digest: n.Digest, err: n.Error,
			isolated: s.Isolated(id), diverged: n.Diverged, group: s.Group(id),
			term: n.Term, commit: n.Commit, applied: n.Applied, last: n.LastIndex, snap: n.SnapIndex, snapT: n.SnapTerm}
		cards = append(cards, m.cards.get(k, func() *V { return s.viewNodeCard(n).Keyed(id) }))
	}
	if len(cards) == 0 {
		return El("p", A{"class": "muted"}, T("No nodes yet."))
	}
	return El("div", A{"class": "cards"}, cards...)
}

func (s *State) viewNodeCard(n *Node) *V {
	role := s.displayRole(n)
	var tags []*V
	tag := func(cls, text string) { tags = append(tags, El("span", A{"class": "tag " + cls}, T(text))) }
	tag("role-"+role, role)
	if s.Isolated(n.ID) {
		tag("warn", "isolated")
	}
	if g := s.Group(n.ID); g != 0 {
		tag("warn", "partition "+u(uint64(g)))
	}
	if n.Diverged {
		tag("bad", "diverged")
	}
	if c := n.catchingUp(); c != "" {
		tag("warn", c)
	}
	if n.Suffrage != "" && n.Suffrage != "voter" {
		tag("muted", n.Suffrage)
	}
	buttons := make([]*V, 0, len(nodeActions))
	for _, a := range nodeActions {
		buttons = append(buttons, El("button", A{
			"type": "button", "class": "small act-" + a.action,
			"data-testid": "node-action", "data-action": a.action, "data-node-id": n.ID,
			"data-click": "node:" + a.action + ":" + n.ID,
			"title":      a.hint, "aria-label": a.label + " " + n.ID,
		}, T(a.label)))
	}
	digest := short(n.Digest)
	stat := func(k, v string) *V { return El("div", nil, El("dt", nil, T(k)), El("dd", nil, T(v))) }
	snap := "-"
	if n.SnapIndex > 0 {
		snap = u(n.SnapIndex) + " (t" + u(n.SnapTerm) + ")"
	}
	var errLine *V
	if n.Error != "" && role == wire.RoleDown {
		errLine = El("p", A{"class": "muted small"}, T(n.Error))
	}
	return El("article", A{"class": "card role-" + role, "data-testid": "node-card", "data-node-id": n.ID},
		El("header", nil, El("h3", nil, T(n.ID)), El("div", A{"class": "tags"}, tags...)),
		El("dl", A{"class": "stats"},
			stat("term", u(n.Term)), stat("commit", u(n.Commit)), stat("applied", u(n.Applied)),
			stat("last", u(n.LastIndex)), stat("snapshot", snap), stat("digest", orDash(digest)),
		),
		errLine,
		El("div", A{"class": "actions"}, buttons...),
	)
}
