package ui

import (
	"strconv"
	"time"
)

// View returns the whole page: the #app element and everything in it. Every element a test
// or a user drives carries the data-testid and data-* attributes documented in
// docs/ui-testing.md; those names are a contract.
func (s *State) View() *V {
	ready := "false"
	if s.Ready {
		ready = "true"
	}
	// Paused, scrubbed back or replaying, the whole picture (header, cluster, cards, logs,
	// data) shows the cluster at that moment; the console and the timeline stay live.
	pic := s.picture()
	data := s.viewData()
	if pic != s {
		data = pic.viewPastData()
	}
	memo := s.viewMemo()
	defer memo.turn()
	cluster := A{"class": "panel cluster", "aria-label": "Cluster"}
	stale := s.Ready && s.Conn != ConnLive
	if stale {
		// Disconnected: the picture is as it was when the stream stopped (and dimmed).
		cluster["data-stale"] = "true"
	}
	return El("div", A{"id": "app", "data-ready": ready, "data-conn": s.Conn,
		"data-delay-ms": strconv.FormatInt(s.Delay().Milliseconds(), 10), "data-picture": s.PictureMode()},
		El("a", A{"class": "skip", "href": "#picture", "data-testid": "skip"}, T("Skip to the cluster picture")),
		pic.viewHeader(s),
		s.viewNotice(),
		s.viewReplayOffer(),
		s.viewToken(),
		pic.viewAnnounce(),
		El("main", A{"class": "grid", "id": "main"},
			El("section", cluster,
				s.viewControls(),
				s.viewTimebar(),
				pic.viewRing(memo, stale),
				pic.viewPicked(pic != s),
				legend,
				s.viewFaultTools(),
			),
			El("section", A{"class": "panel nodes", "aria-label": "Nodes"},
				El("h2", nil, T("Nodes")),
				pic.viewNodeCards(memo),
			),
			El("section", A{"class": "panel console", "aria-label": "Console"},
				s.viewTarget(),
				s.viewSQL(),
				s.viewKV(),
			),
			El("section", A{"class": "panel logs", "aria-label": "Logs"},
				pic.viewLogs(memo),
				s.viewEntryDetail(),
			),
			El("section", A{"class": "panel data", "aria-label": "Data"},
				data,
			),
			El("section", A{"class": "panel timeline", "aria-label": "Events"},
				s.viewTimeline(),
			),
		),
	)
}

// viewHeader draws the picture's leader, term and events (s is the picture) and the live
// page's connection and metrics.
func (s *State) viewHeader(live *State) *V {
	leader := "none"
	if s.Leader != "" {
		leader = s.Leader
	}
	conn := live.Conn
	title := conn
	if live.ConnError != "" {
		title = conn + ": " + live.ConnError
	}
	return El("header", A{"class": "top"},
		El("h1", nil, T("raftplay")),
		El("div", A{"class": "stat", "data-testid": "leader", "data-leader": s.Leader},
			El("span", A{"class": "k"}, T("leader")), El("b", nil, T(leader))),
		El("div", A{"class": "stat", "data-testid": "term", "data-term": u(s.Term)},
			El("span", A{"class": "k"}, T("term")), El("b", nil, T(u(s.Term)))),
		El("div", A{"class": "stat seq"},
			El("span", A{"class": "k"}, T("events")), El("b", nil, T(u(s.LastSeq)))),
		live.viewSparkline(),
		El("div", A{"class": "conn conn-" + conn, "data-testid": "conn", "data-state": conn, "title": title, "role": "status"},
			El("span", A{"class": "dot", "aria-hidden": "true"}), T(conn)),
	)
}

func (s *State) viewNotice() *V {
	if s.Notice.Text == "" {
		return El("div", A{"class": "notice empty", "role": "status", "aria-live": "polite"})
	}
	return El("div", A{"class": "notice notice-" + s.Notice.Level, "role": "status", "aria-live": "polite", "data-testid": "notice", "data-level": s.Notice.Level},
		El("span", nil, T(s.Notice.Text)),
		El("button", A{"type": "button", "class": "ghost", "data-click": "notice-close", "aria-label": "Dismiss"}, T("×")),
	)
}

func (s *State) viewControls() *V {
	speed := s.Faults.Speed
	if speed == "" {
		speed = "realtime"
	}
	opt := func(v, label string) *V {
		a := A{"value": v}
		if v == speed {
			a["selected"] = ""
		}
		return El("option", a, T(label))
	}
	return El("div", A{"class": "controls"},
		El("h2", nil, T("Cluster")),
		El("div", A{"class": "buttons"},
			El("button", A{"type": "button", "data-testid": "add-node", "data-click": "add-node"}, T("+ Add node")),
			El("button", A{"type": "button", "data-testid": "heal", "data-click": "heal"}, T("Heal all")),
			El("label", A{"class": "inline"}, T("Speed "),
				El("select", A{"data-testid": "speed", "data-change": "speed", "data-speed": speed},
					opt("realtime", "realtime"), opt("slow", "slow (10×)"))),
		),
	)
}

// legend never changes: one view of it serves every render.
var legend = viewLegend()

// viewLegend names each kind of message by the shape it is drawn with.
func viewLegend() *V {
	item := func(kind string) *V {
		icon := S("svg", A{"class": "icon k-" + kind, "viewBox": "-11 -11 22 22", "width": "18", "height": "18", "aria-hidden": "true"}, shapeOf(kind, 0, 0)...)
		return El("li", nil, icon, T(kindShape[kind].words))
	}
	drop := S("svg", A{"class": "icon", "viewBox": "-11 -11 22 22", "width": "18", "height": "18", "aria-hidden": "true"},
		S("text", A{"class": "xmark", "y": "5", "text-anchor": "middle"}, T("✕")))
	return El("ul", A{"class": "legend", "aria-label": "What the picture shows"},
		item(KindAppend), item(KindHeartbeat), item(KindPreVote), item(KindVote), item(KindSnapshot), item(KindTimeout),
		El("li", nil, drop, T("dropped or failed")),
		El("li", nil, El("span", A{"class": "glyph", "aria-hidden": "true"}, T("✓ ✗")), T("vote granted, denied")),
		El("li", nil, El("span", A{"class": "glyph cut", "aria-hidden": "true"}, T("╌")), T("cut link (half: one way)")),
	)
}

func u(v uint64) string { return strconv.FormatUint(v, 10) }

func clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("15:04:05.000")
}
